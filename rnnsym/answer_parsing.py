"""Reading a student's answer: SymPy syntax, or LaTeX as a student types it.

The text is never evaluated: rnnsym.answer_grammar tokenizes it and builds
the SymPy expression from a whitelist of operators, functions, constants
and the key's names, with sizes bounded before any arithmetic.
"""

from __future__ import annotations

import sympy

from rnnsym.answer_grammar import MAX_LENGTH, Reading, read

__all__ = ["MAX_LENGTH", "Reading", "looks_like_latex", "parse_answer", "read"]


def looks_like_latex(text: str) -> bool:
    return "\\" in text or "{" in text


def parse_answer(text: str, names: dict) -> sympy.Expr:
    """One expression from a student's text.

    Args:
        text: SymPy syntax or LaTeX.
        names: the symbols the answer may use, by name.

    Raises:
        ValueError: with the reason, when the text cannot be read.
    """
    return read(text, names).expr
