"""Layout: no line into the margin. Real builds of the default and of the
held-out-like cases, solutions and problem sheet; the TeX log of each must
report no overfull box wider (or higher) than 1 pt."""

from __future__ import annotations

import pytest

from rnnsym import pipeline
from rnnsym.params import load_variant
from tests.conftest import write

pytestmark = [pytest.mark.latex, pytest.mark.usefixtures("latex_available")]

# TeX's own tolerance is 0 pt; 1 pt is invisible on paper.
ALLOWED_POINTS = 1.0

# The cases that exercise the branches of the templates: the default, three
# fixed points in 1c, a defective W, a reflection W (orthogonal, period 2),
# a non-symmetric W3 and a W3 whose powers have no limit.
CASES = {
    "default": "",
    "three_fixed_points": '[p1]\nw = 6\nb = "-3"\n',
    "defective_W": "[p3]\nW = [[1, 1], [0, 1]]\n",
    "reflection_W": '[p3]\nW = [["3/5", "4/5"], ["4/5", "-3/5"]]\n',
    "non_symmetric_W3": '[p3]\nW3 = [["1/2", "1/4", 0], [0, 1, 0], ["1/4", 0, "1/3"]]\n',
    "no_limit_W3": '[p3]\nW3 = [[1, 0, 0], [0, -1, 0], [0, 0, "1/2"]]\n',
}


def test_overfull_boxes_are_read_from_a_log():
    log = (
        "Overfull \\hbox (37.12pt too wide) detected at line 80\n"
        "Underfull \\hbox (badness 10000) in paragraph at lines 3--4\n"
        "Overfull \\vbox (2.0pt too high) has occurred while \\output is active\n"
        "Overfull \\hbox (0.5pt too wide) in paragraph at lines 9--10\n"
    )
    assert [points for points, _ in pipeline.overfull_boxes(log)] == [37.12, 2.0, 0.5]


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_line_runs_into_the_margin(case, tmp_path):
    params = write(tmp_path / "params.toml", CASES[case]) if CASES[case] else None
    result = pipeline.build_report(load_variant(params), tmp_path / "out", problem_sheet=True)
    assert set(result.overfull) == {"solutions", "problems"}
    too_wide = {sheet: [line for points, line in boxes if points > ALLOWED_POINTS or "vbox" in line]
                for sheet, boxes in result.overfull.items()}
    assert too_wide == {"solutions": [], "problems": []}
