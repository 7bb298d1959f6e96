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
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from rnnsym import checker, pipeline, render
from rnnsym.errors import InputError, RnnsymError
from rnnsym.moodle_questions import (leaf, multichoice_question, numerical_question, serialise,
                                     shortanswer_question, text_element)
from rnnsym.moodle_stack import STACK_KINDS, stack_question
from rnnsym.moodle_text import to_html
from rnnsym.params import Variant, load_variant
from rnnsym.problem import AnswerSpec, KeyEntry
from rnnsym.registry import PROBLEMS
from rnnsym.safe_io import printable, write_atomically

CATEGORY_ROOT = "$course$/rnnsym"
# Every answer id the sheets ask, in sheet order: one category each.
ANSWER_IDS = tuple(spec.id for problem in PROBLEMS.values() for spec in problem.answer_specs)


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


# `rnnsym variants` writes each variant's questions beside its answers while
# the derivation is in memory; the export uses them only while the stamp
# (params.toml, answers.json and every source file of rnnsym) still matches,
# and derives the variant again otherwise.
QUESTIONS_FILE = "moodle-questions.json"


def questions_stamp(folder: Path) -> str:
    """What the stored questions of ``folder`` were made from."""
    from rnnsym import build_cache

    digest = hashlib.sha256(build_cache.build_key(folder / "params.toml").encode())
    digest.update((folder / "answers.json").read_bytes())
    return digest.hexdigest()


def store_questions(folder: Path, variant: Variant, solved: list[pipeline.Solved]) -> None:
    """Writes the questions of a variant just built into its folder, stamped."""
    questions = questions_for(variant, solved)
    document = {"stamp": questions_stamp(folder),
                "questions": [dataclasses.asdict(question) for question in questions]}
    write_atomically(folder / QUESTIONS_FILE, json.dumps(document, ensure_ascii=False) + "\n")


def _stored_questions(folder: Path) -> list[Question] | None:
    """The stored questions, when they were made from the folder as it is now."""
    try:
        document = json.loads((folder / QUESTIONS_FILE).read_text(encoding="utf-8"))
        if document["stamp"] != questions_stamp(folder):
            return None
        questions = [Question(str(q["answer_id"]), str(q["variant"]), str(q["xml"])) for q in document["questions"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return questions if [q.answer_id for q in questions] == list(ANSWER_IDS) else None


def variant_questions(folder: Path) -> list[Question]:
    """The questions of one variant folder, one per answer id, in sheet order.

    Raises:
        InputError: params.toml cannot be read, or answers.json differs from
            the answers re-derived from it.
    """
    stored = _stored_questions(folder)
    if stored is not None:
        return stored
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
            questions.append(Question(spec.id, variant.meta.variant, serialise(element)))
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
        return stack_question(spec, entry, variant, statement)
    if entry.kind in ("number", "integer"):
        return numerical_question(spec, entry, variant, statement)
    if spec.choices:
        return multichoice_question(spec, entry, variant, statement)
    return shortanswer_question(spec, entry, variant, statement)


def category_path(answer_id: str) -> str:
    return f"{CATEGORY_ROOT}/{answer_id}"


def category_xml(answer_id: str, spec: AnswerSpec) -> str:
    """The category question of one answer id (its info: what the id asks)."""
    question = ET.Element("question", type="category")
    text_element(question, "category", category_path(answer_id))
    text_element(question, "info", f"<p>rnnsym answer {html.escape(answer_id)}: {to_html(spec.asks)}</p>", "html")
    leaf(question, "idnumber", "")
    return serialise(question)


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
