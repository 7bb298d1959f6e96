"""The symbols and functions every problem shares.

Symbol names are the ones interfaces.md fixes for the answers file (``h_t``,
``h0``, ``t``, ...); :mod:`rnnsym.printing` decides how they look in LaTeX.
"""

from __future__ import annotations

import sympy


class sigmoid(sympy.Function):  # noqa: N801 (SymPy names functions in lower case)
    """The logistic function 1 / (1 + exp(-x)), kept whole for readable maths."""

    nargs = 1

    def fdiff(self, argindex=1):
        value = sigmoid(self.args[0])
        return value * (1 - value)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))

    def _eval_evalf(self, prec):
        return self.rewrite(sympy.exp)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer):
        return r"\sigma\left(%s\right)" % printer._print(self.args[0])


class relu(sympy.Function):  # noqa: N801
    """max(0, x), printed as ReLU; rewrites to ``Max(0, x)`` for answers."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_comparable:
            return sympy.Max(0, x)
        return None

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sympy.Max(0, x)

    def _latex(self, printer):
        return r"\operatorname{ReLU}\left(%s\right)" % printer._print(self.args[0])


def plain(expr):
    """An expression with the display-only functions replaced for SymPy's parser.

    Only sigmoid and relu are replaced (``rewrite(exp)`` would also turn
    ``2**t`` into ``exp(t*log(2))``).
    """
    if not isinstance(expr, sympy.Basic):
        return expr
    expr = expr.replace(sigmoid, lambda x: 1 / (1 + sympy.exp(-x)))
    return expr.replace(relu, lambda x: sympy.Max(0, x))


t = sympy.Symbol("t", integer=True, nonnegative=True)
T = sympy.Symbol("T", integer=True, positive=True)
k = sympy.Symbol("k", integer=True, nonnegative=True)
h_t = sympy.Symbol("h_t", real=True)
h_next = sympy.Symbol("h_next", real=True)
h0 = sympy.Symbol("h0", nonnegative=True)
