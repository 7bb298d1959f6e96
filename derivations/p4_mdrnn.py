"""Problem 4: multi-dimensional RNNs (Graves, Fernandez, Schmidhuber 2007).

4a: the 2-D recurrence on a G x G grid, its weights and cost. 4b: the
2^n scan directions and MD-LSTM. 4c: the forward pass over n dimensions,
parameter counts, and the wavefront schedule: the cells of a hyperplane
i_1 + ... + i_n = s run together, so sum_j (I_j - 1) + 1 sequential steps
instead of prod_j I_j. The number of cells on hyperplane s is the
coefficient of z^s in prod_j (1 + z + ... + z^(I_j - 1)).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import numpy
import sympy

from rnnsym import mdrnn, plots
from rnnsym.i18n import N_, joined, message
from rnnsym.params import integer, integer_list, rule
from rnnsym.problem import AnswerSpec, Check, KeyEntry, Problem

n, D, H, K, G = sympy.symbols("n D H K G", integer=True, positive=True)
z = sympy.Symbol("z")


@dataclasses.dataclass(frozen=True)
class Params:
    """Sizes of problem 4 (defaults: the homework's)."""

    G: int = rule(integer(1, 64), 5)
    D: int = rule(integer(1, 10_000), 3)
    H: int = rule(integer(1, 10_000), 4)
    K: int = rule(integer(1, 10_000), 2)
    shape3: tuple = rule(integer_list(1, 64, min_length=1, max_length=6), (4, 5, 6))


@dataclasses.dataclass(frozen=True)
class Schedule:
    """The wavefront schedule of one grid shape."""

    shape: tuple
    cells: int
    sequential_steps: int
    front_sizes: tuple  # cells on hyperplane s = 0, 1, ...
    max_parallel: int
    generating_function: sympy.Expr


@dataclasses.dataclass(frozen=True)
class Derivation:
    params: Params
    weights_2d: sympy.Expr
    cost_2d: sympy.Expr
    params_one: sympy.Expr
    params_all: sympy.Expr
    params_lstm_one: sympy.Expr
    steps_formula: sympy.Expr
    schedule_2d: Schedule
    schedule_3d: Schedule

    def at(self, expr, **values):
        p = self.params
        sizes = {D: p.D, H: p.H, K: p.K, G: p.G}
        sizes.update({sympy.Symbol(k, integer=True, positive=True): v for k, v in values.items()})
        return expr.subs(sizes)


def schedule(shape: tuple) -> Schedule:
    """Sequential steps and hyperplane sizes from the generating function."""
    polynomial = sympy.prod([sum(z**i for i in range(size)) for size in shape])
    coefficients = sympy.Poly(sympy.expand(polynomial), z).all_coeffs()[::-1]
    return Schedule(
        shape=tuple(shape),
        cells=math.prod(shape),
        sequential_steps=sum(size - 1 for size in shape) + 1,
        front_sizes=tuple(int(c) for c in coefficients),
        max_parallel=int(max(coefficients)),
        generating_function=polynomial,
    )


def derive(params: Params) -> Derivation:
    """Derives the counts and schedules of problem 4."""
    per_direction = D * H + n * H**2 + H  # W_x, n recurrent matrices, one bias
    return Derivation(
        params=params,
        # 4a: W_x (H x D) and W_1, W_2 (H x H), no biases; the same for every G.
        weights_2d=D * H + 2 * H**2,
        # Each of the G^2 cells does one H x D product, and one H x H product per
        # predecessor inside the grid (the pseudocode skips the zero states
        # outside it): G(G - 1) cells have an upper and as many a left neighbour.
        cost_2d=G**2 * D * H + 2 * G * (G - 1) * H**2,
        params_one=sympy.expand(per_direction + K * H + K),
        params_all=sympy.expand(2**n * per_direction + K * 2**n * H + K),
        # MD-LSTM: input gate, output gate, n forget gates and the cell input,
        # each with its own W_x, n recurrent matrices and bias (no peepholes).
        params_lstm_one=sympy.expand((n + 3) * per_direction + K * H + K),
        steps_formula=sympy.Sum(sympy.Indexed("I", sympy.Symbol("j")) - 1, (sympy.Symbol("j"), 1, n)) + 1,
        schedule_2d=schedule((params.G, params.G)),
        schedule_3d=schedule(params.shape3),
    )


# --- checks -----------------------------------------------------------------


def _check_schedules_agree(d: Derivation) -> Check:
    rng = numpy.random.default_rng(4)
    worst, cases = 0.0, [(6,), (4, 5), (3, 4, 2)]
    for shape in cases:
        weights = mdrnn.MdrnnWeights.random(len(shape), d.params.D, d.params.H, d.params.K, rng)
        x = rng.normal(size=shape + (d.params.D,))
        plain, _ = mdrnn.forward(x, weights, "lexicographic")
        fast, _ = mdrnn.forward(x, weights, "wavefront")
        worst = max(worst, float(numpy.abs(plain - fast).max()))
    return Check(
        "4c.schedules",
        N_("the wavefront schedule against the lexicographic loop, all 2^n directions and the output layer, "
        "random weights, n = 1, 2, 3"),
        message(N_("shapes %(shapes)s: largest difference %(worst)s"),
                shapes=", ".join("x".join(map(str, s)) for s in cases), worst=f"{worst:.1e}"),
        "1e-12",
        worst < 1e-12,
    )


def _check_parameters(d: Derivation) -> Check:
    rng = numpy.random.default_rng(5)
    misses = 0
    grid = list(itertools.product((1, 2, 3), (1, 2), (2, 3), (1, 2)))
    for size_n, size_D, size_H, size_K in grid:
        built = mdrnn.MdrnnWeights.random(size_n, size_D, size_H, size_K, rng)
        values = {n: size_n, D: size_D, H: size_H, K: size_K}
        misses += built.parameter_count() != d.params_all.subs(values)
        one = built.directions[(1,) * size_n]
        misses += one.W_x.size + one.W_h.size + one.b.size + size_K * size_H + size_K != d.params_one.subs(values)
    return Check(
        "4c.params",
        N_("parameter formulas (one direction, all 2^n directions) against the entries of the weight arrays built"),
        message(N_("%(count)s combinations of n, D, H, K: %(misses)s mismatch(es)"), count=len(grid), misses=misses),
        "exact",
        misses == 0,
    )


def _check_steps(d: Derivation) -> Check:
    rng = numpy.random.default_rng(6)
    misses, shown = 0, []
    for s in (d.schedule_2d, d.schedule_3d, schedule((3,)), schedule((2, 7))):
        small_H = 2
        weights = mdrnn.DirectionWeights(rng.normal(size=(small_H, 1)), rng.normal(size=(len(s.shape), small_H, small_H)),
                                         numpy.zeros(small_H))
        _, steps = mdrnn.scan_wavefront(numpy.zeros(s.shape + (1,)), weights)
        fronts = [len(f) for f in mdrnn.wavefronts(s.shape)]
        misses += steps != s.sequential_steps or tuple(fronts) != s.front_sizes
        shown.append(message(N_("%(shape)s: %(steps)s steps, largest front %(front)s"),
                             shape="x".join(map(str, s.shape)), steps=steps, front=max(fronts)))
    return Check(
        "4c.steps",
        N_("sequential steps and hyperplane sizes counted while running the wavefront scan, against "
        "sum_j (I_j - 1) + 1 and the generating function"),
        joined(shown),
        "exact",
        misses == 0,
    )


def _check_weights_2d(d: Derivation) -> Check:
    p = d.params
    weights = mdrnn.DirectionWeights(numpy.zeros((p.H, p.D)), numpy.zeros((2, p.H, p.H)), numpy.zeros(p.H))
    built = weights.W_x.size + weights.W_h.size
    return Check(
        "4a.weights",
        N_("weights of the 2-D MD-RNN (no biases) against the arrays of the reference implementation"),
        message(N_("D = %(D)s, H = %(H)s: formula %(formula)s, arrays %(built)s"), D=p.D, H=p.H,
                formula=d.at(d.weights_2d), built=built),
        "exact",
        built == d.at(d.weights_2d),
    )


def _check_cost_2d(d: Derivation) -> Check:
    """Multiply-adds of one 2-D pass counted cell by cell, as the pseudocode
    runs: an H x D product at every cell and an H x H product for each
    predecessor inside the grid (none for the zero states outside it)."""
    p = d.params
    performed = 0
    for i, j in itertools.product(range(p.G), repeat=2):
        performed += p.D * p.H + sum(p.H * p.H for inside in (i > 0, j > 0) if inside)
    return Check(
        "4a.cost",
        N_("multiply-adds of one 2-D pass against a cell-by-cell count of the products the pseudocode performs"),
        message(N_("G = %(G)s, D = %(D)s, H = %(H)s: formula %(formula)s, cell by cell %(performed)s"), G=p.G, D=p.D,
                H=p.H, formula=d.at(d.cost_2d), performed=performed),
        "exact",
        performed == d.at(d.cost_2d),
    )


def checks(d: Derivation) -> list[Check]:
    """Verifies every answer of problem 4."""
    return [_check_weights_2d(d), _check_cost_2d(d), _check_schedules_agree(d), _check_parameters(d),
            _check_steps(d)]


def answers(d: Derivation) -> dict:
    """The 4a-4c entries of the answers file."""
    s = sympy.sstr
    return {
        "4a.weights": s(d.weights_2d),
        "4c.params": s(d.params_one),
        "4c.params_all_directions": s(d.params_all),
        "4c.sequential_steps": d.schedule_3d.sequential_steps,
        "4c.max_parallel_cells": d.schedule_3d.max_parallel,
    }


def figures(d: Derivation, directory: Path) -> dict:
    """4c: the G x G grid coloured by wavefront step (4b's directions are TikZ)."""
    return {"wavefront": plots.wavefront_grid(directory / "p4-wavefront.pdf", (d.params.G, d.params.G))}



def draw(rng, options) -> Params:
    """Sizes small enough to count by hand."""
    size = lambda low, high: int(rng.integers(low, high + 1))  # noqa: E731
    return Params(G=size(3, 6), D=size(2, 5), H=size(2, 6), K=size(2, 4),
                  shape3=(size(2, 6), size(2, 6), size(2, 6)))

# What the problem sheet asks for, one declaration per answer id (read by the
# sheet's hand-in list, the grader and the feedback). The bias conventions of
# 4c are printed on the sheet, so the count is graded under the one asked for.
_COUNT_FORM = N_(r"an expression in $n, D, H, K$ (\texttt{n}, \texttt{D}, \texttt{H}, \texttt{K})")
ANSWER_SPECS = (
    AnswerSpec("4a.weights", N_(r"the number of weights of the 2-D RNN of 4a, without biases"), "expression",
               N_(r"an expression in $D, H$ (\texttt{D}, \texttt{H})")),
    AnswerSpec("4c.params", N_(r"the parameters of one direction of the $n$-dimensional RNN with its output layer"),
               "expression", _COUNT_FORM,
               N_(r"one hidden bias vector per direction (not one per recurrent matrix), and an output layer "
               r"with a $K \times H$ weight matrix and a bias")),
    AnswerSpec("4c.params_all_directions", N_(r"the parameters of all $2^n$ directions feeding one output layer"),
               "expression", _COUNT_FORM,
               N_(r"each direction has its own input and recurrent weights and one hidden bias vector; one output "
               r"layer reads all $2^n$ states ($2^n H K$ weights) and has one bias vector")),
    AnswerSpec("4c.sequential_steps", N_(r"the number of sequential steps of a wavefront schedule on the grid of 4c"),
               "integer", N_(r"an integer")),
    AnswerSpec("4c.max_parallel_cells", N_(r"the largest number of cells that can be computed at once on that grid"),
               "integer", N_(r"an integer")),
)


def key_entries(d, answers) -> list[KeyEntry]:
    """The key of every answer id of this problem (see ANSWER_SPECS)."""
    names = {str(s): s for s in (n, D, H, K)}
    return [
        KeyEntry("4a.weights", "expression", d.weights_2d, names),
        KeyEntry("4c.params", "expression", d.params_one, names,
                 nearby=((message(N_("the MD-LSTM count")), d.params_lstm_one),
                         (message(N_("one direction with one bias per recurrent matrix (n + 1 biases)")),
                          d.params_one + n * H))),
        KeyEntry("4c.params_all_directions", "expression", d.params_all, names,
                 nearby=((message(N_("one direction's count instead of all 2^n")), d.params_one),
                         (message(N_("2^n complete one-direction networks, each with its own output layer")),
                          2**n * d.params_one))),
        KeyEntry("4c.sequential_steps", "integer", answers["4c.sequential_steps"]),
        KeyEntry("4c.max_parallel_cells", "integer", answers["4c.max_parallel_cells"]),
    ]


PROBLEM = Problem(
    id="p4",
    title=N_("Multi-dimensional RNNs"),
    params=Params,
    derive=derive,
    checks=checks,
    answers=answers,
    figures=figures,
    draw=draw,
    template="p4_mdrnn.tex.j2",
    answer_specs=ANSWER_SPECS,
    key=key_entries,
)
