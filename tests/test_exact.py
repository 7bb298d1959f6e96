import pytest
import sympy

from rnnsym.errors import InputError
from rnnsym.exact import format_number, parse_number

R = sympy.Rational


@pytest.mark.parametrize(
    "value, expected",
    [
        (2, R(2)),
        (-7, R(-7)),
        (0.08, R(2, 25)),
        ("0.08", R(2, 25)),
        ("-1.88", R(-47, 25)),
        ("-1/2", R(-1, 2)),
        ("28/75", R(28, 75)),
        (" 3 / 6 ", R(1, 2)),
        ("1e-3", R(1, 1000)),
        ("2.5E2", R(250)),
        (".5", R(1, 2)),
        ("+4", R(4)),
    ],
)
def test_numbers_are_read_exactly(value, expected):
    assert parse_number(value, "p1.w") == expected


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("abc", "expected a number"),
        ("1/0", "denominator is zero"),
        (True, "expected a number"),
        ([1], "expected a number"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("1e999999", "exponent"),
        ("", "expected a number"),
    ],
)
def test_bad_numbers_name_the_key(value, fragment):
    with pytest.raises(InputError) as error:
        parse_number(value, "p1.w")
    assert "p1.w" in str(error.value) and fragment in str(error.value)


@pytest.mark.parametrize(
    "number, text",
    [(R(-47, 25), "-1.88"), (R(2, 25), "0.08"), (R(28, 75), "28/75"), (R(5), "5"), (R(-1, 2), "-0.5"), (R(1, 3), "1/3")],
)
def test_numbers_are_written_as_typed_and_read_back(number, text):
    assert format_number(number) == text
    assert parse_number(text, "k") == number
