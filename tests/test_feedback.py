"""The feedback PDF a student reads: titled feedback, keys typeset, every
wrong value named, a pointer to the solution's section, nothing overprinted."""

from __future__ import annotations

import re
import subprocess

import pytest

from rnnsym import checker, pipeline
from rnnsym.params import load_variant

pytestmark = [pytest.mark.latex, pytest.mark.usefixtures("latex_available")]


def test_feedback_pdf_reads_as_feedback(tmp_path):
    variant = load_variant(None)
    answers = {"1a.fixed_points": [0.5], "3c.eigenvalues": ["1/5", "-1/5"], "3c.h_t": ["h0_1", "h0_2"],
               "2b.ops.total": "2*T*V*h", "3d.limit": [[0, 0, 0], [0, 0, 0], [0, 0, 0]]}
    result = checker.check_answers(variant, pipeline.solve(variant), answers)
    target = tmp_path / "feedback.pdf"
    checker.write_feedback_pdf(variant, result, target)
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Feedback | variant default" in text and "Solutions |" not in text
    # Keys are typeset from the key's SymPy objects, never printed as SymPy source.
    # (The diagnoses are plain text and may quote a number as 3*sqrt(73)/200.)
    assert "Matrix([" not in text and "4*T*h**2" not in text and "\\frac" not in text
    assert "Section 3" in text and "Section 1" in text
    # 3d.limit: all nine values are wrong, and each is named by its row and column.
    assert "entry (3, 3): 0 instead of 4/9" in " ".join(text.split())
    # The rows follow the sheet's parts: 1a, 1b, 1c, 1d, 2b, ...
    parts = [match for match in re.findall(r"^\s*(\d[a-z])\.", text, re.MULTILINE)]
    assert parts == sorted(parts) and {"1b", "1c"} <= set(parts), parts


def test_feedback_table_has_no_overfull_lines(tmp_path, monkeypatch):
    from rnnsym import latex

    logs = []
    compile_pdf = latex.compile_pdf

    def keeping_log(tex_file, *args, **kwargs):
        try:
            return compile_pdf(tex_file, *args, **kwargs)
        finally:
            logs.append(tex_file.with_suffix(".log").read_text(errors="replace"))

    monkeypatch.setattr(latex, "compile_pdf", keeping_log)
    variant = load_variant(None)
    answers = {answer_id: "w*h_t*(1 - h_t) + " * 20 + "1" for answer_id in checker.answer_key(
        variant, pipeline.solve(variant))}
    result = checker.check_answers(variant, pipeline.solve(variant), answers)
    checker.write_feedback_pdf(variant, result, tmp_path / "feedback.pdf")
    overfull = [float(width) for width in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", logs[-1])]
    assert all(width <= 1.0 for width in overfull), overfull
