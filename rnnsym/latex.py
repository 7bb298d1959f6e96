"""Compiling LaTeX: latexmk with pdflatex, nonstop, halting on the first error.

TeX runs in the build's own temporary directory with shell escape off and
file access restricted to it (openout_any/openin_any = p, "paranoid"), a
fixed date (SOURCE_DATE_EPOCH) and a time limit. On failure the error lines
of the log are shown.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from rnnsym.errors import LatexError

# The Debian packages of the build, as in scripts/ensure-deps.sh and the README
# (tests/test_install_list.py keeps the three equal and derives them).
TEX_PACKAGES = (
    "latexmk texlive-latex-base texlive-latex-recommended "
    "texlive-pictures lmodern poppler-utils"
)
# 2026-01-01T00:00:00Z: the date TeX writes into every PDF.
SOURCE_DATE_EPOCH = "1767225600"
# A TeX run that takes longer is killed (RNNSYM_TEX_TIMEOUT overrides).
TIMEOUT_SECONDS = 300


def require_latex() -> None:
    """Raises :class:`LatexError` naming the packages to install if TeX is missing."""
    missing = [tool for tool in ("latexmk", "pdflatex") if shutil.which(tool) is None]
    if missing:
        raise LatexError(
            f"{' and '.join(missing)} not found; install TeX Live: "
            f"sudo apt-get install {TEX_PACKAGES}"
        )


def tex_environment() -> dict:
    env = dict(os.environ)
    env.update(
        SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH,
        FORCE_SOURCE_DATE="1",
        openout_any="p",
        openin_any="p",
        shell_escape="f",
        TZ="UTC",
    )
    return env


def compile_pdf(tex_file: Path, timeout: float | None = None) -> Path:
    """Compiles ``tex_file`` in its own directory and returns the PDF's path.

    Raises:
        LatexError: TeX is missing, the compile failed (with the log's error
            lines), or it ran longer than ``timeout`` seconds.
    """
    require_latex()
    command = [
        "latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
        "-file-line-error", "-no-shell-escape", "-quiet", tex_file.name,
    ]
    if timeout is None:
        timeout = float(os.environ.get("RNNSYM_TEX_TIMEOUT", TIMEOUT_SECONDS))
    # A session of its own, so that a timeout kills pdflatex along with latexmk.
    process = subprocess.Popen(
        command, cwd=tex_file.parent, env=tex_environment(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise LatexError(f"LaTeX ran longer than {timeout:g} s and was stopped") from None
    except KeyboardInterrupt:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if result.returncode < 0:
        raise LatexError(f"LaTeX was killed (signal {-result.returncode}); nothing was published")
    pdf = tex_file.with_suffix(".pdf")
    if result.returncode != 0 or not pdf.exists():
        log = tex_file.with_suffix(".log")
        text = log.read_text(errors="replace") if log.exists() else result.stdout + result.stderr
        raise LatexError("LaTeX failed:\n" + error_lines(text))
    return pdf


def error_lines(log: str, context: int = 3) -> str:
    """The lines of a TeX log that say what went wrong, with a little context."""
    lines = log.splitlines()
    picked: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^[^:\s]+\.tex:\d+:", line):
            picked.extend(lines[index : index + context + 1])
            picked.append("...")
    return "\n".join(picked[:60]) if picked else "\n".join(lines[-20:])
