"""The Maxima printer: a table of spellings, refusals, and a round trip
through Debian's Maxima for every expression key (and nearby answer) of the
default variant and of 20 drawn variants."""

from __future__ import annotations

import fractions
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import sympy

from rnnsym import checker, variants
from rnnsym.maxima_printer import RESERVED, maxima
from rnnsym.moodle import derive_variant
from rnnsym.moodle_stack import _stack_key, stack_grading
from rnnsym.notation import relu, sigmoid
from rnnsym.params import load_variant
from tests.conftest import skip_unless

x, y = sympy.symbols("x y", real=True)
t = sympy.Symbol("t", integer=True, nonnegative=True)
h_t = sympy.Symbol("h_t", real=True)

SPELLINGS = [
    (x**2, "x^2"),
    (x**-2 * y, "y/x^2"),
    (2**t * (x - 1) + 1, "2^t*(x - 1) + 1"),
    ((-2) ** t, "(-2)^t"),
    (x ** sympy.Rational(1, 3), "x^(1/3)"),
    ((x + y) ** (x - 1), "(x + y)^(x - 1)"),
    (sympy.sqrt(73) * 3 / 200 + sympy.Rational(1, 8), "1/8 + 3*sqrt(73)/200"),
    (sympy.Rational(-47, 25) * h_t, "-47*h_t/25"),
    (sympy.Max(0, x), "max(0, x)"),
    (sympy.Min(x, 1), "min(1, x)"),
    (relu(x - 1), "max(0, x - 1)"),
    (sigmoid(x), "(1/(1+exp(-(x))))"),
    (y / sigmoid(x), "y/(1/(1+exp(-(x))))"),
    (sigmoid(x) ** 2, "(1/(1+exp(-(x))))^2"),
    (sympy.Abs(x), "abs(x)"),
    (sympy.exp(x), "exp(x)"),
    (sympy.log(x), "log(x)"),
    (sympy.E + sympy.pi + sympy.I, "%e + %pi + %i"),
    (sympy.Float("1.5e-7"), "1.5e-07"),
    (sympy.Matrix([[1, 2], [3, sympy.Rational(1, 9)]]), "matrix([1, 2], [3, 1/9])"),
    ([sympy.Rational(1, 9), 2], "[1/9, 2]"),
]


@pytest.mark.parametrize("expr, text", SPELLINGS)
def test_spelling(expr, text):
    assert maxima(expr) == text


@pytest.mark.parametrize("expr", [
    sympy.Symbol("e"), sympy.Symbol("pi"), sympy.Symbol("i"), sympy.Symbol("inf"), sympy.Symbol("none"),
    sympy.Symbol("%x"), sympy.Symbol("h'"), sympy.oo, sympy.nan, sympy.zoo,
    sympy.Piecewise((x, x > 0), (0, True)), sympy.Function("f")(x), sympy.Lt(x, 1), "x", None, True,
])
def test_what_maxima_would_misread_is_refused(expr):
    with pytest.raises(ValueError):
        maxima(expr)


def test_every_reserved_name_is_refused():
    for name in RESERVED:
        with pytest.raises(ValueError):
            maxima(sympy.Symbol(name))


# --- the round trip through Maxima -------------------------------------------------------

DRAWN = 20
POINTS = 3
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def key_expressions():
    """(where, SymPy expression) for every expression of every key: the key of
    each expression id, every component of a list, each exact number and
    matrix entry, each nearby answer and each intermediate quantity; of the
    default variant and DRAWN drawn variants."""
    spec = variants.BatchSpec(2026, DRAWN, options={"p1_fixed_points": "mixed", "p3_regime": "mixed"})
    found = []
    for variant in [load_variant(None)] + variants.draw_batch(spec):
        key = checker.answer_key(variant, derive_variant(variant))
        for entry in key.values():
            where = f"{variant.meta.variant} {entry.id}"
            if entry.kind == "expression":
                found.append((where, entry.value))
            elif entry.kind in ("expressions", "exact"):
                found.extend((f"{where}[{i}]", v) for i, v in enumerate(entry.value))
            elif entry.kind == "matrix" and entry.value is not None:
                found.extend((f"{where}[{i}]", v) for i, row in enumerate(entry.value) for v in row)
            found.extend((f"{where} nearby {d!r}", v) for d, v in entry.nearby)
            found.extend((f"{where} intermediate {n}", v) for n, v in entry.intermediates.items())
    return found


def _point(expr, rng: random.Random) -> dict:
    """Small exact values: integers for integer symbols, fractions in [-2, 2] otherwise."""
    point = {}
    for symbol in sorted(expr.free_symbols, key=str):
        if symbol.is_integer:
            point[symbol] = sympy.Integer(rng.randint(0 if symbol.is_nonnegative and not symbol.is_positive else 1, 7))
        else:
            low = 0 if symbol.is_nonnegative else -2
            point[symbol] = sympy.Rational(fractions.Fraction(rng.randint(low * 20, 40), 20))
    return point


def _run_maxima(program: str) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "roundtrip.mac"
        path.write_text(program, encoding="utf-8")
        done = subprocess.run(["maxima", "--very-quiet", f"--batch={path}"], capture_output=True, text=True,
                              timeout=300, check=False)
    return done.stdout + done.stderr


def _maxima_values(cases) -> dict[int, complex]:
    """One Maxima process evaluates every (Maxima text, point) case: float of the
    substituted expression, real and imaginary parts."""
    lines = ["display2d: false$", "linel: 100000$"]
    for number, (text, point) in enumerate(cases):
        values = ", ".join(f"{maxima(s)} = {maxima(v)}" for s, v in point.items())
        lines.append(f"v: float(rectform(ev({text}, [{values}])))$")
        lines.append(f'print("RNNSYM", {number}, float(realpart(v)), float(imagpart(v)))$')
    output = _run_maxima("\n".join(lines) + "\n")
    values = {}
    for match in re.finditer(r"^RNNSYM (\d+) (\S+) (\S+)\s*$", output, re.MULTILINE):
        values[int(match.group(1))] = complex(float(match.group(2).replace("E", "e")),
                                              float(match.group(3).replace("E", "e")))
    if len(values) < len(cases):
        first = min(set(range(len(cases))) - set(values))
        raise AssertionError(f"Maxima stopped at case {first} ({cases[first][0][:200]}):\n{output[-2000:]}")
    return values


def test_maxima_evaluates_every_printed_key_as_sympy_does(key_expressions):
    skip_unless(shutil.which("maxima") is not None, "MAXIMA",
                "Maxima is missing (make test installs Debian's maxima)")
    rng = random.Random(7)
    cases, expected = [], []
    for where, expr in key_expressions:
        for _ in range(POINTS if expr.free_symbols else 1):
            point = _point(expr, rng)
            cases.append((maxima(expr), point))
            expected.append((where, complex(sympy.N(expr.subs(point), 30))))
    values = _maxima_values(cases)
    wrong = [f"{where}: Maxima {values[i]}, SymPy {value}" for i, (where, value) in enumerate(expected)
             if abs(values[i] - value) > TOLERANCE * max(1.0, abs(value))]
    assert not wrong, f"{len(wrong)} of {len(cases)} evaluations differ:\n" + "\n".join(wrong[:20])
    assert len(cases) > 500  # every variant's keys were there


def test_the_exact_sorting_node_sorts_as_the_key_is_sorted():
    """The feedback variable that orders a student's exact numbers, run by Maxima."""
    skip_unless(shutil.which("maxima") is not None, "MAXIMA",
                "Maxima is missing (make test installs Debian's maxima)")
    from rnnsym.moodle_stack import SORT_EXACT
    from rnnsym.problem import KeyEntry

    numbers = [sympy.Rational(1, 8) - 3 * sympy.sqrt(73) / 200, sympy.Rational(1, 8) + 3 * sympy.sqrt(73) / 200,
               sympy.Rational(-1, 3), 1 + sympy.I, 1 - sympy.I]
    key = _stack_key(KeyEntry("x", "exact", numbers))
    program = (f"display2d: false$ linel: 100000$ ans1: {maxima(list(reversed(numbers)))}$ "
               f"sa: {SORT_EXACT}$ ta: {key}$ print(\"RNNSYM\", is(ratsimp(sa - ta) = [0, 0, 0, 0, 0]))$\n")
    assert "RNNSYM true" in _run_maxima(program)


def test_intermediates_substitute_in_maxima():
    """The feedback variables of an expression with intermediates (1b's h_next) give the key back."""
    skip_unless(shutil.which("maxima") is not None, "MAXIMA",
                "Maxima is missing (make test installs Debian's maxima)")
    variant = load_variant(None)
    entry = checker.answer_key(variant, derive_variant(variant))["3a.dE_dwx"]
    grading = stack_grading(entry)
    hs = sorted((s for s in entry.intermediates), key=str)
    # A student's answer written with the named intermediates: the key with
    # each intermediate's definition replaced by its name, where it occurs.
    written = entry.value.subs({value: name for name, value in entry.intermediates.items()})
    assert written != entry.value and any(s in written.free_symbols for s in hs)
    program = (f"display2d: false$ linel: 100000$ {grading['question_variables']}\n"
               f"ans1: {maxima(written)}$ {grading['feedback_variables']}\n"
               f"print(\"RNNSYM\", is(ratsimp(sa - ta) = 0))$\n")
    assert "RNNSYM true" in _run_maxima(program)
