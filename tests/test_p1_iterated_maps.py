"""Problem 1: identity tables, the issue's must-show cases, property tests."""

import dataclasses
import math

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivations import p1_iterated_maps as p1
from rnnsym.errors import InputError
from rnnsym.notation import h0, h_next, h_t, sigmoid, t
from rnnsym.printing import tex

R = sympy.Rational


def derive(**changes):
    return p1.derive(dataclasses.replace(p1.Params(), **changes))


def all_pass(d):
    failed = [c for c in p1.checks(d) if not c.passed]
    assert not failed, failed


# --- the must-show cases of the issue -----------------------------------------


def test_default_has_one_sink_near_0_18():
    d = derive()
    assert [p.kind for p in d.fixed_points] == ["sink"]
    assert abs(float(d.fixed_points[0].value) - 0.179236883896866) < 1e-12
    assert d.three_point_window is None
    all_pass(d)


def test_w6_b_minus3_has_two_sinks_and_a_source():
    d = derive(w=R(6), b=R(-3))
    values = [float(p.value) for p in d.fixed_points]
    assert [p.kind for p in d.fixed_points] == ["sink", "source", "sink"]
    # The map is symmetric about h = 1/2 when b = -w/2.
    assert values[1] == pytest.approx(0.5, abs=1e-15)
    assert values[0] == pytest.approx(1 - values[2], abs=1e-15)
    all_pass(d)


def test_relu_default_fixed_points_are_0_sink_and_1_source():
    d = derive()
    assert [(p.value, p.kind) for p in d.relu_fixed_points] == [(0, "sink"), (1, "source")]


# --- identity tables ----------------------------------------------------------


@pytest.mark.parametrize(
    "w, b",
    [(R(2), R(-47, 25)), (R(6), R(-3)), (R(-10), R(5)), (R(1, 3), R(0)), (R(0), R(1))],
)
def test_derivative_is_w_sigma_one_minus_sigma(w, b):
    d = derive(w=w, b=b)
    s = 1 / (1 + sympy.exp(-(w * h_t + b)))
    assert sympy.simplify(d.derivative.rewrite(sympy.exp) - w * s * (1 - s)) == 0
    assert sympy.simplify(d.derivative_in_next.subs(h_next, s) - w * s * (1 - s)) == 0


@pytest.mark.parametrize(
    "a, c, expected",
    [
        (R(2), R(-1), sympy.Max(0, 2**t * (h0 - 1) + 1)),
        (R(2), R(-1, 2), sympy.Max(0, 2**t * (h0 - R(1, 2)) + R(1, 2))),
        (R(1), R(-1, 3), sympy.Max(0, h0 - t / 3)),
        (R(1, 2), R(1), 2 + (h0 - 2) / 2**t),
        (R(3), R(0), 3**t * h0),
        (R(0), R(5), R(5)),
        (R(-2), R(-1), R(0)),
        (R(-1, 2), R(1), R(2, 3) + (R(-1, 2)) ** (t - 1) * (sympy.Max(0, 1 - h0 / 2) - R(2, 3))),
    ],
)
def test_relu_closed_form_table(a, c, expected):
    d = derive(relu_a=a, relu_c=c)
    for x in (R(0), R(1, 3), R(1), R(7, 5), R(4)):
        for step in range(1, 8):
            assert d.relu_closed_form.subs({h0: x, t: step}) == expected.subs({h0: x, t: step})


@pytest.mark.parametrize(
    "a, c, expected",
    [
        (R(2), R(-1), [(0, "sink"), (1, "source")]),
        (R(1, 2), R(1), [(2, "sink")]),
        (R(-1), R(1), [(R(1, 2), "non-hyperbolic")]),
        (R(3), R(0), [(0, "source")]),
        (R(1, 2), R(0), [(0, "sink")]),
        (R(1), R(1), []),
        (R(3), R(2), []),
        (R(-3), R(-1), [(0, "sink")]),
    ],
)
def test_relu_classification_table(a, c, expected):
    d = derive(relu_a=a, relu_c=c)
    assert [(p.value, p.kind) for p in d.relu_fixed_points] == expected
    all_pass(d)


@pytest.mark.parametrize(
    "slope, kind",
    [(R(1, 2), "sink"), (R(-1, 2), "sink"), (R(3, 2), "source"), (R(-2), "source"),
     (R(1), "non-hyperbolic"), (R(-1), "non-hyperbolic"), (R(0), "sink")],
)
def test_kind_from_slope(slope, kind):
    assert p1.kind_of(slope) == kind


def test_relu_death_step_for_the_default_map():
    # h_t = max(0, 1 + 2^t (h0 - 1)): h0 = 1/2 dies after one step, 3/4 after two.
    dies = next(r for r in derive().relu_regimes if r.behaviour == "dies")
    assert [int(dies.steps.subs(h0, x)) for x in (R(1, 2), R(3, 4), R(7, 8), R(9, 10))] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "a, c, printed",
    [
        (R(2), R(-1), r"\left\lceil{\log_{2}{\left(\frac{1}{1 - h_0} \right)}}\right\rceil"),
        (R(3), R(-2), r"\left\lceil{\log_{3}{\left(\frac{1}{1 - h_0} \right)}}\right\rceil"),
        (R(2), R(-3), r"\left\lceil{\log_{2}{\left(\frac{3}{3 - h_0} \right)}}\right\rceil"),
        (R(1, 2), R(-1), r"\left\lceil{\log_{2}{\left(\frac{h_0}{2} + 1 \right)}}\right\rceil"),
    ],
)
def test_relu_death_step_is_a_readable_logarithm_and_counts_the_steps(a, c, printed):
    """log_a(h*/(h* - h0)) printed as log_2(1/(1 - h0)), never log(-1/(h0 - 1))/log(2),
    and equal to the number of steps the map really takes to reach 0."""
    dies = next(r for r in derive(relu_a=a, relu_c=c).relu_regimes if r.behaviour == "dies")
    assert tex(dies.steps) == printed
    for x in (R(1, 10), R(1, 3), R(1, 2), R(4, 5)):
        if x not in dies.starts:
            continue
        value, steps = x, 0
        while value > 0:
            value, steps = max(R(0), a * value + c), steps + 1
        assert int(dies.steps.subs(h0, x)) == steps


def test_three_point_window_edges_are_tangencies():
    low, high = (R(str(e)) for e in sorted(derive(w=R(6), b=R(-3)).three_point_window))
    step = R(1, 10**9)
    for edge, inward in ((low, step), (high, -step)):
        inside = derive(w=R(6), b=edge + inward).fixed_points
        outside = derive(w=R(6), b=edge - inward).fixed_points
        # Just inside, two fixed points are about to merge with slope 1.
        assert len(inside) == 3 and sum(abs(float(p.slope) - 1) < 1e-3 for p in inside) == 2
        assert len(outside) == 1


def test_negative_w_finds_the_two_cycle_orbits_approach():
    d = derive(w=R(-10), b=R(5))
    assert [p.kind for p in d.fixed_points] == ["source"]
    (p, q), = d.two_cycles
    assert float(sigmoid(-10 * p + 5).evalf(30)) == pytest.approx(float(q), abs=1e-20)
    assert [o.limit_kind for o in d.orbits] == ["2-cycle", "fixed point", "2-cycle"]
    all_pass(d)


def test_a_wrong_answer_fails_its_check():
    d = derive()
    wrong = dataclasses.replace(d, relu_closed_form=sympy.Max(0, 2**t * h0 - (2**t - 1) / 2))
    failed = {c.id for c in p1.checks(wrong) if not c.passed}
    assert failed == {"1d.closed_form"}
    moved = dataclasses.replace(d.fixed_points[0], value=d.fixed_points[0].value + R(1, 10**6))
    failed = {c.id for c in p1.checks(dataclasses.replace(d, fixed_points=(moved,))) if not c.passed}
    assert "1a.residual" in failed


def test_answers_have_the_interface_ids_and_parse():
    answers = p1.answers(derive())
    assert set(answers) == {"1a.fixed_points", "1c.kinds", "1b.derivative", "1d.fixed_points",
                            "1d.kinds", "1d.closed_form"}
    closed = sympy.parse_expr(answers["1d.closed_form"])
    assert closed.subs({sympy.Symbol("h0"): R(3, 2), sympy.Symbol("t"): 3}) == 5
    derivative = sympy.parse_expr(answers["1b.derivative"])
    assert float(derivative.subs(sympy.Symbol("h_t"), 0.3)) == pytest.approx(
        2 * (1 / (1 + math.exp(-(0.6 - 1.88)))) * (1 - 1 / (1 + math.exp(-(0.6 - 1.88)))))


# --- property tests over many parameters ------------------------------------------

fractions = st.fractions(min_value=-12, max_value=12, max_denominator=100).map(R)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(w=fractions, b=fractions)
def test_every_sigmoid_map_passes_its_checks(w, b):
    d = derive(w=w, b=b)
    assert 1 <= len(d.fixed_points) <= 3
    assert len(d.fixed_points) == 1 or bool(w > 4)
    all_pass(d)


@settings(max_examples=25, deadline=None)
@given(w=st.fractions(min_value=R(9, 2), max_value=12, max_denominator=50).map(R),
       where=st.fractions(min_value=R(1, 20), max_value=R(19, 20), max_denominator=50).map(R))
def test_inside_the_window_there_are_three_fixed_points(w, where):
    low, high = sorted(derive(w=w, b=R(0)).three_point_window)
    b = R(str(low)) + where * (R(str(high)) - R(str(low)))
    d = derive(w=w, b=b)
    assert [p.kind for p in d.fixed_points] == ["sink", "source", "sink"]
    all_pass(d)


relu_a = st.fractions(min_value=-1, max_value=6, max_denominator=20).map(R)
relu_c = st.fractions(min_value=-5, max_value=5, max_denominator=20).map(R)


@settings(max_examples=60, deadline=None)
@given(a=relu_a, c=relu_c)
def test_every_valid_relu_map_passes_its_checks(a, c):
    try:
        d = derive(relu_a=a, relu_c=c)
    except InputError:
        assert (a, c) == (1, 0)
        return
    all_pass(d)
