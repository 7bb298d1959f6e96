"""Reading a student's answer: SymPy syntax, or LaTeX as a student types it.

LaTeX is translated to SymPy syntax by a small set of rewriting rules
(data, applied in order), then parsed with SymPy's parser restricted to the
problem's own names, with implicit multiplication but no splitting of names
(``h0`` stays one symbol).
"""

from __future__ import annotations

import re

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication,
    parse_expr,
    standard_transformations,
)

from rnnsym.notation import sigmoid

TRANSFORMATIONS = standard_transformations + (implicit_multiplication, convert_xor)
MAX_LENGTH = 4000

# (pattern, replacement), applied in order to LaTeX input.
LATEX_RULES = (
    (r"\\left|\\right|\\,|\\;|\\!|\\quad|\\displaystyle", ""),
    (r"h_\{t\s*\+\s*1\}", "h_next"),
    (r"\\(cdot|times)", "*"),
    (r"\\hat\{y\}_\{?(\w+)\}?", r"yhat\1"),
    (r"\\hat\{y\}", "yhat"),
    (r"h\^\{\(0\)\}_\{?(\d+)\}?", r"h0_\1"),
    (r"h\^\{\*\}|h\^\*", "hstar"),
    (r"\\(mathrm|operatorname|text)\{(ReLU|relu)\}", "relu"),
    (r"\\max", "Max"),
    (r"\\min", "Min"),
    (r"\\sigma", "sigmoid"),
    (r"\\exp", "exp"),
    (r"\\ln|\\log", "log"),
    (r"\\sqrt\{", "sqrt{"),
    (r"\\(mathrm|operatorname|text)\{(\w+)\}", r"\2"),
    (r"([A-Za-z])_\{(\w+)\}", r"\1_\2"),
    # h_3, x_1, y_3, h_0: the indexed names of the answers file are h3, x1, y3, h0.
    (r"\b([hxy]|yhat)_(\d+)\b", r"\1\2"),
)


def looks_like_latex(text: str) -> bool:
    return "\\" in text or "{" in text


def _frac(text: str) -> str:
    """\\frac{a}{b} -> ((a)/(b)), innermost first, braces balanced."""
    while "\\frac" in text:
        start = text.rindex("\\frac")
        arguments, position = [], start + len("\\frac")
        for _ in range(2):
            while position < len(text) and text[position] == " ":
                position += 1
            if position >= len(text) or text[position] != "{":
                raise ValueError("\\frac needs two {...} arguments")
            depth, begin = 0, position
            for position in range(begin, len(text)):
                depth += {"{": 1, "}": -1}.get(text[position], 0)
                if depth == 0:
                    break
            arguments.append(text[begin + 1 : position])
            position += 1
        text = text[:start] + f"(({arguments[0]})/({arguments[1]}))" + text[position:]
    return text


def latex_to_sympy_syntax(text: str) -> str:
    """The SymPy-syntax reading of a LaTeX answer."""
    text = _frac(text)
    for pattern, replacement in LATEX_RULES:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"\be\^\{([^{}]*)\}", r"exp(\1)", text)
    text = re.sub(r"\^\{([^{}]*)\}", r"**(\1)", text)
    text = text.replace("{", "(").replace("}", ")")
    if "\\" in text:
        command = re.search(r"[\\][A-Za-z]+", text)
        raise ValueError(f"unknown LaTeX command {command.group(0) if command else chr(92)}")
    return text


def parse_answer(text: str, names: dict) -> sympy.Expr:
    """One expression from a student's text.

    Args:
        text: SymPy syntax or LaTeX.
        names: the symbols and functions the answer may use, by name.

    Raises:
        ValueError: with the reason, when the text cannot be read.
    """
    if len(text) > MAX_LENGTH:
        raise ValueError(f"longer than {MAX_LENGTH} characters")
    source = latex_to_sympy_syntax(text) if looks_like_latex(text) else text
    allowed = {"sigmoid": sigmoid, "relu": lambda x: sympy.Max(0, x), "ReLU": lambda x: sympy.Max(0, x),
               "Max": sympy.Max, "Min": sympy.Min, "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt,
               "Abs": sympy.Abs, "pi": sympy.pi, "E": sympy.E, "I": sympy.I, **names}
    try:
        expr = parse_expr(source, local_dict=allowed, global_dict={"Integer": sympy.Integer, "Float": sympy.Float,
                                                                   "Rational": sympy.Rational, "Symbol": sympy.Symbol},
                          transformations=TRANSFORMATIONS, evaluate=True)
    except Exception as error:  # SymPy's parser raises many kinds
        raise ValueError(f"cannot parse {source!r}: {type(error).__name__}: {error}") from None
    if not isinstance(expr, sympy.Basic):
        raise ValueError(f"{source!r} is not an expression")
    unknown = sorted(str(s) for s in expr.free_symbols if str(s) not in names)
    if unknown:
        raise ValueError(f"unknown name(s) {', '.join(unknown)}; expected names from {', '.join(sorted(names))}")
    return expr
