"""Figures: numbered floats with captions, each referred to in the text, drawn
at natural size within the text width, and cobwebs that show moving orbits."""

from __future__ import annotations

import re

import pytest

from derivations.p1_iterated_maps import cobweb_starts
from rnnsym import plots, render
from rnnsym.params import load_variant
from rnnsym.pipeline import report_sections, solve
from tests.conftest import write


@pytest.mark.parametrize(
    "starts, fixed, expected",
    [
        # Three fixed points of w = 6, b = -3: the start on the source moves nowhere.
        ([0.02, 0.5, 0.98], [0.0707, 0.5, 0.9293], [0.02, 0.98]),
        # Every start on a fixed point: midpoints between them and the ends instead.
        ([0.0, 1.0], [0.0, 1.0], [0.5]),
        ([0.5], [0.0707, 0.5, 0.9293], [0.03535, 0.28535, 0.71465, 0.96465]),
        ([0.1, 0.3], [0.5], [0.1, 0.3]),
    ],
)
def test_cobweb_draws_only_starts_that_move(starts, fixed, expected):
    assert cobweb_starts(starts, fixed, 0.0, 1.0) == pytest.approx(expected)


@pytest.mark.parametrize("params", ["", '[p1]\nw = 6\nb = "-3"\n'])
def test_every_figure_is_a_captioned_float_referred_to_in_the_text(tmp_path, params):
    path = write(tmp_path / "params.toml", params) if params else None
    sections = report_sections(solve(load_variant(path)), tmp_path)
    body = render.render_body(sections)
    figures = re.findall(r"\\begin\{figure\}.*?\\end\{figure\}", body, flags=re.S)
    assert len(figures) == body.count(r"\includegraphics") == 5
    for figure in figures:
        assert r"\caption{" in figure and r"\includegraphics{" in figure
        (label,) = re.findall(r"\\label\{(fig:[^}]+)\}", figure)
        assert rf"Figure~\ref{{{label}}}" in body
    # Drawn at the size they are printed: no figure wider than the text.
    for pdf in tmp_path.glob("*.pdf"):
        box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
        assert box and float(box.group(1)) <= plots.TEXT_WIDTH_INCHES * 72, pdf.name


def _two_figures(directory):
    """Two figures with labels in common (a log axis's ticks, $h_t$), as in every variant."""
    directory.mkdir()
    step = lambda h: max(0.0, 0.5 * h + 0.2)  # noqa: E731
    plots.cobweb(directory / "a.pdf", step, starts=[0.1, 0.9], fixed=[(0.4, "sink")], domain=(0, 1),
                 label=r"$h_{t+1} = \mathrm{ReLU}(a h_t + c)$")
    plots.lines(directory / "b.pdf", {r"$h_t$": [1, 0.1, 0.01, 0.001]}, xlabel=r"$t$", ylabel=r"$h_t$", log=True)
    return sorted(p.read_bytes() for p in directory.iterdir())


def test_labels_laid_out_once_per_process_draw_the_same_figures(tmp_path, monkeypatch):
    from matplotlib import mathtext

    shared = mathtext.MathTextParser._parse_cached
    assert getattr(mathtext.MathTextParser, "_rnnsym_shared", False), "plots did not share the layouts"
    hits = shared.layouts.cache_info().hits
    with_shared = _two_figures(tmp_path / "shared")
    assert shared.layouts.cache_info().hits > hits, "no label's layout was reused"
    monkeypatch.setattr(mathtext.MathTextParser, "_parse_cached", shared.matplotlibs_own)
    assert _two_figures(tmp_path / "own") == with_shared
