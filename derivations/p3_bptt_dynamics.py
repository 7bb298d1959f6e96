"""Problem 3: backpropagation through time and linear dynamics.

3a: BPTT for the scalar linear RNN h_t = w_h h_{t-1} + w_x x_t with
yhat_t = sigmoid(w_y h_t) and E_t = (y_t - yhat_t)^2, for general T (sums)
and expanded for the given T. 3b: products of Jacobians. 3c, 3d: the exact
eigen-analysis of h^(t) = W^T h^(t-1) (:mod:`rnnsym.linear_dynamics`).
"""

from __future__ import annotations

import dataclasses
import math
import random
from pathlib import Path

import mpmath
import numpy
import sympy

from rnnsym import linear_dynamics, plots, torch_reference
from rnnsym.i18n import N_, message
from rnnsym.linear_dynamics import t
from rnnsym.notation import plain, sigmoid
from rnnsym.params import integer, matrix, rule
from rnnsym.problem import AnswerSpec, Check, KeyEntry, Problem, names_of

R = sympy.Rational
w_h, w_x, w_y = sympy.symbols("w_h w_x w_y", real=True)
h0 = sympy.Symbol("h0", real=True)
k = sympy.Symbol("k", integer=True, positive=True)
T_sym = sympy.Symbol("T", integer=True, positive=True)
h_indexed, x_indexed = sympy.IndexedBase("h"), sympy.IndexedBase("x")
# Spectral radii of the figure of 3b: below, at and above 1.
FIGURE_RADII = (R(9, 10), R(1), R(11, 10))


def _rows(rows):
    return tuple(tuple(R(v) for v in row) for row in rows)


@dataclasses.dataclass(frozen=True)
class Params:
    """T of 3a, W of 3c and W3 of 3d (defaults: the homework's)."""

    T: int = rule(integer(1, 200), 3)
    W: tuple = rule(matrix(4), _rows([["0.08", "0.12"], ["0.12", "0.17"]]))
    W3: tuple = rule(matrix(4), _rows([
        ["28/75", "17/75", "13/150"], ["17/75", "43/75", "47/150"], ["13/150", "47/150", "193/300"]]))


@dataclasses.dataclass(frozen=True)
class Bptt:
    """The three gradients of E_T, as general sums and for the given T."""

    T: int
    xs: tuple  # x1 ... xT
    y: sympy.Symbol  # yT
    states: tuple  # h_0 ... h_T as expanded polynomials
    general: dict  # name -> expression with Sum over k (symbolic T)
    intermediate: dict  # name -> expression in h_k, yhat_T symbols
    expanded: dict  # name -> expression in w_h, w_x, w_y, h0, x1..xT, yT
    sums: dict  # name -> the expanded sum over k that multiplies delta_T


@dataclasses.dataclass(frozen=True)
class Dynamics:
    """The eigen-analysis of one W."""

    W: sympy.Matrix
    decomposition: linear_dynamics.Decomposition
    eigenvalues: tuple
    h0: sympy.Matrix
    h_t: sympy.Matrix
    terms: tuple  # (lambda_i^t, c_i) with h_t = sum of their products; empty if defective
    spectral_radius: sympy.Expr
    regime: str
    limit: sympy.Matrix | None
    facts: linear_dynamics.Facts  # what the prose may say about W (symmetric, orthogonal, ...)
    Q_exact: bool  # Q is printed exactly (rational or short radicals), else to 6 digits with \approx


@dataclasses.dataclass(frozen=True)
class Derivation:
    params: Params
    bptt: Bptt
    dynamics: Dynamics
    dynamics3: Dynamics


def derive_bptt(T: int) -> Bptt:
    """Backpropagation through the unrolled graph, by the chain rule.

    delta_T = dE_T/dh_T = dE/dyhat * dyhat/dh_T, and going back one step
    multiplies by dh_k/dh_{k-1} = w_h, so dE_T/dh_k = delta_T w_h^(T-k).
    Each step k contributes dh_k/dw_h = h_{k-1} and dh_k/dw_x = x_k locally.
    """
    xs = sympy.symbols(f"x1:{T + 1}", real=True)
    y = sympy.Symbol(f"y{T}", real=True)
    states = [h0]
    for x in xs:
        states.append(sympy.expand(w_h * states[-1] + w_x * x))
    yhat = sigmoid(w_y * states[-1])
    delta_T = -2 * (y - yhat) * yhat * (1 - yhat) * w_y  # dE_T/dh_T
    through_wh = sympy.expand(sum(w_h ** (T - j) * states[j - 1] for j in range(1, T + 1)))
    through_wx = sympy.expand(sum(w_h ** (T - j) * xs[j - 1] for j in range(1, T + 1)))
    dyhat = -2 * (y - yhat) * yhat * (1 - yhat)
    expanded = {
        "dE_dwy": dyhat * states[-1],
        "dE_dwh": delta_T * through_wh,
        "dE_dwx": delta_T * through_wx,
    }
    # The same with the named intermediate quantities h_k and yhat_T.
    hs = sympy.symbols(f"h1:{T + 1}", real=True)
    named_states = (h0, *hs)
    yhat_T = sympy.Symbol(f"yhat{T}", real=True)
    named_delta = -2 * (y - yhat_T) * yhat_T * (1 - yhat_T)
    intermediate = {
        "dE_dwy": named_delta * named_states[-1],
        "dE_dwh": named_delta * w_y * sum(w_h ** (T - j) * named_states[j - 1] for j in range(1, T + 1)),
        "dE_dwx": named_delta * w_y * sum(w_h ** (T - j) * xs[j - 1] for j in range(1, T + 1)),
    }
    yT, yhat_general = sympy.Symbol("y_T"), sympy.Symbol(r"\hat{y}_T")
    common = -2 * (yT - yhat_general) * yhat_general * (1 - yhat_general)
    general = {
        "dE_dwy": common * h_indexed[T_sym],
        "dE_dwh": common * w_y * sympy.Sum(w_h ** (T_sym - k) * h_indexed[k - 1], (k, 1, T_sym)),
        "dE_dwx": common * w_y * sympy.Sum(w_h ** (T_sym - k) * x_indexed[k], (k, 1, T_sym)),
    }
    sums = {"dE_dwh": through_wh, "dE_dwx": through_wx}
    return Bptt(T, xs, y, tuple(states), general, intermediate, expanded, sums)


# An exact entry of Q is printed when it has at most this many operations
# (sqrt(2)/2 has 2, 3*sqrt(73)/200 + 1/8 already 6): beyond, decimals read better.
READABLE_OPS = 4


def _readable(entry: sympy.Expr) -> bool:
    return entry.is_Rational or sympy.count_ops(entry) <= READABLE_OPS


def derive_dynamics(rows) -> Dynamics:
    W = sympy.Matrix(rows)
    decomposition = linear_dynamics.decompose(W)
    h0_vector = sympy.Matrix(sympy.symbols(f"h0_1:{W.rows + 1}"))
    h_t, terms = linear_dynamics.closed_form(decomposition, h0_vector)
    return Dynamics(
        W=W,
        decomposition=decomposition,
        eigenvalues=tuple(value for value, size in decomposition.blocks for _ in range(size)),
        h0=h0_vector,
        h_t=h_t,
        terms=terms,
        spectral_radius=sympy.nsimplify(linear_dynamics.spectral_radius(decomposition)),
        regime=linear_dynamics.regime(decomposition),
        limit=linear_dynamics.limit(decomposition),
        facts=linear_dynamics.facts(W, decomposition),
        Q_exact=decomposition.Q is not None and all(_readable(entry) for entry in decomposition.Q),
    )


def derive(params: Params) -> Derivation:
    """Derives every answer of problem 3."""
    return Derivation(
        params=params,
        bptt=derive_bptt(params.T),
        dynamics=derive_dynamics(params.W),
        dynamics3=derive_dynamics(params.W3),
    )


# --- checks -----------------------------------------------------------------

AUTODIFF_MAX_T = 40


def _unrolled_loss(b: Bptt) -> sympy.Expr:
    """E_T with h_T written out by the closed sum, not by the recursion."""
    T = b.T
    h_T = w_h**T * h0 + sum(w_h ** (T - j) * w_x * b.xs[j - 1] for j in range(1, T + 1))
    return (b.y - sigmoid(w_y * h_T)) ** 2


def _random_points(b: Bptt, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    points = []
    for _ in range(count):
        point = {w_h: R(rng.randint(-90, 90), 100), w_x: R(rng.randint(-150, 150), 100),
                 w_y: R(rng.randint(-150, 150), 100), h0: R(rng.randint(-100, 100), 100),
                 b.y: R(rng.randint(0, 100), 100)}
        point.update({x: R(rng.randint(-100, 100), 100) for x in b.xs})
        points.append(point)
    return points


def _check_autodiff(b: Bptt) -> Check:
    if b.T > AUTODIFF_MAX_T:
        return Check("3a.autodiff", N_("BPTT gradients against sympy.diff of the fully unrolled loss"),
                     message(N_("not run: T = %(T)s > %(most)s (the finite-difference check covers it)"),
                             T=b.T, most=AUTODIFF_MAX_T),
                     "exact", None)
    loss = _unrolled_loss(b)
    differences = [sympy.expand(sympy.diff(loss, v) - b.expanded[name])
                   for name, v in (("dE_dwy", w_y), ("dE_dwh", w_h), ("dE_dwx", w_x))]
    return Check(
        "3a.autodiff",
        N_("BPTT gradients against sympy.diff of the fully unrolled loss (sigmoid kept symbolic)"),
        message(N_("T = %(T)s: expanded differences %(differences)s"), T=b.T,
                differences=", ".join(str(d) for d in differences)),
        "exact",
        all(d == 0 for d in differences),
    )


def _loss_value(b: Bptt, point: dict) -> mpmath.mpf:
    """A plain forward pass at 50 digits, independent of the SymPy expressions."""
    value = lambda s: mpmath.mpf(point[s].p) / point[s].q  # noqa: E731
    state = value(h0)
    for x in b.xs:
        state = value(w_h) * state + value(w_x) * value(x)
    yhat = 1 / (1 + mpmath.exp(-value(w_y) * state))
    return (value(b.y) - yhat) ** 2


def _check_finite_differences(b: Bptt) -> Check:
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        eps = R(1, 10**20)
        for point in _random_points(b, 4, seed=3):
            for name, v in (("dE_dwy", w_y), ("dE_dwh", w_h), ("dE_dwx", w_x)):
                up, down = dict(point), dict(point)
                up[v] += eps
                down[v] -= eps
                difference = (_loss_value(b, up) - _loss_value(b, down)) / (2 * mpmath.mpf(10) ** -20)
                derived = mpmath.mpf(str(b.expanded[name].subs(point).evalf(50)))
                worst = max(worst, abs(difference - derived) / (abs(derived) + mpmath.mpf(10) ** -10))
    return Check(
        "3a.finite_differences",
        N_("BPTT gradients against central differences of a plain forward pass (50 digits, step 1e-20)"),
        message(N_("4 random points x 3 gradients: largest relative difference %(worst)s"), worst=f"{float(worst):.2e}"),
        "1e-15",
        worst < 1e-15,
    )


def _check_torch(b: Bptt) -> Check:
    what = N_("BPTT gradients against torch.autograd (float64)")
    if not torch_reference.available():
        return Check("3a.torch", what, N_("not run: torch is not installed (pip install '.[torch]')"), "1e-9", None)
    import torch

    worst = 0.0
    for point in _random_points(b, 3, seed=5):
        params = {v: torch.tensor(float(point[v]), dtype=torch.float64, requires_grad=True) for v in (w_h, w_x, w_y)}
        state = torch.tensor(float(point[h0]), dtype=torch.float64)
        for x in b.xs:
            state = params[w_h] * state + params[w_x] * float(point[x])
        loss = (float(point[b.y]) - torch.sigmoid(params[w_y] * state)) ** 2
        loss.backward()
        for name, v in (("dE_dwy", w_y), ("dE_dwh", w_h), ("dE_dwx", w_x)):
            derived = float(b.expanded[name].subs(point).evalf(30))
            worst = max(worst, abs(params[v].grad.item() - derived) / (abs(derived) + 1e-12))
    return Check("3a.torch", what, message(N_("3 random points x 3 gradients: largest relative difference %(worst)s"),
                                           worst=f"{worst:.2e}"),
                 "1e-9", worst < 1e-9)


def _rotation(radius, angle=0.7) -> numpy.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return float(radius) * numpy.array([[c, -s], [s, c]])


def _check_jacobian_norms(d: Derivation) -> Check:
    worst = 0.0
    for radius in FIGURE_RADII:
        W = _rotation(radius)
        for step in range(0, 61, 5):
            norm = numpy.linalg.norm(numpy.linalg.matrix_power(W.T, step), 2)
            worst = max(worst, abs(norm / float(radius) ** step - 1))
    return Check(
        "3b.norms",
        N_("||(W^T)^t||_2 = rho^t for the figure's scaled rotations (rho = 0.9, 1, 1.1), t = 0..60"),
        message(N_("largest relative deviation %(worst)s"), worst=f"{worst:.2e}"),
        "1e-9",
        worst < 1e-9,
    )


def _zero(expr) -> bool:
    return sympy.expand(sympy.radsimp(sympy.expand(expr))) == 0


# The kinds of linear_dynamics.Decomposition, as the checks appendix names them.
DECOMPOSITION_KINDS = {"symmetric": N_("symmetric"), "diagonalizable": N_("diagonalizable"),
                       "defective": N_("defective")}


def _check_decomposition(label: str, dyn: Dynamics) -> Check:
    dec = dyn.decomposition
    rebuilt = (dec.P * dec.J * dec.P.inv()).applyfunc(sympy.radsimp)
    exact = all(_zero(e) for e in (rebuilt - dyn.W))
    yes_no = {True: message(N_("yes")), False: message(N_("no"))}
    kind = message(DECOMPOSITION_KINDS[dec.kind])
    detail = message(N_("%(kind)s: P J P^-1 = W exactly: %(exact)s"), kind=kind, exact=yes_no[bool(exact)])
    ok = exact
    if dec.Q is not None:
        gram = dec.P.T * dec.P
        orthogonal = all(_zero(gram[i, j]) for i in range(gram.rows) for j in range(gram.cols) if i != j)
        numeric = sympy.N(dec.Q * dec.J * dec.Q.T - dyn.W, 50)
        error = max(abs(e) for e in numeric)
        detail = message(N_("%(kind)s: P J P^-1 = W exactly: %(exact)s; eigenvectors orthogonal: %(orthogonal)s; "
                            "|Q Lambda Q^T - W| = %(error)s"), kind=kind, exact=yes_no[bool(exact)],
                         orthogonal=yes_no[bool(orthogonal)], error=f"{float(error):.1e}")
        ok = ok and orthogonal and error < 1e-40
    return Check(f"{label}.decomposition", N_("the decomposition reproduces W"), detail, N_("exact (Q: 1e-40)"), ok)


def _check_closed_form(label: str, dyn: Dynamics) -> Check:
    mismatches = 0
    power = sympy.eye(dyn.W.rows)
    for step in range(0, 13):
        expected = power * dyn.h0
        mismatches += not all(_zero(e) for e in dyn.h_t.subs(t, step) - expected)
        power = power * dyn.W.T
    return Check(
        f"{label}.closed_form",
        N_("closed form of h^(t) against (W^T)^t h^(0) computed by repeated multiplication"),
        message(N_("t = 0..12, symbolic h^(0): %(mismatches)s mismatch(es)"), mismatches=mismatches),
        "exact",
        mismatches == 0,
    )


def _power_norm_ratio(W: sympy.Matrix, start: sympy.Matrix, n: int) -> float:
    first = (W.T**n) * start
    second = (W.T ** (2 * n)) * start
    size = lambda v: mpmath.sqrt(sum(mpmath.mpf(sympy.N(abs(e), 40)) ** 2 for e in v))  # noqa: E731
    with mpmath.workdps(40):
        return float(size(second) / size(first)) if size(first) != 0 else 0.0


def _check_radius_and_regime(label: str, dyn: Dynamics) -> Check:
    numeric = max(abs(numpy.linalg.eigvals(numpy.array(dyn.W.evalf(30).tolist(), dtype=float))))
    exact = float(sympy.N(dyn.spectral_radius, 30))
    start = sympy.Matrix([R(3 + 2 * i, 7 + i) for i in range(dyn.W.rows)])
    ratio = _power_norm_ratio(dyn.W, start, 200)
    seen = "explodes" if ratio > 1 + 1e-9 else "vanishes" if ratio < 1 - 1e-9 else "bounded"
    return Check(
        f"{label}.spectral_radius",
        N_("spectral radius against numpy.linalg.eigvals, and the regime against ||h^(400)|| / ||h^(200)||"),
        # The regimes are the answer's own words (3c.regime), as students write them.
        message(N_("exact %(exact)s, numpy %(numpy)s; norm ratio %(ratio)s (%(seen)s); derived %(derived)s"),
                exact=f"{exact:.12g}", numpy=f"{numeric:.12g}", ratio=f"{ratio:.6g}", seen=seen, derived=dyn.regime),
        "1e-12",
        abs(exact - numeric) < 1e-12 and seen == dyn.regime,
    )


def _check_limit(dyn: Dynamics) -> Check:
    others = [abs(complex(sympy.N(v, 30))) for v in dyn.eigenvalues if v != 1]
    slowest = max([x for x in others if x < 1] or [0.5])
    n = min(5000, max(200, math.ceil(math.log(1e-30) / math.log(slowest)) if slowest > 0 else 200))
    power = dyn.W.T**n
    if dyn.limit is None:
        # A^(t+1) - A^t = A^t (A - I) keeps the component of every eigenvalue
        # other than 1, which does not shrink when |lambda| >= 1.
        drift = max(abs(complex(sympy.N(e, 30))) for e in (power * dyn.W.T - power))
        return Check("3d.limit", N_("no limit: (W^T)^t still moves at high powers"),
                     f"max |(W^T)^{n + 1} - (W^T)^{n}| = {drift:.3g}", "> 1e-6", drift > 1e-6)
    error = max(abs(complex(sympy.N(e, 40))) for e in (power - dyn.limit))
    return Check("3d.limit", message(N_("the limit of (W^T)^t against the exact power t = %(n)s"), n=n),
                 message(N_("largest entry difference %(error)s"), error=f"{error:.2e}"), "1e-20", error < 1e-20)


def checks(d: Derivation) -> list[Check]:
    """Verifies every answer of problem 3."""
    return [
        _check_autodiff(d.bptt), _check_finite_differences(d.bptt), _check_torch(d.bptt),
        _check_jacobian_norms(d),
        _check_decomposition("3c", d.dynamics), _check_closed_form("3c", d.dynamics),
        _check_radius_and_regime("3c", d.dynamics),
        _check_decomposition("3d", d.dynamics3), _check_closed_form("3d", d.dynamics3),
        _check_radius_and_regime("3d", d.dynamics3), _check_limit(d.dynamics3),
    ]


# --- answers and figures ----------------------------------------------------


def answers(d: Derivation) -> dict:
    """The 3a-3d entries of the answers file."""
    s = sympy.sstr
    dyn, dyn3 = d.dynamics, d.dynamics3
    return {
        "3a.dE_dwy": s(plain(d.bptt.expanded["dE_dwy"])),
        "3a.dE_dwh": s(plain(d.bptt.expanded["dE_dwh"])),
        "3a.dE_dwx": s(plain(d.bptt.expanded["dE_dwx"])),
        "3c.eigenvalues": [s(v) for v in dyn.eigenvalues],
        "3c.h_t": [s(c) for c in dyn.h_t],
        "3c.spectral_radius": float(sympy.N(dyn.spectral_radius, 20)),
        "3c.regime": dyn.regime,
        "3d.limit": None if dyn3.limit is None else [[s(e) for e in row] for row in dyn3.limit.tolist()],
    }


def _trajectory(dyn: Dynamics, steps: int) -> list[list[float]]:
    """h^(0), ..., h^(steps) from h^(0) = (1, ..., 1), for the figure."""
    A = numpy.array(dyn.W.T.evalf(20).tolist(), dtype=float)
    values, state = [], numpy.ones(dyn.W.rows)
    for _ in range(steps + 1):
        values.append(list(state))
        state = A @ state
    return values


def figures(d: Derivation, directory: Path) -> dict:
    """3b: ||dh_t/dh_0|| against t; 3c/3d: the components of h^(t)."""
    curves = {}
    for radius in FIGURE_RADII:
        W = _rotation(radius)
        curves[plots.words(N_(r"$\rho = %(rho)s$ (scaled rotation)"), rho=f"{float(radius):g}")] = [
            numpy.linalg.norm(numpy.linalg.matrix_power(W.T, s), 2) for s in range(61)]
    W = numpy.array(d.dynamics.W.evalf(20).tolist(), dtype=float)
    curves[plots.words(N_(r"given $W$ of 3c"))] = [numpy.linalg.norm(numpy.linalg.matrix_power(W.T, s), 2) for s in range(61)]
    norms = plots.lines(directory / "p3-jacobian-norms.pdf", curves, xlabel=r"$t$",
                        ylabel=r"$\|\partial h_t / \partial h_0\|_2 = \|(W^T)^t\|_2$", log=True)
    components = plots.components(
        directory / "p3-components.pdf",
        {"3c": _trajectory(d.dynamics, 12), "3d": _trajectory(d.dynamics3, 30)},
    )
    return {"norms": norms, "components": components}



# --- drawing a variant ----------------------------------------------------------

# Pythagorean triples give rational rotations, hence symmetric W with
# rational eigenvalues and a rational orthogonal Q.
TRIPLES = ((3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29))


def _pick(rng, values):
    return values[int(rng.integers(0, len(values)))]


def _eigenvalue_pair(rng, regime: str) -> tuple:
    steps = [R(i, 20) for i in range(-18, 19) if i != 0]
    if regime == "vanishes":
        first = _pick(rng, [R(i, 20) for i in range(6, 19)])
    elif regime == "bounded":
        first = _pick(rng, [R(1), R(-1)])
    else:
        first = _pick(rng, [R(i, 20) for i in range(21, 31)])
    second = _pick(rng, [s for s in steps if abs(s) < abs(first) and s != first and abs(s) >= R(1, 10)])
    return first, second


def draw(rng, options) -> Params:
    """A symmetric W = Q diag(l1, l2) Q^T with Q a rational rotation and the
    spectral radius below, at or above 1 (as asked); W3 with eigenvalues 1
    and two distinct ones inside the unit circle, Q3 a rational reflection."""
    wanted = options.get("p3_regime", "mixed")
    regime = _pick(rng, ["vanishes", "bounded", "explodes"]) if wanted == "mixed" else wanted
    a, b, c = _pick(rng, TRIPLES)
    Q = sympy.Matrix([[R(a, c), -R(b, c)], [R(b, c), R(a, c)]])
    W = Q * sympy.diag(*_eigenvalue_pair(rng, regime)) * Q.T
    normal = sympy.Matrix([int(rng.integers(1, 4)), int(rng.integers(0, 3)), int(rng.integers(1, 3))])
    Q3 = sympy.eye(3) - 2 * normal * normal.T / normal.dot(normal)
    inside = [R(i, 20) for i in range(-17, 18) if i != 0]
    l2 = _pick(rng, inside)
    l3 = _pick(rng, [v for v in inside if v != l2])
    W3 = Q3 * sympy.diag(1, l2, l3) * Q3.T
    as_rows = lambda M: tuple(tuple(row) for row in M.tolist())  # noqa: E731
    return Params(T=int(rng.integers(2, 5)), W=as_rows(W), W3=as_rows(W3))

# What the problem sheet asks for, one declaration per answer id (read by the
# sheet's hand-in list, the grader and the feedback).
_GRADIENT_FORM = (N_(r"an expression in $w_h, w_x, w_y, h_0, x_1, \dots, x_T, y_T$ (\texttt{w\_h}, \texttt{h0}, "
                  r"\texttt{x1}, \texttt{y3}, \dots); $h_k$ and $\hat y_T$ may be used (\texttt{h1}, \texttt{yhat3})"))
ANSWER_SPECS = (
    AnswerSpec("3a.dE_dwy", N_(r"$\partial E_T / \partial w_y$, fully expanded for the $T$ of 3a"), "expression",
               _GRADIENT_FORM),
    AnswerSpec("3a.dE_dwh", N_(r"$\partial E_T / \partial w_h$, fully expanded for the $T$ of 3a"), "expression",
               _GRADIENT_FORM),
    AnswerSpec("3a.dE_dwx", N_(r"$\partial E_T / \partial w_x$, fully expanded for the $T$ of 3a"), "expression",
               _GRADIENT_FORM),
    AnswerSpec("3c.eigenvalues", N_(r"the eigenvalues of $W$, exactly"), "exact",
               N_(r"exact numbers (fractions, square roots: \texttt{1/8 + 3*sqrt(73)/200})")),
    AnswerSpec("3c.h_t", N_(r"the components of $h^{(t)}$ for a general $h^{(0)}$"), "expressions",
               N_(r"a list of expressions in $t$ and $h^{(0)}_1, h^{(0)}_2$ (\texttt{t}, \texttt{h0\_1}, "
               r"\texttt{h0\_2})")),
    AnswerSpec("3c.spectral_radius", N_(r"the spectral radius of $W$"), "number", N_(r"a number, to 3 significant digits or more")),
    AnswerSpec("3c.regime", N_(r"whether $h^{(t)}$ vanishes, explodes or stays bounded"), "word",
               N_(r"\texttt{vanishes}, \texttt{explodes} or \texttt{bounded}"),
               choices=("vanishes", "explodes", "bounded")),
    AnswerSpec("3d.limit", N_(r"$\lim_{t \to \infty} (W_3^T)^t$, if it exists"), "matrix",
               N_(r"a list of rows of exact numbers, or \texttt{none} if the limit does not exist")),
)


def bptt_mistakes(b: Bptt) -> dict:
    """The recognisable wrong answers of 3a, by gradient: (what the mistake is, the
    expression it gives), in the key's symbols (yhat_T as sigmoid(w_y h_T))."""
    T = b.T
    yhat = sigmoid(w_y * b.states[-1])
    derivative = yhat * (1 - yhat)  # sigma' at the output
    delta = b.expanded["dE_dwh"] / b.sums["dE_dwh"]  # dE_T/dh_T, w_y included
    local = {"dE_dwh": b.states[:-1], "dE_dwx": b.xs}  # what step k contributes: h_(k-1) or x_k

    def summed(name, first=1, coefficient=lambda k: 1, power=lambda k: T - k):
        return delta * sum(coefficient(k) * w_h ** power(k) * local[name][k - 1] for k in range(first, T + 1))

    def without_derivative(name):
        return sympy.expand(b.expanded[name] / derivative) if name == "dE_dwy" else summed(name) / derivative

    # Each mistake's description is a Message: a Persian feedback PDF names it in Persian.
    no_derivative = message(N_("the gradient without the sigmoid's derivative yhat_T (1 - yhat_T)"))
    mistakes = {
        "dE_dwy": [(no_derivative, without_derivative("dE_dwy"))],
        "dE_dwh": [(message(N_("the sum with w_h^(T-k+1) instead of w_h^(T-k) (an index off by one)")),
                    summed("dE_dwh", power=lambda k: T - k + 1)),
                   (message(N_("dE/dw_x: each step contributes h_(k-1) to dE/dw_h, not x_k")), b.expanded["dE_dwx"]),
                   (no_derivative, without_derivative("dE_dwh"))],
        "dE_dwx": [(message(N_("the sum without the factor w_x of each h_k")), b.expanded["dE_dwx"] / w_x),
                   (message(N_("dE/dw_h: each step contributes x_k to dE/dw_x, not h_(k-1)")), b.expanded["dE_dwh"]),
                   (no_derivative, without_derivative("dE_dwx"))],
    }
    if T > 1:
        coefficients = ", ".join(str(T - k + 1) for k in range(1, T))
        mistakes["dE_dwx"].append(
            (message(N_("the sum with the coefficients %(coefficients)s of w_h^(T-k) x_k, which belong to dE/dw_h "
                        "(they come from differentiating powers of w_h); in dE/dw_x every w_h^(T-k) x_k has "
                        "coefficient 1"), coefficients=coefficients),
             summed("dE_dwx", coefficient=lambda k: T - k + 1)))
        for name in ("dE_dwh", "dE_dwx"):
            term = "w_h^(T-1) h_0" if name == "dE_dwh" else "w_h^(T-1) x_1"
            mistakes[name].append((message(N_("the sum stopping one step short, at k = 2 (the term %(term)s of k = 1 "
                                              "is missing)"), term=term),
                                   summed(name, first=2)))
    return {name: tuple(found) for name, found in mistakes.items()}


def _rounded(values, digits: int) -> list:
    """Numbers rounded to ``digits`` significant digits (real and imaginary parts apart)."""
    def one(value):
        z = complex(sympy.N(value, 30))
        parts = [sympy.Float(f"{part:.{digits}g}") for part in (z.real, z.imag)]
        return parts[0] + sympy.I * parts[1] if z.imag else parts[0]
    return [one(value) for value in values]


def dynamics_mistakes(dyn: Dynamics, limit_of: str) -> dict:
    """The recognisable wrong answers of 3c (eigenvalues) and 3d (the limit)."""
    W = dyn.W
    gram = linear_dynamics.decompose(W.T * W)
    eigenvalues = [
        (message(N_("the list of eigenvalues of W^T W (the squared singular values of W), not of W")),
         [value for value, size in gram.blocks for _ in range(size)]),
        (message(N_("the list of eigenvalues rounded to 1 significant digit: they are asked exactly (or to 3 "
                    "significant digits)")), _rounded(dyn.eigenvalues, 1)),
        (message(N_("the list of eigenvalues rounded to 2 significant digits: they are asked exactly (or to 3 "
                    "significant digits)")), _rounded(dyn.eigenvalues, 2)),
    ]
    limit = []
    if dyn.limit is not None and not dyn.limit.is_zero_matrix:
        limit.append((message(N_("the limit given as 0: %(W)s has the eigenvalue 1, so (%(W)s^T)^t tends to "
                                 "the projector onto its eigenvector, not to 0"), W=limit_of),
                      sympy.zeros(*dyn.limit.shape).tolist()))
        if dyn.limit != dyn.limit.T:
            limit.append((message(N_("the limit of %(W)s^t, not of (%(W)s^T)^t: %(W)s is not symmetric, "
                                     "so the two limits are transposes of each other"), W=limit_of),
                          dyn.limit.T.tolist()))
    return {"eigenvalues": tuple(eigenvalues), "limit": tuple(limit)}


def key_entries(d, answers) -> list[KeyEntry]:
    """The key of every answer id of this problem (see ANSWER_SPECS)."""
    b = d.bptt
    names = names_of(*b.expanded.values())
    names.update({str(s): s for s in (w_h, w_x, w_y, h0, b.y, *b.xs)})
    hs = {sympy.Symbol(f"h{k}", real=True): b.states[k] for k in range(1, b.T + 1)}
    yhat = {sympy.Symbol(f"yhat{b.T}", real=True): sigmoid(w_y * b.states[-1])}
    names.update({str(s): s for s in (*hs, *yhat)})
    entries = [
        KeyEntry(f"3a.{name}", "expression", b.expanded[name], names, {**hs, **yhat}, nearby)
        for name, nearby in bptt_mistakes(b).items()
    ]
    dyn = d.dynamics
    h_names = {str(s): s for s in dyn.h0}
    h_names["t"] = t
    entries += [
        KeyEntry("3c.eigenvalues", "exact", list(dyn.eigenvalues),
                 nearby=dynamics_mistakes(dyn, "W")["eigenvalues"]),
        KeyEntry("3c.h_t", "expressions", list(dyn.h_t), h_names),
        KeyEntry("3c.spectral_radius", "number", answers["3c.spectral_radius"]),
        KeyEntry("3c.regime", "word", answers["3c.regime"]),
        KeyEntry("3d.limit", "matrix", None if d.dynamics3.limit is None else d.dynamics3.limit.tolist(),
                 nearby=dynamics_mistakes(d.dynamics3, "W_3")["limit"]),
    ]
    return entries


PROBLEM = Problem(
    id="p3",
    title=N_("Backpropagation through time and linear dynamics"),
    params=Params,
    derive=derive,
    checks=checks,
    answers=answers,
    figures=figures,
    draw=draw,
    template="p3_bptt_dynamics.tex.j2",
    answer_specs=ANSWER_SPECS,
    key=key_entries,
)
