"""Compiling LaTeX: latexmk with pdflatex, nonstop, halting on the first error.

TeX runs in the build's own temporary directory with shell escape off and
file access restricted to it (openout_any/openin_any = p, "paranoid"), a
fixed date (SOURCE_DATE_EPOCH) and a time limit. On failure the error lines
of the log are shown.

``openin_any`` binds only TeX's ``\\input``/``\\openin``: pdfTeX's
``\\pdfobj stream file{...}`` and ``\\pdfximage`` open any path the process
can read. So TeX also runs in a bubblewrap sandbox (``bwrap``): it sees the
system's programs and TeX trees read-only, its build directory read-write,
and nothing else (no home, no /tmp, no /etc/passwd, no network). Where the
sandbox cannot be made (bubblewrap missing, a container that forbids user
namespaces), a document that carries what students submitted (a feedback
PDF) is not compiled: that fails with the reason. The instructor's own
documents (reports, sheets, keys), whose free text is escaped character by
character anyway, are then compiled without the sandbox after a warning, so
a first ``make report`` works everywhere. ``RNNSYM_TEX_SANDBOX=on`` requires
the sandbox for every document, ``off`` turns it off (documents you trust).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from rnnsym.errors import LatexError

# The Debian packages of the build, as in scripts/ensure-deps.sh and the README
# (tests/test_install_list.py keeps the three equal and derives them).
TEX_PACKAGES = (
    "latexmk texlive-latex-base texlive-latex-recommended "
    "texlive-pictures lmodern poppler-utils bubblewrap"
)
SANDBOX_PACKAGE = "bubblewrap"
# A Persian (right-to-left) document: XeLaTeX with xepersian and Debian's
# Nazli font, installed only when such a document is built (scripts/ensure-deps.sh
# persian; tests/test_install_list.py derives the list).
PERSIAN_PACKAGES = "texlive-xetex texlive-lang-arabic fonts-farsiweb"
# What a Persian build needs, and the package of each (the message names them).
PERSIAN_NEEDS = (
    ("xelatex", "program", "texlive-xetex"),
    ("xepersian.sty", "tex", "texlive-lang-arabic"),
    ("/usr/share/fonts/truetype/farsiweb/nazli.ttf", "file", "fonts-farsiweb"),
    ("/usr/share/fonts/truetype/farsiweb/nazlib.ttf", "file", "fonts-farsiweb"),
)
# latexmk's switch for each engine.
ENGINES = {"pdflatex": "-pdf", "xelatex": "-xelatex"}
# Set to "off" to compile without the sandbox (documents you trust only).
SANDBOX_VARIABLE = "RNNSYM_TEX_SANDBOX"
# 2026-01-01T00:00:00Z: the date TeX writes into every PDF.
SOURCE_DATE_EPOCH = "1767225600"
# A TeX run that takes longer is killed (RNNSYM_TEX_TIMEOUT overrides).
TIMEOUT_SECONDS = 300
# kpathsea's variables naming the system's TeX trees and configuration; the
# user's own trees (TEXMFHOME, TEXMFVAR, ...) live in the home directory and
# stay outside the sandbox.
TEX_TREE_VARIABLES = ("TEXMFROOT", "TEXMFDIST", "TEXMFMAIN", "TEXMFLOCAL", "TEXMFSYSVAR", "TEXMFSYSCONFIG")
# The top-level directories a program needs to start (merged /usr makes most
# of them symlinks into /usr).
SYSTEM_DIRECTORIES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def engine_for(language: str) -> str:
    """The TeX engine of a document in ``language``: XeLaTeX for right to left."""
    from rnnsym import i18n

    return "xelatex" if i18n.is_rtl(language) else "pdflatex"


def current_engine() -> str:
    """The engine of the document being built (its language: :func:`rnnsym.i18n.using`)."""
    from rnnsym import i18n

    return engine_for(i18n.current())


def missing_persian() -> list[tuple[str, str]]:
    """(what, Debian package) for each piece of the Persian build that is missing."""
    kpsewhich = shutil.which("kpsewhich")
    missing = []
    for what, kind, package in PERSIAN_NEEDS:
        if kind == "program":
            present = shutil.which(what) is not None
        elif kind == "tex":
            present = kpsewhich is not None and subprocess.run(
                [kpsewhich, what], capture_output=True, text=True, check=False).stdout.strip() != ""
        else:
            present = os.path.isfile(what)
        if not present:
            missing.append((what, package))
    return missing


def require_latex(untrusted: bool = False, engine: str | None = None) -> None:
    """Raises :class:`LatexError` naming what to install if TeX is missing, or
    its sandbox where the document needs one (see :func:`sandbox_required`).

    ``engine``: "pdflatex", or "xelatex" for a Persian document, which also
    needs xepersian and the Persian font (default: the current document's).
    """
    engine = engine or current_engine()
    if engine == "xelatex":
        persian = missing_persian()
        if persian:
            raise LatexError(
                f"a Persian document needs XeLaTeX, xepersian and the Nazli font; missing: "
                f"{', '.join(what for what, _ in persian)}; install them: sudo apt-get install {PERSIAN_PACKAGES} "
                f"(or scripts/ensure-deps.sh persian)"
            )
    missing = [tool for tool in ("latexmk", "pdflatex") if shutil.which(tool) is None]
    if missing:
        needed = TEX_PACKAGES.split()
        if not (sandbox_disabled() or _bwrap() or SANDBOX_PACKAGE in needed):
            needed.append(SANDBOX_PACKAGE)
        packages = " ".join(needed)
        raise LatexError(
            f"{' and '.join(missing)} not found; install TeX Live: sudo apt-get install {packages}"
        )
    if sandbox_required(untrusted):
        _require_sandbox()


def sandbox_mode() -> str:
    """``RNNSYM_TEX_SANDBOX``: "on" (always required), "off", or "auto" (the default)."""
    mode = os.environ.get(SANDBOX_VARIABLE, "").strip().lower()
    return mode if mode in ("on", "off") else "auto"


def sandbox_disabled() -> bool:
    """Whether the grader turned the sandbox off (``RNNSYM_TEX_SANDBOX=off``)."""
    return sandbox_mode() == "off"


def sandbox_required(untrusted: bool) -> bool:
    """Must this document be compiled in the sandbox or not at all? Yes for
    what students submitted, and for everything with ``RNNSYM_TEX_SANDBOX=on``."""
    return sandbox_mode() == "on" or (untrusted and sandbox_mode() == "auto")


def tex_environment() -> dict:
    """The environment of a TeX run outside the sandbox: the caller's, pinned."""
    env = dict(os.environ)
    env.update(_PINNED)
    return env


_PINNED = dict(
    SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH,
    FORCE_SOURCE_DATE="1",
    openout_any="p",
    openin_any="p",
    shell_escape="f",
    TZ="UTC",
)


def _bwrap() -> str | None:
    # The grader's PATH first, then the system's (a test may narrow PATH).
    return shutil.which("bwrap") or shutil.which("bwrap", path=os.defpath)


def _tool_directories() -> list[str]:
    """The directories of the latexmk and the TeX engines that PATH finds."""
    directories = []
    for tool in ("latexmk", *ENGINES):
        found = shutil.which(tool)
        if found:
            directory = os.path.dirname(os.path.abspath(found))
            if directory not in directories:
                directories.append(directory)
    return directories


@functools.lru_cache(maxsize=None)
def _tex_trees(kpsewhich: str | None) -> tuple[str, ...]:
    """The TeX installation's trees and configuration directories, as kpathsea names them."""
    if kpsewhich is None:
        return ()
    trees = []
    queries = (
        ["-expand-var=" + os.pathsep.join(f"${name}" for name in TEX_TREE_VARIABLES)],
        ["-expand-path=$TEXMFDBS"],  # the trees with a file database (ls-R)
        ["-all", "texmf.cnf"],
    )
    try:
        answers = [
            subprocess.run([kpsewhich, *query], capture_output=True, text=True, timeout=30, check=False,
                           stdin=subprocess.DEVNULL).stdout.splitlines()
            for query in queries
        ]
    except (OSError, subprocess.SubprocessError):
        return ()
    values = answers[0] + answers[1]
    configuration = answers[2]
    for value in values + [os.path.dirname(path) for path in configuration]:
        for path in value.split(os.pathsep):
            path = path.strip().lstrip("!")
            if path.startswith("/") and os.path.isdir(path):
                trees.extend(dict.fromkeys([path, os.path.realpath(path)]))
    return tuple(dict.fromkeys(trees))


def _covered(path: str, bound: list[str]) -> bool:
    return any(path == top or path.startswith(top.rstrip("/") + "/") for top in bound)


def sandbox_arguments(build_dir: Path) -> list[str]:
    """The ``bwrap`` arguments confining a TeX run to ``build_dir``.

    Read-only: /usr (programs, Perl, fonts; merged-/usr symlinks re-created),
    the TeX trees kpathsea names (/usr/share/texlive, /etc/texmf,
    /var/lib/texmf on Debian), the directories of latexmk and pdflatex, and
    /etc/ld.so.cache. Read-write: ``build_dir`` only. Fresh /dev and /tmp;
    every namespace unshared (no network), all capabilities dropped, killed
    with its parent.
    """
    build = os.path.realpath(build_dir)
    arguments = ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    bound: list[str] = []
    for directory in SYSTEM_DIRECTORIES:
        if os.path.islink(directory):
            arguments += ["--symlink", os.readlink(directory), directory]
        elif os.path.isdir(directory):
            arguments += ["--ro-bind", directory, directory]
            bound.append(directory)
    # Fresh /dev and /tmp first: a later bind below /tmp must not be hidden by them.
    arguments += ["--dev", "/dev", "--tmpfs", "/tmp", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    kpsewhich = shutil.which("kpsewhich") or shutil.which("kpsewhich", path=os.defpath)
    for path in (*_tex_trees(kpsewhich), *_tool_directories()):
        path = os.path.realpath(path)
        if not _covered(path, bound) and not _covered(build, [path]):
            arguments += ["--ro-bind", path, path]
            bound.append(path)
    arguments += ["--bind", build, build, "--chdir", build]
    return arguments


def _sandbox_environment(build_dir: Path) -> dict:
    """The whole environment inside the sandbox: nothing of the caller's but PATH's TeX."""
    path = os.pathsep.join(dict.fromkeys([*_tool_directories(), "/usr/bin", "/bin"]))
    return dict(_PINNED, PATH=path, HOME=os.path.realpath(build_dir), LC_ALL="C")


@functools.lru_cache(maxsize=None)
def _sandbox_failure(bwrap: str) -> str:
    """Why ``bwrap`` cannot make a sandbox here ("" when it can)."""
    try:
        with tempfile.TemporaryDirectory(prefix="rnnsym-sandbox-probe-") as probe:
            command = [bwrap, *sandbox_arguments(Path(probe)), "--", "true"]
            result = subprocess.run(command, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
                                    env={"PATH": "/usr/bin:/bin"}, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return str(error)
    return "" if result.returncode == 0 else (result.stderr.strip() or f"exit status {result.returncode}")


def _require_sandbox() -> str:
    """The path of a working ``bwrap``, or :class:`LatexError` saying what to install or allow."""
    opt_out = (f"or set {SANDBOX_VARIABLE}=off to compile without it (only for documents you trust: "
               f"TeX could then read any file you can)")
    bwrap = _bwrap()
    if bwrap is None:
        raise LatexError(f"bwrap not found: TeX runs in a bubblewrap sandbox; install it: "
                         f"sudo apt-get install {SANDBOX_PACKAGE}, {opt_out}")
    failure = _sandbox_failure(bwrap)
    if failure:
        raise LatexError(
            f"bubblewrap cannot make a sandbox here ({failure}); allow user namespaces "
            f"(sysctl kernel.unprivileged_userns_clone=1; in a container, a seccomp profile that permits "
            f"them), {opt_out}"
        )
    return bwrap


@functools.lru_cache(maxsize=None)
def _warn_unconfined() -> None:
    sys.stderr.write(f"rnnsym: warning: {SANDBOX_VARIABLE}=off: TeX runs without its sandbox\n")


@functools.lru_cache(maxsize=None)
def _warn_no_sandbox(reason: str) -> None:
    sys.stderr.write(f"rnnsym: warning: TeX runs without its sandbox here ({reason}); feedback PDFs of "
                     f"students' answers will not be built until it can run\n")


def _usable_sandbox() -> str | None:
    """The path of a ``bwrap`` that can make a sandbox here, or None (with the reason warned about)."""
    try:
        return _require_sandbox()
    except LatexError as error:
        _warn_no_sandbox(str(error).split(";")[0])
        return None


# --- precompiled preambles ---------------------------------------------------
#
# Loading the packages (amsmath, tikz, lmodern, ...) is about half of each
# pdflatex pass. A document that marks the end of its fixed preamble with
# FORMAT_MARKER is compiled with a format file into which that preamble was
# dumped once (the technique of mylatexformat: in the format, \documentclass
# skips the source up to the marker). Without the format the marker is a
# no-op, so the .tex stays a complete document anyone can compile. The
# format's name is a hash of the preamble's text, the engine's version and
# the system's base format, so a changed preamble or a TeX Live upgrade
# builds a new one. RNNSYM_TEX_FORMATS=off compiles every preamble afresh.
FORMAT_MARKER = r"\providecommand{\rnnsymendofdump}{}\rnnsymendofdump"
FORMATS_VARIABLE = "RNNSYM_TEX_FORMATS"
_FORMAT_TAIL = (
    "\n\\let\\rnnsymendofdump\\relax"
    "\n\\long\\def\\rnnsymskippreamble#1\\rnnsymendofdump{}"
    "\n\\def\\documentclass{\\rnnsymskippreamble}"
    "\n\\dump\n"
)


def formats_enabled() -> bool:
    """Whether fixed preambles are precompiled (``RNNSYM_TEX_FORMATS`` is not "off")."""
    return os.environ.get(FORMATS_VARIABLE, "").strip().lower() != "off"


@functools.lru_cache(maxsize=None)
def _engine_identity() -> str:
    """pdflatex's version and the system's base format (path, size, time): a
    TeX Live upgrade regenerates that format, and so invalidates ours."""
    parts = []
    try:
        parts.append(subprocess.run(["pdflatex", "--version"], capture_output=True, text=True, timeout=30,
                                    stdin=subprocess.DEVNULL, check=False).stdout.split("\n")[0])
        base = subprocess.run(["kpsewhich", "-engine=pdftex", "pdflatex.fmt"], capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL, check=False).stdout.strip()
        if base:
            info = os.stat(base)
            parts.append(f"{base} {info.st_size} {info.st_mtime_ns}")
    except (OSError, subprocess.SubprocessError):
        return ""
    return "\n".join(parts)


@functools.lru_cache(maxsize=None)
def _format_directory() -> Path:
    """Where formats are kept: ``$XDG_CACHE_HOME/rnnsym/tex-formats`` (or
    ~/.cache/...), else a temporary directory for this process."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = Path(base) / "rnnsym" / "tex-formats"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-")
        probe.close()
        return directory
    except OSError:
        return Path(tempfile.mkdtemp(prefix="rnnsym-tex-formats-"))


def _preamble_format(source: str, timeout: float) -> Path | None:
    """The format file holding ``source``'s fixed preamble (built on first
    use), or None when the document has no marker, formats are off, or the
    format cannot be built (the document is then compiled as it is)."""
    end = source.find(FORMAT_MARKER)
    identity = _engine_identity()
    if end < 0 or not formats_enabled() or not identity:
        return None
    head = source[:end]
    digest = hashlib.sha256((identity + "\n" + head).encode("utf-8")).hexdigest()[:20]
    target = _format_directory() / f"rnnsym-{digest}.fmt"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(prefix="rnnsym-format-") as scratch:
        work = Path(scratch)
        (work / "preamble.tex").write_text(head + _FORMAT_TAIL, encoding="utf-8")
        command = ["pdflatex", "-ini", "-interaction=batchmode", "-halt-on-error", "-no-shell-escape",
                   f"-jobname={target.stem}", "&pdflatex", "preamble.tex"]
        try:
            _run(command, work, timeout, untrusted=False)
        except LatexError:
            return None
        built = work / target.name
        if not built.exists():
            return None
        os.replace(built, target)  # atomic: a parallel build of the same format is harmless
    return target


# The last .aux file of each trusted document name, per process. A batch
# compiles the same documents again and again with other numbers; their
# labels (sections, figures) are the same, so latexmk, finding the previous
# variant's .aux beside the document, needs one pdflatex pass instead of
# two. It is only a first guess: latexmk compares the .aux TeX writes with
# the one it read and runs again if they differ, so the PDF is the same
# bytes either way. Never for a document with students' text (its .aux
# would carry that text into the next student's compile).
_previous_aux: dict[tuple[str, str], str] = {}


def _seed_aux(tex_file: Path, engine: str) -> None:
    aux = tex_file.with_suffix(".aux")
    previous = _previous_aux.get((engine, tex_file.name))
    if previous is not None and not aux.exists():
        aux.write_text(previous, encoding="utf-8")


def _keep_aux(tex_file: Path, engine: str) -> None:
    aux = tex_file.with_suffix(".aux")
    if aux.is_file():
        _previous_aux[(engine, tex_file.name)] = aux.read_text(encoding="utf-8", errors="replace")


def _run(command: list[str], build_dir: Path, timeout: float, *, untrusted: bool) -> subprocess.CompletedProcess:
    """Runs a TeX command in ``build_dir``, in the sandbox where there is one
    (or must be); raises :class:`LatexError` if it is killed or times out."""
    bwrap = None
    if sandbox_disabled():
        _warn_unconfined()
    else:
        bwrap = _require_sandbox() if sandbox_required(untrusted) else _usable_sandbox()
    if bwrap is None:
        env, sandboxed = tex_environment(), False
    else:
        command = [bwrap, *sandbox_arguments(build_dir), "--", *command]
        env, sandboxed = _sandbox_environment(build_dir), True
    # A session of its own, so that a timeout kills pdflatex along with
    # latexmk (in the sandbox: bwrap, whose death ends its pid namespace).
    process = subprocess.Popen(
        command, cwd=build_dir, env=env, stdin=subprocess.DEVNULL,
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
    killed_by = _killing_signal(result.returncode, sandboxed)
    if killed_by:
        raise LatexError(f"LaTeX was killed (signal {killed_by}); nothing was published")
    return result


def compile_pdf(tex_file: Path, timeout: float | None = None, *, untrusted: bool = False,
                single_pass: bool = False, engine: str | None = None) -> Path:
    """Compiles ``tex_file`` in its own directory and returns the PDF's path.

    ``untrusted``: the document carries what students submitted, so it is
    compiled in the sandbox or not at all. ``single_pass``: the document
    refers to nothing (no \\ref, no table of contents), so one pdflatex run
    is the whole compile; otherwise latexmk runs pdflatex until the
    references settle. ``engine``: "pdflatex", or "xelatex" for a
    right-to-left document (default: the current document's language's).

    Raises:
        LatexError: TeX or its sandbox is missing, the compile failed (with the
            log's error lines), or it ran longer than ``timeout`` seconds.
    """
    engine = engine or current_engine()
    require_latex(untrusted, engine)
    build_dir = tex_file.parent
    if timeout is None:
        timeout = float(os.environ.get("RNNSYM_TEX_TIMEOUT", TIMEOUT_SECONDS))
    # -norc: no latexmkrc is read, not even one a document wrote into the
    # build directory for the next compile there.
    flags = ["-interaction=nonstopmode", "-halt-on-error", "-file-line-error", "-no-shell-escape"]
    # -recorder in both: the .fls file lists what TeX read (tests/test_install_list.py).
    command = [engine, "-recorder", *flags] if single_pass else ["latexmk", "-norc", ENGINES[engine], *flags, "-quiet"]
    # XeTeX cannot dump the OpenType fonts fontspec loads into a format: a
    # Persian document compiles its preamble every time.
    fmt = _preamble_format(tex_file.read_text(encoding="utf-8", errors="replace"), timeout) \
        if engine == "pdflatex" else None
    if fmt is not None:
        # A copy beside the document, since TeX (sandboxed) sees only its build
        # directory; a copy, not a link, so nothing a document writes there
        # can reach the cached format.
        shutil.copyfile(fmt, build_dir / fmt.name)
        command.append(f"-fmt={fmt.stem}" if single_pass else f"-pdflatex=pdflatex -fmt={fmt.stem} %O %S")
    reuse_aux = not (single_pass or untrusted)
    if reuse_aux:
        _seed_aux(tex_file, engine)
    result = _run([*command, tex_file.name], build_dir, timeout, untrusted=untrusted)
    pdf = tex_file.with_suffix(".pdf")
    if result.returncode != 0 or not pdf.exists():
        log = tex_file.with_suffix(".log")
        text = log.read_text(errors="replace") if log.exists() else result.stdout + result.stderr
        raise LatexError("LaTeX failed:\n" + error_lines(text))
    if reuse_aux:
        _keep_aux(tex_file, engine)
    return pdf


def _killing_signal(returncode: int, sandboxed: bool) -> int:
    """The signal that ended the run (0 if none): bwrap reports a killed child as 128 + signal."""
    if returncode < 0:
        return -returncode
    if sandboxed and 128 < returncode < 128 + signal.NSIG:
        return returncode - 128
    return 0


def error_lines(log: str, context: int = 3) -> str:
    """The lines of a TeX log that say what went wrong, with a little context."""
    lines = log.splitlines()
    picked: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^[^:\s]+\.tex:\d+:", line):
            picked.extend(lines[index : index + context + 1])
            picked.append("...")
    return "\n".join(picked[:60]) if picked else "\n".join(lines[-20:])
