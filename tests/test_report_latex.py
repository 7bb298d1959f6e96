"""End to end: real LaTeX compiles, the PDF's text, exit statuses, atomic outputs."""

import dataclasses
import json
import subprocess
import sys

import pytest
import sympy

from rnnsym import cli, render, torch_reference
from rnnsym.registry import PROBLEMS
from tests.conftest import write

pytestmark = [pytest.mark.latex, pytest.mark.usefixtures("latex_available")]


def rnnsym(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "rnnsym", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_defective_w_exits_0_and_a_bad_w_exits_2_naming_p3_w(tmp_path):
    good = write(tmp_path / "good.toml", "[p3]\nW = [[1, 1], [0, 1]]\n")
    result = rnnsym("answers", "--params", good)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answers"]["3c.h_t"] == ["h0_1", "h0_1*t + h0_2"]
    bad = write(tmp_path / "bad.toml", "[p3]\nW = [[1, 2, 3]]\n")
    result = rnnsym("answers", "--params", bad)
    assert result.returncode == 2 and "p3.W" in result.stderr


def test_default_report_compiles_with_answers_and_checks(tmp_path):
    result = rnnsym("report", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "solutions.pdf")
    assert "Iterated maps" in text and "0.1792368839" in text
    assert "Checks" in text and "FAIL" not in text and text.count("pass") >= 20
    assert "ReLU" in text and "explodes" in text and "dies" in text
    assert "Architectures and their cost" in text and "79 042 220" in text and "1 971 216" in text
    assert "Backpropagation through time" in text and "3c. The dynamics" in text
    assert "Multi-dimensional RNNs" in text and "13 sequential steps" in text
    answers = json.loads((tmp_path / "answers.json").read_text())
    assert answers["answers"]["1c.kinds"] == ["sink"]
    assert answers["answers"]["1d.kinds"] == ["sink", "source"]
    # Every check passed; the torch checks may only be "not run", and only
    # where torch is missing (the README's `make test` does not install it).
    torch_checks = {"2b.params_torch", "2b.flops_torch", "3a.torch"}
    for check in answers["checks"]:
        if check["id"] in torch_checks and not torch_reference.available():
            assert check["passed"] is None, check
        else:
            assert check["passed"] is True, check
    assert (tmp_path / "solutions.tex").read_text().startswith(r"\documentclass")


def test_three_fixed_points_for_w6_b_minus3(tmp_path):
    params = write(tmp_path / "p.toml", '[p1]\nw = 6\nb = "-3"\n')
    result = rnnsym("report", "--params", params, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "out" / "solutions.pdf")
    assert "3 fixed points" in text
    assert "0.07072018168" in text and "0.5" in text and "0.9292798183" in text
    answers = json.loads((tmp_path / "out" / "answers.json").read_text())["answers"]
    assert answers["1c.kinds"] == ["sink", "source", "sink"]


def test_hostile_title_is_printed_literally(tmp_path):
    params = write(tmp_path / "p.toml",
                   '[meta]\ntitle = \'\\input{/etc/passwd} \\write18{touch pwned} 100% & $x_1$ #\'\n')
    result = rnnsym("report", "--params", params, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "out" / "solutions.pdf")
    assert r"\input{/etc/passwd} \write18{touch pwned} 100% & $x_1$ #" in text
    assert "root:" not in text
    assert not list(tmp_path.rglob("pwned"))


def test_bad_parameter_exits_2_with_one_line_naming_the_key(tmp_path):
    params = write(tmp_path / "p.toml", '[p1]\nw = "abc"\n')
    result = rnnsym("report", "--params", params, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "p1.w" in result.stderr and "'abc'" in result.stderr
    assert not (tmp_path / "out").exists()
    assert rnnsym("answers", "--params", params).returncode == 2


def test_failed_check_exits_1_and_keeps_the_previous_pdf(tmp_path, monkeypatch, capsys):
    assert cli.main(["report", "--out", str(tmp_path)]) == 0
    before = {name: (tmp_path / name).read_bytes() for name in ("solutions.pdf", "answers.json")}
    problem = PROBLEMS["p1"]

    def wrong_derive(params):
        right = problem.derive(params)
        return dataclasses.replace(right, relu_closed_form=right.relu_closed_form + 1)

    monkeypatch.setitem(PROBLEMS, "p1", dataclasses.replace(problem, derive=wrong_derive))
    assert cli.main(["report", "--out", str(tmp_path), "--force"]) == 1
    assert "1d.closed_form" in capsys.readouterr().err
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert not list(tmp_path.glob(".build-*"))


def test_latex_error_exits_3_with_log_lines_and_keeps_the_previous_pdf(tmp_path, monkeypatch, capsys):
    assert cli.main(["report", "--out", str(tmp_path)]) == 0
    before = (tmp_path / "solutions.pdf").read_bytes()
    monkeypatch.setattr(render, "render_body", lambda sections, show_solutions=True: r"\thiscommanddoesnotexist")
    assert cli.main(["report", "--out", str(tmp_path), "--force"]) == 3
    error = capsys.readouterr().err
    assert "Undefined control sequence" in error and "solutions.tex:" in error
    assert (tmp_path / "solutions.pdf").read_bytes() == before


ANSWER_IDS = {
    "1a.fixed_points", "1b.derivative", "1c.kinds", "1d.fixed_points", "1d.kinds", "1d.closed_form",
    "2b.ops.encoder", "2b.ops.decoder", "2b.ops.total", "2b.flops_torch.total", "2b.params.encoder",
    "2b.params.decoder", "2b.params.total", "2b.params_torch.total",
    "3a.dE_dwy", "3a.dE_dwh", "3a.dE_dwx", "3c.eigenvalues", "3c.h_t", "3c.spectral_radius",
    "3c.regime", "3d.limit",
    "4a.weights", "4c.params", "4c.params_all_directions", "4c.sequential_steps", "4c.max_parallel_cells",
}


def test_answers_command_prints_every_id_of_interfaces_md():
    result = rnnsym("answers")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert ANSWER_IDS <= set(document["answers"])
    assert document["answers"]["4c.sequential_steps"] == 13
    assert document["answers"]["3d.limit"] == [["1/9", "2/9", "2/9"], ["2/9", "4/9", "4/9"], ["2/9", "4/9", "4/9"]]
    assert document["params"]["p1"]["b"] == "-1.88"
    closed = sympy.parse_expr(document["answers"]["1d.closed_form"])
    assert closed.subs({"h0": sympy.Rational(1, 2), "t": 1}) == 0
