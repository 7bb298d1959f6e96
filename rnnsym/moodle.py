r"""``rnnsym export moodle``: a batch of variants as one Moodle XML question bank.

One category per answer id (``$course$/rnnsym/<answer id>``), holding one
question per variant, so a Moodle quiz can draw "a random question from the
category" for each answer id, as R/exams' exports are used. Everything a
question says comes from the problem modules' declarations
(:class:`rnnsym.problem.AnswerSpec`: what is asked, the form, the
convention, the words it may be) and key entries
(:class:`rnnsym.problem.KeyEntry`: the kind, the SymPy key, the nearby
answers and what they mean); nothing here knows a problem.

Question types, by the kind of the key:

- ``number`` -> ``numerical``, with the checker's relative tolerance turned
  into Moodle's absolute one for that value: 0.005 |key| (at least 1e-12);
- ``integer`` -> ``numerical`` with tolerance 0 (the checker takes no
  decimal for an integer);
- ``word`` -> ``multichoice`` (one answer) over the declared words, or
  ``shortanswer`` (case-insensitive) when none are declared;
- ``words`` -> ``multichoice`` over lists of the declared words: the key,
  and every list that differs from it in one place (or all lists of its
  length when there are at most 9);
- ``expression``, ``expressions``, ``numbers``, ``exact``, ``matrix`` ->
  STACK (``<question type="stack">``): the teacher's answer is the key in
  Maxima syntax (:mod:`rnnsym.maxima_printer`); expressions are graded by
  ``AlgEquiv`` after substituting the named intermediate quantities, and
  each nearby answer of the key is a further node whose feedback is its
  description; lists of numbers by ``NumRelative`` with the checker's 0.005
  (element by element, in order); exact numbers by ``AlgEquiv`` after
  sorting the student's list as the key is sorted.

Question text: the problem's statement from the sheet (its template rendered
without solutions, as HTML by :mod:`rnnsym.moodle_text`), then what this
answer id asks, the form and the convention; maths in ``\( \)`` for Moodle's
MathJax filter. No statement has a figure (every figure of the documents
belongs to a solution), so no question carries one.

The keys come from the derivation, re-derived from each folder's
params.toml, and must equal the folder's answers.json, which the checked
build wrote: a folder whose answers differ (another rnnsym version, an
edited file) is refused rather than exported with an unchecked key.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import html
import itertools
import json
import os
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import sympy

from rnnsym import checker, pipeline, render
from rnnsym.errors import InputError, RnnsymError
from rnnsym.maxima_printer import maxima
from rnnsym.moodle_text import math_html, to_html
from rnnsym.params import Variant, load_variant
from rnnsym.printing import tex
from rnnsym.problem import AnswerSpec, KeyEntry
from rnnsym.registry import PROBLEMS
from rnnsym.safe_io import printable, write_atomically

CATEGORY_ROOT = "$course$/rnnsym"
NUMBER_TOLERANCE = checker.NUMBER_TOLERANCE  # relative, as the checker grades
ABSOLUTE_FLOOR = 1e-12  # the checker's floor for a key of 0
STACK_PENALTY = "0.1000000"
PENALTY = "0.3333333"
IDNUMBER_LENGTH = 100  # Moodle's question.idnumber column
MAX_WORD_OPTIONS = 9
STACK_KINDS = ("expression", "expressions", "numbers", "exact", "matrix")
# What a STACK student needs to know about typing an expression.
STACK_SYNTAX = ("Type the answer in Maxima syntax: <code>*</code> for products, <code>^</code> for powers; "
                "write \\(\\sigma(z)\\) as <code>1/(1+exp(-z))</code> and \\(\\operatorname{ReLU}(z)\\) as "
                "<code>max(0, z)</code>; lists in square brackets, <code>[a, b]</code>.")


@dataclasses.dataclass(frozen=True)
class Question:
    """One exported question: its category (the answer id) and its XML."""

    answer_id: str
    variant: str
    xml: str


# --- reading a variants folder -------------------------------------------------------


def variant_folders(directory: Path) -> list[Path]:
    """The variant folders of ``directory``, in the batch's order.

    The order is index.json's when the folder has one (the order the batch
    was drawn in), otherwise the folders' names; only folders holding a
    params.toml count.

    Raises:
        InputError: no such directory, or no variant folder in it.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"--variants {printable(directory)}: not a directory")
    folders = sorted(p for p in directory.iterdir() if p.is_dir() and (p / "params.toml").is_file())
    order = {}
    index = directory / "index.json"
    if index.is_file():
        try:
            rows = json.loads(index.read_text(encoding="utf-8"))
            order = {str(row["variant"]): position for position, row in enumerate(rows)}
        except (ValueError, KeyError, TypeError):
            raise InputError(f"--variants {printable(directory)}: index.json is not a variants index") from None
    if not folders:
        raise InputError(f"--variants {printable(directory)}: no variant folder (with params.toml) in it")
    return sorted(folders, key=lambda p: (order.get(p.name, len(order)), p.name))


def derive_variant(variant: Variant) -> list[pipeline.Solved]:
    """Every problem derived (the checks ran when the folder was built)."""
    return [pipeline.Solved(problem, problem.derive(variant.problems[pid]), ())
            for pid, problem in PROBLEMS.items()]


def _checked_answers(folder: Path) -> dict:
    path = folder / "answers.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["answers"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{printable(path)}: cannot read the checked answers ({printable(error)})") from None


# --- one variant ---------------------------------------------------------------------


def variant_questions(folder: Path) -> list[Question]:
    """The questions of one variant folder, one per answer id, in sheet order.

    Raises:
        InputError: params.toml cannot be read, or answers.json differs from
            the answers re-derived from it.
    """
    variant = load_variant(folder / "params.toml")
    solved = derive_variant(variant)
    derived = json.loads(json.dumps(pipeline.answers_document(variant, solved)["answers"]))
    if derived != _checked_answers(folder):
        raise InputError(f"{printable(folder)}: answers.json differs from the answers derived from its "
                         "params.toml (built by another rnnsym version?); rebuild the variant")
    return questions_for(variant, solved)


def questions_for(variant: Variant, solved: list[pipeline.Solved]) -> list[Question]:
    """The questions of one variant from its derivation (no file read), in sheet order.

    A build that has the derivation in memory (``rnnsym variants``) can call
    this directly and save the export its derivation.
    """
    key = checker.answer_key(variant, solved)
    environment = render.environment()
    questions = []
    for item in solved:
        statement = to_html(environment.get_template(item.problem.template).render(
            d=item.derivation, figures={}, show_solutions=False))
        for spec in item.problem.answer_specs:
            try:
                element = question_element(spec, key[spec.id], variant, statement)
            except ValueError as error:
                raise ExportError(f"variant {printable(variant.meta.variant)}, {spec.id}: cannot be exported: "
                                  f"{error}") from None
            questions.append(Question(spec.id, variant.meta.variant, _serialise(element)))
    return questions


class ExportError(RnnsymError):
    """A key that cannot be written as a question (e.g. a name Maxima would misread): exit status 1."""

    exit_status = 1


def _variant_questions_or_error(folder: Path) -> tuple[list[Question], str, int]:
    """(questions, "", 0), or ([], the error, its exit status): one folder cannot stop the others."""
    try:
        return variant_questions(folder), "", 0
    except RnnsymError as error:
        return [], str(error), error.exit_status


# --- question elements ------------------------------------------------------------------


def question_element(spec: AnswerSpec, entry: KeyEntry, variant: Variant, statement: str) -> ET.Element:
    """The ``<question>`` of one answer id of one variant."""
    if entry.kind in STACK_KINDS:
        return _stack_question(spec, entry, variant, statement)
    if entry.kind in ("number", "integer"):
        return _numerical_question(spec, entry, variant, statement)
    if spec.choices:
        return _multichoice_question(spec, entry, variant, statement)
    return _shortanswer_question(spec, entry, variant, statement)


def question_name(variant_id: str, answer_id: str) -> str:
    return f"{answer_id} {variant_id}"


def question_idnumber(variant_id: str, answer_id: str) -> str:
    """A stable id, unique in the category: the variant id and answer id (a
    digest of the variant id when both would pass Moodle's 100 characters)."""
    plain = f"{variant_id}/{answer_id}"
    if len(plain) <= IDNUMBER_LENGTH:
        return plain
    return f"{hashlib.sha256(variant_id.encode('utf-8')).hexdigest()[:32]}/{answer_id}"


def category_path(answer_id: str) -> str:
    return f"{CATEGORY_ROOT}/{answer_id}"


def question_text(spec: AnswerSpec, variant: Variant, statement: str) -> str:
    """The HTML of the question: context, the problem's statement, the ask."""
    meta = variant.meta
    shown = (meta.title, meta.course, f"variant {meta.variant}")
    context = " \u2014 ".join(html.escape(part) for part in shown if part)
    parts = [f'<p class="rnnsym-context"><small>{context}</small></p>',
             f'<div class="rnnsym-statement">{statement}</div>',
             f"<p><strong>{html.escape(spec.id)}</strong>: {to_html(spec.asks)}; {to_html(spec.form)}.</p>"]
    if spec.convention:
        parts.append(f"<p>Convention: {to_html(spec.convention)}.</p>")
    return "\n".join(parts)


def key_html(entry: KeyEntry) -> str:
    """The key as the general feedback shows it (the project's LaTeX printer),
    in a block that scrolls sideways when a formula is wider than the page."""
    return f'<div class="rnnsym-key" style="overflow-x: auto">{_key_sentence(entry)}</div>'


def _key_sentence(entry: KeyEntry) -> str:
    value = entry.value
    if value is None:
        return "The key: the limit does not exist (<code>none</code>)."
    if entry.kind in ("word", "words"):
        words = value if isinstance(value, list) else [value]
        return "The key: " + (", ".join(f"<code>{html.escape(w)}</code>" for w in words) or "an empty list") + "."
    if entry.kind == "matrix":
        return "The key: " + math_html(tex(sympy.Matrix(value))) + "."
    values = value if isinstance(value, list) else [value]
    shown = [math_html(tex(_sympy_value(v))) for v in values]
    if isinstance(value, list):
        return "The key: " + (", ".join(shown) or "an empty list") + "."
    return "The key: " + shown[0] + "."


def _sympy_value(value):
    if isinstance(value, bool):
        raise TypeError("a boolean is not a key value")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        # answers.json writes 2 as 2.0 in a list of numbers; the key shows 2.
        return sympy.Integer(int(value)) if value.is_integer() else sympy.Float(value)
    return value


def _header(question: ET.Element, spec: AnswerSpec, variant: Variant, text: str, feedback: str,
            penalty: str) -> None:
    _text(question, "name", question_name(variant.meta.variant, spec.id))
    _text(question, "questiontext", text, "html")
    _text(question, "generalfeedback", feedback, "html")
    _leaf(question, "defaultgrade", "1.0000000")
    _leaf(question, "penalty", penalty)
    _leaf(question, "hidden", "0")
    _leaf(question, "idnumber", question_idnumber(variant.meta.variant, spec.id))


def _numerical_question(spec, entry, variant, statement) -> ET.Element:
    question = ET.Element("question", type="numerical")
    _header(question, spec, variant, question_text(spec, variant, statement), key_html(entry), PENALTY)
    value, tolerance = numerical_answer(entry)
    answer = ET.SubElement(question, "answer", fraction="100", format="plain_text")
    _leaf(answer, "text", value)
    _text(answer, "feedback", "", "html")
    _leaf(answer, "tolerance", tolerance)
    return question


def numerical_answer(entry: KeyEntry) -> tuple[str, str]:
    """(the key, Moodle's absolute tolerance) for a number or integer key.

    Moodle's numerical tolerance is absolute; the checker's is relative
    (NUMBER_TOLERANCE of the key, with a floor of 1e-12 for a key of 0), so
    the tolerance is converted for this key's value. An integer takes no
    tolerance at all.
    """
    value = entry.value
    if entry.kind == "integer":
        number = sympy.Integer(value)
        return str(number), "0"
    number = float(_sympy_value(value))
    return repr(number), repr(max(NUMBER_TOLERANCE * abs(number), ABSOLUTE_FLOOR))


def _choice_lists(spec: AnswerSpec, key: list[str]) -> list[list[str]]:
    """The lists a words question offers: the key and its neighbours (see the module docstring)."""
    choices = list(spec.choices)
    if len(choices) ** len(key) <= MAX_WORD_OPTIONS:
        lists = [list(c) for c in itertools.product(choices, repeat=len(key))]
    else:
        lists = [list(key)] + [key[:i] + [c] + key[i + 1:] for i in range(len(key)) for c in choices if c != key[i]]
    if not key:  # an empty key: the empty list, or one word
        lists = [[]] + [[c] for c in choices]
    return lists


def _multichoice_question(spec, entry, variant, statement) -> ET.Element:
    question = ET.Element("question", type="multichoice")
    _header(question, spec, variant, question_text(spec, variant, statement), key_html(entry), PENALTY)
    key = entry.value if isinstance(entry.value, list) else [entry.value]
    unknown = [w for w in key if w not in spec.choices]
    if unknown:
        raise ValueError(f"{spec.id}: the key's words {unknown} are not among the declared choices")
    lists = _choice_lists(spec, key) if entry.kind == "words" else [[c] for c in spec.choices]
    _leaf(question, "single", "true")
    _leaf(question, "shuffleanswers", "true" if entry.kind == "words" else "false")
    _leaf(question, "answernumbering", "abc")
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(question, tag, "", "html")
    for option in lists:
        shown = ", ".join(option) if option else "(an empty list)"
        answer = ET.SubElement(question, "answer", fraction="100" if option == key else "0", format="html")
        _leaf(answer, "text", f"<p>{html.escape(shown)}</p>")
        _text(answer, "feedback", "", "html")
    return question


def _shortanswer_question(spec, entry, variant, statement) -> ET.Element:
    question = ET.Element("question", type="shortanswer")
    _header(question, spec, variant, question_text(spec, variant, statement), key_html(entry), PENALTY)
    _leaf(question, "usecase", "0")  # the checker compares words without case
    key = entry.value if isinstance(entry.value, list) else [entry.value]
    answer = ET.SubElement(question, "answer", fraction="100", format="plain_text")
    _leaf(answer, "text", ", ".join(key))
    _text(answer, "feedback", "", "html")
    return question


# --- STACK -----------------------------------------------------------------------------


def _stack_key(entry: KeyEntry) -> str:
    """The key in Maxima syntax (exact numbers sorted as the sorting node sorts them)."""
    if entry.kind == "matrix":
        return "none" if entry.value is None else maxima([list(row) for row in entry.value])
    if entry.kind == "exact":
        return maxima(sorted((_sympy_value(v) for v in entry.value), key=_descending))
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
    kept = [entry.value]
    for _, value in entry.nearby if entry.kind == "expression" else ():
        if all(_distinct(value, other) for other in kept):
            kept.append(value)
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


def _distinct(a, b) -> bool:
    """Whether two expressions differ at one of DISTINCT_POINTS fixed points."""
    symbols = getattr(a, "free_symbols", set()) | getattr(b, "free_symbols", set())
    rng = random.Random(1)
    for _ in range(DISTINCT_POINTS):
        point = _wide_point(symbols, rng)
        left, right = checker._evaluate(sympy.sympify(a), point), checker._evaluate(sympy.sympify(b), point)
        if left is None or right is None:
            continue
        if not checker._agree(left, right, 1e-9):
            return True
    return False


def _castext(text: str) -> str:
    """Text for STACK's CAS text: no accidental ``{@ @}``, ``{# #}`` or ``[[ ]]`` blocks."""
    return re.sub(r"\{(?=[@#])", "{ ", re.sub(r"\[(?=\[)", "[ ", re.sub(r"\](?=\])", "] ", text)))


def _stack_question(spec, entry, variant, statement) -> ET.Element:
    grading = stack_grading(entry)
    question = ET.Element("question", type="stack")
    text = _castext(question_text(spec, variant, statement)) + "\n" + \
        f"<p>{STACK_SYNTAX}</p>\n<p>[[input:ans1]] [[validation:ans1]]</p>"
    _header(question, spec, variant, text, _castext(key_html(entry)), STACK_PENALTY)
    _text(question, "stackversion", "")
    _text(question, "questionvariables", grading["question_variables"])
    _text(question, "specificfeedback", "<p>[[feedback:prt1]]</p>", "html")
    _text(question, "questionnote", "{@ta@}", "moodle_auto_format")
    _text(question, "questiondescription", "", "moodle_auto_format")
    for tag, value in (("questionsimplify", "1"), ("assumepositive", "0"), ("assumereal", "0")):
        _leaf(question, tag, value)
    for tag, words in (("prtcorrect", "Correct answer, well done."),
                       ("prtpartiallycorrect", "Your answer is partially correct."),
                       ("prtincorrect", "Incorrect answer.")):
        _text(question, tag, words, "html")
    for tag, value in (("decimals", "."), ("scientificnotation", "*10"), ("multiplicationsign", "dot"),
                       ("sqrtsign", "1"), ("complexno", "i"), ("inversetrig", "cos-1"), ("logicsymbol", "lang"),
                       ("matrixparens", "["), ("variantsselectionseed", "")):
        _leaf(question, tag, value)
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
        _leaf(element, tag, value)


def _stack_prt(question: ET.Element, grading: dict) -> None:
    prt = ET.SubElement(question, "prt")
    _leaf(prt, "name", "prt1")
    _leaf(prt, "value", "1.0000000")
    _leaf(prt, "autosimplify", "1")
    _leaf(prt, "feedbackstyle", "1")
    _text(prt, "feedbackvariables", grading["feedback_variables"])
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
            _leaf(node, tag, value)
        _text(node, "truefeedback", f"<p>This is {feedback}.</p>" if feedback else "", "html")
        for tag, value in (("falsescoremode", "="), ("falsescore", "0.0000000"), ("falsepenalty", ""),
                           ("falsenextnode", "-1" if last else str(number + 1)),
                           ("falseanswernote", f"prt1-{number}-F")):
            _leaf(node, tag, value)
        _text(node, "falsefeedback", "", "html")


def _stack_tests(question: ET.Element, grading: dict) -> None:
    """STACK's question tests: the key scores 1, each nearby answer 0 at its own node."""
    cases = [("ta", "1.0000000", "0.0000000", "prt1-0-T")]
    cases += [(f"nb{k}", "0.0000000", STACK_PENALTY, f"prt1-{k}-T") for k in range(1, len(grading["nearby"]) + 1)]
    for number, (value, score, penalty, note) in enumerate(cases, 1):
        test = ET.SubElement(question, "qtest")
        _leaf(test, "testcase", str(number))
        _leaf(test, "description", "the key" if number == 1 else f"nearby answer {number - 1}")
        given = ET.SubElement(test, "testinput")
        _leaf(given, "name", "ans1")
        _leaf(given, "value", value)
        expected = ET.SubElement(test, "expected")
        for tag, text in (("name", "prt1"), ("expectedscore", score), ("expectedpenalty", penalty),
                          ("expectedanswernote", note)):
            _leaf(expected, tag, text)


# --- XML -----------------------------------------------------------------------------------

# XML 1.0 cannot carry these characters even as references; free text shows them as <U+XXXX>.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold written as ``<U+XXXX>``."""
    return _NOT_XML.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def _leaf(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(text)
    return element


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    _leaf(element, "text", text)
    return element


def _serialise(element: ET.Element) -> str:
    ET.indent(element, space="  ", level=1)
    return "  " + ET.tostring(element, encoding="unicode") + "\n"


def category_xml(answer_id: str, spec: AnswerSpec) -> str:
    """The category question of one answer id (its info: what the id asks)."""
    question = ET.Element("question", type="category")
    _text(question, "category", category_path(answer_id))
    _text(question, "info", f"<p>rnnsym answer {html.escape(answer_id)}: {to_html(spec.asks)}</p>", "html")
    _leaf(question, "idnumber", "")
    return _serialise(question)


@dataclasses.dataclass(frozen=True)
class ExportResult:
    variants: int
    questions: int
    categories: int
    failures: tuple[str, ...]
    status: int = 0  # the exit status the failures call for (1 a key, 2 a folder)


def export(directory: Path, target: Path, *, jobs: int | None = None) -> ExportResult:
    """Writes the Moodle XML of every variant folder of ``directory`` to ``target``.

    The file is written whole (a temporary file renamed into place), and only
    when every variant could be exported; otherwise nothing is written and the
    failures are returned.
    """
    folders = variant_folders(directory)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(folders)))
    if workers == 1:
        results = [_variant_questions_or_error(folder) for folder in folders]
    else:
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_variant_questions_or_error, folders))
    failures = tuple(error for _, error, _ in results if error)
    if failures:
        return ExportResult(len(folders), 0, 0, failures, max(status for _, _, status in results))
    specs = [spec for problem in PROBLEMS.values() for spec in problem.answer_specs]
    by_id: dict[str, list[Question]] = {spec.id: [] for spec in specs}
    for questions, _, _ in results:
        for question in questions:
            by_id[question.answer_id].append(question)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    for spec in specs:
        comment = f"rnnsym answer {spec.id}: {len(by_id[spec.id])} question(s)".replace("--", "- -")
        parts.append(f"<!-- {comment} -->\n")
        parts.append(category_xml(spec.id, spec))
        parts.extend(question.xml for question in by_id[spec.id])
    parts.append("</quiz>\n")
    write_atomically(Path(target), "".join(parts))
    return ExportResult(len(folders), sum(len(q) for q in by_id.values()), len(specs), ())


def parse_quiz(text: str) -> ET.Element:
    """The ``<quiz>`` element of an exported file (for tests and checks)."""
    return ET.fromstring(text)

