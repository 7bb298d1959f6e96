"""A class at once: every student's answers against their own variant's key."""

from __future__ import annotations

import csv
from pathlib import Path

from rnnsym import checker, pipeline
from rnnsym.errors import InputError
from rnnsym.params import load_variant


def write(params_dir: Path, answers_dir: Path, target: Path) -> int:
    """Writes a gradebook CSV: one row per variant that has an answers file.

    A variant folder is any folder of ``params_dir`` with a params.toml; its
    answers are ``answers_dir/<variant id>.toml`` (or ``.json``).

    Returns:
        The number of students graded.
    """
    folders = sorted(p.parent for p in Path(params_dir).glob("*/params.toml"))
    if not folders:
        raise InputError(f"--params-dir {params_dir}: no variant folders with a params.toml")
    rows, ids = [], None
    for folder in folders:
        answers_file = next((answers_dir / f"{folder.name}{ext}" for ext in (".toml", ".json")
                             if (answers_dir / f"{folder.name}{ext}").exists()), None)
        if answers_file is None:
            continue
        variant = load_variant(folder / "params.toml")
        result = checker.check_answers(variant, pipeline.solve(variant), checker.read_answers(answers_file))
        ids = ids or list(result["answers"])
        rows.append({"variant": folder.name, "student": variant.meta.student, "student_id": variant.meta.student_id,
                     "correct": result["score"]["correct"], "of": result["score"]["of"],
                     **{i: result["answers"][i]["verdict"] for i in ids}})
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["variant", "student", "student_id", "correct", "of", *(ids or [])])
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
