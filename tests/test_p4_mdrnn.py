"""Problem 4: counts, schedules against each other and a hand-computed example."""

import dataclasses
import math

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import p4_mdrnn as p4
from rnnsym import mdrnn

n, D, H, K = p4.n, p4.D, p4.H, p4.K


def test_default_variant_passes_every_check_and_shape3_takes_13_steps():
    d = p4.derive(p4.Params())
    assert not [c for c in p4.checks(d) if c.failed]
    assert p4.answers(d)["4c.sequential_steps"] == 13
    assert p4.answers(d)["4c.max_parallel_cells"] == 18
    assert d.schedule_2d.front_sizes == (1, 2, 3, 4, 5, 4, 3, 2, 1)


@pytest.mark.parametrize(
    "expr, values, expected",
    [
        ("weights_2d", {D: 3, H: 4}, 3 * 4 + 2 * 16),
        ("params_one", {n: 2, D: 3, H: 4, K: 2}, 12 + 32 + 4 + 8 + 2),
        ("params_all", {n: 2, D: 3, H: 4, K: 2}, 4 * (12 + 32 + 4) + 2 * 16 + 2),
        ("params_all", {n: 1, D: 1, H: 1, K: 1}, 2 * 3 + 2 + 1),
        ("params_lstm_one", {n: 2, D: 3, H: 4, K: 2}, 5 * (12 + 32 + 4) + 10),
    ],
)
def test_count_table(expr, values, expected):
    assert getattr(p4.derive(p4.Params()), expr).subs(values) == expected


def test_two_by_two_by_hand():
    # D = H = 1, W_x = 1, W_1 = 1/2, W_2 = 1/4, b = 0, phi = tanh.
    weights = mdrnn.DirectionWeights(numpy.array([[1.0]]), numpy.array([[[0.5]], [[0.25]]]), numpy.zeros(1))
    x = numpy.array([[[1.0], [2.0]], [[3.0], [4.0]]])
    h00 = math.tanh(1)
    h01 = math.tanh(2 + 0.25 * h00)
    h10 = math.tanh(3 + 0.5 * h00)
    h11 = math.tanh(4 + 0.5 * h01 + 0.25 * h10)
    expected = numpy.array([[[h00], [h01]], [[h10], [h11]]])
    assert numpy.allclose(mdrnn.scan_lexicographic(x, weights), expected, atol=1e-15)
    states, steps = mdrnn.scan_wavefront(x, weights)
    assert numpy.allclose(states, expected, atol=1e-15) and steps == 3


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple), seed=st.integers(0, 2**31),
       D_size=st.integers(1, 3), H_size=st.integers(1, 4), K_size=st.integers(1, 3))
def test_schedules_agree_on_random_shapes(shape, seed, D_size, H_size, K_size):
    rng = numpy.random.default_rng(seed)
    weights = mdrnn.MdrnnWeights.random(len(shape), D_size, H_size, K_size, rng)
    x = rng.normal(size=shape + (D_size,))
    plain, _ = mdrnn.forward(x, weights, "lexicographic")
    fast, steps = mdrnn.forward(x, weights, "wavefront")
    assert numpy.abs(plain - fast).max() < 1e-12
    assert steps == sum(s - 1 for s in shape) + 1
    schedule = p4.schedule(shape)
    assert sum(schedule.front_sizes) == math.prod(shape) == weights_cells(shape)
    assert weights.parameter_count() == p4.derive(p4.Params()).params_all.subs(
        {n: len(shape), D: D_size, H: H_size, K: K_size})


def weights_cells(shape):
    return sum(len(front) for front in mdrnn.wavefronts(shape))


def test_a_wrong_step_formula_fails_its_check():
    d = p4.derive(p4.Params())
    wrong = dataclasses.replace(d, schedule_3d=dataclasses.replace(d.schedule_3d, sequential_steps=120))
    assert p4._check_steps(wrong).failed


def test_a_wrong_cost_formula_fails_its_check():
    d = p4.derive(p4.Params())
    assert not p4._check_cost_2d(d).failed
    assert p4._check_cost_2d(dataclasses.replace(d, cost_2d=d.cost_2d + p4.G)).failed


@pytest.mark.parametrize("G, D, H, cost", [(5, 3, 4, 940), (1, 2, 3, 6), (2, 1, 1, 8)])
def test_the_2d_cost_counts_the_products_the_pseudocode_performs(G, D, H, cost):
    """Issue 12: G^2 (DH + 2H^2) = 1100 for G = 5 also counted products with the
    zero states outside the grid, which the pseudocode skips."""
    d = p4.derive(dataclasses.replace(p4.Params(), G=G, D=D, H=H))
    assert d.at(d.cost_2d) == cost
    assert next(c for c in p4.checks(d) if c.id == "4a.cost").passed is True
