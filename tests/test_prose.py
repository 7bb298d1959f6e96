"""The prose of the solutions is chosen from facts the derivation established:
each branch is rendered from a parameter file that takes it, and the .tex
must say what is true for that case and nothing written for another one."""

from __future__ import annotations

import pytest
import sympy

from derivations import p3_bptt_dynamics as p3
from rnnsym import render
from rnnsym.params import load_variant
from rnnsym.pipeline import report_sections, solve
from tests.conftest import write

R = sympy.Rational

DEFAULT_P3 = ""
DEFECTIVE = "[p3]\nW = [[1, 1], [0, 1]]\n"
TRANSIENT = '[p3]\nW = [["1/2", 1], [0, "1/2"]]\n'
REFLECTION = '[p3]\nW = [["3/5", "4/5"], ["4/5", "-3/5"]]\n'
ROTATION = "[p3]\nW = [[0, -1], [1, 0]]\n"
EXPLODES_GENERIC = '[p3]\nW = [[2, 0], [0, "1/2"]]\n'
EXPLODES_EVERY = "[p3]\nW = [[2, 0], [0, 3]]\n"
NON_SYMMETRIC_W3 = '[p3]\nW3 = [["1/2", "1/4", 0], [0, 1, 0], ["1/4", 0, "1/3"]]\n'
NO_LIMIT_W3 = '[p3]\nW3 = [[1, 0, 0], [0, -1, 0], [0, 0, "1/2"]]\n'
ZERO_LIMIT_W3 = '[p3]\nW3 = [["1/2", 0, 0], [0, "1/3", 0], [0, 0, "1/4"]]\n'
THREE_FIXED_POINTS = '[p1]\nw = 6\nb = "-3"\n'


def rendered(tmp_path, params: str, show_solutions: bool = True) -> str:
    """The body of the report for ``params``, whitespace collapsed."""
    path = write(tmp_path / "params.toml", params) if params else None
    sections = report_sections(solve(load_variant(path)), tmp_path)
    return " ".join(render.render_body(sections, show_solutions).split())


def subsection(body: str, label: str) -> str:
    start = body.index(rf"\subsection*{{{label}.")
    end = body.find(r"\subsection*{", start + 1)
    return body[start:end if end != -1 else None]


@pytest.mark.parametrize(
    "params, label, present, absent",
    [
        (DEFAULT_P3, "3c", [r"so $h^{(t)} \to 0$ for every $h^{(0)}$: the state vanishes"],
         ["for a generic", r"\approx 1.0", "reflection"]),
        (DEFAULT_P3, "3d", ["orthogonal projection onto the eigenspace", "collapse onto one direction",
                            r"$\rho( W_3 ) = 1$."],
         ["oblique", "does not exist", r"1 \approx"]),
        (DEFECTIVE, "3c", [r"terms $t \lambda^{t-1}$", "the state grows polynomially, not exponentially, "
                           "for a generic $h^{(0)}$"],
         ["for every $h^{(0)}$", "explodes"]),
        (TRANSIENT, "3c", [r"terms $t \lambda^{t-1}$ ($\lambda = 0.5$)", "transient growth",
                           r"$h^{(t)} \to 0$ for every $h^{(0)}$"], ["polynomially"]),
        (REFLECTION, "3c", ["a reflection", "(period $2$", r"\|h^{(t)}\| = \|h^{(0)}\|",
                            "stays bounded for every $h^{(0)}$", "Q = "],
         [r"Q \approx", "for a generic", "explodes", "grows without bound"]),
        (ROTATION, "3c", ["is orthogonal: each step preserves the norm", "repeats with period $4$"],
         ["reflection", "for a generic"]),
        (EXPLODES_GENERIC, "3c", ["The state explodes for a generic $h^{(0)}$"], ["for every"]),
        (EXPLODES_EVERY, "3c", [r"the state explodes for every $h^{(0)} \ne 0$"], ["generic"]),
        (NON_SYMMETRIC_W3, "3d", ["it is an oblique projection, and state and gradient survive along "
                                  "different directions"], ["orthogonal projection"]),
        (NO_LIMIT_W3, "3d", [r"The limit $\lim_{t \to \infty} ( W_3^T)^t$ does not exist",
                             "oscillates without settling and without growing", "nothing grows"],
         ["grow for ever", "grows without bound", "L = "]),
        (ZERO_LIMIT_W3, "3d", [r"$\lim_{t \to \infty} ( W_3^T)^t = 0$", "vanishes in every direction"],
         ["projection", "does not exist"]),
    ],
    ids=["default-3c", "default-3d", "defective", "transient", "reflection", "rotation", "explodes-generic",
         "explodes-every", "non-symmetric-W3", "no-limit-W3", "zero-limit-W3"],
)
def test_problem_3_prose_follows_the_facts(tmp_path, params, label, present, absent):
    text = subsection(rendered(tmp_path, params), label)
    for sentence in present:
        assert sentence in text
    for sentence in absent:
        assert sentence not in text


@pytest.mark.parametrize("params", [DEFAULT_P3, NO_LIMIT_W3])
def test_the_sheet_asks_whether_the_limit_exists(tmp_path, params):
    sheet = rendered(tmp_path, params, show_solutions=False)
    assert r"Does $\lim_{t \to \infty} (W_3^T)^t$ exist? If it does, find it" in sheet
    assert r"find $\lim_{t \to \infty}" not in sheet


@pytest.mark.parametrize(
    "params, present, absent",
    [
        (DEFAULT_P3, "This map has no source", "Near a source"),
        (THREE_FIXED_POINTS, "Near a source ($|\\lambda| > 1$) the factors are larger than 1", "no source"),
    ],
)
def test_problem_1_speaks_of_sources_only_when_there_is_one(tmp_path, params, present, absent):
    text = subsection(rendered(tmp_path, params), "1b")
    assert present in text and absent not in text


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["3/5", "4/5"], ["4/5", "-3/5"]], dict(orthogonal=True, reflection=True, period=2, oscillates=True,
                                               limit_kind=None, every_h0=True)),
        ([[0, -1], [1, 0]], dict(orthogonal=True, reflection=False, period=4, symmetric=False)),
        ([[1, 1], [0, 1]], dict(defective=True, polynomial_growth=True, every_h0=False, limit_kind=None)),
        ([["1/2", 1], [0, "1/2"]], dict(defective=True, transient=(R(1, 2),), limit_kind="zero")),
        ([[2, 0], [0, "1/2"]], dict(every_h0=False, oscillates=False, period=None)),
        ([[1, 0, 0], [0, -1, 0], [0, 0, "1/2"]], dict(oscillates=True, limit_kind=None, reflection=False)),
        ([["1/2", "1/4", 0], [0, 1, 0], ["1/4", 0, "1/3"]], dict(limit_kind="oblique", symmetric=False)),
    ],
)
def test_facts_table(rows, expected):
    facts = p3.derive_dynamics(p3._rows(rows)).facts
    assert {name: getattr(facts, name) for name in expected} == expected


def test_oblique_limit_keeps_the_state_and_the_gradient_along_different_eigenvectors():
    facts = p3.derive_dynamics(p3._rows([["1/2", "1/4", 0], [0, 1, 0], ["1/4", 0, "1/3"]])).facts
    # W^t -> p r^T with W p = p, r^T W = r^T: (W^T)^t -> r p^T keeps the state
    # along r and the gradient along p.
    assert facts.state_directions == (sympy.Matrix([0, 1, 0]),)
    assert facts.gradient_directions == (sympy.Matrix([8, 16, 3]),)


def test_delta_T_keeps_one_meaning_and_grid_sizes_are_maths(tmp_path):
    body = rendered(tmp_path, DEFAULT_P3)
    # delta_T = dE_T/dh_T (with its factor w_y) throughout 3a; the factor without w_y has its own name.
    assert r"\delta_T = \frac{\partial E_T}{\partial h_T}" in body
    assert r"\delta = " not in body and r"\delta\, h_{" not in body
    assert r"(so that $\delta_{3} = \varepsilon\, w_y$)" in body
    assert r"For the $5 \times 5$ grid" in body and "5 x 5" not in body
