"""Reading answers with the grammar: what it reads, what it refuses, and that it never runs student text."""

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import pytest
from rnnsym.answer_grammar import read
from rnnsym.answer_parsing import parse_answer
from rnnsym.notation import sigmoid

NAMES = {n: sympy.Symbol(n, real=True) for n in (
    "x", "w", "w_h", "w_x", "w_y", "x1", "h_t", "h_next", "h0", "h0_1", "h3", "yhat3", "y3", "hstar")}
NAMES["t"] = sympy.Symbol("t", integer=True, nonnegative=True)
x, w, w_h, x1, h_t, h_next, h0_1, h3, yhat3, hstar, t = (NAMES[n] for n in (
    "x", "w", "w_h", "x1", "h_t", "h_next", "h0_1", "h3", "yhat3", "hstar", "t"))


@pytest.mark.parametrize(
    "text, expected",
    [
        # The LaTeX of issue #11.
        (r"\pi", sympy.pi),
        (r"e^x", sympy.exp(x)),
        (r"e^-w", sympy.exp(-w)),
        (r"\frac{1}{e^w}", sympy.exp(-w)),
        (r"\ln x", sympy.log(x)),
        (r"\log x", sympy.log(x)),
        (r"\log_{2} x", sympy.log(x, 2)),
        (r"\log_2 x", sympy.log(x, 2)),
        (r"\dfrac{x}{2}", x / 2),
        (r"\tfrac{1}{3} x", x / 3),
        (r"\frac12", sympy.Rational(1, 2)),
        (r"\sqrt3", sympy.sqrt(3)),
        (r"\sqrt{x}", sympy.sqrt(x)),
        (r"\sqrt[3]{x}", x ** sympy.Rational(1, 3)),
        (r"|x|", sympy.Abs(x)),
        (r"\left| x \right|", sympy.Abs(x)),
        (r"2|x - 1| + 1", 2 * sympy.Abs(x - 1) + 1),
        (r"x \div 2", x / 2),
        (r"\tanh x", sympy.tanh(x)),
        (r"\tanh(w x)", sympy.tanh(w * x)),
        (r"\exp x", sympy.exp(x)),
        (r"\exp(-x)", sympy.exp(-x)),
        (r"2 \cdot x", 2 * x),
        (r"2 \times x", 2 * x),
        (r"\sigma(w x)", sigmoid(w * x)),
        (r"\sigma\left(w_h x_1\right)", sigmoid(w_h * x1)),
        (r"\mathrm{ReLU}(x)", sympy.Max(0, x)),
        (r"\operatorname{relu}(x - 1)", sympy.Max(0, x - 1)),
        (r"\max(0, x)", sympy.Max(0, x)),
        (r"\min(x, 1)", sympy.Min(x, 1)),
        (r"h_{t+1}", h_next),
        (r"h_{t + 1}", h_next),
        (r"h_t", h_t),
        (r"\hat{y}_3", yhat3),
        (r"\hat{y}_{3}", yhat3),
        (r"h^{(0)}_1", h0_1),
        (r"h^*", hstar),
        (r"w_h", w_h),
        (r"w_{h}", w_h),
        (r"x_1", x1),
        (r"x_{1}", x1),
        (r"h_3", h3),
        (r"w_h^{2} x_1", w_h**2 * x1),
        (r"2^{t}", 2**t),
        (r"\frac{1}{1 + e^{-x}}", 1 / (1 + sympy.exp(-x))),
        (r"2 h_{t+1}(1 - h_{t+1})", 2 * h_next * (1 - h_next)),
        (r"\displaystyle x\,\cdot\;2", 2 * x),
        # SymPy syntax and plain text.
        ("2h_t", 2 * h_t),
        ("w h_t (1-h_t)", w * h_t * (1 - h_t)),
        ("w*h_t*(1 - h_t)", w * h_t * (1 - h_t)),
        ("x**2 + x^3", x**2 + x**3),
        ("-x^2", -(x**2)),
        ("2**-1", sympy.Rational(1, 2)),
        ("2^3^2", sympy.Integer(2**9)),
        ("1/2x", x / 2),
        ("0.25*x", x / 4),
        ("1.5e2", sympy.Integer(150)),
        ("tanh(x) + sin(x) + cos(x)", sympy.tanh(x) + sympy.sin(x) + sympy.cos(x)),
        ("sigmoid(x) + σ(w)", sigmoid(x) + sigmoid(w)),
        ("relu(x) + ReLU(w)", sympy.Max(0, x) + sympy.Max(0, w)),
        ("Max(0, x) + Min(x, w)", sympy.Max(0, x) + sympy.Min(x, w)),
        ("exp(x) + log(x) + ln(w) + sqrt(x) + Abs(w)",
         sympy.exp(x) + sympy.log(x) + sympy.log(w) + sympy.sqrt(x) + sympy.Abs(w)),
        ("log(x, 2)", sympy.log(x, 2)),
        ("log_2(x)", sympy.log(x, 2)),
        ("pi + E + e", sympy.pi + 2 * sympy.E),
        ("[1+2][3-4]", sympy.Integer(-3)),  # brackets group: (1+2)(3-4), never indexing
        ("{x + 1}(x - 1)", (x + 1) * (x - 1)),
        ("h0_1", h0_1),
        ("x − 1", x - 1),  # U+2212 minus
        ("2·x", 2 * x),
    ],
)
def test_forms_students_type_read_as_their_value(text, expected):
    assert sympy.simplify(parse_answer(text, NAMES) - expected) == 0


@pytest.mark.parametrize(
    "text, reason",
    [
        ("092", "starts with 0"),  # refused rather than read as 92 (or, as before, 0)
        ("0x0d", "hexadecimal"),
        ("1_3", "'_' inside the number"),
        ("2 3", "two numbers in a row"),
        ("h_t # comment", "'#' is not a comment"),
        ("h_t > 0", "comparisons"),
        ("h_t < 0", "comparisons"),
        ("h_t = 1", "'='"),
        ("h_t & h_next", "'&'"),
        ("~h_t", "'~'"),
        ("exp(h_t > 0)", "comparisons"),
        ("sigmoid(h_t > 0)", "comparisons"),
        ("(1, 2)[1]", "comma outside"),
        ("(h_t, 2*h_next*(1 - h_next))[1]", "comma outside"),
        ("().__class__", "'.'"),
        ("x.real", "'.'"),
        ("'x'", "quotes"),
        ("lambda: 1", "':'"),
        ("[x for x in y]", "unknown name"),
        ("import os", "unknown name"),
        ("Foo(x)", "unknown name"),
        ("pdfobj(x)", "unknown name"),
        ("nan", "unknown name"),
        ("inf", "unknown name"),
        ("oo", "unknown name"),
        ("1/0", "not finite"),
        ("0/0", "not a finite number"),
        ("log(0)", "not finite"),
        ("1e400", "out of range"),
        ("10**400", "out of range"),
        ("10**5000", "out of range"),
        ("9**9**9", "out of range"),
        ("exp(10**6)", "out of range"),
        ("x**100000", "out of range"),
        ("x**(x**(x**x))", "nested more than"),
        ("exp(exp(exp(x)))", "nested more than"),
        ("1" * 41, "more than 40 digits"),
        ("Min()", "takes 1 to 10 argument"),
        ("sqrt(x, 2)", "takes 1 argument"),
        ("(" * 5000 + "x" + ")" * 5000, "longer than"),
        ("(" * 100 + "x" + ")" * 100, "nested more than"),
        ("-" * 100 + "x", "nested more than"),
        ("x" + "^x" * 100, "nested more than"),
        (r"\alpha + 1", "unknown LaTeX command"),
        (r"\frac{1}", "expected"),
        ("", "empty"),
        ("()", "empty brackets"),
        ("2*(", "expected"),
        ("|x", "expected"),
    ],
)
def test_refused_text_says_why(text, reason):
    with pytest.raises(ValueError, match=None) as caught:
        parse_answer(text, NAMES)
    assert reason in str(caught.value)


def test_decimals_are_read_exactly_and_flagged():
    reading = read("0.1 + 2", {})
    assert reading.expr == sympy.Rational(21, 10) and reading.approximate
    assert not read("1/10 + 2", {}).approximate


def test_names_outside_the_key_are_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown name.*expected names from h_t"):
        parse_answer("m + 1", {"h_t": h_t})


ALPHABET = "0123456789xwht_^*/+-()[]{}|., \\e#=<>&~'\"!:;@σπ·×" + "abcdefghijklmnopqrstuvwxyz" + "AEIMNRS"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_text_either_reads_or_says_why(text):
    try:
        expr = parse_answer(text, NAMES)
    except ValueError as error:
        assert str(error)
        return
    assert isinstance(expr, sympy.Basic)
    assert not expr.has(sympy.zoo, sympy.nan, sympy.oo)
    assert expr.free_symbols <= set(NAMES.values())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["9", "**", "(", ")", "x", "exp(", "10", "^", "-", "1e300", "*", "/"]), max_size=40))
def test_numbers_stay_bounded(parts):
    try:
        expr = parse_answer("".join(parts), NAMES)
    except ValueError:
        return
    for number in expr.atoms(sympy.Rational):
        assert abs(number.p).bit_length() <= 1000 and number.q.bit_length() <= 1000
