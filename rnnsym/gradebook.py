"""A class at once: one gradebook row per variant, whatever the students' files hold.

Layout: ``PARAMS_DIR/<variant id>/params.toml`` for each variant (the
instructor's folder) and ``ANSWERS_DIR/<variant id>.toml`` or ``.json`` for
each student (files written by strangers). Every variant gets a row with a
status; one student's file (unreadable, hostile, slow) costs only that row.
Files that match no variant, and a variant with both a ``.toml`` and a
``.json`` file (neither is graded: which one the student meant is for the
instructor to decide), are named in warnings.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from pathlib import Path

from rnnsym import checker, pipeline, sandbox
from rnnsym.errors import InputError
from rnnsym.params import load_variant
from rnnsym.safe_io import csv_cell, printable, write_atomically

EXTENSIONS = (".toml", ".json")
# The class budget when none is given: this many seconds per answers file
# (an honest file takes well under a second), and at least CLASS_SECONDS_MIN.
CLASS_SECONDS_PER_FILE = 10.0
CLASS_SECONDS_MIN = 60.0
COLUMNS = ("variant", "student", "student_id", "status", "correct", "of")


@dataclasses.dataclass
class Gradebook:
    """The rows (one per variant folder), the answer ids and the warnings of a run."""

    rows: list[dict]
    ids: list[str]
    warnings: list[str]

    def csv_text(self) -> str:
        """The CSV file: text cells neutralised against spreadsheet formulas."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *self.ids], restval="")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({name: csv_cell(value) for name, value in row.items()})
        return buffer.getvalue()

    def count(self, status: str) -> int:
        return sum(row["status"].startswith(status) for row in self.rows)


def variant_folders(params_dir: Path) -> list[Path]:
    """The variant folders of ``params_dir`` (those holding a params.toml), sorted by name."""
    folders = sorted(p.parent for p in Path(params_dir).glob("*/params.toml"))
    if not folders:
        raise InputError(f"--params-dir {printable(params_dir)}: no variant folders with a params.toml")
    return folders


def match_answers_files(answers_dir: Path, variant_ids: list[str]) -> tuple[dict, list[str]]:
    """Which answers file belongs to which variant.

    A file belongs to a variant when its name is exactly ``<variant id>.toml``
    or ``.json``. Names are compared exactly: ``S1-V002.toml`` is not
    ``s1-v002.toml`` (the warning points out the near miss).

    Returns:
        ``{variant id: [paths]}`` (two paths for a duplicate pair) and the
        warnings: every entry of ``answers_dir`` that matches no variant, and
        every duplicate.
    """
    try:
        names = sorted(entry.name for entry in os.scandir(answers_dir))
    except OSError as error:
        raise InputError(f"--answers-dir {printable(answers_dir)}: cannot list it ({error.strerror})") from None
    known = set(variant_ids)
    by_folded = {v.casefold(): v for v in variant_ids}
    matched: dict[str, list[Path]] = {}
    warnings = []
    for name in names:
        stem, extension = os.path.splitext(name)
        if extension in EXTENSIONS and stem in known:
            matched.setdefault(stem, []).append(Path(answers_dir) / name)
            continue
        hint = _near_miss(name, by_folded)
        warnings.append(f"{printable(name)}: matches no variant and is not graded (expected <variant id>.toml "
                        f"or .json{'; ' + hint if hint else ''})")
    for variant, paths in matched.items():
        if len(paths) > 1:
            warnings.append(f"{variant}: two answers files ({', '.join(p.name for p in paths)}); neither is graded "
                            "until one is removed")
    return matched, warnings


def _near_miss(name: str, by_folded: dict) -> str:
    """A hint for a file that nearly names a variant: another case, another extension."""
    folded = name.casefold()
    for variant_folded, variant in by_folded.items():
        if folded == variant_folded or folded.startswith(variant_folded + "."):
            extension = next((e for e in EXTENSIONS if e in folded[len(variant_folded):]), ".toml")
            return f"did you mean {variant}{extension}?"
    return ""


def grade(params_dir: Path, answers_dir: Path, budgets: sandbox.Budgets | None = None) -> Gradebook:
    """Grades every variant folder of ``params_dir`` against its answers file.

    Args:
        params_dir: the instructor's variants folder.
        answers_dir: the students' answers files.
        budgets: time and memory budgets; without a class budget, it is
            CLASS_SECONDS_PER_FILE per answers file (at least CLASS_SECONDS_MIN).
    """
    folders = variant_folders(params_dir)
    matched, warnings = match_answers_files(answers_dir, [f.name for f in folders])
    budgets = budgets or sandbox.Budgets()
    if budgets.class_seconds is None:
        budgets = dataclasses.replace(budgets, class_seconds=max(CLASS_SECONDS_MIN,
                                                                 CLASS_SECONDS_PER_FILE * len(matched)))
    grader = sandbox.Grader(budgets)
    rows, ids = [], None
    for folder in folders:
        row = {"variant": folder.name, "student": "", "student_id": ""}
        try:
            row, row_ids = _grade_one(folder, matched.get(folder.name, []), grader, row)
        except Exception as error:  # noqa: BLE001 - one variant's failure is its row, not the class's
            row, row_ids = {**row, "status": _failure(error), "_fill": "not graded"}, None
        ids = ids or row_ids
        rows.append(row)
    ids = ids or _answer_ids()
    for row in rows:
        fill = row.pop("_fill", None)
        if fill:
            row.update({answer_id: fill for answer_id in ids})
            if fill != "not graded":
                row.update(correct=0, of=len(ids))
    return Gradebook(rows, ids, warnings)


def _grade_one(folder: Path, answers_files: list[Path], grader: sandbox.Grader,
               row: dict) -> tuple[dict, list | None]:
    """One variant's row (and its answer ids when its key was built); ``row`` gets the student first."""
    try:
        variant = load_variant(folder / "params.toml")
    except InputError as error:
        return {**row, "status": f"cannot read params.toml: {printable(error)}", "_fill": "not graded"}, None
    row.update(student=variant.meta.student, student_id=variant.meta.student_id)
    if not answers_files:
        return {**row, "status": "no answers file", "_fill": "missing"}, None
    if len(answers_files) > 1:
        names = " and ".join(p.name for p in answers_files)
        return {**row, "status": f"not graded: two answers files ({names}); remove one", "_fill": "not graded"}, None
    if grader.class_budget_spent():
        return {**row, "status": f"not graded: {grader.budget_note('class')}", "_fill": "not graded"}, None
    try:
        answers = checker.read_answers(answers_files[0])
    except InputError as error:
        reason = str(error).split(": cannot read the answers file: ", 1)[-1]
        return {**row, "status": f"unreadable file: {printable(reason)}", "_fill": "unreadable"}, None
    result = checker.check_answers(variant, pipeline.solve(variant), answers, grader)
    stopped = result["_stopped"]
    status = f"graded in part: {stopped}" if stopped else "graded"
    row.update(status=status, correct=result["score"]["correct"], of=result["score"]["of"],
               **{answer_id: verdict["verdict"] for answer_id, verdict in result["answers"].items()})
    return row, list(result["answers"])


def _failure(error: BaseException) -> str:
    return printable(f"grading failed: {type(error).__name__}: {error}")


def _answer_ids() -> list[str]:
    """The answer ids (the same for every variant), from the default variant's key."""
    variant = load_variant(None)
    return list(checker.answer_key(variant, pipeline.solve(variant)))


def default_target(params_dir: Path) -> Path:
    """Where the gradebook goes by default: beside the variant folders, not among the students' files."""
    return Path(params_dir) / "gradebook.csv"


def check_target(target: Path, answers_dir: Path, *, given: bool = True) -> None:
    """Refuses a gradebook path inside the students' folder.

    Args:
        given: whether the user chose ``target`` (--gradebook) or it is the default.

    Raises:
        InputError: naming both paths.
    """
    place = Path(os.path.realpath(Path(target).parent))
    students = Path(os.path.realpath(answers_dir))
    if place == students or students in place.parents:
        where = f"--gradebook {printable(target)}" if given else \
            f"the default gradebook {printable(target)} (PARAMS_DIR/gradebook.csv)"
        raise InputError(f"{where}: inside --answers-dir {printable(answers_dir)}, where the students' files are; "
                         "give --gradebook outside it")


def write(params_dir: Path, answers_dir: Path, target: Path | None = None,
          budgets: sandbox.Budgets | None = None) -> Gradebook:
    """Grades the class and writes the gradebook CSV atomically to ``target`` (default: :func:`default_target`).

    Returns:
        The gradebook (its rows, and the warnings to show).

    Raises:
        InputError: no variant folders, an unlistable answers folder, a target inside it.
        OutputError: the CSV could not be written (the previous one is unchanged).
    """
    given = target is not None
    target = target if given else default_target(params_dir)
    check_target(target, answers_dir, given=given)
    book = grade(params_dir, answers_dir, budgets)
    write_atomically(target, book.csv_text())
    return book
