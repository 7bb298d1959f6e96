"""Exact eigen-analysis of the linear recurrence h^(t) = W^T h^(t-1).

Symmetric W: W = Q Lambda Q^T with orthonormal Q. Diagonalizable W:
W = P Lambda P^-1. Defective W: W = P J P^-1 with J in Jordan form, whose
t-th power is taken block by block: (J_block^t)_{i, i+j} = C(t, j) lambda^(t-j).
Then (W^T)^t = (W^t)^T = (P J^t P^-1)^T.
"""

from __future__ import annotations

import dataclasses

import sympy

t = sympy.Symbol("t", integer=True, nonnegative=True)


@dataclasses.dataclass(frozen=True)
class Decomposition:
    """W = P J P^-1, J diagonal unless W is defective.

    For a symmetric W the columns of P are orthogonal eigenvectors and
    ``Q`` holds them normalised (W = Q Lambda Q^T); P itself is kept
    unnormalised because exact work with it avoids nested radicals.
    """

    kind: str  # "symmetric", "diagonalizable" or "defective"
    P: sympy.Matrix
    J: sympy.Matrix
    blocks: tuple  # (eigenvalue, block size) along the diagonal of J
    Q: sympy.Matrix | None = None


def _by_real_part(value):
    return (-sympy.re(value).evalf(30), -sympy.im(value).evalf(30))


def _orthogonal_eigenbasis(W: sympy.Matrix):
    columns, values = [], []
    for value, multiplicity, vectors in sorted(W.eigenvects(), key=lambda e: _by_real_part(e[0])):
        # Orthogonalise within a repeated eigenvalue's eigenspace (without
        # normalising); eigenvectors of different eigenvalues are orthogonal.
        for vector in sympy.GramSchmidt(vectors):
            columns.append(vector.applyfunc(sympy.radsimp))
            values.append(value)
    return sympy.Matrix.hstack(*columns), values


def _jordan_blocks(J: sympy.Matrix) -> tuple:
    blocks, start, n = [], 0, J.rows
    while start < n:
        size = 1
        while start + size < n and J[start + size - 1, start + size] == 1:
            size += 1
        blocks.append((J[start, start], size))
        start += size
    return tuple(blocks)


def decompose(W: sympy.Matrix) -> Decomposition:
    """The exact eigendecomposition (or Jordan form) of W, eigenvalues descending by real part."""
    if W.is_symmetric():
        P, values = _orthogonal_eigenbasis(W)
        Q = sympy.Matrix.hstack(*(P[:, i] / sympy.sqrt(P[:, i].dot(P[:, i])) for i in range(P.cols)))
        return Decomposition("symmetric", P, sympy.diag(*values), tuple((v, 1) for v in values), Q)
    P, J = W.jordan_form()
    blocks = _jordan_blocks(J)
    if all(size == 1 for _, size in blocks):
        order = sorted(range(W.rows), key=lambda i: _by_real_part(J[i, i]))
        P = sympy.Matrix.hstack(*(P[:, i] for i in order))
        J = sympy.diag(*(J[i, i] for i in order))
        return Decomposition("diagonalizable", P, J, tuple((J[i, i], 1) for i in range(W.rows)))
    return Decomposition("defective", P, J, blocks)


def jordan_power(blocks: tuple, exponent=t) -> sympy.Matrix:
    """J^t, block by block. For lambda = 0, lambda^(t-j) C(t, j) is 1 exactly when t = j."""
    pieces = []
    for value, size in blocks:
        block = sympy.zeros(size, size)
        for i in range(size):
            for j in range(size - i):
                if value == 0:
                    entry = sympy.KroneckerDelta(exponent, j)
                else:
                    entry = sympy.binomial(exponent, j) * value ** (exponent - j)
                block[i, i + j] = entry
        pieces.append(block)
    return sympy.diag(*pieces)


def transpose_power(d: Decomposition, exponent=t) -> sympy.Matrix:
    """(W^T)^t = (P J^t P^-1)^T."""
    return (d.P * jordan_power(d.blocks, exponent) * d.P.inv()).T


def closed_form(d: Decomposition, h0: sympy.Matrix) -> tuple[sympy.Matrix, tuple]:
    """h^(t) = (W^T)^t h^(0), and its terms lambda_i^t c_i when W is diagonalizable.

    For diagonalizable W, W^t = sum_i lambda_i^t p_i r_i (p_i the columns of
    P, r_i the rows of P^-1), so h^(t) = sum_i lambda_i^t r_i^T (p_i . h^(0)).

    Returns:
        ``(h_t, terms)`` with ``terms`` a tuple of ``(lambda_i^t, c_i)``
        (empty for a defective W).
    """
    inverse = d.P.inv().applyfunc(sympy.radsimp)
    if d.kind == "defective":
        h_t = ((d.P * jordan_power(d.blocks) * inverse).T * h0).applyfunc(sympy.expand)
        return h_t, ()
    terms = []
    for i, (value, _) in enumerate(d.blocks):
        coefficient = (inverse[i, :].T * d.P[:, i].dot(h0)).applyfunc(
            lambda e: sympy.collect(sympy.expand(sympy.radsimp(e)), list(h0))
        )
        power = sympy.KroneckerDelta(t, 0) if value == 0 else value**t
        terms.append((power, coefficient))
    h_t = sympy.zeros(h0.rows, 1)
    for power, coefficient in terms:
        h_t += coefficient * power
    return h_t, tuple(terms)


def spectral_radius(d: Decomposition) -> sympy.Expr:
    return sympy.Max(*(sympy.Abs(value) for value, _ in d.blocks))


def regime(d: Decomposition) -> str:
    """What h^(t) does for a generic h^(0): vanishes, explodes or stays bounded."""
    radius = spectral_radius(d)
    if radius < 1:
        return "vanishes"
    if radius > 1:
        return "explodes"
    on_circle = [size for value, size in d.blocks if sympy.Abs(value) == 1]
    return "bounded" if all(size == 1 for size in on_circle) else "explodes"


def limit(d: Decomposition) -> sympy.Matrix | None:
    """lim_{t -> oo} (W^T)^t, or None when it does not exist.

    It exists exactly when every eigenvalue has |lambda| < 1 or is 1 with
    Jordan blocks of size 1; it is then the projection onto the eigenspace
    of 1 (zero if there is none).
    """
    for value, size in d.blocks:
        if sympy.Abs(value) >= 1 and not (value == 1 and size == 1):
            return None
    limit_of_power = sympy.diag(*(1 if value == 1 else 0 for value, size in d.blocks for _ in range(size)))
    return (d.P * limit_of_power * d.P.inv()).applyfunc(sympy.radsimp).T


# W^k = I is looked for up to this k: a rational n x n matrix (n <= 4) of
# finite order has order 1, 2, 3, 4, 5, 6, 8, 10 or 12.
MAX_PERIOD = 12


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the prose about h^(t) = W^T h^(t-1) may claim, each fact established exactly.

    Attributes:
        symmetric: W = W^T (orthogonal eigenvectors).
        defective: W has a Jordan block of size > 1 (too few eigenvectors).
        orthogonal: W^T W = I, so every step preserves the norm of h.
        period: the smallest k <= MAX_PERIOD with W^k = I, else None.
        reflection: symmetric and orthogonal with exactly one eigenvalue -1
            (a mirror: period 2, norm preserved).
        oscillates: an eigenvalue on the unit circle other than 1 (-1 or a
            complex pair): those components turn or flip for ever.
        every_h0: the regime holds for every nonzero h^(0), not only for a
            generic one.
        transient: the eigenvalues 0 < |lambda| < 1 of Jordan blocks of size > 1,
            whose terms t lambda^(t-1) grow before they decay.
        polynomial_growth: a Jordan block of size > 1 on the unit circle, so
            the state grows like a power of t, not exponentially.
        limit_kind: None (no limit), "zero", "orthogonal" (a symmetric
            projector) or "oblique".
        state_directions: integer vectors spanning the range of the limit L
            of (W^T)^t, where h^(t) ends up.
        gradient_directions: integer vectors spanning the range of L^T,
            where dE/dh^(0) = L^T dE/dh^(t) ends up (the same as
            state_directions exactly when L is symmetric).
    """

    symmetric: bool
    defective: bool
    orthogonal: bool
    period: int | None
    reflection: bool
    oscillates: bool
    every_h0: bool
    transient: tuple
    polynomial_growth: bool
    limit_kind: str | None
    state_directions: tuple = ()
    gradient_directions: tuple = ()


def _integer_direction(vector: sympy.Matrix) -> sympy.Matrix:
    """The vector scaled to coprime integers (rational entries), first nonzero entry positive."""
    entries = [sympy.nsimplify(e) for e in vector]
    if not all(e.is_Rational for e in entries):
        return vector
    scale = sympy.ilcm(*(e.q for e in entries)) if len(entries) > 1 else entries[0].q
    integers = [int(e * scale) for e in entries]
    divisor = sympy.igcd(*integers) if len(integers) > 1 else abs(integers[0])
    sign = -1 if next(i for i in integers if i != 0) < 0 else 1
    return sympy.Matrix([sign * i // divisor for i in integers])


def _is_zero(expr) -> bool:
    return sympy.simplify(expr) == 0


def facts(W: sympy.Matrix, d: Decomposition) -> Facts:
    """The facts of :class:`Facts` for W and its decomposition ``d``."""
    identity = sympy.eye(W.rows)
    moduli = [(value, size, sympy.nsimplify(sympy.Abs(value))) for value, size in d.blocks]
    orthogonal = (W.T * W - identity).is_zero_matrix is True
    period, power = None, identity
    # W is exact (its entries are read exactly), so its powers are too and
    # W^k = I is an exact comparison: no simplification needed.
    for k in range(1, MAX_PERIOD + 1):
        power = (power * W).applyfunc(sympy.expand)
        if power == identity:
            period = k
            break
    minus_ones = sum(size for value, size in d.blocks if _is_zero(value + 1))
    on_circle = [(value, size) for value, size, modulus in moduli if _is_zero(modulus - 1)]
    kind = regime(d)
    limit_matrix = limit(d)
    if limit_matrix is None:
        limit_kind = None
    elif limit_matrix.is_zero_matrix:
        limit_kind = "zero"
    else:
        limit_kind = "orthogonal" if limit_matrix.is_symmetric() else "oblique"
    return Facts(
        symmetric=d.kind == "symmetric",
        defective=d.kind == "defective",
        orthogonal=orthogonal,
        period=period,
        reflection=orthogonal and W.is_symmetric() and minus_ones == 1,
        oscillates=any(not _is_zero(value - 1) for value, _ in on_circle),
        every_h0=kind in ("vanishes", "bounded") or all(modulus > 1 for _, _, modulus in moduli),
        transient=tuple(value for value, size, modulus in moduli if size > 1 and 0 < modulus < 1),
        polynomial_growth=any(size > 1 for _, size in on_circle),
        limit_kind=limit_kind,
        state_directions=tuple(_integer_direction(v) for v in limit_matrix.columnspace())
        if limit_kind not in (None, "zero") else (),
        gradient_directions=tuple(_integer_direction(v) for v in limit_matrix.T.columnspace())
        if limit_kind not in (None, "zero") else (),
    )
