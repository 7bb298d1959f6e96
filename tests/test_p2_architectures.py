"""Problem 2b: the cost polynomials, their independent counts, torch."""

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import p2_architectures as p2
from rnnsym import instrumented, torch_reference
from tests.conftest import skip_unless

m, h, V, T = p2.m, p2.h, p2.V, p2.T
D = p2.derive(p2.Params())


@pytest.mark.parametrize(
    "convention, part, expected",
    [
        # By hand from the conventions of problem-set.md, one step at a time.
        ("default", "encoder", T * (m * (2 * V - 1) + h * (2 * m - 1) + h * (2 * h - 1) + 3 * h)),
        ("default", "decoder", T * (h * (2 * h - 1) + 2 * h + V * (2 * h - 1) + V + 3 * V - 1)),
        ("flop_counter", "encoder", T * (2 * h * m + 2 * h * h)),
        ("flop_counter", "decoder", T * (2 * h * h + 2 * V * h)),
    ],
)
def test_operation_polynomials(convention, part, expected):
    assert sympy.expand(D.ops[convention][part] - expected) == 0
    assert sympy.expand(D.ops[convention]["total"] - D.ops[convention]["encoder"] - D.ops[convention]["decoder"]) == 0


@pytest.mark.parametrize(
    "convention, expected",
    [
        ("default", m * V + h * m + h * h + h + h * h + h + h * V + V),
        ("torch", m * V + h * m + h * h + 2 * h + h * h + h + h * V + V),
    ],
)
def test_parameter_polynomials(convention, expected):
    assert sympy.expand(D.parameters[convention]["total"] - expected) == 0


def test_default_example_sizes():
    assert D.at_example(D.ops["default"]["total"]) == 79042220
    assert D.at_example(D.parameters["default"]["total"]) == 1971216


@settings(max_examples=15, deadline=None)
@given(size_m=st.integers(1, 4), size_h=st.integers(1, 4), size_V=st.integers(2, 6), size_T=st.integers(1, 4),
       seed=st.integers(0, 2**32 - 1))
def test_instrumented_count_equals_the_polynomial_at_random_sizes(size_m, size_h, size_V, size_T, seed):
    import numpy

    rng = numpy.random.default_rng(seed)
    weights = instrumented.EncoderDecoderWeights.random(size_m, size_h, size_V, rng)
    counted = instrumented.counted_forward(weights, list(rng.integers(0, size_V, size_T)), size_T)
    values = {m: size_m, h: size_h, V: size_V, T: size_T}
    for part in ("encoder", "decoder"):
        assert sum(counted[part].values()) == D.ops["default"][part].subs(values)


def test_a_wrong_convention_fails_the_instrumented_check():
    wrong = dict(D.ops)
    wrong["default"] = {**D.ops["default"], "decoder": D.ops["default"]["decoder"] + T}
    import dataclasses

    check = p2._check_instrumented(dataclasses.replace(D, ops=wrong))
    assert check.passed is False


def test_torch_checks_run_and_pass():
    skip_unless(torch_reference.available(), "TORCH", "torch not installed (pip install '.[torch]')")
    results = {c.id: c.passed for c in p2.checks(D)}
    assert results["2b.params_torch"] is True and results["2b.flops_torch"] is True


def test_conventions_are_chosen_in_the_parameter_file(tmp_path):
    from rnnsym.errors import InputError
    from rnnsym.params import load_variant

    path = tmp_path / "p.toml"
    path.write_text('[p2]\nops_convention = "flop_counter"\nparams_convention = "torch"\nm = 8\n')
    assert load_variant(path).problems["p2"].ops_convention == "flop_counter"
    path.write_text('[p2]\nops_convention = "cheap"\n')
    with pytest.raises(InputError, match="p2.ops_convention"):
        load_variant(path)
    path.write_text("[p2]\nh = 0\n")
    with pytest.raises(InputError, match="p2.h"):
        load_variant(path)
