"""The parts of a Moodle question every type shares, and the Moodle types
(``numerical``, ``multichoice``, ``shortanswer``); see :mod:`rnnsym.moodle`.

Elements and their order follow Moodle's own export
(question/format/xml/tests in moodle/moodle); tests/test_moodle_export.py
holds the table of elements per type and the files it was read from.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import xml.etree.ElementTree as ET

import sympy

from rnnsym import checker
from rnnsym.moodle_text import math_html, to_html
from rnnsym.params import Variant
from rnnsym.printing import tex
from rnnsym.problem import AnswerSpec, KeyEntry

NUMBER_TOLERANCE = checker.NUMBER_TOLERANCE  # relative, as the checker grades
ABSOLUTE_FLOOR = 1e-12  # the checker's floor for a key of 0
PENALTY = "0.3333333"
IDNUMBER_LENGTH = 100  # Moodle's question.idnumber column
MAX_WORD_OPTIONS = 9


def question_name(variant_id: str, answer_id: str) -> str:
    return f"{answer_id} {variant_id}"


def question_idnumber(variant_id: str, answer_id: str) -> str:
    """A stable id, unique in the category: the variant id and answer id (a
    digest of the variant id when both would pass Moodle's 100 characters)."""
    plain = f"{variant_id}/{answer_id}"
    if len(plain) <= IDNUMBER_LENGTH:
        return plain
    return f"{hashlib.sha256(variant_id.encode('utf-8')).hexdigest()[:32]}/{answer_id}"


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
    shown = [math_html(tex(sympy_value(v))) for v in values]
    if isinstance(value, list):
        return "The key: " + (", ".join(shown) or "an empty list") + "."
    return "The key: " + shown[0] + "."


def sympy_value(value):
    if isinstance(value, bool):
        raise TypeError("a boolean is not a key value")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        # answers.json writes 2 as 2.0 in a list of numbers; the key shows 2.
        return sympy.Integer(int(value)) if value.is_integer() else sympy.Float(value)
    return value


def header(question: ET.Element, spec: AnswerSpec, variant: Variant, text: str, feedback: str,
            penalty: str) -> None:
    text_element(question, "name", question_name(variant.meta.variant, spec.id))
    text_element(question, "questiontext", text, "html")
    text_element(question, "generalfeedback", feedback, "html")
    leaf(question, "defaultgrade", "1.0000000")
    leaf(question, "penalty", penalty)
    leaf(question, "hidden", "0")
    leaf(question, "idnumber", question_idnumber(variant.meta.variant, spec.id))


def numerical_question(spec, entry, variant, statement) -> ET.Element:
    question = ET.Element("question", type="numerical")
    header(question, spec, variant, question_text(spec, variant, statement), key_html(entry), PENALTY)
    value, tolerance = numerical_answer(entry)
    answer = ET.SubElement(question, "answer", fraction="100", format="plain_text")
    leaf(answer, "text", value)
    text_element(answer, "feedback", "", "html")
    leaf(answer, "tolerance", tolerance)
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
    number = float(sympy_value(value))
    return repr(number), repr(max(NUMBER_TOLERANCE * abs(number), ABSOLUTE_FLOOR))


def choice_lists(spec: AnswerSpec, key: list[str]) -> list[list[str]]:
    """The lists a words question offers: the key and its neighbours (see the module docstring)."""
    choices = list(spec.choices)
    if len(choices) ** len(key) <= MAX_WORD_OPTIONS:
        lists = [list(c) for c in itertools.product(choices, repeat=len(key))]
    else:
        lists = [list(key)] + [key[:i] + [c] + key[i + 1:] for i in range(len(key)) for c in choices if c != key[i]]
    if not key:  # an empty key: the empty list, or one word
        lists = [[]] + [[c] for c in choices]
    return lists


def multichoice_question(spec, entry, variant, statement) -> ET.Element:
    question = ET.Element("question", type="multichoice")
    header(question, spec, variant, question_text(spec, variant, statement), key_html(entry), PENALTY)
    key = entry.value if isinstance(entry.value, list) else [entry.value]
    unknown = [w for w in key if w not in spec.choices]
    if unknown:
        raise ValueError(f"{spec.id}: the key's words {unknown} are not among the declared choices")
    lists = choice_lists(spec, key) if entry.kind == "words" else [[c] for c in spec.choices]
    leaf(question, "single", "true")
    leaf(question, "shuffleanswers", "true" if entry.kind == "words" else "false")
    leaf(question, "answernumbering", "abc")
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        text_element(question, tag, "", "html")
    for option in lists:
        shown = ", ".join(option) if option else "(an empty list)"
        answer = ET.SubElement(question, "answer", fraction="100" if option == key else "0", format="html")
        leaf(answer, "text", f"<p>{html.escape(shown)}</p>")
        text_element(answer, "feedback", "", "html")
    return question


def shortanswer_question(spec, entry, variant, statement) -> ET.Element:
    question = ET.Element("question", type="shortanswer")
    header(question, spec, variant, question_text(spec, variant, statement), key_html(entry), PENALTY)
    leaf(question, "usecase", "0")  # the checker compares words without case
    key = entry.value if isinstance(entry.value, list) else [entry.value]
    answer = ET.SubElement(question, "answer", fraction="100", format="plain_text")
    leaf(answer, "text", ", ".join(key))
    text_element(answer, "feedback", "", "html")
    return question


# --- XML -----------------------------------------------------------------------------------

# XML 1.0 cannot carry these characters even as references; free text shows them as <U+XXXX>.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold written as ``<U+XXXX>``."""
    return _NOT_XML.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def leaf(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(text)
    return element


def text_element(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    leaf(element, "text", text)
    return element


def serialise(element: ET.Element) -> str:
    ET.indent(element, space="  ", level=1)
    return "  " + ET.tostring(element, encoding="unicode") + "\n"
