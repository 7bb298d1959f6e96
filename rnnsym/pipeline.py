"""The one pipeline: parameters -> derive -> check -> render -> compile -> outputs."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from rnnsym import answer_table, i18n, latex, render
from rnnsym.errors import CheckFailed
from rnnsym.exact import NumberForms
from rnnsym.params import Variant, variant_as_strings
from rnnsym.problem import Check, Problem
from rnnsym.registry import PROBLEMS



@dataclasses.dataclass(frozen=True)
class Solved:
    """One problem after derivation and checks: what the report prints."""

    problem: Problem
    derivation: Any
    checks: tuple[Check, ...]


def solve(variant: Variant) -> list[Solved]:
    """Derives and checks every problem; raises :class:`CheckFailed` on any failure."""
    solved = []
    for pid, problem in PROBLEMS.items():
        derivation = problem.derive(variant.problems[pid])
        solved.append(Solved(problem, derivation, tuple(problem.checks(derivation))))
    failed = [check for item in solved for check in item.checks if check.failed]
    if failed:
        lines = "\n".join(f"  {c.id}: {c.what}: {c.detail} (tolerance {c.tolerance})" for c in failed)
        raise CheckFailed(f"{len(failed)} check(s) failed; nothing was published:\n{lines}")
    return solved


def answers_document(variant: Variant, solved: list[Solved]) -> dict:
    """The answers JSON of interfaces.md, section 2."""
    answers: dict[str, Any] = {}
    for item in solved:
        answers.update(item.problem.answers(item.derivation))
    return {
        "params": variant_as_strings(variant),
        "answers": answers,
        "checks": [check.as_json() for item in solved for check in item.checks],
    }


def answers_json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def report_sections(solved: list[Solved], figure_dir: Path, variant: Variant | None = None) -> list[dict]:
    """What the report template needs of each problem; draws its figures.
    ``forms``: how the problem's inputs were typed (its numbers print so)."""
    return [
        dict(
            forms=variant.number_forms(item.problem.id) if variant is not None else NumberForms(),
            title=item.problem.title,
            template=item.problem.template,
            derivation=item.derivation,
            checks=item.checks,
            figures=item.problem.figures(item.derivation, figure_dir),
            answer_specs=item.problem.answer_specs,
            key_rows=answer_table.key_rows([item], variant),
        )
        for item in solved
    ]


# TeX's report of a line or page that does not fit: "Overfull \hbox (37.1pt too
# wide) in paragraph at lines 80--82" (or "... detected at line 9" for displays).
_OVERFULL = re.compile(r"^Overfull \\[hv]box \((\d+(?:\.\d+)?)pt too (?:wide|high)\).*$", re.MULTILINE)


def overfull_boxes(log: str) -> tuple[tuple[float, str], ...]:
    """Every overfull box a TeX log reports, as (points too wide or high, log line)."""
    return tuple((float(match.group(1)), match.group(0)) for match in _OVERFULL.finditer(log))


@dataclasses.dataclass(frozen=True)
class BuildResult:
    """What a build wrote, how long its LaTeX compiles took (for benchmarks),
    and the overfull boxes each compile's log reported (by sheet), so that a
    test can hold every layout to the margins without keeping the logs."""

    outputs: dict[str, Path]
    compile_seconds: float
    overfull: dict[str, tuple[tuple[float, str], ...]] = dataclasses.field(default_factory=dict)


def build_report(variant: Variant, out_dir: Path, *, problem_sheet: bool = False,
                 html_pages: bool = False, solved: list[Solved] | None = None) -> BuildResult:
    """Builds solutions.pdf, solutions.tex and answers.json in ``out_dir``
    (and problems.pdf/.tex, the statements only, with ``problem_sheet``).

    Everything is made in a temporary directory inside ``out_dir`` and moved
    into place only once every PDF exists, so a failed build (a check,
    LaTeX) leaves the previous outputs as they were.

    ``html_pages``: also the HTML edition in ``out_dir/html``
    (:mod:`rnnsym.html`), from the same sections and figures. ``solved``:
    the variant's :func:`solve` when the caller has it already.

    Raises:
        CheckFailed: a check failed (nothing is written).
        LatexError: LaTeX is missing or failed (nothing is published).
    """
    if html_pages:  # a missing pandoc is said before any work
        from rnnsym import html

        html.require_pandoc()
    solved = solve(variant) if solved is None else solved
    with i18n.using(variant.meta.language):
        return _build_documents(variant, solved, out_dir, problem_sheet, html_pages)


def _build_documents(variant: Variant, solved: list[Solved], out_dir: Path, problem_sheet: bool,
                     html_pages: bool) -> BuildResult:
    """The documents of :func:`build_report`, in the current language."""
    if html_pages:
        from rnnsym import html

    latex.require_latex()
    out_dir.mkdir(parents=True, exist_ok=True)
    sheets = {"solutions": True, **({"problems": False} if problem_sheet else {})}
    names = ["answers.json"] + [f"{sheet}.{ext}" for sheet in sheets for ext in ("tex", "pdf")]
    compile_seconds = 0.0
    overfull = {}
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as scratch:
        work = Path(scratch)
        sections = report_sections(solved, work, variant)
        for sheet, show_solutions in sheets.items():
            tex_file = work / f"{sheet}.tex"
            tex_file.write_text(render.render_tex(variant.meta, sections, show_solutions), encoding="utf-8")
            started = time.perf_counter()
            latex.compile_pdf(tex_file)
            compile_seconds += time.perf_counter() - started
            log = tex_file.with_suffix(".log")
            overfull[sheet] = overfull_boxes(log.read_text(errors="replace")) if log.exists() else ()
        (work / "answers.json").write_text(answers_json(answers_document(variant, solved)), encoding="utf-8")
        pages = []
        if html_pages:
            (work / "html").mkdir()
            pages = html.write_pages(variant.meta, sections, work, work / "html")  # both sheets, always
        for name in names:
            os.replace(work / name, out_dir / name)
        if html_pages:
            html.replace_directory(work / "html", out_dir / "html")
    outputs = {name: out_dir / name for name in names}
    outputs.update({f"html/{page}": out_dir / "html" / page for page in pages})
    return BuildResult(outputs, compile_seconds, overfull)
