r"""One printer owns the notation of every formula in the report.

Subclassing SymPy's LatexPrinter (rather than editing strings afterwards)
keeps the conventions in one place: ``h_t`` and ``h0`` print as
:math:`h_t`, :math:`h_0`; ``h_next`` as :math:`h_{t+1}`; floats with a fixed
number of significant digits; ``Max(0, x)`` as ReLU; integers of five or
more digits grouped in threes with thin spaces (``195\,552\,775``);
a number such as 1/8 + 3 sqrt(73)/200 as one fraction; a matrix of
fractions with its common denominator (or radical) factored out, or else
with full-size fractions and spaced rows; log(x)/log(2) as log_2(x).
"""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

from rnnsym.exact import NumberForms, format_number

# Names whose automatic LaTeX SymPy gets wrong for this problem set.
SYMBOL_LATEX = {
    "h_next": "h_{t+1}",
    "h0": "h_0",
    "hstar": "h^{*}",
}


# Integers with at least this many digits are grouped in threes (as siunitx
# would), without needing siunitx.
GROUP_FROM_DIGITS = 5
# A matrix of fractions is written (1/q) [integers] when q and every integer
# stay this small; otherwise entry by entry with full-size fractions.
FACTOR_MAX_DENOMINATOR = 30
FACTOR_MAX_ENTRY = 99

# h0_1, h0_2, ...: the components of the initial state h^(0) of problem 3.
INITIAL_COMPONENT = re.compile(r"h0_(\d+)")


class RnnLatexPrinter(LatexPrinter):
    """The LaTeX printer of rnnsym."""

    # forms: how the inputs of the problem being printed were typed (fraction or
    # decimal), so that a number is written the way its problem's inputs were.
    _default_settings = {**LatexPrinter._default_settings, "digits": 6, "forms": NumberForms()}

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
        # An input is printed as it was typed: as a fraction when it was typed as
        # one (1/2), as a decimal when typed as one (0.08); see NumberForms.
        if self._as_fraction(expr):
            return super()._print_Rational(expr)
        return format_number(expr)

    def _as_fraction(self, expr) -> bool:
        """Whether a Rational prints as a fraction (not as an integer or decimal)."""
        return self._settings["forms"].as_fraction(expr)

    def _print_Integer(self, expr):
        digits = str(abs(int(expr)))
        if len(digits) < GROUP_FROM_DIGITS:
            return self._print_Rational(expr)
        groups = [digits[max(0, end - 3):end] for end in range(len(digits), 0, -3)][::-1]
        return ("-" if expr < 0 else "") + r"\,".join(groups)

    def _print_Add(self, expr, order=None):
        # A number p/q + r sqrt(n)/s reads better as one fraction (a + b sqrt(n))/c
        # than as a decimal next to a fraction.
        if expr.is_number and not expr.has(sympy.Float):
            coefficients = [term.as_coeff_Mul()[0] for term in expr.args]
            if all(c.is_Rational for c in coefficients) and any(c.q != 1 for c in coefficients):
                denominator = sympy.ilcm(*(c.q for c in coefficients)) if len(coefficients) > 1 else coefficients[0].q
                numerator = sympy.expand(expr * denominator)
                if numerator.is_Add and all(term.could_extract_minus_sign() for term in numerator.args):
                    return "- " + self._print_Add(-expr, order=order)
                if numerator.is_Add:
                    # A positive term first, radicals before rationals: (3 sqrt(73) + 25)/200,
                    # (25 - 3 sqrt(73))/200.
                    terms = sorted(numerator.args, key=lambda term: (term.could_extract_minus_sign(), term.is_Rational))
                    text = self._print(terms[0])
                    for term in terms[1:]:
                        negative = term.could_extract_minus_sign()
                        text += (" - " if negative else " + ") + self._print(-term if negative else term)
                    return r"\frac{%s}{%s}" % (text, self._print(denominator))
        return super()._print_Add(expr, order=order)

    def _print_MatrixBase(self, expr):
        entries = list(expr)
        if entries and all(e.is_Rational for e in entries) and any(self._as_fraction(e) for e in entries):
            denominator = sympy.ilcm(*(e.q for e in entries)) if len(entries) > 1 else entries[0].q
            scaled = expr * denominator
            if denominator <= FACTOR_MAX_DENOMINATOR and all(abs(e) <= FACTOR_MAX_ENTRY for e in scaled):
                return r"\frac{1}{%d} %s" % (denominator, super()._print_MatrixBase(scaled))
            return self._spaced_matrix(expr)
        denominator = self._common_denominator(entries)
        if denominator is not None:
            scaled = expr.applyfunc(lambda entry: sympy.expand(entry * denominator))
            return r"\frac{1}{%d} %s" % (denominator, super()._print_MatrixBase(scaled))
        common = self._common_radical(entries)
        if common is not None:
            return r"%s %s" % (self._print(common), super()._print_MatrixBase((expr / common).applyfunc(sympy.nsimplify)))
        if all(e.is_number for e in entries) and any(r"\frac" in self._print(e) for e in entries):
            return self._spaced_matrix(expr)
        return super()._print_MatrixBase(expr)

    def _spaced_matrix(self, expr) -> str:
        """Entries as full-size fractions (\\dfrac), rows 9 pt apart so they do not touch."""
        def entry(value):
            return self._print(value).replace(r"\frac", r"\dfrac")

        rows = [" & ".join(entry(expr[i, j]) for j in range(expr.cols)) for i in range(expr.rows)]
        return r"\left[\begin{matrix}%s\end{matrix}\right]" % r"\\[9pt]".join(rows)

    @staticmethod
    def _common_denominator(entries):
        """q when the entries are linear forms with rational coefficients of which
        some are fractions, all with denominators dividing a small q; else None."""
        coefficients = []
        for entry in entries:
            if entry == 0:
                continue
            if entry.has(sympy.Float) or entry.is_number:
                return None
            terms = sympy.expand(entry).as_coefficients_dict()
            if not all(c.is_Rational for c in terms.values()) or any(t.is_number and t != 1 for t in terms):
                return None
            coefficients += list(terms.values())
        if not coefficients or all(c.q == 1 for c in coefficients):
            return None
        denominator = sympy.ilcm(*(c.q for c in coefficients)) if len(coefficients) > 1 else coefficients[0].q
        if denominator > FACTOR_MAX_DENOMINATOR or any(abs(c * denominator) > FACTOR_MAX_ENTRY for c in coefficients):
            return None
        return denominator

    @staticmethod
    def _common_radical(entries):
        """sqrt(n)/q when every nonzero entry is a rational multiple of sqrt(n), else None."""
        radicals = {term.as_coeff_Mul()[1] for term in entries if term != 0}
        if len(radicals) != 1:
            return None
        (radical,) = radicals
        if not (radical.is_Pow and radical.exp == sympy.S.Half and radical.base.is_Integer):
            return None
        coefficients = [term.as_coeff_Mul()[0] for term in entries if term != 0]
        if not all(c.is_Rational for c in coefficients):
            return None
        denominator = sympy.ilcm(*(c.q for c in coefficients)) if len(coefficients) > 1 else coefficients[0].q
        return radical / denominator

    def _print_Mul(self, expr):
        # log(x)/log(b) with a number b > 0 is log_b(x): SymPy keeps log(x, b) so.
        logs = [f for f in expr.args if isinstance(f, sympy.log)]
        bases = [f for f in expr.args if f.is_Pow and f.exp == -1 and isinstance(f.base, sympy.log)
                 and f.base.args[0].is_number and f.base.args[0].is_positive]
        if len(logs) == 1 and len(bases) == 1:
            coefficient = expr / (logs[0] * bases[0])
            if coefficient.is_Rational:
                text = r"\log_{%s}{\left(%s \right)}" % (self._print(bases[0].base.args[0]),
                                                          self._print(logs[0].args[0]))
                if coefficient == 1:
                    return text
                if coefficient == -1:
                    return "- " + text
                return r"%s %s" % (self._print(coefficient), text)
        return super()._print_Mul(expr)

    def _print_Max(self, expr, exp=None):
        if len(expr.args) == 2 and sympy.S.Zero in expr.args:
            other = expr.args[1] if expr.args[0] == 0 else expr.args[0]
            text = r"\operatorname{ReLU}\left(%s\right)" % self._print(other)
            return text if exp is None else r"%s^{%s}" % (text, exp)
        return super()._print_Max(expr, exp=exp)


def tex(expr, digits: int = 6, **settings) -> str:
    """LaTeX of a SymPy object (or a number) in rnnsym's notation.

    ``forms=`` how the inputs of the problem were typed
    (:meth:`rnnsym.params.Variant.number_forms`): numbers are written so.
    """
    # strict: a string is refused, never parsed (parsing evaluates it); only
    # the derivations' own objects and numbers are printed here.
    return RnnLatexPrinter({"digits": digits, **settings}).doprint(sympy.sympify(expr, strict=True))
