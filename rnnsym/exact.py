"""Exact reading and writing of the numbers in a parameter file.

A number may be a TOML integer, a TOML float, or a string holding an
integer, a decimal or a fraction. All of them become SymPy Rationals, so
derivations stay exact until a number is printed. A TOML float is read from
its shortest decimal representation (``0.08`` is 2/25, not the binary
double nearest to it), which is what the person who typed it meant.
"""

from __future__ import annotations

import dataclasses
import math
import re

import sympy

from rnnsym.errors import InputError

_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+)\s*/\s*([+-]?\d+)")
# A bound on the digits a number may carry, so that "1e999999999" cannot
# make SymPy build a gigantic integer.
MAX_EXPONENT = 30


def parse_number(value: object, key: str) -> sympy.Rational:
    """Reads one number exactly.

    Args:
        value: an int, a float, or a string holding an integer, a decimal
            (``"0.08"``, ``"1e-3"``) or a fraction (``"-1/2"``).
        key: the dotted name of the parameter, for the error message.

    Returns:
        The value as a SymPy Rational (an Integer for integers).

    Raises:
        InputError: naming ``key``, the value and what was expected.
    """
    expected = 'a number: an integer, a decimal or a fraction such as "-1/2"'
    if isinstance(value, bool):
        raise InputError(f"{key} = {value!r}: expected {expected}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{key} = {value!r}: expected a finite number")
        return _from_decimal(repr(value), key)
    if isinstance(value, str):
        text = value.strip()
        match = _FRACTION.fullmatch(text)
        if match:
            numerator, denominator = (int(g) for g in match.groups())
            if denominator == 0:
                raise InputError(f"{key} = {value!r}: the denominator is zero")
            return sympy.Rational(numerator, denominator)
        if _DECIMAL.fullmatch(text):
            return _from_decimal(text, key)
    raise InputError(f"{key} = {value!r}: expected {expected}")


# How a number was typed: the printer writes an input in the same form.
FORMS = ("integer", "decimal", "fraction")


@dataclasses.dataclass(frozen=True)
class Typed:
    """One number of a parameter file and how it was typed.

    Attributes:
        value: the exact value :func:`parse_number` read.
        form: ``"integer"``, ``"decimal"`` or ``"fraction"``.
        text: the number as typed (a string stripped of spaces; a TOML
            integer or float as Python writes it); :func:`parse_number`
            reads it back to ``value``.
    """

    value: sympy.Rational
    form: str
    text: str

    def __post_init__(self):
        if self.form not in FORMS:
            raise ValueError(f"unknown form {self.form!r}")


@dataclasses.dataclass(frozen=True)
class NumberForms:
    """How the printer writes the exact numbers of one problem's section.

    A number equal (up to sign) to one of the problem's inputs is written as
    that input was typed: ``fractions`` as fractions, ``decimals`` as
    decimals (typed both ways: a fraction). Any other non-integer number
    whose decimals end is written as a fraction when ``prefer_fractions``
    (the problem's inputs were typed as fractions, none as a decimal), else
    as a decimal. Numbers whose decimals do not end are always fractions.
    """

    fractions: frozenset = frozenset()
    decimals: frozenset = frozenset()
    prefer_fractions: bool = False

    @classmethod
    def of(cls, inputs) -> "NumberForms":
        """The forms of a problem whose inputs are the :class:`Typed` ``inputs``."""
        inputs = [t for t in inputs if t.value.q != 1]
        fractions = frozenset(abs(t.value) for t in inputs if t.form == "fraction")
        decimals = frozenset(abs(t.value) for t in inputs if t.form == "decimal") - fractions
        typed_decimal = any(t.form == "decimal" for t in inputs)
        return cls(fractions, decimals, bool(fractions) and not typed_decimal)

    def as_fraction(self, number: sympy.Rational) -> bool:
        """Whether ``number`` (a Rational) is written as a fraction."""
        if number.q == 1:
            return False
        written = format_number(number)
        if "/" in written or len(written) > 12:
            return True
        if abs(number) in self.fractions:
            return True
        if abs(number) in self.decimals:
            return False
        return self.prefer_fractions


def typed_number(value: object, key: str) -> Typed:
    """Reads one number exactly and records how it was typed.

    Raises:
        InputError: as :func:`parse_number`.
    """
    exact = parse_number(value, key)
    if isinstance(value, int):
        return Typed(exact, "integer", str(value))
    if isinstance(value, float):
        return Typed(exact, "decimal", repr(value))
    text = "".join(str(value).split())
    if _FRACTION.fullmatch(text):
        return Typed(exact, "fraction", text)
    return Typed(exact, "decimal" if any(ch in text for ch in ".eE") else "integer", text)


def _from_decimal(text: str, key: str) -> sympy.Rational:
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and abs(int(exponent)) > MAX_EXPONENT:
        raise InputError(
            f"{key} = {text!r}: expected an exponent of at most {MAX_EXPONENT} in size"
        )
    if len(mantissa) > 60:
        raise InputError(f"{key} = {text!r}: expected at most 60 digits")
    sign = -1 if mantissa.startswith("-") else 1
    mantissa = mantissa.lstrip("+-")
    whole, _, fraction = mantissa.partition(".")
    digits = int((whole or "0") + fraction)
    scale = len(fraction) - (int(exponent) if exponent else 0)
    if scale >= 0:
        return sympy.Rational(sign * digits, 10**scale)
    return sympy.Integer(sign * digits * 10 ** (-scale))


def format_number(number: sympy.Rational) -> str:
    """Writes an exact number the way a person would type it.

    Terminating decimals are written as decimals (``-1.88``), other
    rationals as fractions (``28/75``); :func:`parse_number` reads both back
    to the same Rational.
    """
    number = sympy.Rational(number)
    if number.q == 1:
        return str(number.p)
    denominator = number.q
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{number.p}/{number.q}"
    places = max(twos, fives)
    scaled = abs(number.p) * 10**places // number.q
    whole, fraction = divmod(scaled, 10**places)
    sign = "-" if number < 0 else ""
    return f"{sign}{whole}.{fraction:0{places}d}"
