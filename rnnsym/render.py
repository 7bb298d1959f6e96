"""From derivations to LaTeX: Jinja lays out the maths, PyLaTeX the document.

Every ``((( value )))`` in a template goes through :func:`finalize`: free
text is escaped, SymPy objects are printed by rnnsym's printer, and only a
:class:`pylatex.NoEscape` passes through untouched. So escaping is the
default and opting out is explicit.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Sequence

import jinja2
import sympy
from pylatex import Command, Document, NoEscape, Package

from rnnsym import i18n, latex
from rnnsym import params as params_module
from rnnsym import tex_text
from rnnsym.exact import NumberForms
from rnnsym.printing import tex

# templates/ at the top level; rnnsym/templates links to it and installs it.
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def escape_text(text: str) -> NoEscape:
    """Free text made safe and literal for LaTeX, in any script.

    Every TeX special character is spelt as a text command, control and
    invisible characters show as ``<U+XXXX>``, and words in scripts pdfLaTeX
    cannot print are transliterated and marked (see :mod:`rnnsym.tex_text`).
    In a right-to-left (XeLaTeX) document, Persian passes as written and
    Latin runs are set left to right (:func:`rnnsym.tex_text.escape_text_rtl`).
    """
    if i18n.is_rtl(i18n.current()):
        return NoEscape(tex_text.escape_text_rtl(str(text)))
    return NoEscape(tex_text.escape_text(str(text)))


def escape_code(text: str) -> NoEscape:
    """A student's answer in typewriter, character for character, wrapping where it must."""
    code = r"\texttt{" + tex_text.escape_code(str(text)) + "}"
    # Code reads left to right, in a right-to-left document too.
    return NoEscape(tex_text.LTR_MACRO + "{" + code + "}" if i18n.is_rtl(i18n.current()) else code)


def _forms(context) -> NumberForms:
    """How the inputs of the problem being rendered were typed (the ``forms``
    the report template binds for each section), else the default forms."""
    return context.get("forms") or NumberForms()


def finalize(value: Any, forms: NumberForms = NumberForms()) -> str:
    """How a value looks when a template prints it: free text escaped, SymPy
    objects printed, numbers as ``forms`` says (the problem's inputs as they
    were typed, see :meth:`rnnsym.params.Variant.number_forms`)."""
    if isinstance(value, NoEscape):
        return value
    if isinstance(value, bool):
        return escape_text(str(value))
    if isinstance(value, sympy.Rational) or isinstance(value, int):
        return tex(sympy.Integer(value) if isinstance(value, int) else value, forms=forms)
    if isinstance(value, (sympy.Basic, sympy.MatrixBase)):
        return tex(value, forms=forms)
    if isinstance(value, float):
        return tex(sympy.Float(value))
    return escape_text(str(value))


@jinja2.pass_context
def _finalize_in(context, value: Any) -> str:
    """:func:`finalize` with the forms of the section being rendered."""
    return finalize(value, _forms(context))


@jinja2.pass_context
def math(context, value: Any, digits: int = 6) -> NoEscape:
    """LaTeX of a SymPy object with ``digits`` significant digits for floats."""
    return NoEscape(tex(value, digits=digits, forms=_forms(context)))


@jinja2.pass_context
def exact_number(context, value: sympy.Rational) -> NoEscape:
    """An exact input as LaTeX, in the form it was typed (a fraction or a decimal)."""
    return NoEscape(tex(sympy.Rational(value), forms=_forms(context)))


@jinja2.pass_context
def _gettext(context, message: str, /, **variables: Any) -> NoEscape:
    """A template's sentence in the document's language, its variables filled
    in as ``((( value )))`` prints them (Jinja's "newstyle" gettext)."""
    forms = _forms(context)
    return NoEscape(i18n._(message) % {name: finalize(value, forms) for name, value in variables.items()})


@jinja2.pass_context
def _ngettext(context, singular: str, plural: str, count: int, /, **variables: Any) -> NoEscape:
    variables.setdefault("num", count)
    forms = _forms(context)
    text = i18n.translations(i18n.current()).ngettext(singular, plural, count)
    return NoEscape(text % {name: finalize(value, forms) for name, value in variables.items()})


def translate(text: Any) -> Any:
    """A prose string of the code (marked with :func:`rnnsym.i18n.N_`) in the
    document's language; anything else as it is."""
    if isinstance(text, NoEscape):
        return NoEscape(i18n.translate(text))
    return i18n.translate(text) if isinstance(text, str) else text


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The Jinja environment of every rnnsym template (LaTeX-safe delimiters).

    One per process, so each template is compiled once (a batch renders the
    same templates for every variant); Jinja reloads a template whose file
    changed. Prose is written in ``((* trans *))`` blocks (Jinja's i18n
    extension) and ``_()``, translated when a template renders, into the
    language of the document being built (:func:`rnnsym.i18n.using`); ``| t``
    translates prose the code made.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((=",
        comment_end_string="=))",
        undefined=jinja2.StrictUndefined,
        finalize=_finalize_in,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.newstyle_gettext = True  # variables are passed to _gettext, which prints them
    env.filters.update(math=math, exact=exact_number, tex=NoEscape, t=translate)
    # The environment serves every language: these read the current one when called.
    env.globals.update(NoEscape=NoEscape, gettext=_gettext, _=_gettext, ngettext=_ngettext, N_=i18n.N_,
                       right_to_left=lambda: i18n.is_rtl(i18n.current()))
    return env


def render_body(sections: Sequence[dict], show_solutions: bool = True) -> str:
    """The LaTeX body: every problem's statement and, on the key, its solution
    and check table. Both sheets come from the same templates, so a student's
    sheet can never disagree with its key."""
    return environment().get_template("report.tex.j2").render(sections=sections, show_solutions=show_solutions)


def identification(meta: params_module.Meta, show_solutions: bool, sheet: str | None = None) -> str:
    """The line under the title: which sheet (``sheet``, or solutions or
    problems), which variant, for whom (plain text)."""
    _ = i18n._
    parts = [_(sheet) if sheet else (_("Solutions") if show_solutions else _("Problems")),
             _("variant %(variant)s") % {"variant": meta.variant}]
    if meta.seed:
        parts.append(_("seed %(seed)s") % {"seed": meta.seed})
    if meta.student:
        parts.append(_("student: %(student)s") % {"student": meta.student}
                     + (f" ({meta.student_id})" if meta.student_id else ""))
    return " | ".join(parts)


def document(meta: params_module.Meta, body: str, show_solutions: bool = True, sheet: str | None = None) -> Document:
    """The whole LaTeX document around ``body``, with its packages and title.

    In a right-to-left language (:func:`rnnsym.i18n.using`) the document is
    for XeLaTeX with xepersian (:func:`rnnsym.latex.engine_for`).
    """
    rtl = i18n.is_rtl(i18n.current())
    doc = Document(
        documentclass="article",
        document_options=["11pt", "a4paper"],
        geometry_options={"margin": "2.2cm"},
        lmodern=not rtl,
        textcomp=not rtl,
        page_numbers=True,
        # XeLaTeX reads UTF-8 and sets Unicode fonts itself.
        **({"fontenc": None, "inputenc": None} if rtl else {}),
    )
    # PyLaTeX's page numbers load lastpage, which only Debian's large
    # texlive-latex-extra ships and nothing here uses: article's plain page
    # style numbers the pages already.
    for package in [p for p in doc.packages if p.dumps() == Package("lastpage").dumps()]:
        doc.packages.remove(package)
    for name in ("amsmath", "amssymb", "booktabs", "graphicx", "array", "longtable", "xcolor", "tikz"):
        doc.packages.append(Package(name))
    doc.preamble.append(NoEscape(r"\usetikzlibrary{arrows.meta}"))
    if rtl:
        # xepersian must come last; it sets Persian text right to left and
        # keeps maths left to right.
        doc.preamble.append(NoEscape(PERSIAN_PREAMBLE))
    # The default title is a message id, so it is translated; a title of
    # one's own prints as written.
    title, course = escape_text(i18n._(meta.title)), escape_text(meta.course)
    date = escape_text(identification(meta, show_solutions, sheet))
    if any(tex_text.TRANSLITERATION_MACRO in part for part in (title, course, date, body)):
        doc.preamble.append(NoEscape(TRANSLITERATION_DEFINITION))
        body = body + transliteration_note()
    doc.preamble.append(NoEscape(FIT_DEFINITION))
    doc.preamble.append(NoEscape(NEEDSPACE_DEFINITION))
    doc.preamble.append(NoEscape(HEADINGS_KEEP_LINES))
    # The preamble above is the same for every variant (no free text in it):
    # latex.compile_pdf precompiles it into a format once.
    doc.preamble.append(NoEscape(latex.FORMAT_MARKER))
    if not rtl:
        # No trailer ID and a fixed date (SOURCE_DATE_EPOCH): the same input
        # is the same PDF. (XeTeX's xdvipdfmx has no \pdftrailerid.)
        doc.preamble.append(NoEscape(r"\pdftrailerid{}"))
    doc.preamble.append(Command("title", title))
    doc.preamble.append(Command("author", course))
    doc.preamble.append(Command("date", date))
    doc.append(NoEscape(r"\maketitle"))
    doc.append(NoEscape(body))
    return doc


# The Persian document: xepersian (texlive-lang-arabic) under XeLaTeX, with
# Nazli from Debian's fonts-farsiweb (regular and bold, by file, so that no
# font cache or fontconfig file is needed inside TeX's sandbox), scaled to
# the x-height of Latin Modern, which stays the font of Latin text and maths.
# xepersian prints the digits of Persian text as Persian digits; digits in
# maths and in \lr{} stay Latin.
PERSIAN_FONT_DIR = "/usr/share/fonts/truetype/farsiweb/"
PERSIAN_PREAMBLE = (
    r"\usepackage{xepersian}"
    r"\settextfont[Path=" + PERSIAN_FONT_DIR + r",Scale=1.12,BoldFont=nazlib.ttf]{nazli.ttf}"
    r"\setlatintextfont[Extension=.otf,UprightFont=*-regular,BoldFont=*-bold,ItalicFont=*-italic,"
    r"BoldItalicFont=*-bolditalic,SlantedFont=lmromanslant10-regular]{lmroman10}"
    # Ragged text is flush with the side a line starts from: the right.
    r"\let\raggedright\raggedleft"
    # The words of TikZ nodes run right to left too (their maths stays left to right).
    r"\tikzset{every node/.append style={execute at begin node={\setRTL}}}"
    r"\DeclareRobustCommand{" + tex_text.LTR_MACRO + r"}[1]{\ifmmode#1\else\lr{#1}\fi}"
)


# Text in a script pdfLaTeX cannot print appears transliterated between angle
# brackets, and the document says so; the files (params.toml, index.csv, the
# answers) keep the original.
TRANSLITERATION_DEFINITION = (
    r"\DeclareRobustCommand{" + tex_text.TRANSLITERATION_MACRO + r"}[1]{\textlangle\textsl{#1}\textrangle}"
)
TRANSLITERATION_NOTE = (
    "\n\\par\\medskip\\noindent{\\small " + tex_text.TRANSLITERATION_MACRO + "{...}: "
    "transliterated into Latin letters, because this PDF cannot print the original script; "
    "the parameter and answers files keep the original.}\n"
)


def transliteration_note() -> str:
    """:data:`TRANSLITERATION_NOTE` in the document's language."""
    return i18n._(TRANSLITERATION_NOTE)


# A line of a key that a narrow column cannot hold (a single factor cannot be
# broken) is scaled down to the column's width rather than run into the margin
# (rnnsym.answer_table.fit).
FIT_DEFINITION = (r"\newsavebox{\rnnsymfitbox}\newcommand{\rnnsymfit}[1]{\sbox{\rnnsymfitbox}{#1}"
                  r"\ifdim\wd\rnnsymfitbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\rnnsymfitbox}}"
                  r"\else\usebox{\rnnsymfitbox}\fi}")


# \rnnsymneedspace{L}: a new page unless L of vertical space is left on this
# one; put before a heading whose first lines may not follow it on the same page
# (a heading above a longtable, which may break right after the heading). It is
# needspace.sty's \Needspace, which Debian ships only in texlive-latex-extra.
NEEDSPACE_DEFINITION = (r"\makeatletter\newcommand{\rnnsymneedspace}[1]{\par\penalty-100\begingroup"
                        r"\setlength{\dimen@}{#1}\dimen@ii\pagegoal\advance\dimen@ii-\pagetotal"
                        r"\ifdim\dimen@>\dimen@ii\ifdim\dimen@ii>\z@\vfil\fi\penalty-\@M\fi\endgroup}"
                        r"\makeatother")

# No heading at a page foot: \subsection and \paragraph (run-in) start a new
# page unless 7 lines are left (the heading, and a longtable's head and first
# row, or four lines of text, below it). LaTeX alone forbids a break only
# right after a heading, not after its first line when a table, a display or
# a longtable follows.
HEADINGS_KEEP_LINES = (r"\let\rnnsymsubsection\subsection\let\rnnsymparagraph\paragraph"
                       r"\renewcommand{\subsection}{\rnnsymneedspace{7\baselineskip}\rnnsymsubsection}"
                       r"\renewcommand{\paragraph}{\rnnsymneedspace{7\baselineskip}\rnnsymparagraph}")


def render_tex(meta: params_module.Meta, sections: Sequence[dict], show_solutions: bool = True) -> str:
    """The complete .tex source of a report (the key) or of a problem sheet."""
    return document(meta, render_body(sections, show_solutions), show_solutions).dumps() + "\n"
