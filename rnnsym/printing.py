"""One printer owns the notation of every formula in the report.

Subclassing SymPy's LatexPrinter (rather than editing strings afterwards)
keeps the conventions in one place: ``h_t`` and ``h0`` print as
:math:`h_t`, :math:`h_0`; ``h_next`` as :math:`h_{t+1}`; floats with a fixed
number of significant digits; ``Max(0, x)`` as ReLU.
"""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

from rnnsym.exact import format_number

# Names whose automatic LaTeX SymPy gets wrong for this problem set.
SYMBOL_LATEX = {
    "h_next": "h_{t+1}",
    "h0": "h_0",
    "hstar": "h^{*}",
}


# h0_1, h0_2, ...: the components of the initial state h^(0) of problem 3.
INITIAL_COMPONENT = re.compile(r"h0_(\d+)")


class RnnLatexPrinter(LatexPrinter):
    """The LaTeX printer of rnnsym."""

    _default_settings = {**LatexPrinter._default_settings, "digits": 6}

    def _print_Symbol(self, expr, style="plain"):
        if expr.name in SYMBOL_LATEX:
            return SYMBOL_LATEX[expr.name]
        initial = INITIAL_COMPONENT.fullmatch(expr.name)
        if initial:
            return r"h^{(0)}_{%s}" % initial.group(1)
        return super()._print_Symbol(expr, style=style)

    def _print_Float(self, expr):
        # Significant digits fixed by the printer, not by each caller.
        rounded = sympy.Float(expr, self._settings["digits"])
        return super()._print_Float(rounded)

    def _print_Rational(self, expr):
        # Numbers typed as decimals in a parameter file read back as decimals.
        written = format_number(expr)
        if "/" not in written and len(written) <= 12:
            return written
        return super()._print_Rational(expr)

    def _print_Max(self, expr, exp=None):
        if len(expr.args) == 2 and sympy.S.Zero in expr.args:
            other = expr.args[1] if expr.args[0] == 0 else expr.args[0]
            text = r"\operatorname{ReLU}\left(%s\right)" % self._print(other)
            return text if exp is None else r"%s^{%s}" % (text, exp)
        return super()._print_Max(expr, exp=exp)


def tex(expr, digits: int = 6, **settings) -> str:
    """LaTeX of a SymPy object (or a number) in rnnsym's notation."""
    return RnnLatexPrinter({"digits": digits, **settings}).doprint(sympy.sympify(expr))
