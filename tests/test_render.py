"""Rendering without TeX: escaping, the printer, and the golden .tex."""

import dataclasses
import os
from pathlib import Path

import pytest
import sympy
from pylatex import NoEscape

from rnnsym import render, torch_reference
from rnnsym.notation import h0, h_next, h_t, sigmoid, t
from rnnsym.params import Meta, load_variant
from rnnsym.pipeline import report_sections, solve
from rnnsym.printing import tex
from rnnsym.exact import NumberForms
from tests.conftest import write

GOLDEN = Path(__file__).parent / "golden" / "default.tex"


def sections_for(variant, directory):
    return report_sections(solve(variant), directory)


@pytest.mark.parametrize(
    "expr, latex",
    [
        (h_t, "h_{t}"),
        (h_next * (1 - h_next), r"h_{t+1} \left(1 - h_{t+1}\right)"),
        (h0, "h_0"),
        (sigmoid(2 * h_t - sympy.Rational(47, 25)), r"\sigma\left(2 h_{t} - 1.88\right)"),
        (sympy.Max(0, 2**t * (h0 - 1) + 1), r"\operatorname{ReLU}\left(2^{t} \left(h_0 - 1\right) + 1\right)"),
        (sympy.Rational(28, 75), r"\frac{28}{75}"),
        (sympy.Float("0.17923688389686607", 30), "0.179237"),
        (sympy.Integer(1234), "1234"),
        (sympy.Integer(195552775), r"195\,552\,775"),
        (-sympy.Integer(12345), r"-12\,345"),
        (sympy.Rational(1, 8) + 3 * sympy.sqrt(73) / 200, r"\frac{3 \sqrt{73} + 25}{200}"),
        (sympy.Rational(1, 8) - 3 * sympy.sqrt(73) / 200, r"\frac{25 - 3 \sqrt{73}}{200}"),
        (-sympy.Rational(3, 8) - sympy.sqrt(73) / 8, r"- \frac{\sqrt{73} + 3}{8}"),
        (1 + sympy.sqrt(2), r"1 + \sqrt{2}"),
        (sympy.log(1 / (1 - h0)) / sympy.log(2), r"\log_{2}{\left(\frac{1}{1 - h_0} \right)}"),
        (-sympy.log(h_t) / sympy.log(3), r"- \log_{3}{\left(h_{t} \right)}"),
        (sympy.log(h_t) / sympy.log(h0), r"\frac{\log{\left(h_{t} \right)}}{\log{\left(h_0 \right)}}"),
        (sympy.Matrix([[1, 2], [2, 4]]) / 9, r"\frac{1}{9} \left[\begin{matrix}1 & 2\\2 & 4\end{matrix}\right]"),
        (sympy.Matrix([[sympy.Rational(936, 4205), 1]]),
         r"\left[\begin{matrix}\dfrac{936}{4205} & 1\end{matrix}\right]"),
        (sympy.Matrix([[sympy.Rational(1, 3)], [sympy.Rational(1, 37)]]),
         r"\left[\begin{matrix}\dfrac{1}{3}\\[9pt]\dfrac{1}{37}\end{matrix}\right]"),
        (sympy.Matrix([[sympy.Rational("0.08"), sympy.Rational("0.12")]]), r"\left[\begin{matrix}0.08 & 0.12\end{matrix}\right]"),
        (sympy.Matrix([[2, -1], [1, 2]]) * sympy.sqrt(5) / 5,
         r"\frac{\sqrt{5}}{5} \left[\begin{matrix}2 & -1\\1 & 2\end{matrix}\right]"),
    ],
)
def test_printer_owns_the_notation(expr, latex):
    assert tex(expr) == latex


@pytest.mark.parametrize(
    "value, shown",
    [
        (r"\input{/etc/passwd}", r"\textbackslash{}input\{/etc/passwd\}"),
        ("50% & $x_1$ #", r"50\% \& \$x\_1\$ \#"),
        ("O'Brien <<a>> `b` \"c\" |d|", r"O\textquotesingle{}Brien \textless{}\textless{}a\textgreater{}\textgreater{} "
         r"\textasciigrave{}b\textasciigrave{} \textquotedbl{}c\textquotedbl{} \textbar{}d\textbar{}"),
        (NoEscape(r"\alpha"), r"\alpha"),
        (sympy.Rational(1, 2), "0.5"),
    ],
)
def test_template_values_are_escaped_unless_marked(value, shown):
    assert render.finalize(value) == shown


HALF, QUARTER, THREE_EIGHTHS = sympy.Rational(1, 2), sympy.Rational(1, 4), sympy.Rational(3, 8)


@pytest.mark.parametrize(
    "forms, expr, latex",
    [
        (NumberForms(), HALF, "0.5"),
        (NumberForms(fractions=frozenset({HALF})), HALF, r"\frac{1}{2}"),
        (NumberForms(fractions=frozenset({HALF})), -HALF, r"- \frac{1}{2}"),
        (NumberForms(fractions=frozenset({THREE_EIGHTHS})), h_t / 2 - THREE_EIGHTHS, r"\frac{h_{t}}{2} - \frac{3}{8}"),
        # Not an input: as the problem's inputs were typed.
        (NumberForms(fractions=frozenset({HALF}), prefer_fractions=True), 3 * QUARTER, r"\frac{3}{4}"),
        (NumberForms(fractions=frozenset({HALF}), decimals=frozenset({QUARTER})), 3 * QUARTER, "0.75"),
        (NumberForms(fractions=frozenset({HALF}), decimals=frozenset({QUARTER}), prefer_fractions=True),
         QUARTER, "0.25"),
        (NumberForms(fractions=frozenset({QUARTER})), sympy.Matrix([[HALF, QUARTER], [QUARTER, HALF]]),
         r"\frac{1}{4} \left[\begin{matrix}2 & 1\\1 & 2\end{matrix}\right]"),
        (NumberForms(), sympy.Matrix([[HALF, QUARTER], [QUARTER, HALF]]),
         r"\left[\begin{matrix}0.5 & 0.25\\0.25 & 0.5\end{matrix}\right]"),
    ],
)
def test_numbers_print_as_their_problems_inputs_were_typed(forms, expr, latex):
    assert tex(expr, forms=forms) == latex


FRACTION_INPUTS = """[p1]
w = "1/2"
b = "-3/8"
cobweb_h0 = ["1/4", "0.98", "0.02"]
relu_c = "-1/2"
[p3]
W = [["1/2", "1/4"], ["1/4", "1/2"]]
"""
DECIMAL_INPUTS = FRACTION_INPUTS.replace('"1/2"', '"0.5"').replace('"-3/8"', '"-0.375"').replace(
    '"1/4"', '"0.25"').replace('"-1/2"', '"-0.5"')


@pytest.mark.parametrize(
    "text, present, absent",
    [
        (FRACTION_INPUTS,
         [r"$w = \frac{1}{2}$ and $b = - \frac{3}{8}$", r"h_0 \in \{\frac{1}{4}, 0.98, 0.02\}",
          r"$c = - \frac{1}{2}$", r"\sigma\left(\frac{h_{t}}{2} - \frac{3}{8}\right)",
          r"W = \frac{1}{4} \left[\begin{matrix}2 & 1\\1 & 2\end{matrix}\right]",
          r"\lambda_{1} = \frac{3}{4}"],
         ["w = 0.5", "0.375", "c = -0.5", "- 0.5", r"\left(0.75\right)", "0.5 & 0.25"]),
        (DECIMAL_INPUTS,
         [r"$w = 0.5$ and $b = -0.375$", r"h_0 \in \{0.25, 0.98, 0.02\}", r"$c = -0.5$",
          r"\left[\begin{matrix}0.5 & 0.25\\0.25 & 0.5\end{matrix}\right]", r"\lambda_{1} = 0.75"],
         [r"\frac{3}{8}", r"w = \frac{1}{2}", r"\frac{1}{4} \left[", r"\lambda_{1} = \frac{3}{4}"]),
    ],
    ids=["fractions", "decimals"],
)
def test_inputs_print_as_typed_on_both_sheets(tmp_path, text, present, absent):
    variant = load_variant(write(tmp_path / "p.toml", text))
    sections = report_sections(solve(variant), tmp_path, variant)
    for show_solutions in (True, False):
        source = render.render_tex(variant.meta, sections, show_solutions)
        # The problem sheet states the inputs (the first three fragments); the solutions all.
        for fragment in present if show_solutions else present[:3]:
            assert fragment in source
        for fragment in absent:
            assert fragment not in source


def test_hostile_meta_text_is_escaped_in_the_tex(tmp_path):
    meta = Meta(title=r"\input{/etc/passwd} \write18{rm -rf /}", course="O'Brien & \\textbf{x}_1", variant="v#1")
    source = render.render_tex(meta, sections_for(load_variant(None), tmp_path))
    assert r"\input{/etc/passwd}" not in source and r"\write18{" not in source
    assert r"\textbackslash{}input\{/etc/passwd\}" in source
    assert r"O\textquotesingle{}Brien \& \textbackslash{}textbf\{x\}\_1" in source


def test_default_tex_matches_the_golden_file(tmp_path, monkeypatch):
    """The default variant's .tex, byte for byte. To accept a deliberate change:
    RNNSYM_UPDATE_GOLDEN=1 make test, then read the diff before committing.
    The torch checks are rendered as not run, so the file is the same with
    and without torch installed."""
    monkeypatch.setattr(torch_reference, "available", lambda: False)
    variant = load_variant(None)
    source = render.render_tex(variant.meta, sections_for(variant, tmp_path))
    if os.environ.get("RNNSYM_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(source, encoding="utf-8")
    assert source == GOLDEN.read_text(encoding="utf-8")


def test_checks_are_an_appendix_that_names_the_checks_that_did_not_run(tmp_path, monkeypatch):
    monkeypatch.setattr(torch_reference, "available", lambda: False)
    sections = sections_for(load_variant(None), tmp_path)
    body = render.render_body(sections)
    appendix = body.index(r"\appendix")
    # The solutions come first, every check table after them.
    assert body.index(r"\begin{longtable}") > appendix
    assert body.count(r"\begin{longtable}") == len(sections)
    statement = body[appendix:body.index(r"\begin{longtable}")]
    assert "Of the 30 checks, 3 did not run here" in statement
    for check_id in (r"2b.params\_torch", r"2b.flops\_torch", "3a.torch"):
        assert rf"\texttt{{{check_id}}}: torch is not installed" in statement
    assert "Every answer above was verified" not in body
    assert r"\appendix" not in render.render_body(sections, show_solutions=False)


def test_checks_appendix_says_all_passed_only_when_all_ran(tmp_path):
    sections = [dict(section, checks=tuple(dataclasses.replace(c, passed=True) for c in section["checks"]))
                for section in sections_for(load_variant(None), tmp_path)]
    body = render.render_body(sections)
    assert "All 30 checks below ran and passed" in body and "did not run" not in body
