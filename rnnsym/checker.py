"""Checking a student's answers against the key of their variant.

Every answer id of interfaces.md has a key entry: its kind (an expression,
numbers, words, exact numbers, a matrix), the names an answer may use, the
intermediate quantities the checker substitutes, and nearby answers (other
conventions, neighbouring recurrences) that explain a typical wrong answer.

Answers are read by rnnsym.answer_grammar, never evaluated as code.

Equivalence of expressions, in this order:
1. Exact: the difference is expanded and simplified (bounded in time). If it
   becomes 0 the answer is equivalent; if it becomes a nonzero number or a
   polynomial with a nonzero coefficient, the answer is wrong (a nonzero
   polynomial is nonzero somewhere on any infinite grid of integers).
2. Otherwise, random points, drawn from a seed chosen afresh per answer and
   recorded in the verdict ("seed" in the JSON output), over each symbol's
   domain: sizes (m, h, V, T, D, H, K, n) and step counts (t) are integers,
   half the time uniform in 1..30 (t: 0..30), half the time log-uniform up
   to 10^4 (t: 10^3); weights are reals of both signs with magnitudes from
   10^-2 to 10. Both sides are evaluated with mpmath at PRECISION digits;
   a value that is not finite or beyond 10^MAX_VALUE_DIGITS counts as "no
   value". Points where the key has no value are redrawn; the answer must
   have a value at no fewer than MIN_POINTS of POINTS points, and at each
   of them agree with the key to EXPRESSION_TOLERANCE (relative), with no
   nonzero digit of the difference certified by SymPy's error-controlled
   evaluation (up to CERTIFY_DIGITS digits).

Error bound. A wrong answer that the exact step cannot settle passes only if
it agrees with the key at every one of at least MIN_POINTS independent
points. For a difference that is a nonzero polynomial of total degree d in
the integer symbols, each point is a root with probability at most d * p,
where p <= 0.07 is the largest probability of one integer value (the
Schwartz-Zippel lemma for product distributions); so it passes with
probability at most (0.07 d)^18: below 10^-12 for d <= 3, below 10^-4 for
d <= 8, as long as the difference is above 10^-CERTIFY_DIGITS of the values. (Polynomial differences are in fact decided exactly by step 1;
the bound covers differences the simplifier cannot put in that form.) A
difference smaller than 10^-CERTIFY_DIGITS of the values, or one that
vanishes on a set of positive probability (e.g. only for weights of one
sign beyond 10), can pass; such answers are reported as "equivalent" with
the note "not proven by simplification" and the seed that reproduces them.

Numbers: integers, fractions and radicals are compared exactly (different
exact constants however close are wrong); decimals to the relative
tolerance NUMBER_TOLERANCE, and never for an integer key. Non-finite values
(1/0, nan, inf, 1e400, log(0)) are never numbers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import math
import random
import secrets
import signal
import threading
import tomllib
from pathlib import Path
from typing import Any

import mpmath
import sympy
from sympy.core.evalf import PrecisionExhausted

from rnnsym.i18n import N_, joined, message
from rnnsym.answer_parsing import parse_answer, read
from rnnsym.errors import InputError
from rnnsym.exact import NumberForms
from rnnsym.params import Variant, variant_as_strings
from rnnsym.pipeline import Solved, answers_document
from rnnsym.problem import KeyEntry  # noqa: F401  (the key entries live with their problems)
from rnnsym.safe_io import json_safe_for_terminal, printable, read_regular_file

POINTS = 24  # random points an answer must agree at (when the exact step cannot decide)
MIN_POINTS = 18  # fewest points at which the answer must have a value
MAX_DRAWS = 3 * POINTS  # points drawn at most (points where the key has no value are redrawn)
PRECISION = 50  # digits of the floating evaluation
CERTIFY_DIGITS = 120  # digits SymPy may use to certify a nonzero difference
MAX_VALUE_DIGITS = 5000  # a value beyond 10^5000 counts as overflow
NUMBER_TOLERANCE = 5e-3  # relative: students round by hand
EXPRESSION_TOLERANCE = 1e-30  # relative, at PRECISION digits
ABSOLUTE_FLOOR = mpmath.mpf("1e-40")
SIMPLIFY_SECONDS = 3
SIZE_NAMES = {"m", "h", "V", "T", "D", "H", "K", "n"}
STEP_NAMES = {"t"}
SMALL_INTEGER = 30
SIZE_LIMIT = 10_000
STEP_LIMIT = 1_000


class Missing(enum.Enum):
    """No answer for an id (unlike JSON null, which may be an answer: "no limit")."""

    MISSING = "missing"


MISSING = Missing.MISSING




@dataclasses.dataclass(frozen=True)
class Verdict:
    verdict: str  # correct, equivalent, wrong, unreadable, missing
    student: Any
    key: Any
    diagnosis: str = ""
    parsed: Any = None
    seed: int | None = None  # the seed of the random points, when they were used

    def as_json(self) -> dict:
        document = {"verdict": self.verdict, "student": self.student, "key": self.key, "diagnosis": self.diagnosis}
        if self.seed is not None:
            document["seed"] = self.seed
        return document


_DEADLINES: list[float] = []


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raises TimeoutError in the block after ``seconds`` (main thread, Unix).

    Limits nest: an inner limit never extends an outer one, and the outer
    one is re-armed when the inner block ends.
    """
    import time

    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread; the caller's worker process bounds the time
        return

    def expire(signum, frame):
        raise TimeoutError

    deadline = time.monotonic() + seconds
    if _DEADLINES:
        deadline = min(deadline, _DEADLINES[-1])
    _DEADLINES.append(deadline)
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _DEADLINES.pop()
        signal.signal(signal.SIGALRM, previous)
        if _DEADLINES:
            signal.setitimer(signal.ITIMER_REAL, max(_DEADLINES[-1] - time.monotonic(), 0.001))


# --- the key ------------------------------------------------------------------

def answer_key(variant: Variant, solved: list[Solved]) -> dict[str, KeyEntry]:
    """The key of every answer id for one variant."""
    document = answers_document(variant, solved)["answers"]
    entries = {}
    for item in solved:
        declared = {spec.id: spec for spec in item.problem.answer_specs}
        for entry in item.problem.key(item.derivation, document):
            # The sheet asks exactly what its declarations say; a key entry that
            # no declaration asks for (or of another kind) is a programming error.
            spec = declared.pop(entry.id, None)
            assert spec is not None and spec.kind == entry.kind, f"{entry.id}: key and declaration disagree"
            entries[entry.id] = dataclasses.replace(entry, shown=document.get(entry.id))
        assert not declared, f"declared but not in the key: {sorted(declared)}"
    return entries


# --- comparing ------------------------------------------------------------------


def _fresh_seed() -> int:
    """A new seed for one answer's sample points (recorded in the verdict)."""
    return secrets.randbits(48)


def _sample_value(symbol: sympy.Symbol, rng: random.Random):
    """One value from the symbol's real domain.

    Sizes and step counts are integers: half the time small (uniform up to
    SMALL_INTEGER), half the time spread log-uniformly up to 10^4 (t: 10^3).
    Other symbols are reals of both signs, magnitudes from 10^-2 to 10.
    Non-negative reals (h0) are half the time uniform in [0, 3] and half the
    time log-uniform from 10^-2 to 10^3: a recursion's fixed point can lie
    anywhere, and two closed forms may agree below it and differ above.
    """
    name = str(symbol)
    if symbol.is_integer or name in SIZE_NAMES | STEP_NAMES:
        lowest = 0 if name in STEP_NAMES or (symbol.is_nonnegative and not symbol.is_positive) else 1
        highest = STEP_LIMIT if name in STEP_NAMES else SIZE_LIMIT
        if rng.random() < 0.5:
            return sympy.Integer(rng.randint(lowest, SMALL_INTEGER))
        return sympy.Integer(max(lowest, min(highest, int(10 ** rng.uniform(0, math.log10(highest + 1))))))
    if symbol.is_nonnegative:
        if rng.random() < 0.5:
            return sympy.Rational(rng.randint(0, 3_000_000), 1_000_000)
        return sympy.Rational(round(10 ** rng.uniform(-2, 3) * 1_000_000), 1_000_000)
    magnitude = 10 ** rng.uniform(-2, 1)
    return sympy.Rational(round(rng.choice((-1, 1)) * magnitude * 1_000_000), 1_000_000)


def sample_points(symbols, count: int = POINTS, seed: int = 0) -> list[dict]:
    """``count`` points drawn from ``seed``; the same seed gives the same points."""
    rng = random.Random(seed)
    ordered = sorted(symbols, key=str)
    return [{s: _sample_value(s, rng) for s in ordered} for _ in range(count)]


def _evaluate(expr, point):
    """The value at ``point`` (mpmath, PRECISION digits), or None when it is not a finite number.

    Floating evaluation: a huge power becomes a large float exponent instead of
    a gigantic exact integer; values beyond 10^MAX_VALUE_DIGITS count as overflow.
    """
    try:
        value = expr.evalf(PRECISION, subs=point)
        if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            return None
        real, imaginary = value.as_real_imag()
        with mpmath.workdps(PRECISION):
            number = mpmath.mpc(mpmath.mpf(sympy.Float(real, PRECISION)), mpmath.mpf(sympy.Float(imaginary, PRECISION)))
            if not mpmath.isfinite(number) or (number != 0 and mpmath.log10(abs(number)) > MAX_VALUE_DIGITS):
                return None
        return number
    except (TypeError, ValueError, ArithmeticError, AttributeError, RecursionError):
        return None


def _agree(a, b, tolerance=EXPRESSION_TOLERANCE) -> bool:
    with mpmath.workdps(PRECISION):
        return abs(a - b) <= tolerance * max(abs(a), abs(b)) or abs(a - b) <= ABSOLUTE_FLOOR


def _certified_nonzero(difference, point) -> bool:
    """True when SymPy's error-controlled evaluation shows a nonzero digit of ``difference`` at ``point``."""
    try:
        value = difference.evalf(PRECISION, subs=point, strict=True, maxn=CERTIFY_DIGITS)
    except (PrecisionExhausted, TypeError, ValueError, ArithmeticError, AttributeError, RecursionError):
        return False
    return bool(value.is_number) and not value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) and value != 0


def _random_test(left, right, symbols, seed: int, count: int = POINTS) -> tuple[bool, dict | None, str]:
    """(equal, a point where they differ, why), from points drawn from ``seed``.

    Points where ``right`` (the key) has no finite value are redrawn; ``left``
    must be finite at all but POINTS - MIN_POINTS of the others, and agree at
    every point where it is finite.
    """
    rng = random.Random(seed)
    ordered = sorted(symbols, key=str)
    agreeing = failures = 0
    for _ in range(MAX_DRAWS):
        if agreeing >= count:
            break
        point = {s: _sample_value(s, rng) for s in ordered}
        b = _evaluate(right, point)
        if b is None:
            continue
        a = _evaluate(left, point)
        if a is None:
            failures += 1
            if failures > count - MIN_POINTS:
                return False, point, message(N_("has no finite value at %(point)s"), point=_shown_point(point))
            continue
        if not _agree(a, b) or _certified_nonzero(left - right, point):
            return False, point, ""
        agreeing += 1
    if agreeing < min(count, MIN_POINTS):
        return False, None, message(N_("could be compared at only %(count)s random points (seed %(seed)s)"),
                                    count=agreeing, seed=seed)
    return True, None, ""


def numerically_equal(left, right, symbols, seed: int | None = None) -> tuple[bool, dict | None]:
    """Equal at POINTS random points? Returns (equal, a point where they differ)."""
    equal, point, _ = _random_test(left, right, symbols, _fresh_seed() if seed is None else seed)
    return equal, point


def _provably_nonzero(expr) -> bool:
    """True when ``expr`` is a nonzero number, or a polynomial with a nonzero coefficient.

    A nonzero polynomial is nonzero somewhere on any infinite grid, so on
    the integers of the sizes and step counts as on the reals.
    """
    if expr.is_number:
        return expr.is_zero is False or _certified_nonzero(expr, {})
    try:
        coefficients = sympy.Poly(expr, *sorted(expr.free_symbols, key=str)).coeffs()
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, ValueError, TypeError):
        return False
    return any(c.is_number and (c.is_zero is False or _certified_nonzero(c, {})) for c in coefficients)


def _symbolically_zero(difference) -> bool | None:
    """True: proven zero; False: proven nonzero; None: simplification could not tell (or ran out of time)."""
    try:
        with time_limit(SIMPLIFY_SECONDS):
            expanded = sympy.expand(difference)
            if expanded == 0:
                return True
            if _provably_nonzero(expanded):
                return False
            simplified = sympy.simplify(expanded)
            if simplified == 0:
                return True
            return False if _provably_nonzero(simplified) else None
    except (TimeoutError, RecursionError, TypeError, ValueError, ArithmeticError, sympy.PolynomialError):
        return None


def _as_complex(value) -> complex | None:
    try:
        return complex(value)
    except (OverflowError, TypeError, ValueError):
        return None


def error_reason(error: Exception) -> str:
    """What ``error`` says: its :class:`rnnsym.i18n.Message` as it is (``str()``
    would make it plain English text), else its text."""
    said = error.args[0] if len(error.args) == 1 else None
    return said if isinstance(said, str) else str(error)


def _diagnose(student, entry: KeyEntry, point, seed: int = 0) -> str:
    key = entry.value
    symbols = key.free_symbols | student.free_symbols
    for index, (description, other) in enumerate(entry.nearby):
        exact = _symbolically_zero(student - other)
        if exact or (exact is None and numerically_equal(student, other, symbols, seed + index)[0]):
            return message(N_("this is %(mistake)s"), mistake=description)
    pairs = []
    for p in sample_points(symbols, 8, seed=seed + 101):
        s, k = _as_complex(_evaluate(student, p)), _as_complex(_evaluate(key, p))
        if s is None or k is None:
            pairs = []
            break
        pairs.append((s, k))
    usable = [(s, k) for s, k in pairs if abs(k) > 1e-12]
    if usable:
        ratios = [s / k for s, k in usable]
        if all(abs(r - ratios[0]) <= 1e-9 * max(1, abs(r)) for r in ratios) and abs(ratios[0] - 1) > 1e-9:
            factor = sympy.nsimplify(round(ratios[0].real, 10))
            return message(N_("the sign is wrong")) if factor == -1 else \
                message(N_("off by a constant factor %(factor)s"), factor=factor)
    if pairs:
        offsets = [s - k for s, k in pairs]
        if all(abs(o - offsets[0]) <= 1e-9 * max(1, abs(o)) for o in offsets):
            return message(N_("off by the constant %(offset)s"), offset=sympy.nsimplify(round(offsets[0].real, 10)))
    for name in ("T", "t"):
        index = next((s for s in key.free_symbols if str(s) == name), None)
        if index is not None:
            for shift in (1, -1):
                if _symbolically_zero(student - key.subs(index, index + shift)):
                    return message(N_("an index off by one: the key with %(shifted)s in place of %(name)s"),
                                   shifted=f"{name}{shift:+d}", name=name)
    terms = _term_difference(student, key)
    if terms:
        return terms
    if point:
        s, k = _evaluate(student, point), _evaluate(key, point)
        if s is not None and k is not None:
            return message(N_("differs from the key at %(point)s: student %(student)s, key %(key)s"),
                           point=_shown_point(point), student=_shown_value(s), key=_shown_value(k))
    return message(N_("differs from the key"))


def _shown_point(point: dict) -> str:
    return ", ".join(f"{s} = {v}" for s, v in point.items()) or message(N_("a point"))


def _shown_value(value) -> str:
    with mpmath.workdps(PRECISION):
        return mpmath.nstr(value.real if value.imag == 0 else value, 8)


def _term_difference(student, key) -> str:
    try:
        with time_limit(SIMPLIFY_SECONDS):
            key_terms = set(sympy.Add.make_args(sympy.expand(key)))
            difference = sympy.Add.make_args(sympy.expand(student - key))
    except TimeoutError:
        return ""
    if len(difference) > 3 or difference == (0,):
        return ""
    key_coefficients = dict(reversed(term.as_coeff_Mul()) for term in key_terms)
    parts = []
    for term in difference:
        coefficient, monomial = term.as_coeff_Mul()
        if monomial in key_coefficients:
            expected = key_coefficients[monomial]
            if expected + coefficient == 0:
                parts.append(message(N_("the term %(term)s is missing"), term=sympy.sstr(expected * monomial)))
            else:
                parts.append(message(N_("the coefficient of %(monomial)s is %(given)s instead of %(expected)s"),
                                     monomial=sympy.sstr(monomial), given=sympy.sstr(expected + coefficient),
                                     expected=sympy.sstr(expected)))
        else:
            parts.append(message(N_("an extra term %(term)s"), term=sympy.sstr(term)))
    return joined(parts)


def compare_expression(text, entry: KeyEntry, key=None, seed: int | None = None) -> Verdict:
    """The verdict for one expression: exact simplification first, then random points.

    A difference that simplifies to 0 is "equivalent"; one proven nonzero (a
    nonzero number or polynomial) is "wrong"; otherwise the random test
    decides, from a seed drawn afresh (or ``seed``) and recorded in the verdict.
    """
    key = entry.value if key is None else key
    if not isinstance(text, (str, int, float)) or isinstance(text, bool):
        return Verdict("unreadable", text, entry.shown,
                       message(N_("expected an expression as a string, got %(type)s"), type=type(text).__name__))
    try:
        parsed = parse_answer(str(text), entry.names)
    except ValueError as error:
        return Verdict("unreadable", text, entry.shown, error_reason(error))
    student = parsed.subs(entry.intermediates) if entry.intermediates else parsed
    if student == key:
        return Verdict("correct", text, entry.shown, parsed=parsed)
    exact = _symbolically_zero(student - key)
    if exact:
        return Verdict("equivalent", text, entry.shown, "", parsed)
    seed = _fresh_seed() if seed is None else seed
    symbols = key.free_symbols | student.free_symbols
    if exact is None:
        equal, point, reason = _random_test(student, key, symbols, seed)
        if equal:
            return Verdict("equivalent", text, entry.shown,
                           message(N_("equal at %(count)s random points (seed %(seed)s); not proven by simplification"),
                                   count=POINTS, seed=seed), parsed, seed)
        if reason:
            return Verdict("wrong", text, entry.shown, reason, parsed, seed)
    else:
        point = None
    diagnosis = _diagnose(student, dataclasses.replace(entry, value=key), point, seed)
    return Verdict("wrong", text, entry.shown, diagnosis, parsed, seed)


def _as_list(value):
    return value if isinstance(value, list) else [value]


ANSWER_SECONDS = 20


def compare(entry: KeyEntry, answer) -> Verdict:
    """The verdict for one answer id, in at most ANSWER_SECONDS seconds (SIGALRM, main thread only)."""
    try:
        with time_limit(ANSWER_SECONDS):
            return _compare(entry, answer)
    except TimeoutError:
        return Verdict("unreadable", answer, entry.shown,
                       message(N_("comparing this answer took longer than %(seconds)s s; write it more simply"),
                               seconds=ANSWER_SECONDS))
    except RecursionError:
        return Verdict("unreadable", answer, entry.shown, message(N_("the expression is nested too deeply")))


def _compare(entry: KeyEntry, answer) -> Verdict:
    kind = entry.kind
    if answer is MISSING or (answer is None and not (kind == "matrix" and entry.value is None)):
        return Verdict("missing", None, entry.shown, message(N_("no answer given")))
    if kind == "expression":
        return compare_expression(answer, entry)
    if kind == "expressions":
        answers = _as_list(answer)
        if len(answers) != len(entry.value):
            return Verdict("wrong", answer, entry.shown, message(N_("expected %(expected)s components, got %(given)s"),
                                                                 expected=len(entry.value), given=len(answers)))
        seed = _fresh_seed()
        results = [compare_expression(a, entry, k, seed + i) for i, (a, k) in enumerate(zip(answers, entry.value))]
        used = seed if any(r.seed is not None for r in results) else None
        worst = next((r for r in results if r.verdict in ("unreadable", "wrong")), None)
        if worst:
            index = results.index(worst) + 1
            return Verdict(worst.verdict, answer, entry.shown,
                           message(N_("component %(index)s: %(diagnosis)s"), index=index, diagnosis=worst.diagnosis),
                           seed=used)
        verdict = "correct" if all(r.verdict == "correct" for r in results) else "equivalent"
        return Verdict(verdict, answer, entry.shown, seed=used)
    if kind in ("words", "word"):
        expected = _as_list(entry.value)
        given = [str(a).strip().lower() for a in _as_list(answer)]
        if given == [e.lower() for e in expected]:
            return Verdict("correct", answer, entry.shown)
        return Verdict("wrong", answer, entry.shown, message(N_("expected %(words)s"), words=", ".join(expected)))
    if kind in ("numbers", "number", "integer", "exact", "matrix"):
        return _compare_numbers(entry, answer)
    raise AssertionError(kind)


@dataclasses.dataclass(frozen=True)
class _Number:
    """A number a student gave: its exact reading (None for a float), value, and how it was written."""

    exact: Any
    value: Any  # mpmath mpc
    shown: str
    approximate: bool


def _to_number(value) -> _Number:
    """A finite number from a TOML/JSON value (a number, or a string read by the grammar).

    Raises:
        ValueError: not a finite number (true/false, nan, inf, 1/0, text).
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(message(N_("%(value)s is not a number"), value=json.dumps(value)))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(message(N_("%(value)s is not a finite number"), value=value))
        return _Number(sympy.Rational(repr(value)), mpmath.mpc(value), repr(value), True)
    if isinstance(value, int):
        if abs(value).bit_length() > 1000:
            raise ValueError(message(N_("the integer is out of range (at most 10^300)")))
        exact, approximate, shown = sympy.Integer(value), False, str(value)
    elif isinstance(value, str):
        reading = read(value, {})
        exact, approximate, shown = reading.expr, reading.approximate, value.strip()
    else:
        raise ValueError(message(N_("expected a number, got %(type)s"), type=type(value).__name__))
    number = _evaluate(exact, {})
    if number is None:
        raise ValueError(message(N_("%(value)s is not a finite number"), value=shown))
    return _Number(exact, number, shown, approximate)


def _wanted(value) -> _Number:
    """A number of the key: exact (SymPy, int, or a float with an integer value) or a float."""
    if isinstance(value, sympy.Basic):
        return _Number(value, _evaluate(value, {}), sympy.sstr(value), False)
    if float(value).is_integer():
        return _Number(sympy.Integer(int(value)), mpmath.mpc(value), str(int(value)), False)
    return _Number(None, mpmath.mpc(value), _short(value), True)


def _compare_numbers(entry: KeyEntry, answer) -> Verdict:
    if entry.kind == "matrix":
        if entry.value is None:
            ok = answer is None or (isinstance(answer, str) and answer.strip().lower() in ("none", "null", ""))
            return Verdict("correct" if ok else "wrong", answer, None, "" if ok else message(N_("the limit does not exist")))
        if not isinstance(answer, list) or not all(isinstance(r, list) for r in answer):
            return Verdict("wrong", answer, entry.shown, message(N_("expected a list of rows (the limit exists)")))
        expected = [x for row in entry.value for x in row]
        given_flat = [x for row in answer for x in row]
        if [len(r) for r in answer] != [len(r) for r in entry.value]:
            return Verdict("wrong", answer, entry.shown, message(N_("expected a %(rows)s x %(columns)s matrix"),
                                                                 rows=len(entry.value), columns=len(entry.value[0])))
    else:
        expected, given_flat = _as_list(entry.value), _as_list(answer)
    try:
        given = [_to_number(v) for v in given_flat]
    except ValueError as error:
        return Verdict("unreadable", answer, entry.shown, message(N_("not a number: %(reason)s"), reason=error_reason(error)))
    if entry.kind == "exact":
        given = sorted(given, key=_descending)
    wanted = _wanted_list(entry.kind, expected)
    if len(given) != len(wanted):
        return Verdict("wrong", answer, entry.shown, message(N_("expected %(expected)s value(s), got %(given)s"),
                                                             expected=len(wanted), given=len(given)))
    # A matrix names its entries by row and column, as a student reads it.
    columns = len(entry.value[0]) if entry.kind == "matrix" else 0
    where = (lambda index: divmod(index - 1, columns)) if columns else None
    all_exact, wrong = _wrong_values(entry.kind, given, wanted, where)
    if wrong:
        # The mistake first, where a nearby answer of the key names it; then every wrong value.
        mistake = _nearby_numbers(entry, given)
        named = [message(N_("this is %(mistake)s"), mistake=mistake)] if mistake else []
        return Verdict("wrong", answer, entry.shown, joined(named + wrong))
    return Verdict("correct" if all_exact else "equivalent", answer, entry.shown,
                   "" if all_exact else message(N_("within the relative tolerance %(tolerance)s"),
                                                tolerance=NUMBER_TOLERANCE))


def _descending(number: _Number):
    return (-float(number.value.real), -float(number.value.imag))


def _wanted_list(kind: str, values) -> list:
    """The numbers of a key (or of a nearby answer), in the order answers are compared in."""
    wanted = [_wanted(v) for v in values]
    return sorted(wanted, key=_descending) if kind == "exact" else wanted


def _wrong_values(kind: str, given: list, wanted: list, where=None) -> tuple[bool, list[str]]:
    """Whether every comparison was exact, and one message per wrong value
    (every wrong value is named, not only the first). ``where``: value
    number (from 1) -> (row, column) from 0, for a matrix."""
    all_exact, wrong = True, []

    def _numbered(index: int, text: str) -> str:
        if where is not None:
            row, column = where(index)
            return message(N_("entry (%(row)s, %(column)s): %(difference)s"), row=row + 1, column=column + 1,
                           difference=text)
        return message(N_("value %(index)s: %(difference)s"), index=index, difference=text)

    for index, (g, w) in enumerate(zip(given, wanted), start=1):
        numbered = len(wanted) > 1
        if kind == "integer" or (not g.approximate and w.exact is not None):
            # Exact against exact: equal, or wrong however close. An integer key takes nothing else.
            if g.exact is None or w.exact is None or (
                    g.exact != w.exact and _symbolically_zero(g.exact - w.exact) is not True):
                wrong.append(_numbered(index, _differing(g, w)) if numbered else _differing(g, w))
            continue
        all_exact = False
        with mpmath.workdps(PRECISION):
            distance = abs(g.value - w.value)
            if distance > NUMBER_TOLERANCE * max(abs(w.value), mpmath.mpf("1e-12")) and distance > 1e-12:
                wrong.append(_numbered(index, _differing(g, w)) if numbered else _differing(g, w))
    return all_exact, wrong


def _nearby_numbers(entry: KeyEntry, given: list) -> str:
    """The description of the first nearby answer of ``entry`` that the given
    numbers equal (under the key's own comparison), or ""."""
    for description, value in entry.nearby:
        flat = [x for row in value for x in row] if entry.kind == "matrix" else _as_list(value)
        wanted = _wanted_list(entry.kind, flat)
        if len(wanted) == len(given) and not _wrong_values(entry.kind, given, wanted)[1]:
            return description
    return ""


def _differing(given: _Number, wanted: _Number) -> str:
    """'<given> instead of <wanted>': the student's number as written, the key exactly or to 6 digits."""
    shown = given.shown if given.approximate or given.exact is None else sympy.sstr(given.exact)
    if wanted.exact is not None:
        return message(N_("%(given)s instead of %(wanted)s"), given=shown, wanted=sympy.sstr(wanted.exact))
    with mpmath.workdps(PRECISION):
        return message(N_("%(given)s instead of %(wanted)s"), given=shown, wanted=mpmath.nstr(_real_or(wanted.value), 6))


def _real_or(value):
    return value.real if value.imag == 0 else value


def _short(z) -> str:
    z = complex(z)
    return f"{z.real:.6g}" if abs(z.imag) < 1e-12 else f"{z:.6g}"



# --- the whole sheet ------------------------------------------------------------


# Answers files come from students: bounded in size, read only when they are
# regular files, and refused with the reason when they are not a shallow
# mapping of answer ids to answers.
MAX_ANSWERS_BYTES = 256 * 1024
MAX_NESTING = 10  # a table of tables of a matrix: "2b" > "ops" > "encoder", or rows > numbers


def read_answers(path: Path) -> dict:
    """A student's answers file (TOML or JSON): answer ids to answers.

    Only a regular file of at most MAX_ANSWERS_BYTES is read (no symbolic
    link, FIFO or device); ``.json`` is read as JSON, anything else as TOML.

    Raises:
        InputError: "<path>: cannot read the answers file: <reason>" (exit status 2);
            the gradebook turns it into the student's row.
    """
    shown = printable(path)
    try:
        raw = read_regular_file(Path(path), MAX_ANSWERS_BYTES)
    except InputError as error:
        raise InputError(f"{shown}: cannot read the answers file: {error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{shown}: cannot read the answers file: expected UTF-8 text "
                         f"({error.reason} at byte {error.start})") from None
    is_json = Path(path).suffix.lower() == ".json"
    try:
        document = json.loads(text) if is_json else tomllib.loads(text)
    except ValueError as error:  # JSONDecodeError, TOMLDecodeError, an integer of more than 4300 digits
        raise InputError(f"{shown}: cannot read the answers file: not valid {'JSON' if is_json else 'TOML'} "
                         f"({printable(error)})") from None
    except RecursionError:
        raise InputError(f"{shown}: cannot read the answers file: nested too deeply") from None
    if not isinstance(document, dict):
        raise InputError(f"{shown}: cannot read the answers file: expected a mapping of answer ids to answers, "
                         f"got {'an array' if isinstance(document, list) else 'a single value'}")
    problem = _document_problem(document)
    if problem:
        raise InputError(f"{shown}: cannot read the answers file: {problem}")
    # TOML reads 1a.fixed_points = ... as a table {"1a": {"fixed_points": ...}} unless quoted.
    return _flatten(document)


def _document_problem(document: dict) -> str:
    """Why a parsed answers document cannot be graded, or "" (walked without recursion)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            return f"nested deeper than {MAX_NESTING} levels"
        if isinstance(value, dict):
            stack.extend((k, depth) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str) and any("\ud800" <= c <= "\udfff" for c in value):
            # JSON's "\ud800" escape: a lone surrogate, which no UTF-8 output can hold.
            return "a string holds a lone surrogate (an invalid \\uD800-\\uDFFF escape)"
    return ""


def _flatten(table: dict) -> dict:
    """Dotted answer ids from nested tables: {"1a": {"fixed_points": x}} -> {"1a.fixed_points": x}."""
    result = {}
    for key, value in table.items():
        if isinstance(value, dict):
            result.update({f"{key}.{inner}": v for inner, v in _flatten(value).items()})
        else:
            result[key] = value
    return result


def check_answers(variant: Variant, solved: list[Solved], answers: dict, grader=None) -> dict:
    """The JSON document of interfaces.md section 4 (plus the verdicts and key for the PDF).

    Each answer is compared in a worker process within the grader's budgets
    (:mod:`rnnsym.sandbox`); ``grader`` carries the class budget across the
    files of a gradebook (default: a fresh grader with the default budgets).
    """
    from rnnsym import sandbox

    key = answer_key(variant, solved)
    grader = grader or sandbox.Grader()
    verdicts, stopped = grader.compare_all(key, answers)
    credited = sum(v.verdict in ("correct", "equivalent") for v in verdicts.values())
    return {
        "params": variant_as_strings(variant),
        "answers": {answer_id: v.as_json() for answer_id, v in verdicts.items()},
        "score": {"correct": credited, "of": len(verdicts)},
        "unknown_ids": sorted(set(answers) - set(key)),
        "_verdicts": verdicts,
        "_key": key,
        "_stopped": stopped,  # "" or the budget that left answers not graded
    }


# --- output -----------------------------------------------------------------------

MAX_UNKNOWN_SHOWN = 20


def terminal_table(result: dict) -> str:
    """A plain-text table: id, verdict, diagnosis (student text escaped for the terminal)."""
    lines = [f"{'answer':<26} {'verdict':<11} diagnosis"]
    for answer_id, verdict in result["answers"].items():
        lines.append(f"{printable(answer_id):<26} {printable(verdict['verdict']):<11} "
                     f"{printable(verdict['diagnosis'])}")
    score = result["score"]
    lines.append(f"score: {score['correct']} of {score['of']}")
    unknown = result["unknown_ids"]
    if unknown:
        shown = ", ".join(printable(i) for i in unknown[:MAX_UNKNOWN_SHOWN])
        more = f" and {len(unknown) - MAX_UNKNOWN_SHOWN} more" if len(unknown) > MAX_UNKNOWN_SHOWN else ""
        lines.append(f"ignored (not answer ids): {shown}{more}")
    return "\n".join(lines) + "\n"


def public_json(result: dict) -> str:
    """The result as JSON, with control and bidirectional characters written as \\u escapes."""
    document = {k: v for k, v in result.items() if not k.startswith("_")}
    return json_safe_for_terminal(json.dumps(document, indent=2, ensure_ascii=False, default=str)) + "\n"


# The feedback PDF shows at most this many characters of an answer or a
# diagnosis (a huge answer would only exhaust TeX's memory).
FEEDBACK_CHARACTERS = 1500


def _as_written(answer) -> str:
    """A student's answer as the text they wrote (lists and tables in JSON)."""
    if isinstance(answer, str):
        return answer
    try:
        return json.dumps(answer, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        return f"(a {type(answer).__name__} that cannot be shown)"


def _shortened(text: str) -> tuple[str, str]:
    """``text`` cut to FEEDBACK_CHARACTERS, and a note of what was left out."""
    if len(text) <= FEEDBACK_CHARACTERS:
        return text, ""
    return text[:FEEDBACK_CHARACTERS], f" ... ({len(text) - FEEDBACK_CHARACTERS} more characters)"


def _student_shown(answer):
    """A student's answer, escaped character for character (never parsed, never typeset)."""
    from pylatex import NoEscape

    from rnnsym import i18n, render

    if answer is None:
        return NoEscape(r"\emph{" + i18n._("(none)") + "}")
    text, rest = _shortened(_as_written(answer))
    return NoEscape(render.escape_code(text) + render.escape_text(rest))


def write_feedback_pdf(variant: Variant, result: dict, target: Path) -> None:
    """The student's answers beside the key, compiled atomically to ``target``.

    The student's column shows exactly what they wrote, escaped; the key is
    typeset from the key's own SymPy objects. In the variant's language
    (``[meta] language``; Persian: right to left, XeLaTeX).
    """
    from rnnsym import i18n

    with i18n.using(variant.meta.language):
        _write_feedback_pdf(variant, result, target)


# The verdicts by name, printed in the feedback's language.
VERDICT_WORDS = (N_("correct"), N_("equivalent"), N_("wrong"), N_("unreadable"), N_("missing"), N_("not graded"))


def _write_feedback_pdf(variant: Variant, result: dict, target: Path) -> None:
    import os
    import tempfile

    from rnnsym import latex, render

    from pylatex import NoEscape

    from rnnsym.answer_table import typeset_key
    from rnnsym.registry import PROBLEMS

    # The solutions number their problems' sections in the registry's order.
    sections = {spec.id: number for number, problem in enumerate(PROBLEMS.values(), start=1)
                for spec in problem.answer_specs}
    # The key writes each problem's numbers as its inputs were typed, as the solutions do.
    forms = {spec.id: variant.number_forms(pid) for pid, problem in PROBLEMS.items() for spec in problem.answer_specs}
    rows = []
    # In the order of the sheet's parts (1a, 1b, 1c, ...), each part's answers as declared.
    ordered = sorted(result["_verdicts"].items(), key=lambda item: item[0].split(".")[0])
    for answer_id, verdict in ordered:
        entry = result["_key"][answer_id]
        breakable = str(render.escape_text(answer_id)).replace(".", r".\allowbreak{}").replace(r"\_", r"\_\allowbreak{}")
        rows.append(dict(id=NoEscape(breakable),
                         verdict=verdict.verdict, student=_student_shown(verdict.student),
                         key=typeset_key(entry.value, entry.kind, line_characters=38,
                                         forms=forms.get(answer_id, NumberForms())),
                         # A diagnosis is an i18n.Message: printed in the feedback's language.
                         diagnosis="".join(_shortened(str(render.translate(verdict.diagnosis or "")))),
                         section=sections.get(answer_id, "")))
    body = render.environment().get_template("feedback.tex.j2").render(rows=rows, score=result["score"])
    source = render.document(variant.meta, body, show_solutions=True, sheet=N_("Feedback")).dumps() + "\n"
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".feedback-") as scratch:
        tex_file = Path(scratch) / "feedback.tex"
        tex_file.write_text(source, encoding="utf-8")
        # Students' text: compiled in the sandbox or not at all.
        os.replace(latex.compile_pdf(tex_file, untrusted=True), target)
