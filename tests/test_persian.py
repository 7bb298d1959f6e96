"""The Persian edition, compiled: solutions, problem sheet and feedback PDFs
in Persian (XeLaTeX, xepersian), with the same numbers as the English one."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from rnnsym import cli, latex, pipeline, tex_text
from rnnsym.params import load_variant
from tests.conftest import write

pytestmark = pytest.mark.latex

# pdftotext gives Arabic presentation forms in visual order; NFKC turns them
# into letters, but into the Arabic yeh and kaf, which Persian writes
# differently; the joiners and bidi marks carry no text, and the hamza above
# (of "نقطهٔ") comes out on a line of its own.
_PERSIAN_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
_INVISIBLE = re.compile("[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\u0654]")


def pdf_text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return pdf_line(text)


def pdf_line(text: str) -> str:
    """Text as pdftotext gives it, or as the source writes it, in one form:
    letters, not presentation forms; no joiners or bidi marks."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).translate(_PERSIAN_LETTERS))


def persian(words: str) -> str:
    """A phrase as :func:`pdf_text` reads it back (no zero-width non-joiners)."""
    return _INVISIBLE.sub("", words)


# Long decimals (key values, fixed points, eigenvector entries) and the
# thousands-grouped counts of 2b: the numbers a reader would compare.
_NUMBERS = re.compile(r"\d+\.\d{4,}|\d{1,3}(?: \d{3})+")


# Persian digits (and the Arabic-Indic ones pdftotext may read back for some
# of them): xepersian prints the numbers of Persian prose and tables so.
# A decimal in Persian prose has the Arabic decimal separator (۰٫۲۹۴۲).
_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩\u066b", "01234567890123456789.")
_PERSIAN_NUMBERS = re.compile(r"[۰-۹٠-٩]+(?:\u066b[۰-۹٠-٩]+)?")


def numbers(text: str, reference: set[str] | None = None) -> set[str]:
    """The long numbers of ``text``; with ``reference``, also those in Persian
    digits that are in ``reference`` once in Latin digits. A decimal written
    "0.2942" in Persian text would come back as "۲۹۴۲.۰", laid out after its
    digits: it is not counted, so the test sees it."""
    found = set(_NUMBERS.findall(text))
    for number in _PERSIAN_NUMBERS.findall(text) if reference is not None else ():
        latin = number.translate(_TO_LATIN)
        if _NUMBERS.fullmatch(latin) and latin in reference:
            found.add(latin)
    return found


def build(tmp_path: Path, name: str, params: str, *extra: str) -> Path:
    out = tmp_path / name
    status = cli.main(["report", "--params", str(write(tmp_path / f"{name}.toml", params)), "--out", str(out),
                       *extra])
    assert status == 0
    return out


HEADINGS = ("کلید پاسخ‌ها", "مسئله", "حل", "بررسی‌ها", "پاسخ‌های تحویلی", "نقطهٔ ثابت", "مقدارهای ویژه")


def test_the_default_persian_solutions_hold_the_headings_and_the_english_numbers(tmp_path, persian_available):
    english = build(tmp_path, "en", "")
    farsi = build(tmp_path, "fa", '[meta]\nlanguage = "fa"\n')
    text = pdf_text(farsi / "solutions.pdf")
    for heading in HEADINGS:
        assert persian(heading) in text, heading
    assert "Answer key" not in text and "Solution" not in text
    english_answers = json.loads((english / "answers.json").read_text(encoding="utf-8"))
    farsi_answers = json.loads((farsi / "answers.json").read_text(encoding="utf-8"))
    assert farsi_answers["answers"] == english_answers["answers"]
    assert farsi_answers["params"]["meta"]["language"] == "fa"
    english_numbers = numbers(pdf_text(english / "solutions.pdf"))
    assert len(english_numbers) > 20
    assert numbers(text, english_numbers) == english_numbers
    for value in farsi_answers["answers"]["1a.fixed_points"]:
        assert f"{value:.10g}" in text


def test_language_on_the_command_line_overrides_the_parameter_file_and_builds_are_reproducible(
        tmp_path, persian_available):
    farsi = build(tmp_path, "fa", "", "--language", "fa")
    assert persian("کلید پاسخ‌ها") in pdf_text(farsi / "solutions.pdf")
    again = build(tmp_path, "fa-again", '[meta]\nlanguage = "fa"\n')
    for name in ("solutions.tex", "solutions.pdf"):  # XeLaTeX too: the same input, the same bytes
        assert (farsi / name).read_bytes() == (again / name).read_bytes(), name


def test_a_drawn_persian_variant_builds_its_sheet_and_solutions(tmp_path, persian_available):
    out = tmp_path / "variants"
    roster = write(tmp_path / "roster.csv", "name,id\nعلی رضایی Ali,۹۸۱۲۳\n")
    assert cli.main(["variants", "--seed", "7", "--roster", str(roster), "--language", "fa", "--out", str(out),
                     "--jobs", "1"]) == 0
    folder = next(p for p in out.iterdir() if p.is_dir())
    assert 'language = "fa"' in (folder / "params.toml").read_text(encoding="utf-8")
    sheet, solutions = pdf_text(folder / "problems.pdf"), pdf_text(folder / "solutions.pdf")
    for text in (sheet, solutions):
        assert persian("مسئله") in text and persian("پاسخ‌های تحویلی") in text
        assert "رضایی" in text and "Ali" in text
    for name in ("problems.tex", "solutions.tex"):  # the name as written, not transliterated
        assert "تحویلی" in (source := (folder / name).read_text(encoding="utf-8"))
        assert "علی رضایی" in source and tex_text.TRANSLITERATION_MACRO not in source
    assert persian("کلید پاسخ‌ها") in solutions and persian("کلید پاسخ‌ها") not in sheet
    answers = json.loads((folder / "answers.json").read_text(encoding="utf-8"))["answers"]
    assert str(answers["4c.sequential_steps"]) in solutions
    for value in answers["1a.fixed_points"]:
        assert f"{value:.10g}" in solutions


def test_the_feedback_pdf_is_persian(tmp_path, persian_available):
    params = write(tmp_path / "p.toml", '[meta]\nlanguage = "fa"\nstudent = "سارا"\n')
    answers = write(tmp_path / "a.toml", '"1d.closed_form" = "Max(0, 2**t*(h0 - 1) + 1)"\n"4c.sequential_steps" = 12\n'
                    '"1b.derivative" = "2*h_t*(1 - h_t)"\n"2b.params.total" = "2*("\n"1a.fixed_points" = [0.5]\n')
    pdf = tmp_path / "feedback.pdf"
    assert cli.main(["check", "--params", str(params), str(answers), "--pdf", str(pdf)]) == 0
    text = pdf_text(pdf)
    for word in ("بازخورد", "نمره", "درست", "نادرست", "بی‌پاسخ", "سارا"):
        assert persian(word) in text, word
    # The diagnoses too (compared in the grader's worker process, sent back as messages):
    # a named mistake, an unreadable answer, a wrong number, a missing answer.
    for words in ("مشتق با", "نابه‌جاست", "به جای", "پاسخی داده نشده است"):
        assert persian(words) in text, words
    for english in ("this is", "instead of", "unexpected", "no answer given"):
        assert english not in text, english


def test_a_persian_build_without_xelatex_exits_3_naming_the_packages(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(latex, "missing_persian", lambda: [("xelatex", "texlive-xetex")])
    params = write(tmp_path / "p.toml", '[meta]\nlanguage = "fa"\n')
    assert cli.main(["report", "--params", str(params), "--out", str(tmp_path / "out")]) == 3
    error = capsys.readouterr().err
    assert "xelatex" in error and f"apt-get install {latex.PERSIAN_PACKAGES}" in error
    assert not (tmp_path / "out" / "solutions.pdf").exists()


def test_no_line_of_a_persian_sheet_runs_into_the_margin(tmp_path, persian_available):
    """The layout rule of tests/test_layout.py, for the Persian solutions and problem sheet."""
    variant = load_variant(write(tmp_path / "p.toml", '[meta]\nlanguage = "fa"\nstudent = "سارا محمدی"\n'))
    result = pipeline.build_report(variant, tmp_path / "out", problem_sheet=True)
    assert result.overfull == {"solutions": (), "problems": ()}
