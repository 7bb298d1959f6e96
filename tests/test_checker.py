"""Checking student answers: equivalence, diagnosis, parsing, the seed example."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnsym import checker, pipeline
import sympy

from rnnsym.answer_parsing import parse_answer
from rnnsym.params import load_variant
from tests.conftest import write

VARIANT = load_variant(None)
KEY = checker.answer_key(VARIANT, pipeline.solve(VARIANT))
EXAMPLE = Path(__file__).parent.parent / "examples" / "seed_answers.toml"
PARAMS_TOTAL = "m*V + m*h + 2*h**2 + h*V + 2*h + V"


def verdict(answer_id, answer):
    return checker.compare(KEY[answer_id], answer)


@pytest.mark.parametrize(
    "answer_id, answer, expected",
    [
        ("2b.params.total", PARAMS_TOTAL, "correct"),
        ("2b.params.total", "V*(m + h + 1) + h*(m + 2*h + 2)", "equivalent"),
        ("2b.params.total", r"m V + m h + 2 h^{2} + h V + 2h + V", "correct"),
        ("2b.ops.total", "T*(2*V*h + 2*V*m + 3*V + 4*h**2 + 2*h*m + 2*h - m - 1)", "equivalent"),
        ("1d.closed_form", r"\max\left(0, 1 + 2^{t}(h_0 - 1)\right)", "correct"),
        ("1d.closed_form", r"\mathrm{ReLU}(2^t h_0 - 2^t + 1)", "equivalent"),
        ("1d.closed_form", "Max(0, 2**t*(h0 - hstar) + hstar)", "correct"),
        ("1b.derivative", "2*exp(-(2*h_t - 47/25))/(1 + exp(-(2*h_t - 47/25)))**2", "equivalent"),
        ("1b.derivative", r"2 h_{t+1}(1 - h_{t+1})", "correct"),
        ("3a.dE_dwy", r"-2(y_3 - \hat{y}_3)\hat{y}_3(1 - \hat{y}_3) h_3", "correct"),
        ("3a.dE_dwh", "-2*(y3 - yhat3)*yhat3*(1 - yhat3)*w_y*(h0*w_h**2 + h1*w_h + h2)", "equivalent"),
        ("4c.params", "D*H + n*H**2 + H + K*(H + 1)", "equivalent"),
        ("4c.sequential_steps", 13, "correct"),
        ("1a.fixed_points", [0.1792], "equivalent"),
        ("1c.kinds", ["Sink"], "correct"),
        ("3c.eigenvalues", ["1/8 - 3*sqrt(73)/200", "1/8 + 3*sqrt(73)/200"], "correct"),
        ("3c.h_t", ["(1/8 + 3*sqrt(73)/200)**t*(h0_1*(1/2 - 3*sqrt(73)/146) + 4*sqrt(73)*h0_2/73)"
                    " + (1/8 - 3*sqrt(73)/200)**t*(h0_1*(3*sqrt(73)/146 + 1/2) - 4*sqrt(73)*h0_2/73)",
                    "(1/8 - 3*sqrt(73)/200)**t*(-4*sqrt(73)*h0_1/73 + h0_2*(1/2 - 3*sqrt(73)/146))"
                    " + (1/8 + 3*sqrt(73)/200)**t*(4*sqrt(73)*h0_1/73 + h0_2*(3*sqrt(73)/146 + 1/2))"], "correct"),
        ("3d.limit", [["1/9", "2/9", "2/9"], ["2/9", "4/9", "4/9"], ["2/9", "4/9", "4/9"]], "correct"),
    ],
)
def test_equivalent_answers(answer_id, answer, expected):
    assert verdict(answer_id, answer).verdict == expected


@pytest.mark.parametrize(
    "answer_id, answer, fragment",
    [
        ("2b.params.total", PARAMS_TOTAL + " + m", "an extra term m"),
        ("2b.params.total", PARAMS_TOTAL + " + 2*h", "the coefficient of h is 4 instead of 2"),
        ("2b.params.total", PARAMS_TOTAL + " + h*m*V", "an extra term V*h*m"),
        ("2b.params.total", "m*V + m*h + 2*h**2 + h*V + V", "the term 2*h is missing"),
        ("2b.params.total", "2*(" + PARAMS_TOTAL + ")", "off by a constant factor 2"),
        ("2b.params.total", "-(" + PARAMS_TOTAL + ")", "the sign is wrong"),
        ("2b.params.total", PARAMS_TOTAL + " + 3", "off by the constant 3"),
        ("2b.params.total", "V*h + V*m + V + 2*h**2 + h*m + 3*h", "PyTorch's parameter convention"),
        ("2b.ops.total", "2*T*V*h + 4*T*h**2 + 2*T*h*m", "FlopCounterMode convention"),
        ("1d.closed_form", "Max(0, 2**t*h0 - (2**t - 1)/2)", "nearby recurrence h_(t+1) = ReLU(2 h_t - 1/2)"),
        ("1d.closed_form", "Max(0, 2**(t+1)*(h0 - 1) + 1)", "index off by one"),
        ("1b.derivative", "2*h_t*(1 - h_t)", "h_t where h_(t+1) belongs"),
        ("1a.fixed_points", [0.5], "0.5 instead of 0.179237"),
        ("1c.kinds", ["source"], "expected sink"),
    ],
)
def test_wrong_answers_are_diagnosed(answer_id, answer, fragment):
    result = verdict(answer_id, answer)
    assert result.verdict == "wrong" and fragment in result.diagnosis, result.diagnosis


def test_a_polynomial_that_agrees_at_small_sizes_is_still_wrong():
    # Zero whenever m, h and V are all in {1, 2, 3}: equal to the key on a whole small grid.
    sneaky = PARAMS_TOTAL + " + (m-1)*(m-2)*(m-3)*(h-1)*(h-2)*(h-3)*(V-1)*(V-2)*(V-3)"
    assert verdict("2b.params.total", sneaky).verdict == "wrong"
    steps = "T*(2*V*h + 2*V*m + 3*V + 4*h**2 + 2*h*m + 2*h - m - 1) + " + "*".join(f"(T-{k})" for k in range(1, 21))
    assert verdict("2b.ops.total", steps).verdict == "wrong"


@pytest.mark.parametrize("answer", ["2*(", r"\alpha + 1", "x + 1", "import os", "[1, 2]", True])
def test_unreadable_answers_say_why(answer):
    result = verdict("2b.params.total", answer)
    assert result.verdict == "unreadable" and result.diagnosis


def test_pathological_answers_end_in_bounded_time():
    started = time.perf_counter()
    for answer in ("h**(h**(h**h))", "(m + h)**100000 - (m + h)**100000 + " + PARAMS_TOTAL, "m" + "*m" * 2000):
        assert verdict("2b.params.total", answer).verdict in ("wrong", "equivalent", "unreadable", "correct")
    assert time.perf_counter() - started < 3 * checker.ANSWER_SECONDS


@pytest.mark.parametrize(
    "latex, sympy_text",
    [
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{1}{1 + e^{-x}}", "1/(1 + exp(-x))"),
        (r"w_h^{2} x_1", "w_h**2*x1"),
        (r"\hat{y}_{3}", "yhat3"),
        (r"h_{t+1}", "h_next"),
        (r"h^{(0)}_1 + h^{(0)}_{2}", "h0_1 + h0_2"),
        (r"\sigma\left(w_y h_3\right)", "1/(1 + exp(-w_y*h3))"),
        (r"2 \cdot T \times h", "2*T*h"),
    ],
)
def test_latex_reading(latex, sympy_text):
    names = {n: sympy.Symbol(n) for n in ("a", "b", "x", "w_h", "x1", "yhat3", "h_next", "h0_1", "h0_2", "w_y", "h3",
                                          "T", "h")}
    expected = sympy.sympify(sympy_text, locals=names)  # trusted test text, not student input
    assert sympy.simplify(parse_answer(latex, names).rewrite(sympy.exp) - expected) == 0


def rnnsym(*args):
    return subprocess.run([sys.executable, "-m", "rnnsym", *map(str, args)], capture_output=True, text=True)


def test_the_seed_solution_checked_against_the_default_variant():
    result = rnnsym("check", EXAMPLE, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    answers = document["answers"]
    closed = answers["1d.closed_form"]
    assert closed["verdict"] == "wrong" and "ReLU(2 h_t - 1/2)" in closed["diagnosis"]
    assert answers["2b.params.total"]["verdict"] == "correct"
    assert answers["1d.fixed_points"]["verdict"] == "missing"
    assert all(v["diagnosis"] for v in answers.values() if v["verdict"] == "wrong")
    assert document["score"] == {"correct": sum(v["verdict"] in ("correct", "equivalent") for v in answers.values()),
                                 "of": len(answers)}


def test_unreadable_answers_file_exits_2(tmp_path):
    assert rnnsym("check", write(tmp_path / "a.toml", "[[[")).returncode == 2
    assert rnnsym("check", tmp_path / "missing.toml").returncode == 2


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_feedback_pdf_shows_answers_beside_the_key(tmp_path):
    result = rnnsym("check", EXAMPLE, "--pdf", tmp_path / "feedback.pdf")
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(tmp_path / "feedback.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Feedback" in text and "nearby" in text and "1d.closed_form" in text


# --- issue #11: hostile answers ------------------------------------------------------------------------------------

EXPRESSION_IDS = [i for i, e in KEY.items() if e.kind == "expression"]
NUMERIC_IDS = [i for i, e in KEY.items() if e.kind in ("numbers", "number", "integer", "exact", "matrix")]
BUILTINS = "Max.__new__.__globals__['__builtins__']"


def _wrap_close_index():
    return next(i for i, c in enumerate(object.__subclasses__()) if c.__name__ == "_wrap_close")


def _code_execution_answers():
    index = _wrap_close_index()
    return [
        f"().__class__.__base__.__subclasses__()[{index}].__init__.__globals__['system']('touch pwned')",
        f"({BUILTINS}['__import__']('os').system('id > pwned'), 2*h_next*(1 - h_next))[1]",
        f"{BUILTINS}['open']('pwned', 'w').write('x') * 0 + 2*h_next*(1 - h_next)",
        f"{BUILTINS}['__import__']('sys')._getframe(4).f_locals['key']",
        f"{BUILTINS}['setattr']({BUILTINS}['__import__']('rnnsym.checker', None, None, ['x']), "
        "'NUMBER_TOLERANCE', 1e9)",
    ]


@pytest.mark.parametrize("answer", _code_execution_answers())
def test_code_in_an_answer_never_runs_nor_earns_credit(answer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tolerance = checker.NUMBER_TOLERANCE
    result = verdict("1b.derivative", answer)
    assert result.verdict == "unreadable" and result.diagnosis
    assert list(tmp_path.iterdir()) == []
    assert checker.NUMBER_TOLERANCE == tolerance
    assert verdict("1a.fixed_points", [0.5]).verdict == "wrong"


def test_an_unknown_function_name_is_refused_not_passed_to_latex():
    result = verdict("1b.derivative", r"pdfobj(h_t) + 2*h_next*(1 - h_next)")
    assert result.verdict == "unreadable" and "unknown name" in result.diagnosis


def _shaped(entry, text):
    """``text`` in every place of an answer shaped like the key of ``entry``."""
    if entry.kind == "matrix":
        return [[text] * len(row) for row in entry.value]
    if isinstance(entry.value, list):
        return [text] * len(entry.value)
    return text


@pytest.mark.parametrize("answer_id", NUMERIC_IDS)
@pytest.mark.parametrize("text", ["1/0", "0/0", "log(0)"])
def test_non_finite_numbers_are_never_credited(answer_id, text):
    result = verdict(answer_id, _shaped(KEY[answer_id], text))
    assert result.verdict not in ("correct", "equivalent"), result


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_toml_or_json_floats_are_never_credited(value):
    assert verdict("3c.spectral_radius", value).verdict == "unreadable"
    assert verdict("1a.fixed_points", [value]).verdict == "unreadable"


@pytest.mark.parametrize("answer_id", EXPRESSION_IDS)
@pytest.mark.parametrize("text", ["1e400", "10**400", "exp(10**6)", "Min()", "sigmoid({name} > 0)", "1/0", "0/0",
                                  "log(0)", "10**5000", "9**9**9"])
def test_unevaluable_answers_are_never_equivalent(answer_id, text):
    result = verdict(answer_id, text.format(name=sorted(KEY[answer_id].names)[0]))
    assert result.verdict == "unreadable" and result.diagnosis


def _key_text(answer_id, index=None):
    value = KEY[answer_id].value if index is None else KEY[answer_id].value[index]
    return sympy.sstr(value)


@pytest.mark.parametrize(
    "answer_id, extra",
    [
        ("4c.params", "*".join(f"(n-{k})" for k in range(1, 7))),
        ("4c.params_all_directions", "*".join(f"(n-{k})" for k in range(1, 7))),
        ("4a.weights", "*".join(f"(n-{k})" for k in range(1, 7))),
        ("1d.closed_form", "t*" + "*".join(f"(t-{k})" for k in range(1, 26))),
        ("2b.params.total", "1/10**10"),
    ],
)
def test_answers_that_agree_on_a_small_grid_are_wrong(answer_id, extra):
    # 4a.weights has no n in its key: the product adds a new variable, still a nonzero difference.
    text = f"{_key_text(answer_id)} + {extra}"
    if answer_id == "1d.closed_form":
        text = text.replace("Max(0, ", "Max(0, " + extra + " + ", 1).rsplit(" + " + extra, 1)[0]
    assert verdict(answer_id, text).verdict == "wrong"


def test_a_power_of_a_power_is_not_the_power_of_the_product_for_a_negative_base():
    # A regression guard (old main caught this one too): (a^2)^(t/2) is |a|^t, not a^t, for a < 0 and odd t.
    negative = "(1/8 - 3*sqrt(73)/200)"
    first = _key_text("3c.h_t", 0).replace(f"{negative}**t", f"({negative}**2)**(t/2)")
    assert first != _key_text("3c.h_t", 0)
    result = verdict("3c.h_t", [first, _key_text("3c.h_t", 1)])
    assert result.verdict == "wrong", result


def test_a_power_of_a_power_is_equivalent_where_it_is_equal():
    assert verdict("1d.closed_form", "Max(0, (2^2)^(t/2)*(h0 - 1) + 1)").verdict == "equivalent"


@pytest.mark.parametrize(
    "answer_id, answer",
    [
        ("3c.eigenvalues", ["1/8 + 3*sqrt(73)/200 + 1/10**9", "1/8 - 3*sqrt(73)/200"]),
        ("3d.limit", [["1/9 + 10**-9", "2/9", "2/9"], ["2/9", "4/9", "4/9"], ["2/9", "4/9", "4/9"]]),
        ("2b.params.total", PARAMS_TOTAL + " + 10**-9"),
        ("1b.derivative", "2*h_next*(1 - h_next) + 10**-12"),
    ],
)
def test_exact_constants_apart_by_a_hair_are_wrong(answer_id, answer):
    assert verdict(answer_id, answer).verdict == "wrong"


@pytest.mark.parametrize(
    "answer_id, answer, expected",
    [
        ("4c.sequential_steps", "[1+2][3-4]", "wrong"),  # (1+2)(3-4) = -3, not list indexing
        ("4c.sequential_steps", "[13][0]", "wrong"),
        ("4c.sequential_steps", "0x0d", "unreadable"),
        ("4c.sequential_steps", "1_3", "unreadable"),
        ("4c.sequential_steps", "013", "unreadable"),
        ("4c.sequential_steps", "13 # and more", "unreadable"),
        ("4c.sequential_steps", "(0, 13)[1]", "unreadable"),
        ("4c.sequential_steps", "13", "correct"),
        ("4c.sequential_steps", "26/2", "correct"),
        ("1b.derivative", "2*h_next*(1 - h_next) # anything", "unreadable"),
        ("1b.derivative", "(0, 2*h_next*(1 - h_next))[1]", "unreadable"),
    ],
)
def test_python_literals_and_comments_are_not_read(answer_id, answer, expected):
    assert verdict(answer_id, answer).verdict == expected


@pytest.mark.parametrize(
    "answer_id, answer",
    [
        ("1b.derivative", "h_t > 0"),
        ("1b.derivative", "h_t & h_next"),
        ("1b.derivative", "~h_t"),
        ("1b.derivative", "exp(h_t > 0)"),
        ("1b.derivative", "10**5000"),
        ("1b.derivative", "-" * 1000 + "h_t"),
        ("3c.eigenvalues", [float("inf"), float("nan")]),
        ("3c.h_t", ["9**9**9", "9**9**9"]),
        ("3c.spectral_radius", "1e400"),
    ],
)
def test_hostile_answers_get_a_verdict_not_a_traceback(answer_id, answer):
    assert verdict(answer_id, answer).verdict == "unreadable"


def test_an_integer_off_by_a_hair_is_wrong_and_the_message_shows_the_difference():
    for answer in ("13.000000000001", 13.000000000001):
        result = verdict("4c.sequential_steps", answer)
        assert result.verdict == "wrong"
        assert "13 instead of 13" not in result.diagnosis and "13.000000000001" in result.diagnosis, result.diagnosis


def test_no_limit_may_be_written_as_null_or_none():
    entry = checker.KeyEntry("3d.limit", "matrix", None)
    for answer in (None, "none", "null", "None"):
        assert checker.compare(entry, answer).verdict == "correct"
    assert checker.compare(entry, checker.MISSING).verdict == "missing"
    assert checker.compare(entry, [["0"]]).verdict == "wrong"


def test_a_missing_answer_is_missing_even_where_the_key_is_null():
    assert checker.compare(KEY["1b.derivative"], None).verdict == "missing"
    assert checker.compare(KEY["1b.derivative"], checker.MISSING).verdict == "missing"


def test_random_points_are_drawn_afresh_and_the_seed_is_recorded():
    # The simplifier cannot prove this identity (sigmoid written out), so the random test decides.
    answer = "2*exp(-(2*h_t - 47/25))/(1 + exp(-(2*h_t - 47/25)))**2"
    seeds = set()
    for _ in range(3):
        result = verdict("1b.derivative", answer)
        if result.seed is not None:
            assert result.as_json()["seed"] == result.seed and str(result.seed) in result.diagnosis
            seeds.add(result.seed)
    assert len(seeds) == 3
    assert {"verdict", "student", "key", "diagnosis"} <= set(result.as_json())


@pytest.mark.parametrize("seed", range(5))
def test_sample_points_cover_each_domain(seed):
    symbols = [sympy.Symbol("n", integer=True, positive=True), sympy.Symbol("t", integer=True, nonnegative=True),
               sympy.Symbol("w_h", real=True)]
    points = checker.sample_points(symbols, 200, seed=seed)
    n_values = [p[symbols[0]] for p in points]
    t_values = [p[symbols[1]] for p in points]
    w_values = [p[symbols[2]] for p in points]
    assert all(v.is_Integer and v >= 1 for v in n_values) and max(n_values) > 100
    assert all(v.is_Integer and v >= 0 for v in t_values) and max(t_values) > 50 and min(t_values) <= 3
    assert min(w_values) < 0 < max(w_values)


@pytest.mark.parametrize("seed", range(20))
def test_closed_forms_that_differ_only_above_the_fixed_point_are_told_apart(seed):
    """h0 is drawn beyond 3 too: these agree for every h0 <= 4 (both reach 0) and differ above."""
    h0 = sympy.Symbol("h0", nonnegative=True)
    t = sympy.Symbol("t", integer=True, nonnegative=True)
    key = sympy.Max(0, 3**t * (h0 - 4) + 4)
    answer = sympy.Max(0, sympy.Rational(3, 2)**t * (h0 - 8) + 8)
    assert checker.numerically_equal(answer, key, {h0, t}, seed=seed)[0] is False
    points = checker.sample_points([h0], 200, seed=seed)
    assert min(p[h0] for p in points) < 1 and max(p[h0] for p in points) > 100


def test_an_answer_without_values_at_most_points_is_not_equivalent():
    key = KEY["2b.params.total"].value
    symbols = key.free_symbols
    never = key + sympy.Function("f")(sympy.Symbol("m", integer=True, positive=True))  # no value anywhere
    assert checker.numerically_equal(never, key, symbols)[0] is False


def test_every_wrong_value_is_named_not_only_the_first():
    from rnnsym.problem import KeyEntry as Entry

    entry = Entry("3c.eigenvalues", "exact", [sympy.Rational(1, 2), sympy.Rational(1, 4), sympy.Rational(1, 8)])
    verdict = checker.compare(entry, ["1/3", "1/4", "1/5"])
    assert verdict.verdict == "wrong"
    assert "value 1: 1/3 instead of 1/2" in verdict.diagnosis and "value 3: 1/5 instead of 1/8" in verdict.diagnosis
    assert "value 2" not in verdict.diagnosis


# --- Diagnoses that name the mistake (the problem modules' nearby answers) ----

NON_SYMMETRIC_W3 = '[p3]\nW3 = [["1/2", "1/4", 0], [0, 1, 0], ["1/4", 0, "1/3"]]\n'
_KEYS = {"": KEY}


def _key(params_text: str, tmp_path) -> dict:
    if params_text not in _KEYS:
        variant = load_variant(write(tmp_path / "params.toml", params_text))
        _KEYS[params_text] = checker.answer_key(variant, pipeline.solve(variant))
    return _KEYS[params_text]


def _transposed(key):
    return [[str(key["3d.limit"].value[j][i]) for j in range(3)] for i in range(3)]


DELTA = "-2*(y3 - yhat3)*yhat3*(1 - yhat3)*w_y"


@pytest.mark.parametrize(
    "params_text, answer_id, answer, diagnosis",
    [
        # 3a: the coefficients of dE/dw_h in dE/dw_x (the scanned solution's mistake).
        ("", "3a.dE_dwx", "2*w_y*yhat3*(yhat3 - y3)*(1 - yhat3)*(3*w_h**2*x1 + 2*w_h*x2 + x3)",
         "the coefficients 3, 2 of w_h^(T-k) x_k, which belong to dE/dw_h"),
        ("", "3a.dE_dwx", f"{DELTA}*(h0*w_h**2 + h1*w_h + h2)", "this is dE/dw_h: each step contributes x_k"),
        ("", "3a.dE_dwh", f"{DELTA}*(w_h**2*x1 + w_h*x2 + x3)", "this is dE/dw_x: each step contributes h_(k-1)"),
        ("", "3a.dE_dwx", "-2*(y3 - yhat3)*w_y*(w_h**2*x1 + w_h*x2 + x3)",
         "without the sigmoid's derivative yhat_T (1 - yhat_T)"),
        ("", "3a.dE_dwh", "-2*(y3 - yhat3)*w_y*(h0*w_h**2 + h1*w_h + h2)",
         "without the sigmoid's derivative yhat_T (1 - yhat_T)"),
        ("", "3a.dE_dwy", "-2*(y3 - yhat3)*h3", "without the sigmoid's derivative yhat_T (1 - yhat_T)"),
        ("", "3a.dE_dwx", f"{DELTA}*(w_h*x2 + x3)", "stopping one step short, at k = 2 (the term w_h^(T-1) x_1"),
        ("", "3a.dE_dwh", f"{DELTA}*(h1*w_h + h2)", "stopping one step short, at k = 2 (the term w_h^(T-1) h_0"),
        # 3c: the eigenvalues of W^T W, or rounded.
        ("", "3c.eigenvalues", ["641/20000 + 3*sqrt(73)/800", "641/20000 - 3*sqrt(73)/800"],
         "this is the list of eigenvalues of W^T W (the squared singular values of W), not of W"),
        ("", "3c.eigenvalues", ["0.25", "-0.0032"], "rounded to 2 significant digits"),
        ("", "3c.eigenvalues", ["0.3", "-0.003"], "rounded to 1 significant digit:"),
        # 3d: 0 where the eigenvalue 1 leaves a projector; the limit of W3^t for a non-symmetric W3.
        ("", "3d.limit", [["0"] * 3] * 3, "the limit given as 0: W_3 has the eigenvalue 1, so (W_3^T)^t tends to "
                                          "the projector onto its eigenvector, not to 0"),
        (NON_SYMMETRIC_W3, "3d.limit", _transposed, "the limit of W_3^t, not of (W_3^T)^t"),
        # 1d: the closed form without the ReLU.
        ("", "1d.closed_form", "2**t*(h0 - 1) + 1", "the closed form without the ReLU (Max)"),
        # 2b and 4c: the other counting convention.
        ("", "2b.ops.total", "2*T*V*h + 4*T*h**2 + 2*T*h*m", "the FlopCounterMode convention instead of the default"),
        ("", "2b.params.total", "V*h + V*m + V + 2*h**2 + h*m + 3*h", "PyTorch's parameter convention"),
        ("", "4c.params", "D*H + n*H**2 + H*K + H + n*H + K", "one bias per recurrent matrix"),
    ],
)
def test_a_recognisable_mistake_is_named(params_text, answer_id, answer, diagnosis, tmp_path):
    key = _key(params_text, tmp_path)
    result = checker.compare(key[answer_id], answer(key) if callable(answer) else answer)
    assert result.verdict == "wrong" and diagnosis in result.diagnosis, result.diagnosis


def test_a_named_mistake_still_lists_every_wrong_value():
    result = verdict("3d.limit", [["0"] * 3] * 3)
    assert result.diagnosis.startswith("this is the limit given as 0")
    assert [part.split(":")[0] for part in result.diagnosis.split("; ")[1:]] == \
        [f"entry ({i}, {j})" for i in range(1, 4) for j in range(1, 4)]


def test_the_nearby_answers_differ_from_the_key(tmp_path):
    """A nearby answer equal to the key would name a mistake in a right answer."""
    for params_text in ("", NON_SYMMETRIC_W3):
        for entry in _key(params_text, tmp_path).values():
            for description, value in entry.nearby:
                assert value != entry.value, (entry.id, description)


# --- diagnoses in the feedback's language ---------------------------------------


def _untranslated(text, language: str = "fa") -> list[str]:
    """The message ids in ``text`` (a diagnosis and the messages inside it)
    that ``language`` leaves as they are, or the text itself if it is plain."""
    from rnnsym import i18n

    if not isinstance(text, i18n.Message):
        return [str(text)] if text else []
    with i18n.using(language):
        missing = [text.msgid] if i18n._(text.msgid) == text.msgid else []
    return missing + [m for value in text.values.values() if isinstance(value, i18n.Message)
                      for m in _untranslated(value, language)]


DIAGNOSED = [
    ("2b.params.total", PARAMS_TOTAL + " + m + 2*h"), ("2b.params.total", "m*V + m*h + 2*h**2 + h*V + V"),
    ("2b.params.total", "2*(" + PARAMS_TOTAL + ")"), ("2b.params.total", "-(" + PARAMS_TOTAL + ")"),
    ("2b.params.total", PARAMS_TOTAL + " + 3"), ("2b.params.total", "V*h + V*m + V + 2*h**2 + h*m + 3*h"),
    ("1d.closed_form", "Max(0, 2**t*h0 - (2**t - 1)/2)"), ("1d.closed_form", "Max(0, 2**(t+1)*(h0 - 1) + 1)"),
    ("1d.closed_form", "2**t*(h0 - 1) + 1"), ("1b.derivative", "2*h_t*(1 - h_t)"),
    ("1a.fixed_points", [0.5]), ("1a.fixed_points", [0.5, 2]), ("1a.fixed_points", ["x"]),
    ("1c.kinds", ["source"]), ("3d.limit", [["0"] * 3] * 3), ("3d.limit", [[1, 2]]), ("3d.limit", "none"),
    ("3c.h_t", ["1", "2", "3"]), ("3c.h_t", ["h1_0", "2*("]), ("3c.eigenvalues", ["0.3", "-0.003"]),
    ("3a.dE_dwx", "2*w_y*yhat3*(yhat3 - y3)*(1 - yhat3)*(3*w_h**2*x1 + 2*w_h*x2 + x3)"),
    ("2b.params.total", "2*("), ("2b.params.total", r"\alpha + 1"), ("2b.params.total", "x + 1"),
    ("2b.params.total", "[1, 2]"), ("2b.params.total", True), ("1b.derivative", "h_t > 0"),
    ("1b.derivative", "10**5000"), ("1b.derivative", "07 + h_t"), ("1b.derivative", "sqrt()"),
    ("3c.spectral_radius", "1e400"), ("3c.eigenvalues", [float("inf")]), ("4c.sequential_steps", 11.5),
]


@pytest.mark.parametrize("answer_id, answer", DIAGNOSED)
def test_every_diagnosis_is_a_message_the_persian_feedback_translates(answer_id, answer):
    result = verdict(answer_id, answer)
    assert result.verdict in ("wrong", "unreadable") and result.diagnosis
    assert not _untranslated(result.diagnosis), (str(result.diagnosis), _untranslated(result.diagnosis))


def test_every_named_mistake_is_a_message(tmp_path):
    from rnnsym import i18n

    for params_text in ("", NON_SYMMETRIC_W3, "[p3]\nT = 1\n"):
        for entry in _key(params_text, tmp_path).values():
            for description, _ in entry.nearby:
                assert isinstance(description, i18n.Message) and not _untranslated(description), description
