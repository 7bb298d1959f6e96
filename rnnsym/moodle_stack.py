"""STACK questions (``<question type="stack">``) for the Moodle export.

The teacher's answer is the key in Maxima syntax (:mod:`rnnsym.maxima_printer`);
the potential response tree tests it first (``AlgEquiv``, or ``NumRelative``
for a list of decimals), then each nearby answer of the key, whose feedback
is its description; the question tests say what each node must give.
Elements and their order follow STACK's sample questions
(samplequestions/ in maths/moodle-qtype_stack).
"""

from __future__ import annotations

import html
import random
import re
import xml.etree.ElementTree as ET

import sympy

from rnnsym import checker
from rnnsym.maxima_printer import maxima
from rnnsym.moodle_questions import (NUMBER_TOLERANCE, header, key_html, leaf, question_text, sympy_value,
                                     text_element)
from rnnsym.params import Variant
from rnnsym.problem import AnswerSpec, KeyEntry

STACK_KINDS = ("expression", "expressions", "numbers", "exact", "matrix")
STACK_PENALTY = "0.1000000"
# What a STACK student needs to know about typing an expression.
STACK_SYNTAX = ("Type the answer in Maxima syntax: <code>*</code> for products, <code>^</code> for powers; "
                "write \\(\\sigma(z)\\) as <code>1/(1+exp(-z))</code> and \\(\\operatorname{ReLU}(z)\\) as "
                "<code>max(0, z)</code>; lists in square brackets, <code>[a, b]</code>.")


def _stack_key(entry: KeyEntry) -> str:
    """The key in Maxima syntax (exact numbers sorted as the sorting node sorts them)."""
    if entry.kind == "matrix":
        return "none" if entry.value is None else maxima([list(row) for row in entry.value])
    if entry.kind == "exact":
        return maxima(sorted((sympy_value(v) for v in entry.value), key=_descending))
    if entry.kind == "numbers":
        return maxima([sympy.Float(float(v)) for v in entry.value])
    return maxima(entry.value)


def _descending(number):
    value = complex(sympy.N(number, 30))
    return (-value.real, -value.imag)


# The student's exact numbers in the key's order: descending real part, then imaginary part.
SORT_EXACT = ("sort(ans1, lambda([a, b], is(float(realpart(a)) > float(realpart(b)) or "
              "(float(realpart(a)) = float(realpart(b)) and float(imagpart(a)) >= float(imagpart(b))))))")


def stack_grading(entry: KeyEntry) -> dict:
    """What the potential response tree compares (Maxima text), for one key entry.

    Returns a dict with the question variables, the feedback variables, the
    student's side ``sans``, the first test and its option, and the nearby
    answers as (description, Maxima) pairs.
    """
    key = _stack_key(entry)
    # A nearby answer equal to the key, or to an earlier one, could never be
    # reached in the tree (and its question test would fail): left out.
    candidates = [value for _, value in entry.nearby] if entry.kind == "expression" else []
    values = _Values([entry.value, *candidates])
    kept_indices = [0]
    for index in range(1, len(candidates) + 1):
        if all(values.distinct(index, other) for other in kept_indices):
            kept_indices.append(index)
    kept = [values.expressions[i] for i in kept_indices]
    nearby = [(description, maxima(value)) for description, value in entry.nearby
              if any(value is other for other in kept[1:])]
    feedback_variables, sans, test, option = "", "ans1", "AlgEquiv", ""
    if entry.intermediates:
        substitutions = ", ".join(f"{maxima(name)} = {maxima(value)}" for name, value in entry.intermediates.items())
        feedback_variables, sans = f"sa: subst([{substitutions}], ans1);", "sa"
    if entry.kind == "numbers":
        test, option = "NumRelative", repr(NUMBER_TOLERANCE)
    if entry.kind == "exact":
        feedback_variables, sans = f"sa: {SORT_EXACT};", "sa"
    question_variables = "\n".join([f"ta: {key};"] + [f"nb{k}: {text};" for k, (_, text) in enumerate(nearby, 1)])
    return dict(question_variables=question_variables, feedback_variables=feedback_variables, sans=sans,
                test=test, option=option, key=key, nearby=nearby)


DISTINCT_POINTS = 24


def _wide_point(symbols, rng: random.Random) -> dict:
    """Integers 0..12 for integer symbols, 0..20 for non-negative ones, -10..10 otherwise
    (wider than the checker's 0..3 for h0, where two closed forms of ReLU maps can both be 0)."""
    point = {}
    for symbol in sorted(symbols, key=str):
        if symbol.is_integer:
            point[symbol] = sympy.Integer(rng.randint(0 if not symbol.is_positive else 1, 12))
        elif symbol.is_nonnegative:
            point[symbol] = sympy.Rational(rng.randint(0, 2000), 100)
        else:
            point[symbol] = sympy.Rational(rng.randint(-1000, 1000), 100)
    return point


class _Values:
    """Expressions evaluated at DISTINCT_POINTS fixed points (over all their
    symbols), each value computed once, however many pairs are compared."""

    def __init__(self, expressions):
        self.expressions = list(expressions)
        symbols = set().union(*(getattr(e, "free_symbols", set()) for e in self.expressions))
        rng = random.Random(1)
        self.points = [_wide_point(symbols, rng) for _ in range(DISTINCT_POINTS)]
        self._cache: dict[tuple[int, int], object] = {}

    def at(self, which: int, point: int):
        if (which, point) not in self._cache:
            self._cache[which, point] = checker._evaluate(sympy.sympify(self.expressions[which], strict=True),
                                                         self.points[point])
        return self._cache[which, point]

    def distinct(self, a: int, b: int) -> bool:
        """Whether expressions ``a`` and ``b`` differ at one of the points."""
        for point in range(DISTINCT_POINTS):
            left, right = self.at(a, point), self.at(b, point)
            if left is not None and right is not None and not checker._agree(left, right, 1e-9):
                return True
        return False


def _castext(text: str) -> str:
    """Text for STACK's CAS text: no accidental ``{@ @}``, ``{# #}`` or ``[[ ]]`` blocks."""
    return re.sub(r"\{(?=[@#])", "{ ", re.sub(r"\[(?=\[)", "[ ", re.sub(r"\](?=\])", "] ", text)))


def stack_question(spec: AnswerSpec, entry: KeyEntry, variant: Variant, statement: str) -> ET.Element:
    """The STACK ``<question>`` of one answer id of one variant."""
    grading = stack_grading(entry)
    question = ET.Element("question", type="stack")
    text = _castext(question_text(spec, variant, statement)) + "\n" + \
        f"<p>{STACK_SYNTAX}</p>\n<p>[[input:ans1]] [[validation:ans1]]</p>"
    header(question, spec, variant, text, _castext(key_html(entry)), STACK_PENALTY)
    text_element(question, "stackversion", "")
    text_element(question, "questionvariables", grading["question_variables"])
    text_element(question, "specificfeedback", "<p>[[feedback:prt1]]</p>", "html")
    text_element(question, "questionnote", "{@ta@}", "moodle_auto_format")
    text_element(question, "questiondescription", "", "moodle_auto_format")
    for tag, value in (("questionsimplify", "1"), ("assumepositive", "0"), ("assumereal", "0")):
        leaf(question, tag, value)
    for tag, words in (("prtcorrect", "Correct answer, well done."),
                       ("prtpartiallycorrect", "Your answer is partially correct."),
                       ("prtincorrect", "Incorrect answer.")):
        text_element(question, tag, words, "html")
    for tag, value in (("decimals", "."), ("scientificnotation", "*10"), ("multiplicationsign", "dot"),
                       ("sqrtsign", "1"), ("complexno", "i"), ("inversetrig", "cos-1"), ("logicsymbol", "lang"),
                       ("matrixparens", "["), ("variantsselectionseed", "")):
        leaf(question, tag, value)
    _stack_input(question, entry)
    _stack_prt(question, grading)
    _stack_tests(question, grading)
    return question


def _stack_input(question: ET.Element, entry: KeyEntry) -> None:
    element = ET.SubElement(question, "input")
    exact = entry.kind in ("expression", "expressions", "exact", "matrix")
    for tag, value in (("name", "ans1"), ("type", "algebraic"), ("tans", "ta"), ("boxsize", "40"),
                       ("strictsyntax", "1"), ("insertstars", "0"), ("syntaxhint", ""), ("syntaxattribute", "0"),
                       ("forbidwords", ""), ("allowwords", ""),
                       # Keys are exact (except lists of decimals): a float in an
                       # expression would make AlgEquiv compare approximately.
                       ("forbidfloat", "1" if exact else "0"), ("requirelowestterms", "0"),
                       # A list key takes a list; a limit may be a list or none.
                       ("checkanswertype", "0" if entry.kind in ("expression", "matrix") else "1"),
                       ("mustverify", "1"), ("showvalidation", "1"), ("options", "")):
        leaf(element, tag, value)


def _stack_prt(question: ET.Element, grading: dict) -> None:
    prt = ET.SubElement(question, "prt")
    leaf(prt, "name", "prt1")
    leaf(prt, "value", "1.0000000")
    leaf(prt, "autosimplify", "1")
    leaf(prt, "feedbackstyle", "1")
    text_element(prt, "feedbackvariables", grading["feedback_variables"])
    nodes = [(grading["test"], "ta", grading["option"], "1.0000000", "")]
    nodes += [("AlgEquiv", f"nb{k}", "", "0.0000000", html.escape(description))
              for k, (description, _) in enumerate(grading["nearby"], 1)]
    for number, (test, tans, option, score, feedback) in enumerate(nodes):
        node = ET.SubElement(prt, "node")
        last = number == len(nodes) - 1
        for tag, value in (("name", str(number)), ("description", ""), ("answertest", test),
                           ("sans", grading["sans"]), ("tans", tans), ("testoptions", option), ("quiet", "0"),
                           ("truescoremode", "="), ("truescore", score), ("truepenalty", ""),
                           ("truenextnode", "-1"), ("trueanswernote", f"prt1-{number}-T")):
            leaf(node, tag, value)
        text_element(node, "truefeedback", f"<p>This is {feedback}.</p>" if feedback else "", "html")
        for tag, value in (("falsescoremode", "="), ("falsescore", "0.0000000"), ("falsepenalty", ""),
                           ("falsenextnode", "-1" if last else str(number + 1)),
                           ("falseanswernote", f"prt1-{number}-F")):
            leaf(node, tag, value)
        text_element(node, "falsefeedback", "", "html")


def _stack_tests(question: ET.Element, grading: dict) -> None:
    """STACK's question tests: the key scores 1, each nearby answer 0 at its own node."""
    cases = [("ta", "1.0000000", "0.0000000", "prt1-0-T")]
    cases += [(f"nb{k}", "0.0000000", STACK_PENALTY, f"prt1-{k}-T") for k in range(1, len(grading["nearby"]) + 1)]
    for number, (value, score, penalty, note) in enumerate(cases, 1):
        test = ET.SubElement(question, "qtest")
        leaf(test, "testcase", str(number))
        leaf(test, "description", "the key" if number == 1 else f"nearby answer {number - 1}")
        given = ET.SubElement(test, "testinput")
        leaf(given, "name", "ans1")
        leaf(given, "value", value)
        expected = ET.SubElement(test, "expected")
        for tag, text in (("name", "prt1"), ("expectedscore", score), ("expectedpenalty", penalty),
                          ("expectedanswernote", note)):
            leaf(expected, tag, text)
