"""Variants for instructors: one seeded draw per student, built in parallel.

Every problem draws its own numbers from a generator seeded by (batch seed,
variant index, problem, attempt) (:mod:`rnnsym.drawing`), so a variant is
the same whichever shard or worker builds it. Each variant's folder holds
params.toml (which ``rnnsym report --params`` rebuilds exactly),
problems.pdf, solutions.pdf and answers.json (and html/, the HTML edition,
with ``--format html`` or ``both``).
"""

from __future__ import annotations

import concurrent.futures
import csv
import dataclasses
import io
import json
import os
import sys
import time
import unicodedata
from pathlib import Path

from rnnsym import drawing, merged_key, moodle, pipeline
from rnnsym.errors import InputError, RnnsymError
from rnnsym.params import STUDENT_ID_LENGTH, STUDENT_NAME_LENGTH, Meta, Variant, as_strings, written_forms
from rnnsym.registry import PROBLEMS
from rnnsym.safe_io import csv_cell, printable, write_atomically

# The index lists every answer id the sheet asks for, in the sheet's order.
INDEX_ANSWERS = tuple(spec.id for problem in PROBLEMS.values() for spec in problem.answer_specs)


@dataclasses.dataclass(frozen=True)
class Student:
    name: str
    id: str = ""


@dataclasses.dataclass(frozen=True)
class BatchSpec:
    """What to generate: how many variants, from which seed, for whom."""

    seed: int
    count: int
    students: tuple = ()
    options: dict = dataclasses.field(default_factory=dict)
    title: str = Meta.title
    course: str = ""
    language: str = "en"


def variant_id(seed: int, index: int) -> str:
    return f"s{seed}-v{index + 1:03d}"


def read_roster(path: Path) -> tuple[Student, ...]:
    """Students from a CSV file with a header: a ``name`` column and optionally ``id``.

    Each row is checked against the limits params.toml applies to
    meta.student and meta.student_id (length, no control characters), so a
    roster that is read builds only variants whose params.toml reads back.

    Raises:
        InputError: "--roster FILE, line N: ..." for the first bad row.
    """
    shown = printable(path)
    try:
        # utf-8-sig: a spreadsheet's byte order mark would otherwise hide the 'name' column.
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"--roster {shown}: cannot read the CSV file ({printable(error)})") from None
    if not rows or "name" not in rows[0][1]:
        raise InputError(f"--roster {shown}: expected a header with a 'name' column (and optionally 'id')")
    students = []
    for line, row in rows:
        name = (row.get("name") or "").strip()
        if not name:
            raise InputError(f"--roster {shown}, line {line}: the name is empty")
        student_id = (row.get("id") or "").strip()
        for field, value, limit in (("name", name, STUDENT_NAME_LENGTH), ("id", student_id, STUDENT_ID_LENGTH)):
            problem = _roster_text_problem(value, limit)
            if problem:
                raise InputError(f"--roster {shown}, line {line}: the {field} {problem}")
        students.append(Student(name, student_id))
    return tuple(students)


def _roster_text_problem(value: str, limit: int) -> str:
    """Why a roster cell cannot go into params.toml, or ""."""
    if len(value) > limit:
        return f"is longer than {limit} characters ({len(value)})"
    control = next((c for c in value if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")), None)
    if control is not None:
        return f"contains a control character (U+{ord(control):04X})"
    return ""


def _draw_variant(spec: BatchSpec, index: int, attempt: int) -> Variant:
    problems = {
        pid: problem.draw(drawing.generator(spec.seed, index, number, attempt), spec.options)
        for number, (pid, problem) in enumerate(PROBLEMS.items(), start=1)
    }
    student = spec.students[index] if spec.students else Student("")
    meta = Meta(title=spec.title, course=spec.course, variant=variant_id(spec.seed, index),
                student=student.name, student_id=student.id, seed=str(spec.seed), language=spec.language)
    # Its numbers print as its params.toml types them, so a rebuild is the same.
    return Variant(meta, problems, typed=written_forms(problems))


def draw_batch(spec: BatchSpec) -> list[Variant]:
    """Every variant of the batch, no two with the same numbers.

    A variant whose numbers repeat an earlier one's is redrawn with the next
    attempt number; the whole batch is always drawn, in order, so the result
    does not depend on sharding.
    """
    seen, variants = set(), []
    for index in range(spec.count):
        for attempt in drawing.tries():
            variant = _draw_variant(spec, index, attempt)
            key = json.dumps({pid: as_strings(p) for pid, p in variant.problems.items()}, sort_keys=True)
            if key not in seen:
                seen.add(key)
                variants.append(variant)
                break
        else:
            raise drawing.DrawError(f"variant {index + 1}: every draw repeats an earlier variant")
    return variants


def _toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # JSON string escapes are valid in TOML basic strings.
    return json.dumps(value, ensure_ascii=False)


def params_toml(variant: Variant) -> str:
    """A parameter file that rebuilds ``variant`` exactly (numbers as exact strings)."""
    lines = [f"# rnnsym variant {variant.meta.variant} (batch seed {variant.meta.seed})"]
    for section, values in [("meta", as_strings(variant.meta))] + [
        (pid, as_strings(p)) for pid, p in variant.problems.items()
    ]:
        lines.append(f"\n[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How the build of one variant went."""

    index: int
    variant: str
    student: str
    error: str | None
    seconds: float
    compile_seconds: float
    answers: dict


def build_variant(variant: Variant, index: int, out_dir: Path, formats: tuple[str, ...] = ("pdf",)) -> Outcome:
    """Builds one variant's folder, in the editions ``formats`` ("pdf" and/or
    "html": ``html/problems.html``, ``html/solutions.html``); errors are
    returned, not raised, so one failing variant cannot stop the others."""
    started = time.perf_counter()
    folder = out_dir / variant.meta.variant
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "params.toml").write_text(params_toml(variant), encoding="utf-8")
        if "pdf" in formats:  # with "html" too, the pages come from the PDF's figures
            solved = pipeline.solve(variant)
            result = pipeline.build_report(variant, folder, problem_sheet=True, html_pages="html" in formats,
                                           solved=solved)
            # The Moodle export's questions, while the derivation is at hand; a
            # key that cannot be a question is the export's error to report.
            try:
                moodle.store_questions(folder, variant, solved)
            except moodle.ExportError:
                pass
        else:
            from rnnsym import html

            html.build_html(variant, folder)
            result = pipeline.BuildResult({}, 0.0)
        answers = json.loads((folder / "answers.json").read_text(encoding="utf-8"))["answers"]
        picked = {key: answers[key] for key in INDEX_ANSWERS if key in answers}
        return Outcome(index, variant.meta.variant, variant.meta.student, None,
                       time.perf_counter() - started, result.compile_seconds, picked)
    except (RnnsymError, OSError) as error:
        return Outcome(index, variant.meta.variant, variant.meta.student, str(error),
                       time.perf_counter() - started, 0.0, {})


def parse_shard(text: str) -> tuple[int, int]:
    try:
        part, total = (int(x) for x in text.split("/"))
    except ValueError:
        raise InputError(f"--shard {text!r}: expected K/N, such as 1/4") from None
    if not 1 <= part <= total:
        raise InputError(f"--shard {text!r}: expected 1 <= K <= N")
    return part, total


class Progress:
    """A progress bar on a terminal, plain lines elsewhere."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.started = time.perf_counter()
        self.tty = stream.isatty()

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.started
        remaining = elapsed / self.done * (self.total - self.done)
        status = "FAILED" if outcome.error else "done"
        if self.tty:
            bar = "#" * int(30 * self.done / self.total)
            self.stream.write(f"\r[{bar:<30}] variant {self.done} of {self.total}, "
                              f"{elapsed:.0f} s elapsed, ~{remaining:.0f} s left ")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"variant {self.done} of {self.total} ({outcome.variant}) {status} "
                              f"in {outcome.seconds:.1f} s; {elapsed:.0f} s elapsed, ~{remaining:.0f} s left\n")
        self.stream.flush()


def run_batch(spec: BatchSpec, out_dir: Path, *, jobs: int | None = None,
              shard: tuple[int, int] = (1, 1), formats: tuple[str, ...] = ("pdf",)) -> list[Outcome]:
    """Draws the batch and builds this shard's variants in a process pool.

    Writes the index (CSV and JSON) and, with the PDF edition, the merged
    key PDF of the variants built; returns every outcome (failures included).
    """
    if "html" in formats:
        from rnnsym import html

        html.require_pandoc()  # once, before any variant is built
    variants = draw_batch(spec)
    part, total = shard
    mine = [(i, v) for i, v in enumerate(variants) if i % total == part - 1]
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = Progress(len(mine))
    outcomes = []
    workers = jobs or os.cpu_count() or 1
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(build_variant, v, i, out_dir, formats) for i, v in mine]
        for future in concurrent.futures.as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            progress.update(outcome)
    outcomes.sort(key=lambda o: o.index)
    suffix = "" if shard == (1, 1) else f"-{part}-of-{total}"
    write_index(outcomes, spec, out_dir / f"index{suffix}")
    built = [(out_dir / o.variant / "solutions.pdf", o.variant + (f" ({o.student})" if o.student else ""))
             for o in outcomes if o.error is None]
    if built and "pdf" in formats:
        merged_key.write(built, out_dir / f"key{suffix}.pdf", jobs=workers)
    return outcomes


def write_index(outcomes: list[Outcome], spec: BatchSpec, stem: Path) -> None:
    """The batch index for the grader, as JSON and CSV, each written atomically.

    Text cells of the CSV (student names and ids come from a roster) are
    neutralised against spreadsheet formulas; numbers stay numbers.
    """
    rows = [
        {"variant": o.variant, "seed": spec.seed, "index": o.index + 1, "student": o.student,
         "student_id": spec.students[o.index].id if spec.students else "",
         "status": "failed" if o.error else "ok",
         **{k: v if isinstance(v, (str, int)) else json.dumps(v) for k, v in o.answers.items()}}
        for o in outcomes
    ]
    write_atomically(stem.with_suffix(".json"), json.dumps(
        [{**row, **o.answers, "error": o.error} for row, o in zip(rows, outcomes)], indent=2, ensure_ascii=False) + "\n")
    columns = ["variant", "seed", "index", "student", "student_id", "status", *INDEX_ANSWERS]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({name: csv_cell(value) for name, value in row.items()} for row in rows)
    write_atomically(stem.with_suffix(".csv"), buffer.getvalue())


@dataclasses.dataclass(frozen=True)
class StressResult:
    variant: str
    failed_checks: tuple
    fixed_points: int
    regime: str
    error: str | None = None


def stress_one(variant: Variant) -> StressResult:
    """Derives and checks one variant (no LaTeX)."""
    try:
        solved = {item.problem.id: item for item in pipeline.solve(variant)}
    except RnnsymError as error:
        return StressResult(variant.meta.variant, (), 0, "", str(error))
    return StressResult(variant.meta.variant, (), len(solved["p1"].derivation.fixed_points),
                        solved["p3"].derivation.dynamics.regime)


def stress(spec: BatchSpec, jobs: int | None = None) -> list[StressResult]:
    """Like R/exams' stresstest: draw ``spec.count`` variants and check them all."""
    variants = draw_batch(spec)
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        return list(pool.map(stress_one, variants))
