"""Fixed points, 2-cycles and orbits of one-dimensional maps.

Used by problem 1. The sigmoid map's fixed points are transcendental, so
they are found numerically, but robustly: the interval [0, 1] (which holds
every fixed point, the sigmoid's range being (0, 1)) is cut at the critical
points of g(h) = f(h) - h, where g is monotone between cuts, and each piece
with a sign change holds exactly one root, found by bisection at 50 digits.
"""

from __future__ import annotations

import dataclasses

import mpmath

DIGITS = 50
# |g| below this at a critical point of g counts as a tangency (double root).
TANGENCY = mpmath.mpf(10) ** -40
BISECTIONS = 200


@dataclasses.dataclass(frozen=True)
class SigmoidMap:
    """h -> sigmoid(w h + b), evaluated at high precision."""

    w: mpmath.mpf
    b: mpmath.mpf

    @classmethod
    def of(cls, w, b) -> "SigmoidMap":
        with mpmath.workdps(DIGITS):
            return cls(mpmath.mpf(w.p) / w.q, mpmath.mpf(b.p) / b.q)

    def __call__(self, h):
        with mpmath.workdps(DIGITS):
            return 1 / (1 + mpmath.exp(-(self.w * h + self.b)))

    def slope(self, h):
        """f'(h) = w f(h) (1 - f(h))."""
        with mpmath.workdps(DIGITS):
            value = self(h)
            return self.w * value * (1 - value)

    def critical_points(self) -> list:
        """The points where f'(h) = 1, i.e. where g = f - id turns (w > 4 only)."""
        with mpmath.workdps(DIGITS):
            if self.w <= 4:
                return []
            root = mpmath.sqrt(1 - 4 / self.w)
            points = []
            for value in ((1 - root) / 2, (1 + root) / 2):
                points.append((mpmath.log(value / (1 - value)) - self.b) / self.w)
            return sorted(points)


def bisect(function, low, high):
    """A root of ``function`` in [low, high], where its sign changes."""
    with mpmath.workdps(DIGITS):
        f_low = function(low)
        for _ in range(BISECTIONS):
            middle = (low + high) / 2
            f_middle = function(middle)
            if f_middle == 0:
                return middle
            if (f_middle > 0) == (f_low > 0):
                low, f_low = middle, f_middle
            else:
                high = middle
        return (low + high) / 2


def fixed_points(f: SigmoidMap) -> list[tuple]:
    """Every fixed point of the sigmoid map, ascending.

    Returns:
        A list of ``(value, is_tangency)``.
    """
    with mpmath.workdps(DIGITS):
        g = lambda h: f(h) - h  # noqa: E731
        cuts = [mpmath.mpf(0)] + [c for c in f.critical_points() if 0 < c < 1] + [mpmath.mpf(1)]
        roots = []
        for cut in cuts[1:-1]:
            if abs(g(cut)) < TANGENCY:
                roots.append((cut, True))
        for low, high in zip(cuts, cuts[1:]):
            g_low, g_high = g(low), g(high)
            if abs(g_low) < TANGENCY or abs(g_high) < TANGENCY:
                continue
            if (g_low > 0) != (g_high > 0):
                roots.append((bisect(g, low, high), False))
        return sorted(roots)


def two_cycles(f: SigmoidMap, fixed: list, grid: int = 4000) -> list[tuple]:
    """The period-2 orbits {p, q} of the map, p < q (only possible for w < 0).

    For w >= 0 the map is increasing and has none. For w < 0, f o f is
    increasing; its fixed points other than f's are found by a scan and
    bisection.
    """
    if f.w >= 0:
        return []
    with mpmath.workdps(DIGITS):
        g2 = lambda h: f(f(h)) - h  # noqa: E731
        points = [mpmath.mpf(i) / grid for i in range(grid + 1)]
        values = [g2(p) for p in points]
        roots = []
        for (p, gp), (q, gq) in zip(zip(points, values), zip(points[1:], values[1:])):
            if gp == 0:
                roots.append(p)
            elif (gp > 0) != (gq > 0) and gq != 0:
                roots.append(bisect(g2, p, q))
        cycle_points = [r for r in roots if all(abs(r - x) > TANGENCY * 1e10 for x, _ in fixed)]
        cycles = []
        for p in cycle_points:
            q = f(p)
            pair = (min(p, q), max(p, q))
            if not any(abs(pair[0] - c[0]) < 1e-20 for c in cycles):
                cycles.append(pair)
        return sorted(cycles)


def orbit_limit(f: SigmoidMap, h0, fixed: list, cycles: list) -> tuple:
    """Where the orbit of ``h0`` goes, from the monotonicity of f (or of f o f).

    An increasing map moves a point monotonically towards the nearest fixed
    point in the direction of f(h0) - h0; for w < 0 the same holds for f o f,
    whose fixed points are f's and the 2-cycles'.

    Returns:
        ``("fixed point", (h*,))`` or ``("2-cycle", (p, q))``.
    """
    with mpmath.workdps(DIGITS):
        h0 = mpmath.mpf(h0.p) / h0.q if hasattr(h0, "q") else mpmath.mpf(h0)
        step = f if f.w >= 0 else (lambda h: f(f(h)))
        targets = [(x, ("fixed point", (x,))) for x, _ in fixed]
        for p, q in cycles:
            targets += [(p, ("2-cycle", (p, q))), (q, ("2-cycle", (p, q)))]
        targets.sort(key=lambda item: item[0])
        move = step(h0) - h0
        for x, limit in targets:
            if abs(x - h0) < TANGENCY:
                return limit
        if move > 0:
            return next(limit for x, limit in targets if x > h0)
        return next(limit for x, limit in reversed(targets) if x < h0)
