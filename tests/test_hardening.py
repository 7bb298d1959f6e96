"""Bad input, hostile text, faults, reproducible and incremental builds."""

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnsym import cli, latex, pipeline
from rnnsym.errors import InputError
from rnnsym.params import Variant, load_variant
from rnnsym.variants import _toml_value
from tests.conftest import write

KNOWN_KEYS = {
    "meta": ["title", "course", "variant"],
    "p1": ["w", "b", "cobweb_h0", "relu_a", "relu_c"],
    "p2": ["m", "h", "V", "T", "ops_convention"],
    "p3": ["T", "W", "W3"],
    "p4": ["G", "D", "H", "K", "shape3"],
}
scalars = st.one_of(
    st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1/0", "0.08", "-1/2", "abc", "", "1e99999", "3", "nan", "\\input{x}"]),
    st.text(max_size=30), st.booleans(),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5), max_leaves=20)


@st.composite
def parameter_files(draw):
    sections = draw(st.lists(st.sampled_from([*KNOWN_KEYS, "p9", "meta2"]), max_size=4, unique=True))
    lines = []
    for section in sections:
        lines.append(f"[{section}]")
        keys = draw(st.lists(st.sampled_from(KNOWN_KEYS.get(section, []) + ["zzz", "W"]), max_size=4, unique=True))
        for key in keys:
            value = draw(values)
            lines.append(f"{key} = {_toml_literal(value)}")
    return "\n".join(lines) + "\n"


def _toml_literal(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 0 else "-inf") if abs(value) == float("inf") else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_literal(v) for v in value) + "]"
    return _toml_value(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=parameter_files())
def test_generated_parameter_files_are_valid_or_one_clear_error(tmp_path, text):
    path = write(tmp_path / "p.toml", text)
    try:
        assert isinstance(load_variant(path), Variant)
    except InputError as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_are_valid_or_one_clear_error(tmp_path, raw):
    path = tmp_path / "p.toml"
    path.write_bytes(raw)
    try:
        load_variant(path)
    except InputError as error:
        assert "\n" not in str(error)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[p3]\nW = [" + ", ".join(["[" + ", ".join(["1"] * 40) + "]"] * 40) + "]\n", "at most 4 x 4"),
        ("[p3]\nT = 1000000\n", "p3.T"),
        ("[p2]\nV = -5\n", "p2.V"),
        ('[p1]\nw = "1/0"\n', "denominator is zero"),
        ("[p1]\nw = nan\n", "finite"),
        ('[meta]\ntitle = "' + "x" * 5000 + '"\n', "at most 200"),
    ],
)
def test_impractical_or_broken_values_exit_2_with_the_limit_named(tmp_path, capsys, text, fragment):
    out = tmp_path / "out"
    assert cli.main(["report", "--params", str(write(tmp_path / "p.toml", text)), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert fragment in error and error.count("\n") == 1 and not out.exists()


def test_empty_file_takes_the_defaults(tmp_path):
    assert load_variant(write(tmp_path / "p.toml", "")) == load_variant(None)


# --- with LaTeX -----------------------------------------------------------------

latex_only = [pytest.mark.latex, pytest.mark.usefixtures("latex_available")]


def rnnsym(*args, env=None):
    return subprocess.run([sys.executable, "-m", "rnnsym", *map(str, args)], capture_output=True, text=True, env=env)


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_builds_are_reproducible_and_incremental(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert rnnsym("report", "--out", first).returncode == 0
    assert rnnsym("report", "--out", second).returncode == 0
    for name in ("solutions.pdf", "solutions.tex", "answers.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    stamp = (first / "solutions.pdf").stat().st_mtime_ns
    again = rnnsym("report", "--out", first)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert (first / "solutions.pdf").stat().st_mtime_ns == stamp
    params = write(tmp_path / "p.toml", "[p1]\nw = 3\n")
    changed = rnnsym("report", "--params", params, "--out", first)
    assert changed.returncode == 0 and "wrote" in changed.stdout
    (first / "solutions.pdf").write_bytes(b"tampered")
    assert "wrote" in rnnsym("report", "--params", params, "--out", first).stdout


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_hostile_text_reaches_the_pdf_literally(tmp_path):
    hostile = r"\input{/etc/passwd} \write18{touch pwned} \openout1=x \catcode`\%=11 ~^_&$#{}" + " long" * 30
    params = write(tmp_path / "p.toml", "[meta]\ntitle = " + _toml_value(hostile[:200]) + "\n")
    result = rnnsym("report", "--params", params, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / "out" / "solutions.pdf"), "-"],
                          capture_output=True, text=True).stdout
    assert r"\input{/etc/passwd} \write18{touch pwned} \openout1=x \catcode`\%=11 ~^_&$#{}" in " ".join(text.split())
    assert not list(tmp_path.rglob("pwned")) and not list(tmp_path.rglob("x.tex"))


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_faults_keep_the_previous_outputs(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert cli.main(["report", "--out", str(out)]) == 0
    before = (out / "solutions.pdf").read_bytes()

    # No TeX installation: exit 3 and the packages to install.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    assert cli.main(["report", "--out", str(out), "--force"]) == 3
    assert "apt-get install" in capsys.readouterr().err

    # A killed compile, and one that hangs past the time limit.
    for script, fragment in (("kill -9 $$", "killed"), ("exec /bin/sleep 30", "longer than")):
        for tool in ("latexmk", "pdflatex"):
            fake = bin_dir / tool
            fake.write_text(f"#!/bin/sh\n{script}\n")
            fake.chmod(0o755)
        monkeypatch.setenv("RNNSYM_TEX_TIMEOUT", "2")
        assert cli.main(["report", "--out", str(out), "--force"]) == 3
        assert fragment in capsys.readouterr().err
    monkeypatch.undo()

    # A full disk while the outputs are written.
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "answers.json")

    monkeypatch.setattr(pipeline, "answers_json", full)
    assert cli.main(["report", "--out", str(out), "--force"]) == 4
    assert "No space left on device" in capsys.readouterr().err
    assert (out / "solutions.pdf").read_bytes() == before
    assert not list(out.glob(".build-*"))
