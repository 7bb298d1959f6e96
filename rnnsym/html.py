"""The HTML edition: the same LaTeX body as the PDF, converted to web pages.

One source of prose: the problem sheet and the solutions are rendered by the
same Jinja templates from the same derivations as the PDF
(:func:`rnnsym.render.render_body`), and that LaTeX body is converted to
HTML by pandoc's LaTeX reader (Debian's ``pandoc``, run with ``--sandbox``:
it reads and writes no file). What pandoc cannot convert is prepared first:

- ``tikzpicture``: compiled standalone by the same sandboxed LaTeX as the
  PDF, one page per picture, and converted to SVG with ``pdftocairo``
  (poppler); the SVG is cached by the hash of its source, since the pictures
  do not depend on the variant. Its alt text is the template's
  ``% alt: ...`` comment line right above the picture.
- ``tabbing`` (pseudocode): one block per line, indented by its tab stops.
- ``\\rnnsymfit{...}`` (fit a key line to the column): its argument.

The matplotlib figures are the PDF's own, converted to SVG by ``pdftocairo``
(matplotlib draws each once when both editions are built); a figure's alt
text is its caption. Maths is rendered in the browser by the
vendored KaTeX (``rnnsym/assets/katex``, pinned, MIT licence), HTML for the
eye and MathML for screen readers; the page loads nothing but its own files.

Free text (title, course, variant id, student) is inserted into the page
only through :func:`html.escape`, inside ``<bdi>`` so that a right-to-left
override in a name cannot reorder the text around it; it never reaches
pandoc or TeX maths.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from rnnsym import __version__, latex, render
from rnnsym.errors import LatexError, RnnsymError
from rnnsym.params import Meta, Variant

# Debian's packages the HTML edition needs beyond the PDF's (the TikZ
# figures use the PDF's TeX and poppler).
HTML_PACKAGES = "pandoc"
ASSET_DIR = Path(__file__).resolve().parent / "assets"
# The vendored KaTeX (rnnsym/assets/katex/SOURCE.txt says where it came from).
KATEX_VERSION = "0.19.1"
PANDOC_TIMEOUT_SECONDS = 120
# Languages written right to left: their pages get dir="rtl" (maths, code and
# figures stay left to right, see rnnsym.css).
RTL_LANGUAGES = frozenset({"fa", "ar", "he", "ur"})
MATH_RENDERERS = ("katex", "mathml")


class HtmlError(RnnsymError):
    """pandoc is missing or failed (exit 3, like a failed LaTeX)."""

    exit_status = 3


def require_pandoc() -> str:
    """The path of pandoc, or :class:`HtmlError` saying what to install."""
    found = shutil.which("pandoc")
    if found is None:
        raise HtmlError(f"pandoc not found: the HTML edition converts the LaTeX body with it; "
                        f"install it: sudo apt-get install {HTML_PACKAGES}")
    return found


# ---------------------------------------------------------------------------
# Preparing the LaTeX body for pandoc

# Characters that pandoc's LaTeX reader would curl (' and ` are quotes in
# LaTeX source) but that rnnsym.tex_text spells as text commands to print
# them straight: they pass pandoc as private-use characters.
_LITERALS = {"\\textquotesingle{}": ("\ue000", "'"), "\\textasciigrave{}": ("\ue001", "`")}

# Definitions pandoc expands (its LaTeX reader knows \newcommand): the fit
# box, and the text commands of rnnsym.tex_text that pandoc 2.17 drops.
PANDOC_MACROS = (
    "\\newcommand{\\rnnsymfit}[1]{#1}\n"
    "\\newcommand{\\textbar}{|}\n"
    "\\newcommand{\\textquotedbl}{\"}\n"
    "\\newcommand{\\textlangle}{\u27e8}\n"
    "\\newcommand{\\textrangle}{\u27e9}\n"
)

_TIKZ = re.compile(r"(?:^%\s*alt:(?P<alt>[^\n]*)\n)?(?P<code>\\begin\{tikzpicture\}.*?\\end\{tikzpicture\})",
                   re.DOTALL | re.MULTILINE)
_TABBING = re.compile(r"\\begin\{tabbing\}(?P<body>.*?)\\end\{tabbing\}", re.DOTALL)
# A placeholder paragraph pandoc leaves alone, replaced by the figure afterwards.
_PLACEHOLDER = "RNNSYMFIGURE{:04d}"
_PLACEHOLDER_HTML = re.compile(r"<p>RNNSYMFIGURE(\d{4})</p>")


@dataclasses.dataclass(frozen=True)
class Picture:
    """A TikZ picture of the body: its code and the alt text of its template."""

    code: str
    alt: str


def extract_pictures(body: str) -> tuple[str, list[Picture]]:
    """Replaces every tikzpicture (and its ``% alt:`` line) by a placeholder paragraph.

    Raises:
        HtmlError: a picture has no alt text (a template must give one).
    """
    pictures: list[Picture] = []

    def replace(match: re.Match) -> str:
        alt = (match.group("alt") or "").strip()
        if not alt:
            first = match.group("code").splitlines()[0]
            raise HtmlError(f"a tikzpicture has no '% alt: ...' line above it in its template: {first}")
        pictures.append(Picture(match.group("code"), alt))
        return "\n\n" + _PLACEHOLDER.format(len(pictures) - 1) + "\n\n"

    return _TIKZ.sub(replace, body), pictures


def tabbing_to_blocks(body: str) -> str:
    """Each line of a ``tabbing`` becomes an environment pandoc keeps as a
    ``<div class="rnnsymindentN">``, N its leading tab stops (``\\>``) as i, ii, ...;
    the ``\\kill`` line that only sets the stops is dropped."""

    def replace(match: re.Match) -> str:
        lines = []
        # A line ending in \kill only sets the tab stops (and has no \\).
        body = re.sub(r"^[^\n]*\\kill[ \t]*\n?", "", match.group("body"), flags=re.MULTILINE)
        for line in re.split(r"\\\\\s*\n?", body):
            line = line.strip()
            if not line:
                continue
            depth = 0
            while line.startswith(r"\>"):
                depth, line = depth + 1, line[2:].lstrip()
            lines.append(f"\\begin{{rnnsymindent{'i' * depth}}}\n{line}\n\\end{{rnnsymindent{'i' * depth}}}")
        return "\\begin{rnnsympseudocode}\n" + "\n".join(lines) + "\n\\end{rnnsympseudocode}"

    return _TABBING.sub(replace, body)


def pandoc_html(latex_body: str, math: str = "katex") -> str:
    """An HTML fragment of a LaTeX body (pandoc's LaTeX reader, sandboxed).

    Raises:
        HtmlError: pandoc is missing, failed or ran too long.
    """
    pandoc = require_pandoc()
    for command, (placeholder, _) in _LITERALS.items():
        latex_body = latex_body.replace(command, placeholder)
    command = [pandoc, "--sandbox", "--from=latex-smart", "--to=html5", "--wrap=none",
               "--shift-heading-level-by=1", "--katex" if math == "katex" else "--mathml"]
    try:
        result = subprocess.run(command, input=PANDOC_MACROS + latex_body, capture_output=True, text=True,
                                timeout=PANDOC_TIMEOUT_SECONDS, check=False, env=_plain_environment())
    except subprocess.TimeoutExpired:
        raise HtmlError(f"pandoc ran longer than {PANDOC_TIMEOUT_SECONDS} s and was stopped") from None
    if result.returncode != 0:
        raise HtmlError("pandoc failed:\n" + result.stderr.strip()[-2000:])
    if math == "mathml" and "Could not convert TeX math" in result.stderr:
        # texmath leaves such a formula as TeX source: a rendering error on the page.
        raise HtmlError("pandoc could not convert some maths to MathML:\n" + result.stderr.strip()[-2000:])
    fragment = result.stdout
    for placeholder, character in _LITERALS.values():
        fragment = fragment.replace(placeholder, html.escape(character))
    return fragment


def _plain_environment() -> dict:
    return {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C.UTF-8", "HOME": tempfile.gettempdir()}


# ---------------------------------------------------------------------------
# TikZ pictures as SVG

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


def _cache_dir() -> Path:
    root = os.environ.get("RNNSYM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "rnnsym")
    return Path(root) / "tikz-svg"


def _picture_key(code: str) -> str:
    return hashlib.sha256((TIKZ_PREAMBLE + TIKZ_PAGE + code).encode("utf-8")).hexdigest()[:24]


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
    tex.write_text(TIKZ_PREAMBLE + "\\begin{document}\n" + pages + "\\end{document}\n", encoding="utf-8")
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


# ---------------------------------------------------------------------------
# Assembling the page

def _figure_html(source: str, alt: str, caption_html: str = "") -> str:
    caption = f"<figcaption>{caption_html}</figcaption>" if caption_html else ""
    return (f'<figure class="rnnsym-figure"><img src="{html.escape(source)}" alt="{html.escape(alt)}" '
            f'loading="eager">{caption}</figure>')


_PANDOC_FIGURE = re.compile(
    r'<figure>\s*<img src="(?P<src>[^"]+)"[^>]*?/?>\s*<figcaption[^>]*>(?P<caption>.*?)</figcaption>\s*</figure>',
    re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def caption_text(caption_html: str) -> str:
    """A caption as plain text for alt: tags dropped, TeX's backslashes and braces too."""
    text = html.unescape(_TAG.sub("", caption_html))
    text = re.sub(r"\\(?:operatorname|mathrm|text)\{([^}]*)\}", r"\1", text)
    text = re.sub(r"\\(?:c|l)?dots\b", "\u2026", text).replace("\\|", "\u2016")
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text).replace("{", "").replace("}", "")
    return " ".join(text.split())


def postprocess(fragment: str, picture_files: Sequence[str], pictures: Sequence[Picture]) -> str:
    """pandoc's fragment made into the page's main content.

    Figures get the caption as alt text and a visible caption (pandoc hides
    it from screen readers); TikZ placeholders become their SVG figures;
    tables scroll in a box of their own, never the page; paragraph headings
    follow subsection headings without a gap.
    """
    numbers = iter(range(1, 1000))

    def figure(match: re.Match) -> str:
        # Numbered in order, as LaTeX and pandoc's \ref number them ("Figure 1").
        caption = f"<span class=\"rnnsym-figure-number\">Figure {next(numbers)}:</span> " + match.group("caption")
        figure_id = re.search(r'id="([^"]+)"', match.group(0))
        html_figure = _figure_html(html.unescape(match.group("src")), caption_text(match.group("caption")), caption)
        if figure_id:
            html_figure = html_figure.replace("<figure ", f'<figure id="{figure_id.group(1)}" ', 1)
        return html_figure

    fragment = _PANDOC_FIGURE.sub(figure, fragment)
    fragment = _PLACEHOLDER_HTML.sub(
        lambda m: _figure_html(picture_files[int(m.group(1))], pictures[int(m.group(1))].alt), fragment)
    fragment = fragment.replace("<table>", '<div class="rnnsym-scroll"><table>').replace("</table>", "</table></div>")
    # pandoc makes \paragraph a level below \subsubsection, which the
    # templates do not use: one level up, so that no heading level is skipped.
    fragment = re.sub(r"<(/?)h5\b", r"<\1h4", fragment)
    return fragment


_HEADING = re.compile(r'<h2 id="(?P<id>[^"]+)"[^>]*>(?P<title>.*?)</h2>', re.DOTALL)


def contents(fragment: str) -> list[tuple[str, str]]:
    """The page's sections (id, inner HTML of the heading), for the navigation."""
    return [(m.group("id"), m.group("title")) for m in _HEADING.finditer(fragment)]


def _text(value: str) -> str:
    """Free text inserted into the page: escaped, and isolated from the text around it."""
    return f"<bdi>{html.escape(value)}</bdi>"


SHEET_NAMES = {"solutions": "Solutions", "problems": "Problems"}


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
    identification = render.identification(meta, sheet == "solutions", SHEET_NAMES[sheet])
    head_math = ('<link rel="stylesheet" href="assets/katex/katex.min.css">\n'
                 '<script defer src="assets/katex/katex.min.js"></script>\n'
                 '<script defer src="assets/render-math.js"></script>\n') if math == "katex" else ""
    navigation = "\n".join(f'<li><a href="#{html.escape(i, quote=True)}">{title}</a></li>'
                           for i, title in contents(fragment))
    title = f"{SHEET_NAMES[sheet]}: {meta.title} ({meta.variant})"
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
<nav aria-label="Contents">
<ul>
{navigation}
<li><a href="{other}.html">{SHEET_NAMES[other]}</a></li>
</ul>
</nav>
<main>
{fragment}
</main>
<footer>
<p>{_text(identification)}. Made by rnnsym {html.escape(__version__)} from the same derivations and checks as the
PDF.</p>
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
    from rnnsym import pipeline

    solved = solved if solved is not None else pipeline.solve(variant)
    require_pandoc()
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
