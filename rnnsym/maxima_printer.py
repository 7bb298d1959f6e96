"""Keys in Maxima syntax, for STACK's teacher answers (Moodle export).

SymPy has no Maxima printer; this one subclasses its StrPrinter and changes
what Maxima spells differently: powers are ``^``, the constants are ``%e``,
``%pi`` and ``%i``, ``Max``/``Min``/``Abs`` are ``max``/``min``/``abs``,
matrices are ``matrix([..], [..])``. The display-only functions of
:mod:`rnnsym.notation` become what they stand for: ``sigmoid(x)`` is
``1/(1+exp(-(x)))`` and ``relu(x)`` is ``max(0, x)`` (Maxima has neither,
and STACK would refuse a student's call of an undefined function).

Anything the printer does not know (Piecewise, an unknown function,
infinity, a symbol whose name Maxima reads as something else) raises
ValueError rather than printing text Maxima would misread.
tests/test_maxima_printer.py has Debian's Maxima evaluate the printed keys
at random points and compares with SymPy.
"""

from __future__ import annotations

import re

import sympy
from sympy.printing.str import StrPrinter


# A Maxima identifier as rnnsym writes them (h_t, h0_1, w_y, x3, ...).
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

# Names Maxima (or STACK, which reads e, i and pi as the constants) gives
# another meaning: a symbol with one of these names cannot be printed.
RESERVED = frozenset({
    "e", "i", "pi", "j",  # STACK's constants (%e, %i, %pi; j in engineering mode)
    "inf", "minf", "infinity", "und", "ind", "zeroa", "zerob",  # Maxima's special values
    "true", "false", "done", "unknown", "all", "none",
    "and", "or", "not", "if", "then", "else", "elseif", "for", "do", "while", "unless", "thru", "step",
    "from", "in", "next",
})

# SymPy functions Maxima spells the same way (lower case), with one argument.
SAME_NAME = {"exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan"}


class MaximaPrinter(StrPrinter):
    """SymPy expressions as Maxima input (``printmethod = "_maxima"``)."""

    printmethod = "_maxima"

    def _print_Symbol(self, expr):
        name = expr.name
        if not NAME.match(name) or name.lower() in RESERVED or name.startswith("_"):
            raise ValueError(f"the symbol {name!r} has no safe Maxima name")
        return name

    _print_Dummy = _print_Symbol

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.as_base_exp()
        if exponent is sympy.S.Half:
            return f"sqrt({self._print(base)})"
        if exponent == -sympy.S.Half:
            return f"1/sqrt({self._print(base)})"
        if exponent is sympy.S.NegativeOne:
            return f"1/{self._operand(base)}"
        # Both sides bracketed unless atomic: Maxima's ^ and unary minus bind
        # as Python's ** does, but explicit brackets leave no doubt.
        return f"{self._operand(base)}^{self._operand(exponent)}"

    def _operand(self, expr) -> str:
        text = self._print(expr)
        atomic = (isinstance(expr, sympy.Symbol)
                  or (isinstance(expr, sympy.Integer) and expr >= 0)
                  or isinstance(expr, sympy.Function)
                  or expr in (sympy.E, sympy.pi, sympy.I))
        return text if atomic else f"({text})"

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}" if expr.q != 1 else str(expr.p)

    def _print_Half(self, expr):
        return "1/2"

    def _print_Float(self, expr):
        # Maxima reads 1.5e-7 and 0.25 as doubles; repr keeps 17 digits.
        value = float(expr)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{expr} is not a finite number")
        return repr(value)

    def _print_Exp1(self, expr):
        return "%e"

    def _print_Pi(self, expr):
        return "%pi"

    def _print_ImaginaryUnit(self, expr):
        return "%i"

    def _print_Infinity(self, expr):
        raise ValueError("infinity has no place in a key")

    _print_NegativeInfinity = _print_Infinity
    _print_ComplexInfinity = _print_Infinity
    _print_NaN = _print_Infinity

    def _print_exp(self, expr):
        return f"exp({self._print(expr.args[0])})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in SAME_NAME and len(expr.args) == 1:
            return f"{name}({self._print(expr.args[0])})"
        raise ValueError(f"no Maxima spelling for the function {name}")

    def _print_sigmoid(self, expr):
        # Bracketed whole: a quotient inside a product or under ^ keeps its meaning.
        return f"(1/(1+exp(-({self._print(expr.args[0])}))))"

    def _print_relu(self, expr):
        return f"max(0, {self._print(expr.args[0])})"

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr):
        raise ValueError("no Maxima spelling for Piecewise")

    def _print_MatrixBase(self, expr):
        rows = ("[" + ", ".join(self._print(expr[i, j]) for j in range(expr.cols)) + "]" for i in range(expr.rows))
        return "matrix(" + ", ".join(rows) + ")"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_list(self, expr):
        return "[" + ", ".join(self._print(item) for item in expr) + "]"

    _print_tuple = _print_list

    def _print_int(self, expr):
        return str(expr)

    def _print_float(self, expr):
        return self._print_Float(sympy.Float(expr))

    def _print_str(self, expr):
        raise ValueError(f"a string ({expr!r}) is not a Maxima expression")

    def _print_Relational(self, expr):
        raise ValueError("no Maxima spelling for a relation in a key")


def maxima(expr) -> str:
    """``expr`` (a SymPy object, number, or list of them) in Maxima syntax.

    Raises:
        ValueError: a symbol, function or value Maxima cannot be given safely.
    """
    if isinstance(expr, (list, tuple)):
        return "[" + ", ".join(maxima(item) for item in expr) + "]"
    if isinstance(expr, bool) or expr is None:
        raise ValueError(f"{expr!r} is not a Maxima expression")
    if isinstance(expr, (int, float)):
        expr = sympy.Integer(expr) if isinstance(expr, int) else sympy.Float(expr)
    return MaximaPrinter().doprint(expr)
