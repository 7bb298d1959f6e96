"""A grammar for students' answers: SymPy syntax and LaTeX, read without evaluation.

Student text is data from strangers. It is never given to ``eval``,
``parse_expr`` or ``sympify``: a tokenizer and a precedence-climbing
(Pratt) parser build SymPy objects from an allowed set of operators,
numbers, a whitelist of functions and constants, and the names of the key.
Everything else (attribute access, indexing, commas outside a function's
arguments, comparisons, ``&``, ``~``, ``#``, quotes, ``=``) is refused
with the reason.

Why a hand-written parser rather than a parser library, measured on 35
LaTeX and plain forms (those of issue #11 and the key's names) plus 3 hostile ones
(SymPy 1.14, lark 1.3.1, latex2sympy2_extended 1.11.0): SymPy's own
``parse_latex`` with the Lark backend gives a value for 24 of 35, fails on
``\\pi``, ``e^-w``, ``\\sqrt3``, ``\\sigma``, ``\\mathrm{ReLU}``,
``h_{t+1}``, ``\\hat{y}_3``, ``h^{(0)}_1``, ``[1+2][3-4]`` and all SymPy
syntax, returns an ambiguous tree for ``\\tanh x``, and computes
``10^{400}`` while it builds (its ANTLR backend needs another package and
read nothing here). latex2sympy2_extended gives a value for 32 of 35, but
many are wrong for these answers (``\\sigma(w x)`` is sigma*w*x,
``h^{(0)}_1`` is h_1**0, ``\\log x`` is base 10, ``2*h_next`` becomes
2*E*h_n*t*x) and it also builds ``10^{400}`` and ``9^{9^{9}}``. Either would
need the same name resolution, bounds and LaTeX argument rules written
around it, plus a new dependency; the grammar below (about 500 lines) reads
both syntaxes, checks every bound before the arithmetic that could grow,
and adds no dependency.

Conventions:
- ``^`` and ``**`` are powers (right associative, binding tighter than a
  leading minus: ``-x^2`` is ``-(x^2)``, ``2^-w`` is ``2^(-w)``).
- Juxtaposition multiplies (``2h_t``, ``w h_t (1-h_t)``), at the level of
  ``*``; two numbers in a row are refused (``1 000`` is a typo, not 0).
- ``( )``, ``[ ]`` and ``{ }`` only group: ``[1+2][3-4]`` is (1+2)(3-4).
- Decimals are read exactly (``0.25`` is 1/4) and flagged as approximate.
- A number may not start with 0 followed by digits: ``092`` is refused
  (rather than silently read as 92 or as 0); so are ``0x0d`` and ``1_3``.
- A function without parentheses (``\\ln x``, ``\\sqrt3``, ``\\tanh 2x``)
  takes the next factor with its power (``\\ln x^2`` is ln(x^2)).
"""

from __future__ import annotations

import dataclasses
import math
import re

import sympy

from rnnsym.i18n import N_, message
from rnnsym.notation import sigmoid

MAX_LENGTH = 2000  # characters
MAX_DEPTH = 40  # nesting of brackets, functions, signs and powers
MAX_DIGITS = 40  # significant digits of one number literal
MAX_MAGNITUDE = 300  # |number| < 10^300 for every literal and numeric power
MAX_EXPONENT = 100  # |exponent| when the exponent is a number
MAX_EXP_ARGUMENT = 1000  # |x| in exp(x) when x is a number
MAX_TOWER = 1  # exponentials (exp, or a power with a variable exponent) nested: no exp inside an exponent


def _relu(x):
    return sympy.Max(0, x)


def _log2(x):
    return sympy.log(x, 2)


# name -> (builder, smallest and largest number of arguments)
FUNCTIONS = {
    "sigmoid": (sigmoid, 1, 1), "σ": (sigmoid, 1, 1),
    "relu": (_relu, 1, 1), "ReLU": (_relu, 1, 1), "Relu": (_relu, 1, 1),
    "Max": (sympy.Max, 1, 10), "max": (sympy.Max, 1, 10), "Min": (sympy.Min, 1, 10), "min": (sympy.Min, 1, 10),
    "exp": (sympy.exp, 1, 1), "log": (sympy.log, 1, 2), "ln": (sympy.log, 1, 1), "log2": (_log2, 1, 1),
    "lg": (_log2, 1, 1), "sqrt": (sympy.sqrt, 1, 1), "Abs": (sympy.Abs, 1, 1), "abs": (sympy.Abs, 1, 1),
    "tanh": (sympy.tanh, 1, 1), "sin": (sympy.sin, 1, 1), "cos": (sympy.cos, 1, 1),
}
CONSTANTS = {"pi": sympy.pi, "π": sympy.pi, "e": sympy.E, "E": sympy.E}

# LaTeX commands: what token each becomes.
LATEX_SPACING = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
                 "displaystyle", "textstyle", "quad", "qquad", ",", ";", "!", ":", " ", "middle"}
LATEX_OPERATORS = {"cdot": "*", "times": "*", "div": "/", "ast": "*"}
LATEX_FUNCTIONS = {"sigma": "sigmoid", "exp": "exp", "ln": "ln", "log": "log", "tanh": "tanh", "sin": "sin",
                   "cos": "cos", "max": "Max", "min": "Min", "sqrt": "sqrt", "lg": "lg"}
LATEX_CONSTANTS = {"pi": "pi"}
LATEX_FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
LATEX_WORD_WRAPPERS = {"mathrm", "operatorname", "text", "mathit", "textrm", "mathsf"}
# Characters that are a token by themselves, and the kind of token each is.
SINGLE_CHARACTER_TOKENS = {**dict.fromkeys("+-*/^", "op"), **dict.fromkeys("([{", "open"),
                           **dict.fromkeys(")]}", "close"), ",": "comma", "|": "bar"}
UNICODE_OPERATORS = {"·": "*", "×": "*", "⋅": "*", "−": "-", "÷": "/", "–": "-"}

NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
IDENTIFIER = re.compile(r"[A-Za-zσπ][A-Za-z0-9]*")
SUBSCRIPT_WORD = re.compile(r"[A-Za-z0-9]+")
BRACED_SUBSCRIPT = re.compile(r"\{\s*([A-Za-z0-9]+(?:\s*\+\s*1)?)\s*\}")
STATE_SUPERSCRIPT = re.compile(r"\^\s*\{\s*\(\s*(\d+)\s*\)\s*\}")  # h^{(0)}
STAR_SUPERSCRIPT = re.compile(r"\^\s*(\*|\{\s*\*\s*\})")  # h^*, h^{*}
# Characters an answer cannot hold, each with the reason shown to the student.
REFUSED = {
    "#": N_("'#' is not a comment here: write only the expression"),
    "=": N_("'=' cannot be read: write only the expression, not an equation"),
    ">": N_("comparisons ('>') are not answers"), "<": N_("comparisons ('<') are not answers"),
    "&": N_("'&' cannot be read"), "~": N_("'~' cannot be read"), "'": N_("quotes cannot be read"),
    '"': N_("quotes cannot be read"), ".": N_("'.' cannot be read outside a number (no attribute access)"),
    ":": N_("':' cannot be read"), ";": N_("';' cannot be read"), "@": N_("'@' cannot be read"),
    "%": N_("'%%' cannot be read"), "!": N_("'!' cannot be read"),
}


@dataclasses.dataclass(frozen=True)
class Token:
    kind: str  # number, name, function, op, open, close, comma, bar, frac, end
    text: str
    position: int
    subscript: str = ""


@dataclasses.dataclass(frozen=True)
class Reading:
    """What a student's text says: the expression, and whether it was written with decimals."""

    expr: sympy.Expr
    approximate: bool


def _check_number_text(text: str, match: re.Match, position: int) -> None:
    digits = match.group(1).replace(".", "").lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise ValueError(message(N_("the number at position %(position)s has more than %(most)s digits"),
                                 position=position + 1, most=MAX_DIGITS))
    if re.match(r"0\d", match.group(1)):
        raise ValueError(message(N_("the number %(number)s starts with 0: write it without the leading zero"),
                                 number=match.group(0)))
    following = text[match.end():match.end() + 1]
    if following == "_":
        raise ValueError(message(N_("'_' inside the number at position %(position)s cannot be read"), position=position + 1))
    if match.group(0) == "0" and following in ("x", "X", "o", "O", "b", "B"):
        raise ValueError(message(N_("hexadecimal, octal and binary numbers cannot be read")))


def tokenize(text: str) -> list[Token]:
    """The tokens of an answer (SymPy syntax and LaTeX alike)."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
            continue
        char = UNICODE_OPERATORS.get(char, char)
        match = NUMBER.match(text, position)
        if match:
            _check_number_text(text, match, position)
            tokens.append(Token("number", match.group(0), position))
            position = match.end()
            continue
        if text.startswith("**", position):
            tokens.append(Token("op", "^", position))
            position += 2
            continue
        if char in SINGLE_CHARACTER_TOKENS:
            tokens.append(Token(SINGLE_CHARACTER_TOKENS[char], char, position))
            position += 1
            continue
        if char == "\\":
            position = _latex_command(text, position, tokens)
            continue
        match = IDENTIFIER.match(text, position)
        if match:
            position = _name(text, match.group(0), match.end(), position, tokens)
            continue
        raise ValueError(message(REFUSED[char]) if char in REFUSED else
                         message(N_("the character %(character)s at position %(position)s cannot be read"),
                                 character=repr(char), position=position + 1))
    tokens.append(Token("end", "", len(text)))
    return tokens


def _name(text: str, base: str, position: int, start: int, tokens: list[Token]) -> int:
    """A name with its LaTeX decorations: h^{(0)}_1, h^*, w_{h}, h_{t+1}, h_next."""
    superscript = STATE_SUPERSCRIPT.match(text, position)
    if superscript:
        base, position = base + superscript.group(1), superscript.end()
    star = STAR_SUPERSCRIPT.match(text, position)
    if star:
        base, position = base + "star", star.end()
    subscripts = []
    while text.startswith("_", position):
        braced = BRACED_SUBSCRIPT.match(text, position + 1)
        word = SUBSCRIPT_WORD.match(text, position + 1)
        if braced:
            subscripts.append(re.sub(r"\s+", "", braced.group(1)))
            position = braced.end()
        elif word:
            subscripts.append(word.group(0))
            position = word.end()
        else:
            raise ValueError(message(N_("cannot read the subscript at position %(position)s"), position=position + 1))
    tokens.append(Token("name", base, start, "_".join(subscripts)))
    return position


def _latex_command(text: str, position: int, tokens: list[Token]) -> int:
    match = re.compile(r"\\([A-Za-z]+|.)").match(text, position)
    if not match:
        raise ValueError(message(N_("a lone backslash cannot be read")))
    command, end = match.group(1), match.end()
    if command in LATEX_SPACING:
        return end
    if command in ("{", "}"):
        tokens.append(Token("open" if command == "{" else "close", command, position))
        return end
    if command in LATEX_OPERATORS:
        tokens.append(Token("op", LATEX_OPERATORS[command], position))
        return end
    if command in LATEX_FRACTIONS:
        tokens.append(Token("frac", "frac", position))
        return end
    if command in LATEX_CONSTANTS:
        tokens.append(Token("name", LATEX_CONSTANTS[command], position))
        return end
    if command == "log":
        # \log_2 x, \log_{2} x: the base-2 logarithm.
        base = re.compile(r"_\s*(\{\s*2\s*\}|2)").match(text, end)
        if base:
            tokens.append(Token("name", "log2", position))
            return base.end()
    if command in LATEX_FUNCTIONS:
        tokens.append(Token("name", LATEX_FUNCTIONS[command], position))
        return end
    if command in LATEX_WORD_WRAPPERS:
        word = re.compile(r"\{\s*([A-Za-z]+)\s*\}").match(text, end)
        if not word:
            raise ValueError(message(N_("%(command)s needs a word in braces"), command="\\" + command))
        return _name(text, word.group(1), word.end(), position, tokens)
    if command == "hat":
        hatted = re.compile(r"\{\s*([A-Za-z])\s*\}|\s*([A-Za-z])").match(text, end)
        if not hatted:
            raise ValueError(message(N_("\\hat needs a letter")))
        return _name(text, (hatted.group(1) or hatted.group(2)) + "hat", hatted.end(), position, tokens)
    raise ValueError(message(N_("unknown LaTeX command %(command)s"), command="\\" + command))


class Parser:
    """Precedence climbing over the tokens; every node is built through a bounded constructor."""

    def __init__(self, tokens: list[Token], names: dict):
        self.tokens = tokens
        self.index = 0
        self.names = names
        self.depth = 0
        self.bars = 0  # open |...| pairs: inside one, '|' closes instead of multiplying
        self.approximate = False
        self.unknown: list[str] = []

    # -- tokens
    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str, text: str | None = None) -> Token:
        token = self.take()
        if token.kind != kind or (text is not None and token.text != text):
            wanted = text or kind
            found = token.text or "the end"
            raise ValueError(message(N_("expected %(wanted)s at position %(position)s, found %(found)s"),
                                     wanted=repr(wanted), position=token.position + 1, found=repr(found)))
        return token

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ValueError(message(N_("the expression is nested more than %(most)s deep"), most=MAX_DEPTH))

    # -- grammar
    def parse(self) -> sympy.Expr:
        expr = self.expression()
        token = self.peek()
        if token.kind == "comma":
            raise ValueError(message(N_("a comma outside a function's arguments: write one expression (no tuples)")))
        if token.kind != "end":
            raise ValueError(message(N_("unexpected %(found)s at position %(position)s"), found=repr(token.text),
                                     position=token.position + 1))
        return expr

    def expression(self) -> sympy.Expr:
        self.enter()
        terms = [self.term()]
        while self.peek().kind == "op" and self.peek().text in "+-":
            sign = self.take().text
            term = self.term()
            terms.append(-term if sign == "-" else term)
        self.depth -= 1
        return _bounded(sympy.Add(*terms))

    def starts_factor(self, token: Token) -> bool:
        if token.kind in ("number", "name", "frac"):
            return True
        if token.kind == "open":
            return True
        return token.kind == "bar" and self.bars == 0

    def term(self) -> sympy.Expr:
        product = self.signed()
        while True:
            token = self.peek()
            if token.kind == "op" and token.text in "*/":
                self.take()
                factor = self.signed()
                product = _bounded(product * factor if token.text == "*" else product / factor)
            elif self.starts_factor(token):
                if token.kind == "number" and self.tokens[self.index - 1].kind == "number":
                    raise ValueError(message(N_("two numbers in a row at position %(position)s"), position=token.position + 1))
                product = _bounded(product * self.power())
            else:
                return product

    def signed(self) -> sympy.Expr:
        token = self.peek()
        if token.kind == "op" and token.text in "+-":
            self.take()
            self.enter()
            value = self.signed()
            self.depth -= 1
            return -value if token.text == "-" else value
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.atom()
        if self.peek().kind == "op" and self.peek().text == "^":
            self.take()
            self.enter()
            exponent = self.signed()  # right associative; 2^-w
            self.depth -= 1
            return _power(base, exponent)
        return base

    def atom(self) -> sympy.Expr:
        token = self.take()
        if token.kind == "number":
            return self.number(token)
        if token.kind == "open":
            self.enter()
            if self.peek().kind == "close":
                raise ValueError(message(N_("empty brackets at position %(position)s"), position=token.position + 1))
            inner = self.expression()
            if self.peek().kind == "comma":
                raise ValueError(message(N_("a comma outside a function's arguments: write one expression (no tuples)")))
            self.expect("close", {"(": ")", "[": "]", "{": "}"}[token.text])
            self.depth -= 1
            return inner
        if token.kind == "bar":
            self.enter()
            self.bars += 1
            inner = self.expression()
            self.expect("bar")
            self.bars -= 1
            self.depth -= 1
            return sympy.Abs(inner)
        if token.kind == "frac":
            numerator, denominator = self.latex_argument(), self.latex_argument()
            return _bounded(numerator / denominator)
        if token.kind == "name":
            return self.name(token)
        found = token.text or "the end"
        raise ValueError(message(N_("unexpected %(found)s at position %(position)s"), found=repr(found),
                                 position=token.position + 1))

    def number(self, token: Token) -> sympy.Expr:
        mantissa, _, exponent = token.text.lower().partition("e")
        if exponent and abs(int(exponent)) > MAX_MAGNITUDE:
            raise ValueError(message(N_("the number %(number)s is out of range (at most 10^%(most)s)"), number=token.text,
                                     most=MAX_MAGNITUDE))
        if "." in token.text or exponent:
            self.approximate = True
        value = sympy.Rational(mantissa) * sympy.Integer(10) ** int(exponent or 0)
        return _bounded(value)

    def latex_argument(self) -> sympy.Expr:
        """One argument of \\frac or \\sqrt: {...}, or one digit or letter (\\frac12)."""
        token = self.peek()
        if token.kind == "open" and token.text == "{":
            return self.atom()
        if token.kind == "number" and len(token.text) > 1 and token.text[0].isdigit():
            self.tokens[self.index] = dataclasses.replace(token, text=token.text[1:], position=token.position + 1)
            return sympy.Integer(int(token.text[0]))
        return self.atom()

    def name(self, token: Token) -> sympy.Expr:
        text = token.text
        if token.subscript:
            for candidate in _subscripted(text, token.subscript):
                if candidate in self.names:
                    return self.names[candidate]
            if text == "log" and token.subscript == "2":
                return self.call("log2", token)
            self.unknown.append(f"{text}_{token.subscript}")
            return sympy.Integer(1)
        if text in self.names:
            return self.names[text]
        if text in FUNCTIONS:
            return self.call(text, token)
        if text in CONSTANTS:
            return CONSTANTS[text]
        self.unknown.append(text)
        return sympy.Integer(1)

    def call(self, function: str, token: Token) -> sympy.Expr:
        builder, fewest, most = FUNCTIONS[function]
        self.enter()
        if function == "sqrt" and self.peek().kind == "open" and self.peek().text == "[":
            self.take()  # \sqrt[n]{x}
            degree = self.expression()
            self.expect("close", "]")
            radicand = self.latex_argument()
            self.depth -= 1
            return _power(radicand, _bounded(1 / degree))
        if self.peek().kind == "open" and self.peek().text == "(":
            self.take()
            arguments = [] if self.peek().kind == "close" else [self.expression()]
            while self.peek().kind == "comma":
                self.take()
                arguments.append(self.expression())
            self.expect("close", ")")
        elif function == "sqrt":
            arguments = [self.latex_argument()]
        elif self.starts_factor(self.peek()):
            arguments = [self.power()]  # \ln x, \exp x, \tanh 2 -> the next factor with its power
        else:
            raise ValueError(message(N_("%(function)s at position %(position)s needs an argument"), function=function,
                                     position=token.position + 1))
        self.depth -= 1
        if not fewest <= len(arguments) <= most:
            expected = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise ValueError(message(N_("%(function)s takes %(expected)s argument(s), got %(given)s"), function=function,
                                     expected=expected, given=len(arguments)))
        if builder is sympy.exp:
            _check_exponential(arguments[0])
            if arguments[0].is_Number and abs(arguments[0]) > MAX_EXP_ARGUMENT:
                raise ValueError(message(N_("exp of a number above %(most)s is out of range"), most=MAX_EXP_ARGUMENT))
        return _bounded(builder(*arguments))


def _subscripted(base: str, subscript: str) -> list[str]:
    """The names a subscripted name may stand for: h_{t+1} is h_next, x_1 is x1 or x_1."""
    if subscript.replace(" ", "") == "t+1":
        return [f"{base}_next"]
    candidates = [f"{base}_{subscript}"]
    if subscript.isdigit() or "_" not in subscript:
        candidates.append(f"{base}{subscript}")
    return candidates


def _tower_height(expr) -> int:
    """How deeply exponentials (exp, powers with a variable exponent) nest in ``expr``."""
    if not isinstance(expr, sympy.Basic) or expr.is_Atom:
        return 0
    inner = max((_tower_height(a) for a in expr.args), default=0)
    if isinstance(expr, sympy.exp) or (expr.is_Pow and not expr.exp.is_Number):
        return inner + 1
    return inner


def _check_exponential(argument) -> None:
    if _tower_height(argument) >= MAX_TOWER:
        raise ValueError(message(N_("exponentials are nested more than %(most)s deep"), most=MAX_TOWER))


def _power(base, exponent):
    if exponent.is_Number:
        if abs(exponent) > MAX_EXPONENT:
            raise ValueError(message(N_("the exponent %(exponent)s is out of range (at most %(most)s)"), exponent=exponent,
                                     most=MAX_EXPONENT))
        if base.is_Number and base != 0 and abs(base) != 1:
            magnitude = abs(float(exponent)) * abs(math.log10(abs(float(base))))
            if magnitude > MAX_MAGNITUDE:
                raise ValueError(message(N_("the power %(power)s is out of range (at most 10^%(most)s)"),
                                         power=f"{base}^{exponent}", most=MAX_MAGNITUDE))
    else:
        _check_exponential(exponent)
        if _tower_height(base) + 1 + _tower_height(exponent) > MAX_TOWER:
            raise ValueError(message(N_("exponentials are nested more than %(most)s deep"), most=MAX_TOWER))
        for atom in exponent.atoms(sympy.Number):
            if abs(atom) > MAX_EXPONENT:
                raise ValueError(message(N_("the number %(number)s in an exponent is out of range (at most %(most)s)"),
                                         number=atom, most=MAX_EXPONENT))
    return _bounded(sympy.Pow(base, exponent))


def _bounded(expr):
    """``expr``, after checking that no number in it is out of range or not finite."""
    if expr.is_Number:
        if expr.is_finite is False or expr is sympy.nan:
            raise ValueError(message(N_("the answer is not a finite number (a division by zero?)")))
        if expr != 0 and (expr.is_Rational and (abs(expr.p) .bit_length() > 1000 or expr.q.bit_length() > 1000)):
            raise ValueError(message(N_("a number is out of range (at most 10^%(most)s)"), most=MAX_MAGNITUDE))
    elif expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ValueError(message(N_("the answer is not finite (a division by zero or a logarithm of 0?)")))
    return expr


def read(text: str, names: dict) -> Reading:
    """Read one answer.

    Args:
        text: SymPy syntax or LaTeX.
        names: the symbols the answer may use, by name.

    Raises:
        ValueError: with the reason, when the text cannot be read.
    """
    if len(text) > MAX_LENGTH:
        raise ValueError(message(N_("longer than %(most)s characters"), most=MAX_LENGTH))
    if not text.strip():
        raise ValueError(message(N_("the answer is empty")))
    parser = Parser(tokenize(text), names)
    try:
        expr = parser.parse()
    except RecursionError:
        raise ValueError(message(N_("the expression is nested too deeply"))) from None
    except (TypeError, ArithmeticError) as error:  # SymPy refusing a combination, e.g. Max of a non-real
        raise ValueError(message(N_("cannot build the expression: %(error)s"),
                                 error=f"{type(error).__name__}: {error}")) from None
    if parser.unknown:
        unknown = ", ".join(sorted(set(parser.unknown)))
        if not names:
            raise ValueError(message(N_("unknown name(s) %(unknown)s; a number is expected"), unknown=unknown))
        raise ValueError(message(N_("unknown name(s) %(unknown)s; expected names from %(known)s"), unknown=unknown,
                                 known=", ".join(sorted(names))))
    return Reading(expr, parser.approximate)
