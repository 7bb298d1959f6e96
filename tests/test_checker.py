"""Checking student answers: equivalence, diagnosis, parsing, the seed example."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnsym import checker, pipeline
from rnnsym.answer_parsing import latex_to_sympy_syntax
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
        (r"\frac{a}{b}", "((a)/(b))"),
        (r"\frac{1}{1 + e^{-x}}", "((1)/(1 + exp(-x)))"),
        (r"w_h^{2} x_1", "w_h**(2) x1"),
        (r"\hat{y}_{3}", "yhat3"),
        (r"h_{t+1}", "h_next"),
        (r"h^{(0)}_1 + h^{(0)}_{2}", "h0_1 + h0_2"),
        (r"\sigma\left(w_y h_3\right)", "sigmoid(w_y h3)"),
        (r"2 \cdot T \times h", "2 * T * h"),
    ],
)
def test_latex_reading(latex, sympy_text):
    assert latex_to_sympy_syntax(latex) == sympy_text


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
