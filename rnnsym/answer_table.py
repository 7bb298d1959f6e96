"""The answer table at the head of a key: every answer id with its key, typeset.

Built from the problems' key entries (the same ones the grader compares
with), so the table, the grader and ``answers.json`` cannot disagree. Only
keys come here, never a student's text (the feedback PDF shows that escaped).
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy
from pylatex import NoEscape

from rnnsym.exact import NumberForms
from rnnsym.printing import tex
from rnnsym import i18n
from rnnsym.render import escape_text

# A formula longer than this (in LaTeX characters) is broken after its terms.
LINE_CHARACTERS = 110


def _broken(expr: sympy.Expr, line_characters: int, forms: NumberForms = NumberForms()) -> str:
    """A long sum or product over several left-aligned lines, broken between
    its top-level terms or factors (never inside a bracket)."""
    if isinstance(expr, sympy.Add):
        parts = [tex(term, forms=forms) for term in sympy.Add.make_args(expr)]
        joined = lambda part: f"- {part[1:].lstrip()}" if part.startswith("-") else f"+ {part}"  # noqa: E731
    else:
        parts = [rf"\left({tex(factor, forms=forms)}\right)" if isinstance(factor, sympy.Add)
                 else tex(factor, forms=forms)
                 for factor in sympy.Mul.make_args(expr)]
        joined = lambda part: rf"\cdot {part}"  # noqa: E731
    lines, current = [], ""
    for part in parts:
        piece = part if not current else joined(part)
        if current and len(current) + len(piece) > line_characters:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}".strip()
    lines.append(current)
    return r"\newline ".join(fit(("" if number == 0 else r"\hspace*{2em}") + f"${line}$")
                              for number, line in enumerate(lines))


def fit(line: str) -> str:
    """``line`` (trusted LaTeX) scaled down where it is wider than the column."""
    return r"\rnnsymfit{" + line + "}"


def typeset_key(value: Any, kind: str, line_characters: int = LINE_CHARACTERS,
                forms: NumberForms = NumberForms()) -> NoEscape:
    """The key of one answer id as LaTeX (maths in math mode, words as text);
    a formula longer than ``line_characters`` is broken over lines; the
    problem's numbers are written as its inputs were typed (``forms``)."""
    if value is None:
        return NoEscape(i18n._(r"does not exist (\texttt{none})"))
    if kind in ("words", "word"):
        return escape_text(", ".join(value) if isinstance(value, list) else value)
    if kind == "matrix":
        # The printer factors out a common denominator itself.
        matrix = sympy.Matrix([[sympy.sympify(x, strict=True) for x in row] for row in value])
        return NoEscape(f"${tex(matrix, forms=forms)}$")
    if kind == "expressions":
        # \newline, not \\: a table cell would end its row there.
        return NoEscape(r"\newline ".join(i18n._("component %(index)s: ") % {"index": index}
                                           + typeset_key(item, "expression", line_characters, forms)
                                     for index, item in enumerate(value, start=1)))
    if kind in ("numbers", "exact"):
        items = [typeset_key(item, "number", forms=forms) for item in value]
        return NoEscape(", ".join(items) if items else i18n._("none"))
    if isinstance(value, float):
        # Ten significant digits: what answers.json holds, without float noise.
        mantissa, _, exponent = f"{value:.10g}".partition("e")
        return NoEscape(f"${mantissa}" + (rf" \cdot 10^{{{int(exponent)}}}" if exponent else "") + "$")
    # strict: keys are SymPy objects and numbers; a string would be parsed (evaluated), so it is refused.
    expr = sympy.sympify(value, strict=True)
    source = tex(expr, digits=12, forms=forms)
    if len(source) > line_characters and isinstance(expr, (sympy.Add, sympy.Mul)):
        return NoEscape(_broken(expr, line_characters, forms))
    return NoEscape(fit(f"${source}$"))


def key_rows(solved: Sequence, variant=None) -> list[dict]:
    """One row per answer id, in the order the sheet asks: id, part and typeset key
    (numbers written as the inputs of ``variant`` were typed)."""
    rows = []
    for item in solved:
        problem, derivation = item.problem, item.derivation
        forms = variant.number_forms(problem.id) if variant is not None else NumberForms()
        entries = {entry.id: entry for entry in problem.key(derivation, problem.answers(derivation))}
        for spec in problem.answer_specs:
            entry = entries[spec.id]
            rows.append(dict(id=spec.id, key=typeset_key(entry.value, spec.kind, forms=forms)))
    return rows
