import pytest
import sympy

from rnnsym.errors import InputError
from rnnsym.exact import parse_number
from rnnsym.params import load_variant, variant_as_strings
from tests.conftest import write


def test_no_file_gives_the_homework_defaults():
    variant = load_variant(None)
    p1 = variant.problems["p1"]
    assert (p1.w, p1.b, p1.relu_a, p1.relu_c) == (2, sympy.Rational(-47, 25), 2, -1)
    assert variant.meta.variant == "default"


def test_empty_file_gives_the_defaults(tmp_path):
    assert load_variant(write(tmp_path / "p.toml", "")) == load_variant(None)


def test_values_are_read_exactly_and_sections_of_later_problems_are_accepted(tmp_path):
    text = """
[meta]
title = "Week 5"
[p1]
w = 6
b = "-3"
cobweb_h0 = ["0.1", 0.9]
relu_c = "-1/2"
[p2]
m = 64
[p3]
W = [["0.08", "0.12"], ["0.12", "0.17"]]
[p4]
G = 5
shape3 = [4, 5, 6]
"""
    variant = load_variant(write(tmp_path / "p.toml", text))
    p1 = variant.problems["p1"]
    assert p1.w == 6 and p1.b == -3 and p1.relu_c == sympy.Rational(-1, 2)
    assert p1.cobweb_h0 == (sympy.Rational(1, 10), sympy.Rational(9, 10))
    # answers.json keeps each number as it was typed.
    assert variant_as_strings(variant)["p1"]["relu_c"] == "-1/2"
    assert variant_as_strings(variant)["p1"]["cobweb_h0"] == ["0.1", "0.9"]


@pytest.mark.parametrize(
    "text, fragments",
    [
        ('[p1]\nw = "abc"', ["p1.w", "'abc'", "expected a number"]),
        ("[p1]\nw = 51", ["p1.w", "<= 50"]),
        ("[p1]\nomega = 1", ["p1.omega", "unknown key"]),
        ("[p9]\nx = 1", ["[p9]", "unknown section"]),
        ("[p1]\ncobweb_h0 = 0.5", ["p1.cobweb_h0", "list"]),
        ('[p1]\ncobweb_h0 = ["0.5", "2"]', ["p1.cobweb_h0[1]", "<= 1"]),
        ("[p1]\nrelu_a = 1\nrelu_c = 0", ["p1.relu_a", "identity"]),
        ("[p1]\nrelu_a = -2\nrelu_c = 1", ["p1.relu_a", "relu_a >= -1"]),
        ("[meta]\ntitle = 5", ["meta.title", "string"]),
        ("p1 = 3", ["[p1]", "table"]),
        ("[p1\nw = 1", ["not valid TOML"]),
        ('[p1]\nb = "1/0"', ["p1.b", "denominator"]),
    ],
)
def test_bad_parameter_files_name_the_key(tmp_path, text, fragments):
    with pytest.raises(InputError) as error:
        load_variant(write(tmp_path / "p.toml", text))
    for fragment in fragments:
        assert fragment in str(error.value)


def test_non_utf8_and_missing_files_are_input_errors(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(b"[meta]\ntitle = \"\xff\xfe\"\n")
    with pytest.raises(InputError, match="UTF-8"):
        load_variant(path)
    with pytest.raises(InputError, match="cannot read"):
        load_variant(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    "toml_value, key, form, text",
    [
        ('w = "1/2"', "p1.w", "fraction", "1/2"),
        ('b = " -3 / 8 "', "p1.b", "fraction", "-3/8"),
        ('b = "-1.88"', "p1.b", "decimal", "-1.88"),
        ("b = -1.88", "p1.b", "decimal", "-1.88"),
        ('b = "1e-3"', "p1.b", "decimal", "1e-3"),
        ("w = 6", "p1.w", "integer", "6"),
        ('w = "6"', "p1.w", "integer", "6"),
        ('cobweb_h0 = ["0.02", "1/3"]', "p1.cobweb_h0[1]", "fraction", "1/3"),
    ],
)
def test_load_variant_records_how_each_number_was_typed(tmp_path, toml_value, key, form, text):
    variant = load_variant(write(tmp_path / "p.toml", f"[p1]\n{toml_value}\n"))
    typed = variant.typed[key]
    assert (typed.form, typed.text) == (form, text)
    assert typed.value == parse_number(text, key)
    section, _, name = key.partition(".")
    assert variant_as_strings(variant)[section][name.split("[")[0]] is not None


def test_matrix_entries_are_recorded_entry_by_entry(tmp_path):
    text = '[p3]\nW = [["1/2", "0.25"], [0, "-3/4"]]\n'
    variant = load_variant(write(tmp_path / "p.toml", text))
    forms = {key: t.form for key, t in variant.typed.items() if key.startswith("p3.W[")}
    assert forms == {"p3.W[0][0]": "fraction", "p3.W[0][1]": "decimal", "p3.W[1][0]": "integer",
                     "p3.W[1][1]": "fraction"}
    assert variant_as_strings(variant)["p3"]["W"] == [["1/2", "0.25"], ["0", "-3/4"]]
    number_forms = variant.number_forms("p3")
    assert number_forms.fractions == {sympy.Rational(1, 2), sympy.Rational(3, 4)}
    assert number_forms.decimals == {sympy.Rational(1, 4)} and not number_forms.prefer_fractions
    assert variant.number_forms("p1").fractions == frozenset()
