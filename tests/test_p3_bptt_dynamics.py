"""Problem 3: BPTT identities, exact eigen-dynamics over many W, the must-show cases."""

import dataclasses

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import p3_bptt_dynamics as p3
from rnnsym import linear_dynamics, torch_reference
from rnnsym.errors import InputError
from rnnsym.linear_dynamics import t
from rnnsym.params import load_variant
from tests.conftest import skip_unless

R = sympy.Rational


def failed(d):
    return [c for c in p3.checks(d) if c.failed]


def test_torch_autograd_check_runs_and_passes():
    skip_unless(torch_reference.available(), "TORCH", "torch not installed (pip install '.[torch]')")
    check = next(c for c in p3.checks(p3.derive(p3.Params())) if c.id == "3a.torch")
    assert check.passed is True, check


def test_default_variant_passes_every_check():
    d = p3.derive(p3.Params())
    assert not failed(d)
    assert d.dynamics.eigenvalues == (R(1, 8) + 3 * sympy.sqrt(73) / 200, R(1, 8) - 3 * sympy.sqrt(73) / 200)
    assert d.dynamics.regime == "vanishes"
    assert d.dynamics3.limit == sympy.Matrix([[1, 2, 2], [2, 4, 4], [2, 4, 4]]) / 9


@pytest.mark.parametrize("T", [1, 2, 3, 5])
def test_bptt_for_small_T_matches_the_hand_formula(T):
    b = p3.derive_bptt(T)
    # dE/dw_h = delta_T * sum_k w_h^(T-k) h_{k-1}, with h_k = w_h^k h0 + sum_j w_h^(k-j) w_x x_j.
    def h(n):
        return p3.w_h**n * p3.h0 + sum(p3.w_h ** (n - j) * p3.w_x * b.xs[j - 1] for j in range(1, n + 1))
    assert sympy.expand(b.sums["dE_dwh"] - sum(p3.w_h ** (T - k) * h(k - 1) for k in range(1, T + 1))) == 0
    assert sympy.expand(b.sums["dE_dwx"] - sum(p3.w_h ** (T - k) * b.xs[k - 1] for k in range(1, T + 1))) == 0
    assert not p3._check_autodiff(b).failed


def test_default_t3_sum_is_3wh2h0_plus_2whwxx1_plus_wxx2():
    b = p3.derive_bptt(3)
    x1, x2 = b.xs[:2]
    assert sympy.expand(b.sums["dE_dwh"] - (3 * p3.w_h**2 * p3.h0 + 2 * p3.w_h * p3.w_x * x1 + p3.w_x * x2)) == 0


def test_defective_w_gets_its_jordan_form():
    d = p3.derive(dataclasses.replace(p3.Params(), W=((R(1), R(1)), (R(0), R(1)))))
    h1, h2 = d.dynamics.h0
    assert d.dynamics.decomposition.kind == "defective"
    assert list(d.dynamics.h_t) == [h1, t * h1 + h2]
    assert d.dynamics.regime == "explodes"
    assert not failed(d)


@pytest.mark.parametrize(
    "rows, kind, regime",
    [
        (((R(1, 2), R(1)), (R(0), R(1, 3))), "diagonalizable", "vanishes"),
        (((R(0), R(-1)), (R(1), R(0))), "diagonalizable", "bounded"),
        (((R(2), R(1)), (R(1), R(2))), "symmetric", "explodes"),
        (((R(0), R(1)), (R(0), R(0))), "defective", "vanishes"),
        (((R(1, 2), R(1)), (R(0), R(1, 2))), "defective", "vanishes"),
        (((R(-1), R(0)), (R(0), R(1, 2))), "symmetric", "bounded"),
    ],
)
def test_kinds_and_regimes_table(rows, kind, regime):
    d = p3.derive(dataclasses.replace(p3.Params(), W=rows))
    assert (d.dynamics.decomposition.kind, d.dynamics.regime) == (kind, regime)
    assert not failed(d)


entries = st.fractions(min_value=-2, max_value=2, max_denominator=6).map(R)


@settings(max_examples=25, deadline=None)
@given(a=entries, b=entries, c=entries, e=entries)
def test_any_2x2_closed_form_is_exact(a, b, c, e):
    W = sympy.Matrix([[a, b], [c, e]])
    dec = linear_dynamics.decompose(W)
    h0 = sympy.Matrix(sympy.symbols("h0_1 h0_2"))
    h_t, _ = linear_dynamics.closed_form(dec, h0)
    for step in range(5):
        difference = h_t.subs(t, step) - (W.T**step) * h0
        assert all(sympy.simplify(sympy.expand(x)) == 0 for x in difference)


@settings(max_examples=10, deadline=None)
@given(p=st.integers(1, 6), q=st.integers(1, 6), l1=entries, l2=entries, l3=entries)
def test_symmetric_3x3_with_rational_eigenvalues_passes_all_checks(p, q, l1, l2, l3):
    # A rational orthogonal Q from a Pythagorean-style construction.
    n = sympy.Matrix([p, q, 1])
    Q = sympy.eye(3) - 2 * n * n.T / n.dot(n)
    W3 = Q * sympy.diag(l1, l2, l3) * Q.T
    d = p3.derive(dataclasses.replace(p3.Params(), W3=tuple(tuple(row) for row in W3.tolist())))
    assert not failed(d)


def test_bad_w_names_p3_w(tmp_path):
    path = tmp_path / "p.toml"
    for text in ("[p3]\nW = [[1, 2, 3], [4, 5, 6]]\n", '[p3]\nW = [["a", 1], [1, 1]]\n', "[p3]\nW = 3\n"):
        path.write_text(text)
        with pytest.raises(InputError, match=r"p3\.W"):
            load_variant(path)
    path.write_text("[p3]\nT = 0\n")
    with pytest.raises(InputError, match=r"p3\.T"):
        load_variant(path)


def test_eigenvalue_minus_one_has_no_limit():
    W3 = ((R(-1), R(0), R(0)), (R(0), R(0), R(0)), (R(0), R(0), R(1, 2)))
    d = p3.derive(dataclasses.replace(p3.Params(), W3=W3))
    assert d.dynamics3.limit is None
    assert not failed(d)
