"""The HTML edition: the same LaTeX body as the PDF, as web pages.

One source of prose: the problem sheet and the solutions are rendered by the
same Jinja templates from the same derivations as the PDF
(:func:`rnnsym.render.render_body`); :mod:`rnnsym.latex_to_html` converts
that body with pandoc and :mod:`rnnsym.svg_figures` makes its figures SVG.
Maths is rendered in the browser by the vendored KaTeX
(``rnnsym/assets/katex``, pinned, MIT licence), HTML for the eye and MathML
for screen readers; a page loads nothing but its own files.

Free text (title, course, variant id, student) is inserted into the page
only through :func:`html.escape`, inside ``<bdi>`` so that a right-to-left
override in a name cannot reorder the text around it; it never reaches
pandoc or TeX maths.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

from rnnsym import __version__, i18n, render
from rnnsym.i18n import N_
from rnnsym.latex_to_html import extract_pictures, pandoc_html, postprocess, require_pandoc, tabbing_to_blocks
from rnnsym.params import Meta, Variant
from rnnsym.svg_figures import svg_sections, tikz_svgs

ASSET_DIR = Path(__file__).resolve().parent / "assets"
# The vendored KaTeX (rnnsym/assets/katex/SOURCE.txt says where it came from).
KATEX_VERSION = "0.19.1"
# Languages written right to left: their pages get dir="rtl" (maths, code and
# figures stay left to right, see rnnsym.css).
RTL_LANGUAGES = frozenset({"fa", "ar", "he", "ur"})
# KaTeX renders the maths; "mathml" (pandoc --mathml) is kept to measure the
# alternative against it (README, "HTML edition").
MATH_RENDERERS = ("katex", "mathml")


_HEADING = re.compile(r'<h2 id="(?P<id>[^"]+)"[^>]*>(?P<title>.*?)</h2>', re.DOTALL)


def contents(fragment: str) -> list[tuple[str, str]]:
    """The page's sections (id, inner HTML of the heading), for the navigation."""
    return [(m.group("id"), m.group("title")) for m in _HEADING.finditer(fragment)]


def _text(value: str) -> str:
    """Free text inserted into the page: escaped, and isolated from the text around it."""
    return f"<bdi>{html.escape(value)}</bdi>"


SHEET_NAMES = {"solutions": N_("Solutions"), "problems": N_("Problems")}


def page(meta: Meta, fragment: str, sheet: str, *, lang: str = "en", direction: str = "ltr",
         math: str = "katex") -> str:
    """The whole HTML page of one sheet around pandoc's ``fragment``.

    Args:
        meta: the variant's free text; every field is escaped here.
        fragment: the converted body (trusted: from the templates).
        sheet: "solutions" or "problems".
        lang: the page's language (``lang`` attribute).
        direction: "ltr" or "rtl" (``dir`` attribute); formulas stay left to right.
        math: "katex" (rendered in the browser by the vendored KaTeX) or "mathml".
    """
    if direction not in ("ltr", "rtl"):
        raise ValueError(f"direction {direction!r}: expected 'ltr' or 'rtl'")
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", lang):
        raise ValueError(f"lang {lang!r}: expected a language tag such as 'en' or 'fa'")
    other = "problems" if sheet == "solutions" else "solutions"
    # The page's words in the current document's language (rnnsym.i18n.using).
    _ = i18n._
    names = {key: _(name) for key, name in SHEET_NAMES.items()}
    identification = render.identification(meta, sheet == "solutions", SHEET_NAMES[sheet])
    made_by = _("Made by rnnsym %(version)s from the same derivations and checks as the\nPDF.") % {
        "version": html.escape(__version__)}
    contents_label = html.escape(_("Contents"), quote=True)
    meta = dataclasses.replace(meta, title=_(meta.title))  # the default title is a message id
    head_math = ('<link rel="stylesheet" href="assets/katex/katex.min.css">\n'
                 '<script defer src="assets/katex/katex.min.js"></script>\n'
                 '<script defer src="assets/render-math.js"></script>\n') if math == "katex" else ""
    navigation = "\n".join(f'<li><a href="#{html.escape(i, quote=True)}">{title}</a></li>'
                           for i, title in contents(fragment))
    title = f"{names[sheet]}: {meta.title} ({meta.variant})"
    course = f'<p class="rnnsym-course">{_text(meta.course)}</p>\n' if meta.course else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rnnsym {html.escape(__version__)}">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/rnnsym.css">
{head_math}</head>
<body>
<header>
<h1>{_text(meta.title)}</h1>
{course}<p class="rnnsym-identification">{_text(identification)}</p>
</header>
<nav aria-label="{contents_label}">
<ul>
{navigation}
<li><a href="{other}.html">{names[other]}</a></li>
</ul>
</nav>
<main>
{fragment}
</main>
<footer>
<p>{_text(identification)}. {made_by}</p>
</footer>
</body>
</html>
"""


def copy_assets(directory: Path, math: str = "katex") -> None:
    """The page's own files: its stylesheet and, for KaTeX, the renderer and its fonts."""
    target = directory / "assets"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("rnnsym.css", "render-math.js"):
        shutil.copyfile(ASSET_DIR / name, target / name)
    if math == "katex":
        shutil.copytree(ASSET_DIR / "katex", target / "katex", dirs_exist_ok=True)


# ---------------------------------------------------------------------------
# The build

def sheet_html(meta: Meta, sections: Sequence[dict], sheet: str, directory: Path, *, lang: str = "en",
               direction: str = "ltr", math: str = "katex") -> str:
    """One sheet's page; its TikZ pictures are written into ``directory``."""
    body = render.render_body(sections, sheet == "solutions")
    body, pictures = extract_pictures(body)
    picture_files = tikz_svgs([p.code for p in pictures], directory) if pictures else []
    fragment = pandoc_html(tabbing_to_blocks(body), math)
    return page(meta, postprocess(fragment, picture_files, pictures), sheet, lang=lang, direction=direction,
                math=math)


def language_of(meta: Meta) -> tuple[str, str]:
    """The page's language and direction: ``[meta] language`` when the variant has one."""
    lang = getattr(meta, "language", "") or "en"
    return lang, "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"


def write_pages(meta: Meta, sections: Sequence[dict], figure_dir: Path, directory: Path, *,
                problem_sheet: bool = True, math: str = "katex", lang: str | None = None,
                direction: str | None = None) -> list[str]:
    """Writes the pages of one variant into ``directory`` (an empty folder).

    Args:
        meta: the variant's free text.
        sections: :func:`rnnsym.pipeline.report_sections`, whose PDF figures
            are in ``figure_dir``.
        figure_dir: where those figures were drawn.
        directory: the ``html`` folder to fill: the pages, their SVG figures, ``assets/``.
        problem_sheet: also write problems.html.
        math: "katex" or "mathml" (see the README for why KaTeX).
        lang, direction: the pages' language and direction (default: the variant's).

    Returns:
        The names of the pages written.

    Raises:
        HtmlError: pandoc is missing or failed; LatexError: a figure could not be converted.
    """
    if math not in MATH_RENDERERS:
        raise ValueError(f"math {math!r}: expected one of {MATH_RENDERERS}")
    default_lang, default_direction = language_of(meta)
    lang, direction = lang or default_lang, direction or default_direction
    require_pandoc()
    sections = svg_sections(sections, figure_dir, directory)
    pages = [f"{sheet}.html" for sheet in ["solutions"] + (["problems"] if problem_sheet else [])]
    for name in pages:
        text = sheet_html(meta, sections, name[:-5], directory, lang=lang, direction=direction, math=math)
        (directory / name).write_text(text, encoding="utf-8")
    copy_assets(directory, math)
    return pages


def build_html(variant: Variant, out_dir: Path, *, solved=None, problem_sheet: bool = True,
               math: str = "katex", lang: str | None = None, direction: str | None = None) -> dict[str, Path]:
    """Writes ``out_dir/html/`` (see :func:`write_pages`) and ``out_dir/answers.json``.

    The HTML edition alone; ``rnnsym.pipeline.build_report(..., html_pages=True)``
    builds it together with the PDF, from the same figures. Built in a
    temporary directory and moved into place whole: a failed build leaves
    the previous pages as they were.

    Args:
        variant: the variant.
        out_dir: the output directory (created).
        solved: the solved problems when the caller has them (from
            :func:`rnnsym.pipeline.solve`), to avoid solving twice.
        problem_sheet, math, lang, direction: as for :func:`write_pages`.

    Returns:
        The files written, by name.

    Raises:
        CheckFailed, HtmlError, LatexError.
    """
    require_pandoc()  # before any work
    with i18n.using(variant.meta.language):
        return _build_html(variant, out_dir, solved, problem_sheet, math, lang, direction)


def _build_html(variant, out_dir, solved, problem_sheet, math, lang, direction) -> dict[str, Path]:
    from rnnsym import pipeline

    solved = solved if solved is not None else pipeline.solve(variant)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-html-") as scratch:
        work = Path(scratch)
        sections = pipeline.report_sections(solved, work)
        (work / "html").mkdir()
        pages = write_pages(variant.meta, sections, work, work / "html", problem_sheet=problem_sheet, math=math,
                            lang=lang, direction=direction)
        (work / "answers.json").write_text(pipeline.answers_json(pipeline.answers_document(variant, solved)),
                                           encoding="utf-8")
        replace_directory(work / "html", out_dir / "html")
        os.replace(work / "answers.json", out_dir / "answers.json")
    outputs = {f"html/{name}": out_dir / "html" / name for name in pages}
    outputs["answers.json"] = out_dir / "answers.json"
    return outputs


def replace_directory(new: Path, target: Path) -> None:
    """Moves ``new`` to ``target``; an old ``target`` is moved aside first and removed after."""
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        else:
            old.unlink()
