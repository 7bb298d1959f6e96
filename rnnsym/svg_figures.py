"""The figures of the HTML edition as SVG files.

The matplotlib figures are the PDF's own, converted by poppler's
``pdftocairo`` (so matplotlib draws each once when both editions are built,
and both show the same drawing). The TikZ pictures are compiled by the same
sandboxed LaTeX as the PDF, one page of its own size per picture, and
converted the same way; they do not depend on the variant, so their SVG is
cached by the hash of their source (``~/.cache/rnnsym/tikz-svg``, or
``$RNNSYM_CACHE_DIR/tikz-svg``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from rnnsym import latex
from rnnsym.errors import LatexError


# A standalone document of the pictures, with the PDF's fonts and libraries.
TIKZ_PREAMBLE = (
    "\\documentclass[11pt]{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
    "\\usepackage{amsmath,amssymb}\n\\usepackage{tikz}\n\\usetikzlibrary{arrows.meta}\n\\pdftrailerid{}\n"
    "\\hoffset=-1in \\voffset=-1in\n"
)
# Each picture on a page of its own size, 2 pt around it (pdfTeX reads the
# page size at each \shipout; the origin moved to the page's corner).
TIKZ_PAGE = (
    "\\setbox0=\\hbox{{\\kern2pt{code}\\kern2pt}}\n"
    "\\pdfpagewidth=\\wd0 \\pdfpageheight=\\dimexpr\\ht0+\\dp0+4pt\\relax\n"
    "\\shipout\\vbox{{\\kern2pt\\box0}}\n"
)


def _preamble() -> str:
    """The pictures' preamble in the current document's language: a Persian
    document's pictures have Persian words, set by XeLaTeX with xepersian."""
    from rnnsym import i18n, render

    if not i18n.is_rtl(i18n.current()):
        return TIKZ_PREAMBLE
    return ("\\documentclass[11pt]{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage{tikz}\n"
            "\\usetikzlibrary{arrows.meta}\n" + render.PERSIAN_PREAMBLE + "\n\\hoffset=-1in \\voffset=-1in\n")


def _cache_dir() -> Path:
    root = os.environ.get("RNNSYM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "rnnsym")
    return Path(root) / "tikz-svg"


def _picture_key(code: str) -> str:
    return hashlib.sha256((_preamble() + TIKZ_PAGE + code).encode("utf-8")).hexdigest()[:24]


def tikz_svgs(codes: Sequence[str], directory: Path) -> list[str]:
    """Writes each picture as an SVG file into ``directory``; returns the file names.

    The pictures not yet in the cache are compiled together (one LaTeX run,
    one page each) and converted page by page with ``pdftocairo -svg``.

    Raises:
        LatexError: LaTeX or pdftocairo failed.
    """
    cache = _cache_dir()
    names = [f"tikz-{_picture_key(code)}.svg" for code in codes]
    missing = [(code, name) for code, name in zip(codes, names) if not (cache / name).is_file()]
    if missing:
        _compile_pictures(missing, cache, directory)
    for name in names:
        source = cache / name if (cache / name).is_file() else directory / ".tikz" / name
        shutil.copyfile(source, directory / name)
    shutil.rmtree(directory / ".tikz", ignore_errors=True)
    return names


def _compile_pictures(missing: list[tuple[str, str]], cache: Path, directory: Path) -> None:
    work = directory / ".tikz"
    work.mkdir(parents=True, exist_ok=True)
    tex = work / "pictures.tex"
    pages = "".join(TIKZ_PAGE.format(code=code) for code, _ in missing)
    tex.write_text(_preamble() + "\\begin{document}\n" + pages + "\\end{document}\n", encoding="utf-8")
    pdf = latex.compile_pdf(tex)
    for page, (_, name) in enumerate(missing, start=1):
        result = subprocess.run(["pdftocairo", "-svg", "-f", str(page), "-l", str(page), str(pdf), str(work / name)],
                                capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL)
        if result.returncode != 0 or not (work / name).is_file():
            raise LatexError(f"pdftocairo could not convert a TikZ picture to SVG: {result.stderr.strip()}")
        try:  # the cache is an optimisation: an unwritable one costs a compile per build
            cache.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=cache, delete=False, suffix=".part") as part:
                part.write((work / name).read_bytes())
            os.replace(part.name, cache / name)
        except OSError:
            pass


def pdf_to_svg(pdf: Path, svg: Path) -> None:
    """One page of PDF as SVG (poppler's ``pdftocairo``; glyphs become paths).

    Raises:
        LatexError: pdftocairo is missing or failed.
    """
    try:
        result = subprocess.run(["pdftocairo", "-svg", str(pdf), str(svg)], capture_output=True, text=True,
                                timeout=120, check=False, stdin=subprocess.DEVNULL)
    except OSError as error:
        raise LatexError(f"pdftocairo (poppler-utils) could not run: {error}") from None
    if result.returncode != 0 or not svg.is_file():
        raise LatexError(f"pdftocairo could not convert {pdf.name} to SVG: {result.stderr.strip()}")


def svg_sections(sections: Sequence[dict], pdf_dir: Path, directory: Path) -> list[dict]:
    """The report's sections with their figures as SVG in ``directory``: the
    very figures of the PDF (drawn into ``pdf_dir``), converted, so both
    editions show the same drawing and matplotlib draws each figure once."""
    converted = []
    for section in sections:
        figures = {}
        for name, file_name in section["figures"].items():
            svg_name = Path(file_name).with_suffix(".svg").name
            pdf_to_svg(pdf_dir / file_name, directory / svg_name)
            figures[name] = svg_name
        converted.append({**section, "figures": figures})
    return converted
