"""Checking a student's answers against the key of their variant.

Every answer id of interfaces.md has a key entry: its kind (an expression,
numbers, words, exact numbers, a matrix), the names an answer may use, the
intermediate quantities the checker substitutes, and nearby answers (other
conventions, neighbouring recurrences) that explain a typical wrong answer.

Equivalence of expressions: exact simplification first (bounded in time);
if that does not settle it, evaluation at POINTS random points at 30
digits. The sizes (m, h, V, T, D, H, K) are drawn as integers up to 10^4:
by the Schwartz-Zippel lemma a nonzero polynomial of degree d vanishes at
such a point with probability at most d / 10^4, so a wrong polynomial of
degree <= 5 passes all POINTS points with probability below 10^-60.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import signal
import tomllib
from pathlib import Path
from typing import Any

import sympy

from rnnsym import notation
from rnnsym.answer_parsing import parse_answer
from rnnsym.errors import InputError
from rnnsym.params import Variant, variant_as_strings
from rnnsym.pipeline import Solved, answers_document
from rnnsym.safe_io import json_safe_for_terminal, printable, read_regular_file

POINTS = 24
NUMBER_TOLERANCE = 5e-3  # relative: students round by hand
EXPRESSION_TOLERANCE = 1e-9
SIMPLIFY_SECONDS = 3
SIZE_NAMES = {"m", "h", "V", "T", "D", "H", "K"}


@dataclasses.dataclass(frozen=True)
class KeyEntry:
    """What the key says for one answer id, and how to compare with it."""

    id: str
    kind: str  # expression, expressions, numbers, number, words, word, integer, exact, matrix
    value: Any
    names: dict = dataclasses.field(default_factory=dict)
    intermediates: dict = dataclasses.field(default_factory=dict)
    nearby: tuple = ()  # (description, expression)
    shown: str = ""  # the key as the answers file writes it


@dataclasses.dataclass(frozen=True)
class Verdict:
    verdict: str  # correct, equivalent, wrong, unreadable, missing
    student: Any
    key: Any
    diagnosis: str = ""
    parsed: Any = None

    def as_json(self) -> dict:
        return {"verdict": self.verdict, "student": self.student, "key": self.key, "diagnosis": self.diagnosis}


_DEADLINES: list[float] = []


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raises TimeoutError in the block after ``seconds`` (main thread, Unix).

    Limits nest: an inner limit never extends an outer one, and the outer
    one is re-armed when the inner block ends.
    """
    import time

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


def _symbols_of(*exprs) -> dict:
    names = {}
    for expr in exprs:
        for symbol in getattr(expr, "free_symbols", set()):
            names[str(symbol)] = symbol
    return names


def _keys_p1(d, answers) -> list[KeyEntry]:
    from derivations import p1_iterated_maps as p1

    p = d.params
    h_next_value = notation.sigmoid(p.w * notation.h_t + p.b)
    nearby = []
    for a, c in sorted({(p.relu_a, p.relu_c / 2), (p.relu_a, 2 * p.relu_c), (p.relu_a, -p.relu_c),
                        (p.relu_a + 1, p.relu_c), (p.relu_a - 1, p.relu_c), (p.relu_a / 2, p.relu_c)}):
        if (a, c) == (p.relu_a, p.relu_c) or (a == 1 and c == 0) or (a < -1 and c > 0):
            continue
        nearby.append((f"the closed form of the nearby recurrence h_(t+1) = ReLU({sympy.sstr(a)} h_t + "
                       f"{sympy.sstr(c)})".replace("+ -", "- "), p1.relu_closed_form(a, c)))
    hstar = [q.value for q in d.relu_fixed_points if q.value != 0]
    return [
        KeyEntry("1a.fixed_points", "numbers", answers["1a.fixed_points"]),
        KeyEntry("1c.kinds", "words", answers["1c.kinds"]),
        KeyEntry("1b.derivative", "expression", d.derivative, {"h_t": notation.h_t, "h_next": notation.h_next},
                 {notation.h_next: h_next_value},
                 (("w h_t (1 - h_t): the derivative with h_t where h_(t+1) belongs",
                   p.w * notation.h_t * (1 - notation.h_t)),)),
        KeyEntry("1d.fixed_points", "numbers", answers["1d.fixed_points"]),
        KeyEntry("1d.kinds", "words", answers["1d.kinds"]),
        KeyEntry("1d.closed_form", "expression", d.relu_closed_form,
                 {"h0": notation.h0, "t": notation.t, "hstar": sympy.Symbol("hstar")},
                 {sympy.Symbol("hstar"): hstar[0]} if hstar else {}, tuple(nearby)),
    ]


def _keys_p2(d, answers) -> list[KeyEntry]:
    from derivations import p2_architectures as p2

    names = {str(s): s for s in p2.SIZES}
    entries = []
    for part in ("encoder", "decoder", "total"):
        other = (("the FlopCounterMode convention instead of the default one", d.ops["flop_counter"][part]),)
        entries.append(KeyEntry(f"2b.ops.{part}", "expression", d.ops["default"][part], names, nearby=other))
    entries.append(KeyEntry("2b.flops_torch.total", "expression", d.ops["flop_counter"]["total"], names,
                            nearby=(("the default counting convention instead of FlopCounterMode",
                                     d.ops["default"]["total"]),)))
    for part in ("encoder", "decoder", "total"):
        other = (("PyTorch's parameter convention (two RNN biases)", d.parameters["torch"][part]),)
        entries.append(KeyEntry(f"2b.params.{part}", "expression", d.parameters["default"][part], names, nearby=other))
    entries.append(KeyEntry("2b.params_torch.total", "expression", d.parameters["torch"]["total"], names,
                            nearby=(("the one-bias-per-layer convention instead of PyTorch's",
                                     d.parameters["default"]["total"]),)))
    return entries


def _keys_p3(d, answers) -> list[KeyEntry]:
    from derivations import p3_bptt_dynamics as p3

    b = d.bptt
    names = _symbols_of(*b.expanded.values())
    names.update({str(s): s for s in (p3.w_h, p3.w_x, p3.w_y, p3.h0, b.y, *b.xs)})
    hs = {sympy.Symbol(f"h{k}", real=True): b.states[k] for k in range(1, b.T + 1)}
    yhat = {sympy.Symbol(f"yhat{b.T}", real=True): notation.sigmoid(p3.w_y * b.states[-1])}
    names.update({str(s): s for s in (*hs, *yhat)})
    delta = b.expanded["dE_dwh"] / b.sums["dE_dwh"]
    extra_power = delta * sympy.expand(b.sums["dE_dwh"] * p3.w_h)
    entries = [
        KeyEntry("3a.dE_dwy", "expression", b.expanded["dE_dwy"], names, {**hs, **yhat}),
        KeyEntry("3a.dE_dwh", "expression", b.expanded["dE_dwh"], names, {**hs, **yhat},
                 (("the sum with w_h^(T-k+1) instead of w_h^(T-k) (an index off by one)", extra_power),)),
        KeyEntry("3a.dE_dwx", "expression", b.expanded["dE_dwx"], names, {**hs, **yhat},
                 (("the sum without the factor w_x of each h_k", b.expanded["dE_dwx"] / p3.w_x),)),
    ]
    dyn = d.dynamics
    h_names = {str(s): s for s in dyn.h0}
    h_names["t"] = p3.t
    entries += [
        KeyEntry("3c.eigenvalues", "exact", list(dyn.eigenvalues)),
        KeyEntry("3c.h_t", "expressions", list(dyn.h_t), h_names),
        KeyEntry("3c.spectral_radius", "number", answers["3c.spectral_radius"]),
        KeyEntry("3c.regime", "word", answers["3c.regime"]),
        KeyEntry("3d.limit", "matrix", None if d.dynamics3.limit is None else d.dynamics3.limit.tolist()),
    ]
    return entries


def _keys_p4(d, answers) -> list[KeyEntry]:
    from derivations import p4_mdrnn as p4

    names = {str(s): s for s in (p4.n, p4.D, p4.H, p4.K)}
    return [
        KeyEntry("4a.weights", "expression", d.weights_2d, names),
        KeyEntry("4c.params", "expression", d.params_one, names,
                 nearby=(("the MD-LSTM count", d.params_lstm_one),
                         ("one direction with one bias per recurrent matrix (n + 1 biases)",
                          d.params_one + p4.n * p4.H))),
        KeyEntry("4c.params_all_directions", "expression", d.params_all, names,
                 nearby=(("one direction's count instead of all 2^n", d.params_one),
                         ("2^n complete one-direction networks, each with its own output layer",
                          2**p4.n * d.params_one))),
        KeyEntry("4c.sequential_steps", "integer", answers["4c.sequential_steps"]),
        KeyEntry("4c.max_parallel_cells", "integer", answers["4c.max_parallel_cells"]),
    ]


KEY_BUILDERS = {"p1": _keys_p1, "p2": _keys_p2, "p3": _keys_p3, "p4": _keys_p4}


def answer_key(variant: Variant, solved: list[Solved]) -> dict[str, KeyEntry]:
    """The key of every answer id for one variant."""
    document = answers_document(variant, solved)["answers"]
    entries = {}
    for item in solved:
        for entry in KEY_BUILDERS[item.problem.id](item.derivation, document):
            entries[entry.id] = dataclasses.replace(entry, shown=document.get(entry.id))
    return entries


# --- comparing ------------------------------------------------------------------


def _sample_value(symbol: sympy.Symbol, rng: random.Random):
    name = str(symbol)
    if name in SIZE_NAMES:
        return sympy.Integer(rng.choice([rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 10_000)]))
    if name == "n":
        return sympy.Integer(rng.randint(1, 6))
    if name == "t":
        return sympy.Integer(rng.randint(0, 25))
    if name == "h0" and symbol.is_nonnegative:
        return sympy.Rational(rng.randint(0, 300), 100)
    magnitude = rng.choice([sympy.Rational(1, 10), sympy.Integer(1), sympy.Integer(2)])
    return magnitude * sympy.Rational(rng.randint(-100, 100), 100)


def sample_points(symbols, count: int = POINTS, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    ordered = sorted(symbols, key=str)
    return [{s: _sample_value(s, rng) for s in ordered} for _ in range(count)]


def _value(expr, point):
    # Floating evaluation (mpmath, 30 digits): a huge power overflows or
    # rounds instead of building a gigantic exact integer.
    return complex(expr.evalf(30, subs=point))


def _agree(a, b, tolerance=EXPRESSION_TOLERANCE) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def numerically_equal(left, right, symbols) -> tuple[bool, dict | None]:
    """Equal at POINTS random points? Returns (equal, a point where they differ)."""
    for point in sample_points(symbols):
        try:
            a, b = _value(left, point), _value(right, point)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if not _agree(a, b):
            return False, point
    return True, None


def _symbolically_zero(difference) -> bool | None:
    try:
        with time_limit(SIMPLIFY_SECONDS):
            return sympy.simplify(sympy.expand(difference)) == 0
    except TimeoutError:
        return None


def _diagnose(student, entry: KeyEntry, point) -> str:
    key = entry.value
    symbols = key.free_symbols | student.free_symbols
    for description, other in entry.nearby:
        if numerically_equal(student, other, symbols)[0]:
            return f"this is {description}"
    points = sample_points(symbols, 8, seed=1)
    try:
        pairs = [(_value(student, p), _value(key, p)) for p in points]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        pairs = []
    usable = [(s, k) for s, k in pairs if abs(k) > 1e-12]
    if usable:
        ratios = [s / k for s, k in usable]
        if all(_agree(r, ratios[0]) for r in ratios) and not _agree(ratios[0], 1):
            factor = sympy.nsimplify(round(ratios[0].real, 10))
            return "the sign is wrong" if factor == -1 else f"off by a constant factor {factor}"
    if pairs:
        offsets = [s - k for s, k in pairs]
        if all(_agree(o, offsets[0]) for o in offsets):
            return f"off by the constant {sympy.nsimplify(round(offsets[0].real, 10))}"
    for name in ("T", "t"):
        index = next((s for s in key.free_symbols if str(s) == name), None)
        if index is not None:
            for shift in (1, -1):
                if numerically_equal(student, key.subs(index, index + shift), symbols)[0]:
                    return f"an index off by one: the key with {name}{shift:+d} in place of {name}"
    terms = _term_difference(student, key)
    if terms:
        return terms
    shown = ", ".join(f"{s} = {v}" for s, v in point.items()) if point else "a sample point"
    return (f"differs from the key at {shown}: student {sympy.N(student.subs(point), 8)}, "
            f"key {sympy.N(key.subs(point), 8)}") if point else "differs from the key"


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
                parts.append(f"the term {sympy.sstr(expected * monomial)} is missing")
            else:
                parts.append(f"the coefficient of {sympy.sstr(monomial)} is {sympy.sstr(expected + coefficient)} "
                             f"instead of {sympy.sstr(expected)}")
        else:
            parts.append(f"an extra term {sympy.sstr(term)}")
    return "; ".join(parts)


def compare_expression(text, entry: KeyEntry, key=None) -> Verdict:
    key = entry.value if key is None else key
    if not isinstance(text, (str, int, float)) or isinstance(text, bool):
        return Verdict("unreadable", text, entry.shown, f"expected an expression as a string, got {type(text).__name__}")
    try:
        parsed = parse_answer(str(text), entry.names)
    except ValueError as error:
        return Verdict("unreadable", text, entry.shown, str(error))
    student = parsed.subs(entry.intermediates) if entry.intermediates else parsed
    if student == key:
        return Verdict("correct", text, entry.shown, parsed=parsed)
    symbols = key.free_symbols | student.free_symbols
    equal, point = numerically_equal(student, key, symbols)
    if equal:
        exact = _symbolically_zero(student - key)
        if exact is False and not _polynomial_in_sizes(key):
            # The simplifier could not show it; the numbers could not tell them apart.
            return Verdict("equivalent", text, entry.shown, f"equal at {POINTS} random points", parsed)
        return Verdict("equivalent", text, entry.shown, "", parsed)
    diagnosis = _diagnose(student, dataclasses.replace(entry, value=key), point)
    return Verdict("wrong", text, entry.shown, diagnosis, parsed)


def _polynomial_in_sizes(expr) -> bool:
    return all(str(s) in SIZE_NAMES | {"n"} for s in expr.free_symbols)


def _as_list(value):
    return value if isinstance(value, list) else [value]


ANSWER_SECONDS = 20


def compare(entry: KeyEntry, answer) -> Verdict:
    """The verdict for one answer id, in at most ANSWER_SECONDS seconds."""
    try:
        with time_limit(ANSWER_SECONDS):
            return _compare(entry, answer)
    except TimeoutError:
        return Verdict("unreadable", answer, entry.shown,
                       f"comparing this answer took longer than {ANSWER_SECONDS} s; write it more simply")
    except RecursionError:
        return Verdict("unreadable", answer, entry.shown, "the expression is nested too deeply")


def _compare(entry: KeyEntry, answer) -> Verdict:
    if answer is None:
        return Verdict("missing", None, entry.shown, "no answer given")
    kind = entry.kind
    if kind == "expression":
        return compare_expression(answer, entry)
    if kind == "expressions":
        answers = _as_list(answer)
        if len(answers) != len(entry.value):
            return Verdict("wrong", answer, entry.shown, f"expected {len(entry.value)} components, got {len(answers)}")
        results = [compare_expression(a, entry, k) for a, k in zip(answers, entry.value)]
        worst = next((r for r in results if r.verdict in ("unreadable", "wrong")), None)
        if worst:
            index = results.index(worst) + 1
            return Verdict(worst.verdict, answer, entry.shown, f"component {index}: {worst.diagnosis}")
        verdict = "correct" if all(r.verdict == "correct" for r in results) else "equivalent"
        return Verdict(verdict, answer, entry.shown)
    if kind in ("words", "word"):
        expected = _as_list(entry.value)
        given = [str(a).strip().lower() for a in _as_list(answer)]
        if given == [e.lower() for e in expected]:
            return Verdict("correct", answer, entry.shown)
        return Verdict("wrong", answer, entry.shown, f"expected {', '.join(expected)}")
    if kind in ("numbers", "number", "integer", "exact", "matrix"):
        return _compare_numbers(entry, answer)
    raise AssertionError(kind)


def _to_number(value) -> complex:
    if isinstance(value, bool):
        raise ValueError("true/false is not a number")
    if isinstance(value, (int, float)):
        return complex(value)
    return complex(sympy.N(parse_answer(str(value), {}), 30))


def _compare_numbers(entry: KeyEntry, answer) -> Verdict:
    if entry.kind == "matrix":
        if entry.value is None:
            ok = answer in (None, "none", "null", "")
            return Verdict("correct" if ok else "wrong", answer, None, "" if ok else "the limit does not exist")
        if not isinstance(answer, list) or not all(isinstance(r, list) for r in answer):
            return Verdict("wrong", answer, entry.shown, "expected a list of rows (the limit exists)")
        expected = [x for row in entry.value for x in row]
        given_flat = [x for row in answer for x in row]
        if [len(r) for r in answer] != [len(r) for r in entry.value]:
            return Verdict("wrong", answer, entry.shown, f"expected a {len(entry.value)} x {len(entry.value[0])} matrix")
    else:
        expected, given_flat = _as_list(entry.value), _as_list(answer)
    try:
        given = [_to_number(v) for v in given_flat]
        wanted = [complex(sympy.N(v, 30)) if isinstance(v, sympy.Basic) else complex(v) for v in expected]
    except (ValueError, TypeError) as error:
        return Verdict("unreadable", answer, entry.shown, f"not a number: {error}")
    if entry.kind == "exact":
        given, wanted = sorted(given, key=lambda z: (-z.real, -z.imag)), sorted(wanted, key=lambda z: (-z.real, -z.imag))
    if len(given) != len(wanted):
        return Verdict("wrong", answer, entry.shown, f"expected {len(wanted)} value(s), got {len(given)}")
    tolerance = 0 if entry.kind == "integer" else NUMBER_TOLERANCE
    for index, (g, w) in enumerate(zip(given, wanted), start=1):
        if abs(g - w) > tolerance * max(abs(w), 1e-12) and abs(g - w) > 1e-12:
            where = f"value {index}: " if len(wanted) > 1 else ""
            return Verdict("wrong", answer, entry.shown, f"{where}{_short(g)} instead of {_short(w)}")
    exact = all(g == w for g, w in zip(given, wanted))
    return Verdict("correct" if exact else "equivalent", answer, entry.shown,
                   "" if exact else f"within the relative tolerance {NUMBER_TOLERANCE}")


def _short(z: complex) -> str:
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


def _math_or_text(value, parsed):
    """Typeset maths when it fits a table cell; otherwise text that can wrap."""
    from pylatex import NoEscape

    from rnnsym.printing import tex

    if parsed is not None:
        source = tex(parsed)
        if len(source) <= 160:
            return NoEscape(f"${source}$")
        return sympy.sstr(parsed)
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def write_feedback_pdf(variant: Variant, result: dict, target: Path) -> None:
    """The student's answers typeset beside the key, compiled atomically to ``target``."""
    import os
    import tempfile

    from rnnsym import latex, render

    rows = []
    for answer_id, verdict in result["_verdicts"].items():
        entry = result["_key"][answer_id]
        if entry.kind == "expression":
            key_shown = _math_or_text(None, entry.value)
        elif entry.kind == "expressions":
            key_shown = _math_or_text(None, sympy.Matrix(entry.value))
        else:
            key_shown = _math_or_text(entry.shown, None)
        rows.append(dict(id=answer_id, verdict=verdict.verdict, student=_math_or_text(verdict.student, verdict.parsed),
                         key=key_shown, diagnosis=verdict.diagnosis))
    body = render.environment().get_template("feedback.tex.j2").render(rows=rows, score=result["score"])
    meta = dataclasses.replace(variant.meta, title=variant.meta.title + " - feedback")
    source = render.document(meta, body, show_solutions=True).dumps() + "\n"
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".feedback-") as scratch:
        tex_file = Path(scratch) / "feedback.tex"
        tex_file.write_text(source, encoding="utf-8")
        os.replace(latex.compile_pdf(tex_file), target)
