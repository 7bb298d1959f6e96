"""From the LaTeX body of a sheet to an HTML fragment, with pandoc.

pandoc's LaTeX reader (Debian's ``pandoc``, run with ``--sandbox``: it
reads and writes no file) converts the body the templates rendered for the
PDF. What it cannot convert is prepared first: each ``tikzpicture`` (with
the ``% alt: ...`` line its template puts above it) becomes a placeholder,
replaced afterwards by its SVG figure (:mod:`rnnsym.svg_figures`); a
``tabbing`` (pseudocode) becomes one block per line, indented by its tab
stops; ``\\rnnsymfit{...}`` becomes its argument; and the text commands of
:mod:`rnnsym.tex_text` that pandoc drops or curls become their characters.
Afterwards figures get their caption as alt text and a visible, numbered
caption, and tables a box of their own to scroll in.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import subprocess
import tempfile
from typing import Sequence

from rnnsym import i18n
from rnnsym.errors import HtmlError

# Debian's packages the HTML edition needs beyond the PDF's (the TikZ
# figures use the PDF's TeX and poppler).
HTML_PACKAGES = "pandoc"
PANDOC_TIMEOUT_SECONDS = 120


def require_pandoc() -> str:
    """The path of pandoc, or :class:`HtmlError` saying what to install."""
    found = shutil.which("pandoc")
    if found is None:
        raise HtmlError(f"pandoc not found: the HTML edition converts the LaTeX body with it; "
                        f"install it: sudo apt-get install {HTML_PACKAGES}")
    return found


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
    # The Persian edition's left-to-right runs (rnnsym.tex_text.LTR_MACRO,
    # xepersian's \\lr and latin environment): the page's bidi algorithm
    # orders Latin words inside Persian text itself.
    "\\newcommand{\\rnnsymltr}[1]{#1}\n"
    "\\newcommand{\\lr}[1]{#1}\n"
    "\\newenvironment{latin}{}{}\n"
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
        label = i18n._("Figure %(number)s:") % {"number": next(numbers)}
        caption = f"<span class=\"rnnsym-figure-number\">{label}</span> " + match.group("caption")
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
