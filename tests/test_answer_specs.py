"""One declaration per answer id: the sheet asks what the grader grades.

The problem sheet's hand-in list, the answers file and the grader's key are
all made from the problems' ``ANSWER_SPECS``; these tests hold them equal on
the default variant and on drawn variants.
"""

from __future__ import annotations

import re

import pytest

from rnnsym import checker, pipeline, render
from rnnsym.params import load_variant
from rnnsym.problem import ANSWER_KINDS
from rnnsym.registry import PROBLEMS
from rnnsym.variants import BatchSpec, draw_batch

# interfaces.md, section 2: the ids instructors' scripts rely on.
INTERFACE_IDS = {
    "1a.fixed_points", "1c.kinds", "1b.derivative", "1d.fixed_points", "1d.kinds", "1d.closed_form",
    "2b.ops.encoder", "2b.ops.decoder", "2b.ops.total", "2b.flops_torch.total", "2b.params.encoder",
    "2b.params.decoder", "2b.params.total", "2b.params_torch.total", "3a.dE_dwy", "3a.dE_dwh", "3a.dE_dwx",
    "3c.eigenvalues", "3c.h_t", "3c.spectral_radius", "3c.regime", "3d.limit", "4a.weights", "4c.params",
    "4c.params_all_directions", "4c.sequential_steps", "4c.max_parallel_cells",
}


def declared_ids() -> list[str]:
    return [spec.id for problem in PROBLEMS.values() for spec in problem.answer_specs]


def sheet_ids(tex: str) -> list[str]:
    """The answer ids a rendered sheet asks for (its hand-in list)."""
    return [item.replace(r"\_", "_") for item in re.findall(r"\\item\[\\texttt\{([^}]*)\}\]", tex)]


VARIANTS = [load_variant(None), *draw_batch(BatchSpec(seed=7, count=3, students=(), options={}))]


def test_declarations_are_unique_and_cover_the_interface():
    ids = declared_ids()
    assert len(ids) == len(set(ids))
    assert set(ids) == INTERFACE_IDS
    for problem in PROBLEMS.values():
        for spec in problem.answer_specs:
            assert spec.kind in ANSWER_KINDS and spec.asks and spec.form
            assert spec.part == spec.id.split(".")[0] and spec.part.startswith(problem.id[1:])


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.meta.variant)
def test_the_grader_grades_exactly_what_the_sheet_asks(variant, tmp_path):
    solved = pipeline.solve(variant)
    graded = list(checker.answer_key(variant, solved))
    sheet = render.render_tex(variant.meta, pipeline.report_sections(solved, tmp_path), show_solutions=False)
    exported = pipeline.answers_document(variant, solved)["answers"]
    assert sorted(sheet_ids(sheet)) == sorted(graded) == sorted(declared_ids()) == sorted(exported)
    score = checker.check_answers(variant, solved, {})["score"]
    assert score["of"] == len(sheet_ids(sheet))


def test_every_convention_a_key_uses_is_printed_on_the_sheet(tmp_path):
    variant = VARIANTS[0]
    solved = pipeline.solve(variant)
    sheet = render.render_tex(variant.meta, pipeline.report_sections(solved, tmp_path), show_solutions=False)
    for problem in PROBLEMS.values():
        for spec in problem.answer_specs:
            if spec.convention:
                assert spec.convention in sheet, spec.id
    # The counts whose keys depend on a convention say which one.
    conventions = {spec.id: spec.convention for p in PROBLEMS.values() for spec in p.answer_specs}
    for answer_id in ("2b.ops.total", "2b.flops_torch.total", "2b.params.total", "2b.params_torch.total",
                      "4c.params", "4c.params_all_directions"):
        assert conventions[answer_id], answer_id


def test_index_csv_has_a_column_for_every_answer_id(tmp_path):
    import csv

    from rnnsym import variants

    variant = VARIANTS[0]
    answers = pipeline.answers_document(variant, pipeline.solve(variant))["answers"]
    outcome = variants.Outcome(0, "s1-v001", "", None, 1.0, 0.5, answers)
    variants.write_index([outcome], BatchSpec(seed=1, count=1, students=(), options={}), tmp_path / "index")
    with open(tmp_path / "index.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert set(declared_ids()) <= set(rows[0])
    assert rows[0]["4c.max_parallel_cells"] == str(answers["4c.max_parallel_cells"])


@pytest.mark.parametrize("kind", ["expression", "number", "exact", "matrix"])
def test_the_key_printers_refuse_text_rather_than_parse_it(kind, tmp_path, monkeypatch):
    """Strings are never parsed (SymPy's parser evaluates them) on the way to LaTeX."""
    import sympy

    from rnnsym import answer_table, printing

    monkeypatch.chdir(tmp_path)
    hostile = "__import__('os').system('touch pwned')"
    value = [[hostile]] if kind == "matrix" else ([hostile] if kind == "exact" else hostile)
    with pytest.raises(sympy.SympifyError):
        answer_table.typeset_key(value, kind)
    with pytest.raises(sympy.SympifyError):
        printing.tex(hostile)
    assert not (tmp_path / "pwned").exists()
