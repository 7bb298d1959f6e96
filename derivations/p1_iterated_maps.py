"""Problem 1: iterated maps, a one-unit RNN with no input.

1a-1c: h_{t+1} = sigmoid(w h_t + b): fixed points, where orbits go, the
derivative and its products over long horizons, the kind of each fixed
point. 1d: h_{t+1} = ReLU(a h_t + c): fixed points, the closed form of h_t,
and the fate of every start value h0 >= 0.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import mpmath
import sympy

from rnnsym import orbits, plots
from rnnsym.i18n import N_, message
from rnnsym.drawing import DrawError, tries
from rnnsym.errors import InputError
from rnnsym.notation import h0, h_next, h_t, k, plain, sigmoid, t, T
from rnnsym.params import number, number_list, rule
from rnnsym.problem import AnswerSpec, Check, KeyEntry, Problem

R = sympy.Rational


@dataclasses.dataclass(frozen=True)
class Params:
    """The numbers of problem 1 (defaults: the homework's)."""

    w: sympy.Rational = rule(number(-50, 50), R(2))
    b: sympy.Rational = rule(number(-50, 50), R("-1.88"))
    cobweb_h0: tuple = rule(number_list(0, 1, max_length=8), (R("0.02"), R("0.5"), R("0.98")))
    relu_a: sympy.Rational = rule(number(-10, 10), R(2))
    relu_c: sympy.Rational = rule(number(-10, 10), R(-1))
    # An extension of interfaces.md: start values of the ReLU cobweb.
    relu_cobweb_h0: tuple = rule(
        number_list(0, 100, max_length=8), (R("0.5"), R("0.98"), R("1.02"))
    )

    def __post_init__(self):
        if self.relu_a == 1 and self.relu_c == 0:
            raise InputError(
                "p1.relu_a = 1 with p1.relu_c = 0: the identity map, every h0 is a "
                "fixed point; expected relu_a != 1 or relu_c != 0"
            )
        if self.relu_a < -1 and self.relu_c > 0:
            raise InputError(
                f"p1.relu_a = {self.relu_a} with p1.relu_c = {self.relu_c} > 0: "
                "expected relu_a >= -1 when relu_c > 0 (below -1 the clipped "
                "orbit has no closed form this tool derives)"
            )


# The kinds of a fixed point, as the answers name them; the documents print
# them in their language.
KINDS = (N_("sink"), N_("source"), N_("non-hyperbolic"))


def kind_of(slope) -> str:
    """Sink, source or non-hyperbolic, from |f'(h*)| (exact or 50-digit)."""
    size = abs(slope)
    margin = 0 if isinstance(slope, sympy.Basic) else orbits.TANGENCY * 1e15
    if size < 1 - margin:
        return "sink"
    if size > 1 + margin:
        return "source"
    return "non-hyperbolic"


@dataclasses.dataclass(frozen=True)
class FixedPoint:
    """A fixed point with the slope of the map there and its kind."""

    value: sympy.Expr
    slope: sympy.Expr
    kind: str
    # The curve touches the diagonal here instead of crossing it.
    tangent: bool = False


@dataclasses.dataclass(frozen=True)
class Orbit:
    """Where the orbit of one start value goes."""

    start: sympy.Rational
    limit_kind: str  # "fixed point" or "2-cycle"
    limit: tuple


@dataclasses.dataclass(frozen=True)
class Regime:
    """What the ReLU map does to every start value in ``starts``.

    ``behaviour`` is explodes, stays, dies, converges or oscillates;
    ``steps`` (for dies) is the step at which h_t first is 0, an expression
    in h0; ``limit`` (for converges) the value approached.
    """

    starts: sympy.Set
    behaviour: str
    steps: sympy.Expr | None = None
    limit: sympy.Expr | None = None


@dataclasses.dataclass(frozen=True)
class Derivation:
    """Every answer of problem 1, as SymPy objects."""

    params: Params
    map: sympy.Expr
    derivative: sympy.Expr
    derivative_in_next: sympy.Expr
    horizon_product: sympy.Expr
    derivative_bound: sympy.Expr
    three_point_window: tuple | None
    three_point_condition: tuple
    fixed_points: tuple
    two_cycles: tuple
    orbits: tuple
    relu_map: sympy.Expr
    relu_fixed_points: tuple
    relu_closed_form: sympy.Expr
    relu_regimes: tuple


def _float(value) -> sympy.Float:
    return sympy.Float(value, 30)


def _tangency_offsets():
    """b at which the sigmoid map is tangent to the diagonal, as functions of w.

    At a tangency sigma' = sigma(1 - sigma) = 1/w, so sigma = (1 +- r)/2 with
    r = sqrt(1 - 4/w), and h* = sigma, b = logit(sigma) - w sigma.

    Returns:
        ``(w, r, r in terms of w, (lower edge, upper edge) in terms of w and r)``.
    """
    w = sympy.Symbol("w", positive=True)
    r = sympy.Symbol("r", positive=True)
    edges = tuple(
        sympy.log((1 + s * r) / (1 - s * r)) - w * (1 + s * r) / 2 for s in (1, -1)
    )
    return w, r, sympy.sqrt(1 - 4 / w), edges


def derive_sigmoid(params: Params) -> dict:
    w, b = params.w, params.b
    f_expr = sigmoid(w * h_t + b)
    derivative = sympy.diff(f_expr, h_t)
    # sigma' = sigma (1 - sigma), so the derivative is w h_{t+1} (1 - h_{t+1}).
    derivative_in_next = w * h_next * (1 - h_next)
    h = sympy.IndexedBase("h")
    horizon_product = sympy.Product(w * h[k] * (1 - h[k]), (k, 1, T))
    condition = _tangency_offsets()
    w_sym, r_sym, r_of_w, edges = condition
    window = None
    if w > 4:
        values = {w_sym: w, r_sym: r_of_w.subs(w_sym, w)}
        window = tuple(sympy.Float(e.subs(values).evalf(30), 30) for e in edges)
    f = orbits.SigmoidMap.of(w, b)
    fixed = orbits.fixed_points(f)
    points = tuple(
        FixedPoint(
            _float(x), _float(f.slope(x)),
            "non-hyperbolic" if tangent else kind_of(f.slope(x)), tangent,
        )
        for x, tangent in fixed
    )
    cycles = orbits.two_cycles(f, fixed)
    starts = tuple(
        Orbit(h, *_limit_as_floats(orbits.orbit_limit(f, h, fixed, cycles)))
        for h in params.cobweb_h0
    )
    return dict(
        map=f_expr,
        derivative=derivative,
        derivative_in_next=derivative_in_next,
        horizon_product=horizon_product,
        derivative_bound=(abs(w) / 4) ** T,
        three_point_window=window,
        three_point_condition=condition,
        fixed_points=points,
        two_cycles=tuple((_float(p), _float(q)) for p, q in cycles),
        orbits=starts,
    )


def _limit_as_floats(limit):
    kind, values = limit
    return kind, tuple(_float(v) for v in values)


def relu_fixed_points(a, c) -> tuple:
    """Fixed points >= 0 of h -> max(0, a h + c), ascending, with their kinds."""
    points = []
    if c <= 0:
        # At 0 the map is flat (a h + c < 0 nearby) unless c = 0 and a > 0,
        # where the one-sided slope on h >= 0 is a.
        slope = a if (c == 0 and a > 0) else sympy.Integer(0)
        points.append(FixedPoint(sympy.Integer(0), slope, kind_of(slope)))
    if a != 1 and c / (1 - a) > 0:
        points.append(FixedPoint(c / (1 - a), a, kind_of(a)))
    return tuple(points)


def relu_linear_power(a, c, x, n):
    """n steps of the linear part L(h) = a h + c, written around its fixed point."""
    if a == 1:
        return x + n * c
    fixed = c / (1 - a)
    return fixed + a**n * (x - fixed)


def relu_closed_form(a, c) -> sympy.Expr:
    """h_t for integer t >= 1 and every h0 >= 0.

    For a >= 0 the map is nondecreasing and, when c <= 0, once h_t is 0 it
    stays 0; the unclipped line L^t(h0) is then <= 0 from that step on too,
    so h_t = max(0, L^t(h0)). For a < 0 the first step lands in [0, c] and,
    when a >= -1, the line never leaves [0, oo) after that.
    """
    if a == 0:
        return sympy.Max(0, c)
    if a >= 0:
        line = relu_linear_power(a, c, h0, t)
        return line if c >= 0 else sympy.Max(0, line)
    if c <= 0:
        return sympy.Integer(0)
    return relu_linear_power(a, c, sympy.Max(0, a * h0 + c), t - 1)


def _steps_to_zero(a, fixed) -> sympy.Expr:
    """log(h*/(h* - h0)) / log(a), the time the line about h* takes to reach 0,
    in a readable form: a logarithm of base > 1 of an argument > 1, which the
    printer writes log_2(1/(1 - h0)) (a > 1, 0 < h0 < h*) or log_2(h0/2 + 1)
    (0 < a < 1, h* < 0), never log(-1/(h0 - 1))/log(2)."""
    if a > 1:
        p, q = fixed.p, fixed.q  # h* = p/q > 0: h*/(h* - h0) = p/(p - q h0)
        return sympy.log(sympy.Integer(p) / (p - q * h0)) / sympy.log(a)
    # 0 < a < 1 and h* < 0: h*/(h* - h0) = 1/(1 + h0/|h*|) and log(a) = -log(1/a).
    return sympy.log(1 + h0 / abs(fixed)) / sympy.log(1 / a)


def relu_regimes(a, c) -> tuple:
    """The fate of every start value h0 >= 0, interval by interval."""
    everything = sympy.Interval(0, sympy.oo)
    positive = sympy.Interval.open(0, sympy.oo)
    fixed = c / (1 - a) if a != 1 else None
    if a < 0 and c <= 0:
        return (Regime(sympy.FiniteSet(0), "stays"), Regime(positive, "dies", sympy.Integer(1)))
    if a < 0:
        # -1 <= a < 0 < c: after one step the line about h* takes over.
        if a == -1:
            return (Regime(sympy.FiniteSet(fixed), "stays"),
                    Regime(everything - sympy.FiniteSet(fixed), "oscillates"))
        return (Regime(sympy.FiniteSet(fixed), "stays"),
                Regime(everything - sympy.FiniteSet(fixed), "converges", limit=fixed))
    if c > 0:
        if a < 1:
            return (Regime(sympy.FiniteSet(fixed), "stays"),
                    Regime(everything - sympy.FiniteSet(fixed), "converges", limit=fixed))
        return (Regime(everything, "explodes"),)
    if c == 0:
        if a > 1:
            return (Regime(sympy.FiniteSet(0), "stays"), Regime(positive, "explodes"))
        if a == 0:
            return (Regime(sympy.FiniteSet(0), "stays"), Regime(positive, "dies", sympy.Integer(1)))
        return (Regime(sympy.FiniteSet(0), "stays"), Regime(positive, "converges", limit=sympy.Integer(0)))
    # c < 0: h_t = max(0, L^t(h0)) and it dies at the first t with L^t(h0) <= 0.
    if a == 1:
        steps = sympy.ceiling(-h0 / c)
    elif a == 0:
        steps = sympy.Integer(1)
    else:
        # L^t(h0) = h* + a^t (h0 - h*) <= 0  <=>  t >= log(h*/(h* - h0)) / log(a),
        # for 0 < a < 1 (h* < 0) and a > 1 (h0 < h*) alike.
        steps = sympy.ceiling(_steps_to_zero(a, fixed))
    if a > 1:
        return (Regime(sympy.FiniteSet(0), "stays"),
                Regime(sympy.Interval.open(0, fixed), "dies", steps),
                Regime(sympy.FiniteSet(fixed), "stays"),
                Regime(sympy.Interval.open(fixed, sympy.oo), "explodes"))
    return (Regime(sympy.FiniteSet(0), "stays"), Regime(positive, "dies", steps))


def derive(params: Params) -> Derivation:
    """Derives every answer of problem 1 for one set of parameters."""
    a, c = params.relu_a, params.relu_c
    return Derivation(
        params=params,
        **derive_sigmoid(params),
        relu_map=sympy.Max(0, a * h_t + c),
        relu_fixed_points=relu_fixed_points(a, c),
        relu_closed_form=relu_closed_form(a, c),
        relu_regimes=relu_regimes(a, c),
    )


# --- checks -----------------------------------------------------------------
# Each check recomputes an answer by an independent route: brute-force
# iteration in floating point or exact rationals, finite differences, a
# sign-change scan, or SymPy's own evaluation of the map.


def _sigmoid_float(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _scan_fixed_point_count(w: float, b: float, samples: int = 200_001) -> int:
    """Sign changes of sigma(w h + b) - h on a uniform grid of [0, 1]."""
    import numpy

    h = numpy.linspace(0.0, 1.0, samples)
    g = 0.5 * (1 + numpy.tanh((w * h + b) / 2)) - h
    signs = numpy.sign(g)
    signs = signs[signs != 0]
    return int(numpy.count_nonzero(signs[1:] != signs[:-1]))


def _check_residuals(d: Derivation) -> Check:
    worst = max(
        abs((d.map.subs(h_t, p.value) - p.value).evalf(40)) for p in d.fixed_points
    )
    return Check(
        "1a.residual",
        N_("fixed points satisfy h* = sigmoid(w h* + b) (SymPy evalf, 40 digits)"),
        message(N_("largest |sigmoid(w h* + b) - h*| = %(worst)s over %(count)s point(s)"),
                worst=f"{float(worst):.2e}", count=len(d.fixed_points)),
        "1e-25",
        bool(worst < 1e-25),
    )


def _check_count(d: Derivation) -> Check:
    w, b = float(d.params.w), float(d.params.b)
    crossings = _scan_fixed_point_count(w, b)
    simple = sum(1 for p in d.fixed_points if not p.tangent)
    return Check(
        "1a.count",
        N_("number of fixed points against a sign-change scan of sigmoid(w h + b) - h (200001 points)"),
        message(N_("derived %(derived)s (%(simple)s crossing), scan %(crossings)s crossing(s)"),
                derived=len(d.fixed_points), simple=simple, crossings=crossings),
        "exact",
        crossings == simple,
    )


def _check_window(d: Derivation) -> Check | None:
    if d.three_point_window is None:
        return None
    w = float(d.params.w)
    low, high = sorted(float(e) for e in d.three_point_window)
    width = high - low
    inside = _scan_fixed_point_count(w, (low + high) / 2)
    outside = (_scan_fixed_point_count(w, low - 0.05 * width), _scan_fixed_point_count(w, high + 0.05 * width))
    derived_three = low < float(d.params.b) < high
    return Check(
        "1a.window",
        N_("three fixed points exactly for b inside the derived window (scan at its middle and just outside)"),
        message(N_("window (%(low)s, %(high)s); scan: middle %(inside)s, outside %(left)s and %(right)s; "
                   "given b %(where)s, %(count)s point(s)"),
                low=f"{low:.6f}", high=f"{high:.6f}", inside=inside, left=outside[0], right=outside[1],
                where=message(N_("inside")) if derived_three else message(N_("outside")), count=len(d.fixed_points)),
        "exact",
        inside == 3 and outside == (1, 1) and derived_three == (len(d.fixed_points) == 3),
    )


def _iterate_float(w: float, b: float, h: float, steps: int) -> list[float]:
    values = [h]
    for _ in range(steps):
        h = _sigmoid_float(w * h + b)
        values.append(h)
    return values


def _iterate_precise_then_float(params: Params, start, steps: int, precise_steps: int = 2000) -> list[float]:
    """Iterates at 50 digits first (a start within 1e-16 of a source must not
    be rounded onto it), then in floating point once the orbit has settled."""
    f = orbits.SigmoidMap.of(params.w, params.b)
    with mpmath.workdps(orbits.DIGITS):
        h = mpmath.mpf(start.p) / start.q
        for _ in range(min(steps, precise_steps)):
            h = f(h)
    return _iterate_float(float(params.w), float(params.b), float(h), max(0, steps - precise_steps))


def _check_orbits(d: Derivation) -> Check:
    slow = any(p.kind == "non-hyperbolic" for p in d.fixed_points)
    steps, tolerance = (400_000, 1e-2) if slow else (20_000, 1e-9)
    worst = 0.0
    for orbit in d.orbits:
        tail = _iterate_precise_then_float(d.params, orbit.start, steps)[-2:]
        expected = [float(x) for x in orbit.limit]
        if orbit.limit_kind == "fixed point":
            error = max(abs(x - expected[0]) for x in tail)
        else:
            error = min(abs(tail[0] - expected[0]) + abs(tail[1] - expected[1]),
                        abs(tail[0] - expected[1]) + abs(tail[1] - expected[0]))
        worst = max(worst, error)
    return Check(
        "1a.orbits",
        message(N_("iterating the map %(steps)s steps from each start value reaches the derived limit"), steps=steps),
        message(N_("%(count)s start value(s), largest distance %(worst)s"), count=len(d.orbits), worst=f"{worst:.2e}"),
        f"{tolerance:g}",
        worst < tolerance,
    )


def _check_derivative(d: Derivation) -> Check:
    step = sympy.Rational(1, 10**12)
    worst = 0
    for x in (R(-1), R(0), R(3, 10), R(7, 10), R(3, 2)):
        difference = (d.map.subs(h_t, x + step) - d.map.subs(h_t, x - step)) / (2 * step)
        exact = d.derivative.subs(h_t, x)
        via_next = d.derivative_in_next.subs(h_next, d.map.subs(h_t, x))
        worst = max(worst, abs((difference - exact).evalf(40)), abs((via_next - exact).evalf(40)))
    return Check(
        "1b.derivative",
        N_("dh_{t+1}/dh_t and w h_{t+1}(1 - h_{t+1}) against central differences at 5 points"),
        message(N_("largest difference %(worst)s"), worst=f"{float(worst):.2e}"),
        "1e-15",
        bool(worst < 1e-15),
    )


def _check_product(d: Derivation) -> Check:
    f = orbits.SigmoidMap.of(d.params.w, d.params.b)
    worst_error, bound_ok = mpmath.mpf(0), True
    horizon = 15
    with mpmath.workdps(orbits.DIGITS):
        eps = mpmath.mpf(10) ** -20
        for orbit in d.orbits:
            x = mpmath.mpf(orbit.start.p) / orbit.start.q
            forward, backward, path = x + eps, x - eps, [x]
            for step in range(1, horizon + 1):
                forward, backward = f(forward), f(backward)
                path.append(f(path[-1]))
                product = mpmath.fprod(f.w * h * (1 - h) for h in path[1:])
                difference = (forward - backward) / (2 * eps)
                # Relative error, with an absolute floor: the difference quotient
                # itself is only good to about 1e-30 at 50 digits.
                scale = abs(difference) + mpmath.mpf(10) ** -13
                worst_error = max(worst_error, abs(product - difference) / scale)
                bound_ok &= abs(product) <= (abs(f.w) / 4) ** step * (1 + mpmath.mpf(10) ** -30)
    return Check(
        "1b.product",
        message(N_("dh_T/dh_0 as the product of w h_k(1 - h_k) against differences of the T-fold map, "
                   "T = 1..%(horizon)s, and the bound (|w|/4)^T"), horizon=horizon),
        message(N_("largest difference %(worst)s, relative to |difference| + 1e-13; bound holds") if bound_ok else
                N_("largest difference %(worst)s, relative to |difference| + 1e-13; bound violated"),
                worst=f"{float(worst_error):.2e}"),
        "1e-12",
        bool(worst_error < 1e-12 and bound_ok),
    )


def _check_kinds(d: Derivation) -> Check:
    f = orbits.SigmoidMap.of(d.params.w, d.params.b)
    agree = True
    seen = []
    with mpmath.workdps(orbits.DIGITS):
        eps = mpmath.mpf(10) ** -15
        for p in d.fixed_points:
            x = mpmath.mpf(str(p.value))
            ratio = max(abs(f(x + s) - x) / eps for s in (eps, -eps))
            seen.append(f"{float(ratio):.4f}")
            if p.kind == "sink":
                agree &= ratio < 1
            elif p.kind == "source":
                agree &= ratio > 1
    return Check(
        "1c.kinds",
        N_("each kind against one step from h* +- 1e-15 (distance ratio < 1 for a sink, > 1 for a source)"),
        message(N_("ratios %(ratios)s"), ratios=", ".join(seen)),
        N_("exact comparison with 1"),
        agree,
    )


def _iterate_relu(a, c, x, steps):
    values = [x]
    for _ in range(steps):
        x = max(sympy.Integer(0), a * x + c)
        values.append(x)
    return values


def _check_relu_fixed(d: Derivation) -> Check:
    a, c = d.params.relu_a, d.params.relu_c
    residual_ok = all(max(0, a * p.value + c) == p.value for p in d.relu_fixed_points)
    h = sympy.Symbol("h", nonnegative=True)
    solved = sympy.solveset(sympy.Max(0, a * h + c) - h, h, sympy.Interval(0, sympy.oo))
    expected = sympy.FiniteSet(*(p.value for p in d.relu_fixed_points))
    return Check(
        "1d.fixed_points",
        N_("ReLU fixed points: exact residuals, and the set against SymPy's solveset on h >= 0"),
        message(N_("derived %(derived)s, solveset %(solved)s"), derived=sorted(expected), solved=solved),
        "exact",
        residual_ok and solved == expected,
    )


def _check_relu_kinds(d: Derivation) -> Check:
    a, c = d.params.relu_a, d.params.relu_c
    eps = R(1, 10**6)
    agree, seen = True, []
    for p in d.relu_fixed_points:
        sides = [eps] if p.value == 0 else [eps, -eps]
        ratio = max(abs(max(0, a * (p.value + s) + c) - p.value) / eps for s in sides)
        seen.append(str(ratio))
        if p.kind == "sink":
            agree &= ratio < 1
        elif p.kind == "source":
            agree &= ratio > 1
        else:
            agree &= ratio == 1
    return Check(
        "1d.kinds",
        N_("each ReLU fixed point's kind against one exact step from h* +- 1e-6"),
        message(N_("distance ratios %(ratios)s"), ratios=", ".join(seen)),
        "exact",
        agree,
    )


def _relu_samples(d: Derivation) -> list:
    samples = {R(0), R(1, 7), R(1, 2), R(9, 10), R(1), R(3, 2), R(3), R(10)}
    for p in d.relu_fixed_points:
        samples |= {p.value, p.value + R(1, 100), abs(p.value - R(1, 100))}
    return sorted(samples)


def _check_closed_form(d: Derivation) -> Check:
    a, c = d.params.relu_a, d.params.relu_c
    samples = _relu_samples(d)
    mismatches = 0
    for x in samples:
        path = _iterate_relu(a, c, x, 12)
        for step in range(1, 13):
            if d.relu_closed_form.subs({h0: x, t: step}) != path[step]:
                mismatches += 1
    return Check(
        "1d.closed_form",
        N_("closed form of h_t against exact brute-force iteration"),
        message(N_("%(count)s start values x t = 1..12: %(mismatches)s mismatch(es)"), count=len(samples),
                mismatches=mismatches),
        "exact",
        mismatches == 0,
    )


def _interior_points(starts: sympy.Set) -> list:
    if isinstance(starts, sympy.FiniteSet):
        return list(starts)
    intervals = starts.args if isinstance(starts, sympy.Union) else (starts,)
    points = []
    for part in intervals:
        low, high = part.inf, part.sup
        if high is sympy.oo:
            points += [low + R(1, 3), low + 1, low + R(5, 2), low + 10]
        else:
            points += [low + (high - low) * q for q in (R(1, 50), R(1, 7), R(1, 2), R(6, 7), R(49, 50))]
    return points


def _regime_holds(a, c, x, regime: Regime) -> bool:
    horizon = 40 if regime.steps is None else max(40, int(regime.steps.subs(h0, x)) + 3)
    path = _iterate_relu(a, c, x, horizon)
    if regime.behaviour == "stays":
        return all(v == x for v in path)
    if regime.behaviour == "dies":
        n = int(regime.steps.subs(h0, x))
        return path[n] == 0 and all(v > 0 for v in path[:n]) and all(v == 0 for v in path[n:])
    if regime.behaviour == "explodes":
        increments = [q - p for p, q in zip(path, path[1:])]
        return all(i > 0 for i in increments) and all(q >= p for p, q in zip(increments, increments[1:]))
    if regime.behaviour == "oscillates":
        return all(path[i + 2] == path[i] for i in range(1, 38)) and path[1] != path[2]
    # converges: floating point iteration long enough for the slope |a| < 1.
    af, cf, value, limit = float(a), float(c), float(x), float(regime.limit)
    steps = 100 if abs(af) < 0.5 else min(10**6, int(math.log(1e-12) / math.log(abs(af))) + 100)
    start_distance = abs(max(0.0, af * value + cf) - limit)
    for _ in range(steps):
        value = max(0.0, af * value + cf)
    return abs(value - limit) <= 1e-9 * max(1.0, start_distance)


def _check_regimes(d: Derivation) -> Check:
    a, c = d.params.relu_a, d.params.relu_c
    tried = failed = 0
    for regime in d.relu_regimes:
        for x in _interior_points(regime.starts):
            tried += 1
            failed += not _regime_holds(a, c, x, regime)
    return Check(
        "1d.regimes",
        N_("every regime (explodes, stays, dies after k steps, converges, oscillates) against "
        "brute-force iteration from points of its interval"),
        message(N_("%(tried)s start values in %(regimes)s regimes: %(failed)s disagree"), tried=tried,
                regimes=len(d.relu_regimes), failed=failed),
        N_("exact (converges: 1e-9)"),
        failed == 0,
    )


def checks(d: Derivation) -> list[Check]:
    """Verifies every answer of problem 1 by an independent route."""
    found = [
        _check_residuals(d), _check_count(d), _check_window(d), _check_orbits(d),
        _check_derivative(d), _check_product(d), _check_kinds(d),
        _check_relu_fixed(d), _check_relu_kinds(d), _check_closed_form(d), _check_regimes(d),
    ]
    return [c for c in found if c is not None]


# --- answers and figures ----------------------------------------------------


def answers(d: Derivation) -> dict:
    """The 1a-1d entries of the answers file (interfaces.md, section 2)."""
    return {
        "1a.fixed_points": [float(p.value) for p in d.fixed_points],
        "1c.kinds": [p.kind for p in d.fixed_points],
        "1b.derivative": sympy.sstr(plain(d.derivative)),
        "1d.fixed_points": [float(p.value) for p in d.relu_fixed_points],
        "1d.kinds": [p.kind for p in d.relu_fixed_points],
        "1d.closed_form": sympy.sstr(plain(d.relu_closed_form)),
    }


def cobweb_starts(starts: list[float], fixed: list[float], low: float, high: float) -> list[float]:
    """The start values a cobweb draws: those that move (a start on a fixed point
    draws nothing), and, if fewer than two move, the midpoints between the fixed
    points and the ends of the domain, so that the picture shows where orbits go."""
    def moves(x):
        return all(abs(x - v) > 1e-3 * (high - low) for v in fixed)

    chosen = [x for x in starts if moves(x)]
    if len(chosen) < 2:
        edges = sorted({low, high, *fixed})
        chosen += [m for m in ((a + b) / 2 for a, b in zip(edges, edges[1:])) if moves(m) and m not in chosen]
    return sorted(chosen)


def figures(d: Derivation, directory: Path) -> dict:
    """Cobweb diagrams of both maps, as vector PDFs in ``directory``."""
    p = d.params
    sigmoid_file = plots.cobweb(
        directory / "p1-cobweb-sigmoid.pdf",
        lambda x: _sigmoid_float(float(p.w) * x + float(p.b)),
        starts=cobweb_starts([float(x) for x in p.cobweb_h0], [float(q.value) for q in d.fixed_points], 0.0, 1.0),
        fixed=[(float(q.value), q.kind) for q in d.fixed_points],
        domain=(0.0, 1.0),
        label=r"$h_{t+1} = \sigma(w h_t + b)$",
    )
    relu_fixed = [(float(q.value), q.kind) for q in d.relu_fixed_points]
    top = max([1.5] + [1.6 * float(x) for x in p.relu_cobweb_h0] + [1.5 * v for v, _ in relu_fixed])
    relu_file = plots.cobweb(
        directory / "p1-cobweb-relu.pdf",
        lambda x: max(0.0, float(p.relu_a) * x + float(p.relu_c)),
        starts=cobweb_starts([float(x) for x in p.relu_cobweb_h0], [v for v, _ in relu_fixed], 0.0, top),
        fixed=relu_fixed,
        domain=(0.0, top),
        label=r"$h_{t+1} = \mathrm{ReLU}(a h_t + c)$",
    )
    return {"cobweb_sigmoid": sigmoid_file, "cobweb_relu": relu_file}



# --- drawing a variant ----------------------------------------------------------


def _grid(rng, low, high, step) -> sympy.Rational:
    """A number drawn uniformly from low, low + step, ..., high (exact)."""
    count = int((high - low) / step)
    return low + step * int(rng.integers(0, count + 1))


def draw(rng, options) -> Params:
    """Parameters for one student: one or three fixed points (as asked), well
    separated; a ReLU map with a source at a simple fraction.

    Raises:
        DrawError: no acceptable draw within the allowed tries.
    """
    wanted = options.get("p1_fixed_points", "mixed")
    three = bool(rng.integers(0, 2)) if wanted == "mixed" else wanted == "three"
    for _ in tries():
        if three:
            w = _grid(rng, R(5), R(9), R(1, 2))
            condition = _tangency_offsets()
            values = {condition[0]: w, condition[1]: condition[2].subs(condition[0], w)}
            low, high = sorted(float(e.subs(values)) for e in condition[3])
            b = R(round((low + (high - low) * rng.uniform(0.3, 0.7)) * 100), 100)
        else:
            w = _grid(rng, R(-3), R(7, 2), R(1, 4))
            b = _grid(rng, R(-3), R(3), R(1, 20))
        points = orbits.fixed_points(orbits.SigmoidMap.of(w, b))
        values = [float(x) for x, _ in points]
        separated = all(q - p > 0.05 for p, q in zip(values, values[1:]))
        if w != 0 and len(values) == (3 if three else 1) and separated and 0.02 < min(values) and max(values) < 0.98:
            break
    else:
        raise DrawError("p1: no sigmoid map with " + ("three well-separated" if three else "one") + " fixed point(s)")
    a = _grid(rng, R(3, 2), R(3), R(1, 2))
    fixed = [R(1, 2), R(1), R(3, 2), R(2)][int(rng.integers(0, 4))]
    return Params(
        w=w, b=b, relu_a=a, relu_c=fixed * (1 - a),
        relu_cobweb_h0=(fixed / 2, fixed * R(49, 50), fixed * R(51, 50)),
    )

# What the problem sheet asks for, one declaration per answer id (read by the
# sheet's hand-in list, the grader and the feedback).
# The words 1c.kinds and 1d.kinds are made of.
FIXED_POINT_KINDS = ("sink", "source", "non-hyperbolic")

ANSWER_SPECS = (
    AnswerSpec("1a.fixed_points", N_(r"every fixed point $h^*$ of the sigmoid map"), "numbers",
               N_(r"numbers in ascending order, to 3 significant digits or more")),
    AnswerSpec("1c.kinds", N_(r"the kind of each of those fixed points"), "words",
               N_(r"a list of \texttt{sink}, \texttt{source} or \texttt{non-hyperbolic}, in the order of 1a"),
               choices=FIXED_POINT_KINDS),
    AnswerSpec("1b.derivative", N_(r"$\partial h_{t+1} / \partial h_t$"), "expression",
               N_(r"an expression in $h_t$ (\texttt{h\_t}); $h_{t+1}$ may be written \texttt{h\_next}")),
    AnswerSpec("1d.fixed_points", N_(r"every fixed point $h^* \ge 0$ of the ReLU map"), "numbers",
               N_(r"numbers in ascending order, to 3 significant digits or more")),
    AnswerSpec("1d.kinds", N_(r"the kind of each of those fixed points"), "words",
               N_(r"a list of \texttt{sink}, \texttt{source} or \texttt{non-hyperbolic}, in the order of 1d"),
               choices=FIXED_POINT_KINDS),
    AnswerSpec("1d.closed_form", N_(r"$h_t$ in closed form, valid for every $h_0 \ge 0$ and integer $t \ge 1$"),
               "expression",
               N_(r"an expression in $h_0$ and $t$ (\texttt{h0}, \texttt{t}); \texttt{Max} or \texttt{ReLU} may be "
               r"used, and \texttt{hstar} for the positive fixed point")),
)


def key_entries(d, answers) -> list[KeyEntry]:
    """The key of every answer id of this problem (see ANSWER_SPECS)."""
    p = d.params
    h_next_value = sigmoid(p.w * h_t + p.b)
    nearby = []
    for a, c in sorted({(p.relu_a, p.relu_c / 2), (p.relu_a, 2 * p.relu_c), (p.relu_a, -p.relu_c),
                        (p.relu_a + 1, p.relu_c), (p.relu_a - 1, p.relu_c), (p.relu_a / 2, p.relu_c)}):
        if (a, c) == (p.relu_a, p.relu_c) or (a == 1 and c == 0) or (a < -1 and c > 0):
            continue
        recurrence = f"h_(t+1) = ReLU({sympy.sstr(a)} h_t + {sympy.sstr(c)})".replace("+ -", "- ")
        nearby.append((message(N_("the closed form of the nearby recurrence %(recurrence)s"), recurrence=recurrence),
                       relu_closed_form(a, c)))
    unclipped = d.relu_closed_form.replace(
        lambda e: isinstance(e, sympy.Max) and len(e.args) == 2 and sympy.S.Zero in e.args,
        lambda e: e.args[1] if e.args[0] == 0 else e.args[0])
    if unclipped != d.relu_closed_form:
        nearby.append((message(N_("the closed form without the ReLU (Max): the line a h + c holds only while h_t "
                                  "stays positive; once h_t reaches 0 it stays 0")), unclipped))
    hstar = [q.value for q in d.relu_fixed_points if q.value != 0]
    return [
        KeyEntry("1a.fixed_points", "numbers", answers["1a.fixed_points"]),
        KeyEntry("1c.kinds", "words", answers["1c.kinds"]),
        KeyEntry("1b.derivative", "expression", d.derivative, {"h_t": h_t, "h_next": h_next},
                 {h_next: h_next_value},
                 ((message(N_("w h_t (1 - h_t): the derivative with h_t where h_(t+1) belongs")),
                   p.w * h_t * (1 - h_t)),)),
        KeyEntry("1d.fixed_points", "numbers", answers["1d.fixed_points"]),
        KeyEntry("1d.kinds", "words", answers["1d.kinds"]),
        KeyEntry("1d.closed_form", "expression", d.relu_closed_form,
                 {"h0": h0, "t": t, "hstar": sympy.Symbol("hstar")},
                 {sympy.Symbol("hstar"): hstar[0]} if hstar else {}, tuple(nearby)),
    ]


PROBLEM = Problem(
    id="p1",
    title=N_("Iterated maps: a one-unit RNN with no input"),
    params=Params,
    derive=derive,
    checks=checks,
    answers=answers,
    figures=figures,
    draw=draw,
    template="p1_iterated_maps.tex.j2",
    answer_specs=ANSWER_SPECS,
    key=key_entries,
)
