r"""The sheet's LaTeX prose as HTML for Moodle, maths left to its MathJax filter.

The problem statements (the templates, rendered without solutions) and the
answer declarations (``asks``, ``form``, ``convention``) are written in a
small subset of LaTeX: prose, inline maths ``$...$``, ``\texttt``,
``\emph``, ``\textbf``, ``\subsection*``, ``\dots`` and a few other
one-character commands, an ``enumerate`` with labelled ``\item[1a.]``,
and the escaped characters ``\_ \% \& \# \$ \{ \}``. This
module turns exactly that subset into HTML: maths becomes ``\( ... \)``
(MathJax's inline delimiters, which Moodle's filter renders), every
character is HTML-escaped, and any other command is an error naming it, so
that a new command in a template shows up in the tests instead of as raw
LaTeX in a quiz.
"""

from __future__ import annotations

import html
import re

# Text-mode commands with one braced argument, and the HTML element they become
# (None: the argument is dropped, e.g. the "Problem" heading the quiz does not need).
WRAPPING = {"texttt": "code", "emph": "em", "textbf": "strong", "subsection*": None, "subsection": None}
# Text-mode commands that stand for one character.
SYMBOLS = {"dots": "\u2026", "ldots": "\u2026", "textendash": "\u2013", "textemdash": "\u2014", "quad": "\u2003"}
ESCAPED = {"_": "_", "%": "%", "&": "&", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ", ",": "\u2009"}
TOKEN = re.compile(
    r"(?P<math>(?<!\\)\$(?P<body>(?:[^$\\]|\\.)+)\$)"
    r"|(?P<begin>\\begin\{enumerate\})|(?P<end>\\end\{enumerate\})"
    r"|(?P<item>\\item\[(?P<label>[^\]]*)\])"
    r"|(?P<wrap>\\(?P<name>[a-z]+\*?)\{)"
    r"|(?P<escape>\\(?P<char>[_%&#${} ,]))"
    r"|(?P<command>\\[A-Za-z@]+(?:\{\})?|\\.)"
    r"|(?P<tilde>~)"
    r"|(?P<close>\})"
    r"|(?P<text>[^$\\~{}]+|\{)",
    re.DOTALL,
)


def math_html(latex: str) -> str:
    r"""Inline maths for MathJax: ``\( ... \)`` around the HTML-escaped LaTeX."""
    return r"\(" + html.escape(latex.strip(), quote=False) + r"\)"


def to_html(latex: str) -> str:
    """HTML for a piece of the sheet's LaTeX prose (see the module's docstring).

    Raises:
        ValueError: a command outside the subset, or unbalanced braces, naming it.
    """
    out: list[str] = []
    closing: list[str] = []  # the end tag of each open brace
    in_list = in_item = False
    for match in TOKEN.finditer(latex):
        kind = next(k for k in ("math", "begin", "end", "item", "wrap", "escape", "command", "tilde", "close", "text")
                    if match.group(k) is not None)
        if kind == "math":
            out.append(math_html(match.group("body")))
        elif kind == "begin":
            out.append('<ul class="rnnsym-parts" style="list-style: none; padding-left: 0">')
            in_list = True
        elif kind == "end":
            if not in_list:
                raise ValueError(r"\end{enumerate} without \begin{enumerate}")
            out.append("</li></ul>" if in_item else "</ul>")
            in_list = in_item = False
        elif kind == "item":
            if not in_list:
                raise ValueError(r"\item outside an enumerate")
            out.append("</li>" if in_item else "")
            out.append(f"<li><strong>{html.escape(match.group('label'))}</strong> ")
            in_item = True
        elif kind == "wrap":
            name = match.group("name")
            if name not in WRAPPING:
                raise ValueError(f"the LaTeX command \\{name} has no HTML form here")
            tag = WRAPPING[name]
            if tag is None:
                out.append("\x00drop")
                closing.append("\x00enddrop")
            else:
                out.append(f"<{tag}>")
                closing.append(f"</{tag}>")
        elif kind == "escape":
            out.append(html.escape(ESCAPED[match.group("char")], quote=False))
        elif kind == "command" and match.group("command")[1:] in SYMBOLS:
            out.append(SYMBOLS[match.group("command")[1:]])
        elif kind == "command":
            raise ValueError(f"the LaTeX command {match.group('command')} has no HTML form here")
        elif kind == "tilde":
            out.append("\u00a0")
        elif kind == "close":
            if not closing:
                raise ValueError("an unbalanced } in the LaTeX prose")
            out.append(closing.pop())
        else:
            out.append(html.escape(match.group("text"), quote=False))
    if closing or in_list:
        raise ValueError("an unclosed { or enumerate in the LaTeX prose")
    if sum(len(m.group(0)) for m in TOKEN.finditer(latex)) != len(latex):
        raise ValueError("a lone $ in the LaTeX prose")
    # Line breaks of the source are spaces (the no-break and thin spaces stay).
    return _drop_marked(re.sub(r"[ \t\r\n]+", " ", "".join(out)))


def _drop_marked(text: str) -> str:
    """Removes what lies between the drop markers (a heading's argument)."""
    return re.sub(r"\x00drop.*?\x00enddrop", "", text, flags=re.DOTALL).strip()
