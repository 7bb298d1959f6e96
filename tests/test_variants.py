"""Variants: seeded draws, their constraints, params.toml, batches, shards, stress."""

import json
import subprocess
import sys

import pytest
import sympy

from rnnsym import drawing, pipeline, variants
from rnnsym.errors import CheckFailed, InputError
from rnnsym.params import load_variant
from tests.conftest import write

SHEETS = ("params.toml", "answers.json", "solutions.tex", "problems.tex", "solutions.pdf", "problems.pdf")


def spec(count=6, seed=7, **options):
    return variants.BatchSpec(seed, count, options=options)


@pytest.mark.parametrize("seed", range(12))
def test_drawn_variants_meet_their_constraints(seed):
    for variant in variants.draw_batch(spec(count=3, seed=seed, p1_fixed_points="three", p3_regime="explodes")):
        solved = {item.problem.id: item.derivation for item in pipeline.solve(variant)}
        points = [float(p.value) for p in solved["p1"].fixed_points]
        assert len(points) == 3 and min(b - a for a, b in zip(points, points[1:])) > 0.05
        relu_fixed = [p.value for p in solved["p1"].relu_fixed_points]
        assert relu_fixed[0] == 0 and relu_fixed[1] in (sympy.Rational(1, 2), 1, sympy.Rational(3, 2), 2)
        dynamics = solved["p3"].dynamics
        assert dynamics.regime == "explodes" and dynamics.decomposition.kind == "symmetric"
        assert all(v.is_Rational for v in dynamics.eigenvalues) and len(set(dynamics.eigenvalues)) == 2
        assert solved["p3"].dynamics3.limit is not None


def test_params_toml_rebuilds_the_same_variant(tmp_path):
    for variant in variants.draw_batch(spec(count=4, seed=11)):
        path = write(tmp_path / "p.toml", variants.params_toml(variant))
        assert load_variant(path) == variant


def test_the_same_seed_draws_the_same_batch_and_no_two_variants_repeat():
    first, second = variants.draw_batch(spec(count=20, seed=5)), variants.draw_batch(spec(count=20, seed=5))
    assert [variants.params_toml(v) for v in first] == [variants.params_toml(v) for v in second]
    keys = {json.dumps(pipeline.answers_document(v, pipeline.solve(v))["answers"], sort_keys=True) for v in first[:8]}
    assert len(keys) == 8
    assert variants.params_toml(variants.draw_batch(spec(count=1, seed=6))[0]) != variants.params_toml(first[0])


def test_generators_depend_on_seed_index_problem_and_attempt():
    draws = {tuple(drawing.generator(*key).integers(0, 2**62, size=2)) for key in
             [(1, 0, 1), (1, 0, 2), (1, 1, 1), (2, 0, 1), (1, 0, 1, 1)]}
    assert len(draws) == 5


def test_shards_partition_the_batch():
    assert variants.parse_shard("2/3") == (2, 3)
    for bad in ("0/2", "3/2", "x", "1-2"):
        with pytest.raises(InputError, match="--shard"):
            variants.parse_shard(bad)


def test_roster_needs_a_name_column(tmp_path):
    with pytest.raises(InputError, match="name"):
        variants.read_roster(write(tmp_path / "r.csv", "student,id\nA,1\n"))
    students = variants.read_roster(write(tmp_path / "r.csv", 'name,id\n"O\'Brien & \\textbf{x}_1",42\n'))
    assert students == (variants.Student("O'Brien & \\textbf{x}_1", "42"),)


def test_one_failing_variant_does_not_stop_the_others(tmp_path, monkeypatch):
    def fake_build(variant, folder, problem_sheet, html_pages=False, solved=None):
        if variant.meta.variant.endswith("v002"):
            raise CheckFailed("1 check(s) failed; nothing was published:\n  1a.residual: ...")
        for name in ("answers.json",):
            (folder / name).write_text('{"answers": {"4c.sequential_steps": 13}}')
        return pipeline.BuildResult({}, 0.5)

    monkeypatch.setattr(pipeline, "build_report", fake_build)
    monkeypatch.setattr(variants.merged_key, "write", lambda parts, target, jobs=None: None)
    outcomes = variants.run_batch(spec(count=3), tmp_path, jobs=1)
    assert [o.error is None for o in outcomes] == [True, False, True]
    assert "1a.residual" in outcomes[1].error
    index = (tmp_path / "index.csv").read_text()
    assert "s7-v002,7,2,,,failed" in index and "s7-v003,7,3,,,ok" in index


def rnnsym(*args):
    return subprocess.run([sys.executable, "-m", "rnnsym", *map(str, args)], capture_output=True, text=True)


def test_stress_checks_many_variants_and_reports_the_regimes():
    result = rnnsym("stress", "--count", 6, "--seed", 1, "--jobs", 2, "--fixed-points", "three", "--regime", "bounded")
    assert result.returncode == 0, result.stderr
    assert "6 variants drawn and checked from seed 1: 0 failed" in result.stdout
    assert "3: 6" in result.stdout and "bounded: 6" in result.stdout


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_a_batch_is_reproducible_shardable_and_rebuildable(tmp_path):
    full, again, sharded = tmp_path / "full", tmp_path / "again", tmp_path / "sharded"
    assert rnnsym("variants", "--count", 6, "--seed", 7, "--out", full, "--jobs", 2).returncode == 0
    folders = sorted(p.name for p in full.iterdir() if p.is_dir())
    assert folders == [f"s7-v00{i}" for i in range(1, 7)]
    for folder in folders:
        assert all((full / folder / name).exists() for name in SHEETS)
    assert (full / "index.csv").exists() and (full / "index.json").exists() and (full / "key.pdf").exists()
    # The merged key: every variant's pages, each headed by its variant, numbered on from 1 to the end.
    pages = subprocess.run(["pdftotext", str(full / "key.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")[:-1]
    assert sum(f"key page {n}" in page for n, page in enumerate(pages, start=1)) == len(pages)
    first_pages = [n for n, page in enumerate(pages) if "Answer key" in page]
    assert [pages[n].split("Key: ")[1].split()[0] for n in first_pages] == folders
    assert rnnsym("variants", "--count", 6, "--seed", 7, "--out", again, "--jobs", 2).returncode == 0
    for part in ("1/2", "2/2"):
        assert rnnsym("variants", "--count", 6, "--seed", 7, "--out", sharded, "--shard", part).returncode == 0
    for folder in folders:
        for name in ("params.toml", "answers.json", "solutions.tex", "problems.tex"):
            original = (full / folder / name).read_bytes()
            assert (again / folder / name).read_bytes() == original
            assert (sharded / folder / name).read_bytes() == original
    rebuilt = rnnsym("report", "--params", full / "s7-v004" / "params.toml", "--out", tmp_path / "rebuilt")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (tmp_path / "rebuilt" / "answers.json").read_bytes() == (full / "s7-v004" / "answers.json").read_bytes()


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_a_hostile_student_name_prints_literally(tmp_path):
    roster = write(tmp_path / "roster.csv", 'name,id\n"O\'Brien & \\textbf{x}_1",42\n')
    result = rnnsym("variants", "--roster", roster, "--seed", 3, "--out", tmp_path / "out", "--jobs", 1)
    assert result.returncode == 0, result.stderr
    for sheet in ("problems.pdf", "solutions.pdf"):
        text = subprocess.run(["pdftotext", str(tmp_path / "out" / "s3-v001" / sheet), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "student: O'Brien & \\textbf{x}_1 (42)" in text and "variant s3-v001 | seed 3" in text
