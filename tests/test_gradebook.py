"""Grading a class of strangers' files: a row per variant, whatever the files hold.

Variant folders are built without LaTeX (params.toml only). Commands run in a
subprocess with an address-space cap, so a regression that reads /dev/zero
fails instead of eating the machine's memory, and with a timeout, so one that
blocks on a FIFO fails instead of hanging.
"""

import csv
import errno
import io
import json
import os
import resource
import subprocess
import sys
import time

import pytest

from rnnsym import checker, cli, gradebook, pipeline, safe_io, variants
from rnnsym.errors import InputError, OutputError
from rnnsym.params import load_variant
from tests.conftest import write

SUBPROCESS_MEMORY = 3 << 30
PARAMS_TOTAL = "m*V + m*h + 2*h**2 + h*V + 2*h + V"


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (SUBPROCESS_MEMORY, SUBPROCESS_MEMORY))


def rnnsym(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "rnnsym", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_cap_memory)


def make_class(tmp_path, count, seed=4, students=()):
    params_dir, answers_dir = tmp_path / "variants", tmp_path / "answers"
    spec = variants.BatchSpec(seed, count, tuple(variants.Student(*s) for s in students))
    for variant in variants.draw_batch(spec):
        folder = params_dir / variant.meta.variant
        folder.mkdir(parents=True)
        write(folder / "params.toml", variants.params_toml(variant))
    answers_dir.mkdir()
    return params_dir, answers_dir


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_gradebook_for_a_class(tmp_path):
    params_dir, answers_dir = make_class(tmp_path, 2)
    write(answers_dir / "s4-v001.toml", '"4c.sequential_steps" = 1\n')
    write(answers_dir / "s4-v002.json", '{"1c.kinds": ["sink"]}')
    result = rnnsym("check", "--params-dir", params_dir, "--answers-dir", answers_dir)
    assert result.returncode == 0, result.stderr
    # By default beside the variant folders, not among the students' files.
    assert not (answers_dir / "gradebook.csv").exists()
    lines = (params_dir / "gradebook.csv").read_text().splitlines()
    assert lines[0].startswith("variant,student,student_id,status,correct,of,1a.fixed_points")
    assert len(lines) == 3 and lines[1].startswith("s4-v001,,,graded,")
    assert "wrote" in result.stdout and "2 graded" in result.stdout


def test_every_variant_gets_a_row_even_without_an_answers_file(tmp_path):
    params_dir, answers_dir = make_class(tmp_path, 3)
    write(answers_dir / "s4-v002.toml", '"1c.kinds" = ["sink"]\n')
    book = gradebook.grade(params_dir, answers_dir)
    assert [(r["variant"], r["status"]) for r in book.rows] == [
        ("s4-v001", "no answers file"), ("s4-v002", "graded"), ("s4-v003", "no answers file")]
    assert all(book.rows[0][i] == "missing" for i in book.ids) and len(book.ids) == 27
    assert (book.rows[0]["correct"], book.rows[0]["of"]) == (0, 27)


def _fifo(path):
    os.mkfifo(path)


def _link_to_dev_zero(path):
    os.symlink("/dev/zero", path)


def _directory(path):
    path.mkdir()


def _text(text):
    return lambda path: path.write_text(text, encoding="utf-8", errors="surrogatepass")


def _bytes(raw):
    return lambda path: path.write_bytes(raw)


UNREADABLE = [
    ("s4-v001.toml", _fifo, "a named pipe (FIFO); only regular files are read"),
    ("s4-v001.toml", _link_to_dev_zero, "a symbolic link (not followed); only regular files are read"),
    ("s4-v001.toml", _directory, "a directory; only regular files are read"),
    ("s4-v001.toml", _text("[[["), "not valid TOML"),
    ("s4-v001.json", _text("{"), "not valid JSON"),
    ("s4-v001.toml", _text("a = " + "[" * 5000 + "]" * 5000), "nested too deeply"),
    ("s4-v001.json", _text("[" * 5000 + "]" * 5000), "nested too deeply"),
    ("s4-v001.json", _text('{"a": ' * 5000 + "1" + "}" * 5000), "nested too deeply"),
    ("s4-v001.json", _text('{"a": ' * 20 + "1" + "}" * 20), "nested deeper than 10 levels"),
    ("s4-v001.json", _text('{"1c.kinds": ["\\ud800"]}'), "lone surrogate"),
    ("s4-v001.json", _text("[1, 2]"), "expected a mapping of answer ids to answers, got an array"),
    ("s4-v001.json", _text('"1c.kinds"'), "expected a mapping of answer ids to answers, got a single value"),
    ("s4-v001.json", _text('{"4c.sequential_steps": ' + "1" * 5000 + "}"), "not valid JSON (Exceeds the limit"),
    ("s4-v001.toml", _text('"4c.sequential_steps" = ' + "1" * 5000), "not valid TOML (Exceeds the limit"),
    ("s4-v001.toml", _bytes(b'"1c.kinds" = ["\xff"]'), "expected UTF-8 text"),
    ("s4-v001.toml", _text("# " + "x" * (256 * 1024)), "bytes; at most 262144 bytes are read"),
]


@pytest.mark.parametrize("name, make, reason", UNREADABLE)
def test_an_unreadable_file_is_its_own_row_and_the_class_goes_on(tmp_path, name, make, reason):
    params_dir, answers_dir = make_class(tmp_path, 2)
    make(answers_dir / name)
    write(answers_dir / "s4-v002.toml", '"1c.kinds" = ["sink"]\n')
    result = rnnsym("check", "--params-dir", params_dir, "--answers-dir", answers_dir, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = read_csv(params_dir / "gradebook.csv")
    assert rows[0]["status"].startswith("unreadable file: ") and reason in rows[0]["status"], rows[0]["status"]
    assert rows[0]["1c.kinds"] == "unreadable" and rows[0]["correct"] == "0"
    assert rows[1]["status"] == "graded"


@pytest.mark.parametrize("name, make, reason", [u for u in UNREADABLE if u[1] is not _directory])
def test_one_unreadable_file_checked_alone_is_one_line_and_exit_2(tmp_path, name, make, reason):
    make(tmp_path / name)
    result = rnnsym("check", tmp_path / name, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and reason in result.stderr and "Traceback" not in result.stderr


def test_files_that_match_no_variant_and_duplicates_are_named(tmp_path):
    params_dir, answers_dir = make_class(tmp_path, 3)
    for name in ("S4-V002.toml", "s4-v003.toml.txt", "notes.md", "s4-v001.toml", "s4-v001.json", "\x1b[2J.toml"):
        write(answers_dir / name, '"1c.kinds" = ["sink"]\n')
    result = rnnsym("check", "--params-dir", params_dir, "--answers-dir", answers_dir)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("rnnsym: warning: ")]
    assert len(warnings) == 5, result.stderr
    assert "S4-V002.toml: matches no variant and is not graded" in result.stderr
    assert "did you mean s4-v002.toml?" in result.stderr
    assert "s4-v003.toml.txt: matches no variant" in result.stderr and "did you mean s4-v003.toml?" in result.stderr
    assert "notes.md: matches no variant" in result.stderr
    assert "\\x1b[2J.toml: matches no variant" in result.stderr and "\x1b" not in result.stderr
    assert "s4-v001: two answers files (s4-v001.json, s4-v001.toml); neither is graded" in result.stderr
    rows = read_csv(params_dir / "gradebook.csv")
    assert rows[0]["status"] == "not graded: two answers files (s4-v001.json and s4-v001.toml); remove one"
    assert [r["status"] for r in rows[1:]] == ["no answers file", "no answers file"]


def test_a_planted_symlink_at_the_gradebook_is_replaced_not_followed(tmp_path):
    params_dir, answers_dir = make_class(tmp_path, 1)
    victim = write(tmp_path / "victim.txt", "precious\n")
    (params_dir / "gradebook.csv").symlink_to(victim)
    result = rnnsym("check", "--params-dir", params_dir, "--answers-dir", answers_dir)
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "precious\n"
    assert not (params_dir / "gradebook.csv").is_symlink()
    assert read_csv(params_dir / "gradebook.csv")[0]["status"] == "no answers file"


def test_a_gradebook_inside_the_students_folder_is_refused(tmp_path):
    params_dir, answers_dir = make_class(tmp_path, 1)
    for target in (answers_dir / "gradebook.csv", answers_dir / "sub" / "g.csv"):
        result = rnnsym("check", "--params-dir", params_dir, "--answers-dir", answers_dir, "--gradebook", target)
        assert result.returncode == 2 and "inside --answers-dir" in result.stderr
        assert not target.exists()
    # A variants folder inside the students' folder: the default gradebook would land there too.
    result = rnnsym("check", "--params-dir", params_dir, "--answers-dir", tmp_path)
    assert result.returncode == 2 and "the default gradebook" in result.stderr and "give --gradebook" in result.stderr


def test_a_failed_write_leaves_the_previous_gradebook_whole(tmp_path, monkeypatch):
    params_dir, answers_dir = make_class(tmp_path, 1)
    target = write(tmp_path / "gradebook.csv", "the previous gradebook\n")

    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OutputError, match="the previous gradebook.csv is unchanged") as caught:
        gradebook.write(params_dir, answers_dir, target)
    assert "No space left on device" in str(caught.value)
    assert target.read_text() == "the previous gradebook\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers", "gradebook.csv", "variants"]


HOSTILE_NAMES = [("=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0"), ("-2+3", "@SUM(A1)"),
                 ("\tTab", "-12"), ("Ada Lovelace", "007")]


def test_csv_cells_cannot_start_a_formula(tmp_path):
    params_dir, answers_dir = make_class(tmp_path, len(HOSTILE_NAMES), students=HOSTILE_NAMES)
    write(answers_dir / "s4-v001.toml", '"1c.kinds" = ["sink"]\n')
    gradebook.write(params_dir, answers_dir, tmp_path / "gradebook.csv")
    rows = read_csv(tmp_path / "gradebook.csv")
    assert [(r["student"], r["student_id"]) for r in rows] == [
        ("'=HYPERLINK(\"http://x\")", "'+1+cmd|' /C calc'!A0"), ("'-2+3", "'@SUM(A1)"),
        ("'\tTab", "-12"), ("Ada Lovelace", "007")]
    assert rows[0]["correct"] == "0"


@pytest.mark.parametrize(
    "cell, written",
    [("=1+1", "'=1+1"), ("+1", "+1"), ("-0.25", "-0.25"), ("-1e3", "-1e3"), ("-1/2", "'-1/2"), ("@x", "'@x"),
     ("\rx", "'\rx"), ("\tx", "'\tx"), ("-", "'-"), ("a=b", "a=b"), (-3, -3), (2.5, 2.5), ("", "")],
)
def test_csv_cell(cell, written):
    assert safe_io.csv_cell(cell) == written


def test_index_csv_cells_cannot_start_a_formula(tmp_path):
    spec = variants.BatchSpec(1, 2, (variants.Student("=cmd()", "@1"), variants.Student("Bo", "-7")))
    outcomes = [variants.Outcome(i, f"s1-v00{i + 1}", s.name, None, 1.0, 0.5, {"4c.sequential_steps": -3})
                for i, s in enumerate(spec.students)]
    variants.write_index(outcomes, spec, tmp_path / "index")
    rows = read_csv(tmp_path / "index.csv")
    assert [(r["student"], r["student_id"], r["4c.sequential_steps"]) for r in rows] == [
        ("'=cmd()", "'@1", "-3"), ("Bo", "-7", "-3")]
    assert json.loads((tmp_path / "index.json").read_text())[0]["student"] == "=cmd()"


@pytest.mark.parametrize(
    "text, shown",
    [("\x1b[2Jscore: 27 of 27", "\\x1b[2Jscore: 27 of 27"), ("a\nb\rc", "a\\x0ab\\x0dc"), ("\x9b31m", "\\x9b31m"),
     ("abc\u202edcba", "abc\\u202edcba"), ("王小明 Nguyễn Văn An σ", "王小明 Nguyễn Văn An σ"), ("\ud800", "\\ud800")],
)
def test_printable(text, shown):
    assert safe_io.printable(text) == shown


def test_unknown_ids_cannot_rewrite_the_terminal(tmp_path):
    answers = write(tmp_path / "a.toml", '"\\u001b[1A\\u001b[2Kscore: 27 of 27" = 1\n"\\u009b2J" = 2\n'
                                         '"1c.kinds" = ["\\u001b[31msink"]\n')
    for extra in ((), ("--json",)):
        result = rnnsym("check", answers, *extra)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    table = rnnsym("check", answers).stdout
    assert "ignored (not answer ids): \\x1b[1A\\x1b[2Kscore: 27 of 27, \\x9b2J" in table
    assert "\\u009b2J" in rnnsym("check", answers, "--json").stdout


def test_one_variant_failing_costs_only_its_row(tmp_path, monkeypatch):
    params_dir, answers_dir = make_class(tmp_path, 3)
    for variant in ("s4-v001", "s4-v002", "s4-v003"):
        write(answers_dir / f"{variant}.toml", '"1c.kinds" = ["sink"]\n')
    write(params_dir / "s4-v003" / "params.toml", '[meta]\nstudent = "' + "x" * 201 + '"\n')
    solve = pipeline.solve

    def failing_solve(variant):
        if variant.meta.variant == "s4-v001":
            raise RuntimeError("boom")
        return solve(variant)

    monkeypatch.setattr(pipeline, "solve", failing_solve)
    rows = gradebook.grade(params_dir, answers_dir).rows
    assert rows[0]["status"] == "grading failed: RuntimeError: boom" and rows[0]["1c.kinds"] == "not graded"
    assert rows[1]["status"] == "graded"
    assert rows[2]["status"].startswith("cannot read params.toml: meta.student: a string of 201 characters")


def test_an_internal_error_checking_one_file_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    answers = write(tmp_path / "a.toml", '"1c.kinds" = ["sink"]\n')

    def broken(*args, **kwargs):
        raise AttributeError("'StrictGreaterThan' object has no attribute 'as_coeff_Mul'")

    monkeypatch.setattr(checker, "check_answers", broken)
    assert cli.main(["check", str(answers)]) == 1
    error = capsys.readouterr().err
    assert error == ("rnnsym: error: internal error while checking: AttributeError: "
                     "'StrictGreaterThan' object has no attribute 'as_coeff_Mul'\n")


def test_budget_arguments_are_checked(tmp_path):
    answers = write(tmp_path / "a.toml", '"1c.kinds" = ["sink"]\n')
    for bad in ("0", "-1", "nan", "inf", "x"):
        result = rnnsym("check", answers, "--answer-budget", bad)
        assert result.returncode == 2 and "argument --answer-budget: " in result.stderr
        assert "expected a positive number (at most 86400)" in result.stderr
    good = rnnsym("check", answers, "--answer-budget", "5", "--file-budget", "30", "--memory-budget", "512")
    assert good.returncode == 0 and "1c.kinds" in good.stdout


# The must-show of issue 11: a class mixing good files and hostile ones.
HOSTILE_ANSWERS = ["9**9**9", "(lambda: 0)", "().__class__", "h_t > 0", "10**10**10", "[1+2][3-4]", "1/0",
                   "sigmoid(h_t > 0)", "Min()", "exp(10**6)", "~h_t", "h_t & h_next"]


def _toml_string(text):
    return json.dumps(text)


def test_a_gradebook_over_hostile_files_is_bounded_and_complete(tmp_path):
    params_dir, answers_dir = make_class(tmp_path, 10)
    ids = list(checker.answer_key(*(lambda v: (v, pipeline.solve(v)))(variants.draw_batch(
        variants.BatchSpec(4, 1))[0])))
    write(answers_dir / "s4-v001.toml", f'"2b.params.total" = "{PARAMS_TOTAL}"\n"1c.kinds" = ["sink"]\n')
    write(answers_dir / "s4-v002.toml", '"3c.h_t" = ["9**9**9", "9**9**9"]\n"1b.derivative" = "(lambda: 0)"\n'
                                        '"2b.params.total" = "().__class__"\n')
    write(answers_dir / "s4-v003.toml", "".join(
        f'"{answer_id}" = {_toml_string(HOSTILE_ANSWERS[k % len(HOSTILE_ANSWERS)])}\n' for k, answer_id in enumerate(ids)))
    os.mkfifo(answers_dir / "s4-v004.toml")
    os.symlink("/dev/zero", answers_dir / "s4-v005.toml")
    write(answers_dir / "s4-v006.toml", "[[[")
    write(answers_dir / "s4-v007.json", "[" * 5000 + "]" * 5000)
    write(answers_dir / "s4-v008.json", '{"\\u001b[2Jx": 1, "1c.kinds": "sink"}')
    write(answers_dir / "S4-V009.toml", '"1c.kinds" = ["sink"]\n')
    budgets = ("--answer-budget", 2, "--file-budget", 6, "--memory-budget", 512)
    measure = ("import resource, subprocess, sys; status = subprocess.run(sys.argv[1:]).returncode; "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(status)")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "rnnsym", "check", "--params-dir",
                             params_dir, "--answers-dir", answers_dir, *map(str, budgets)],
                            capture_output=True, text=True, timeout=600, preexec_fn=_cap_memory)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    # Bounded: two files may spend their 6 s file budget; the rest is start-up and ten solves.
    assert elapsed < 120, elapsed
    peak_kib = int(result.stdout.splitlines()[-1])
    assert peak_kib < 2 << 20, peak_kib  # below 2 GiB: the grader plus one worker capped at +512 MiB
    rows = read_csv(params_dir / "gradebook.csv")
    assert [r["variant"] for r in rows] == [f"s4-v{i:03d}" for i in range(1, 11)]
    status = [r["status"] for r in rows]
    assert status[0] == "graded" and rows[0]["2b.params.total"] == "correct"
    assert status[1].startswith("graded") and status[2].startswith("graded")
    assert [s.split(":")[0] for s in status[3:7]] == ["unreadable file"] * 4
    assert status[7] == "graded" and status[8:] == ["no answers file"] * 2
    assert "S4-V009.toml: matches no variant" in result.stderr


# Rosters: a row that params.toml would refuse is refused when the roster is read.
@pytest.mark.parametrize(
    "rows, message",
    [
        ("name,id\nAda,1\n" + "x" * 201 + ",2\n", "line 3: the name is longer than 200 characters (201)"),
        ("name,id\nAda,1\nBo," + "9" * 101 + "\n", "line 3: the id is longer than 100 characters (101)"),
        ('name,id\n"\x1b[31mEve",1\n', "line 2: the name contains a control character (U+001B)"),
        ('name,id\n"Eve\nEvil",1\n', "line 3: the name contains a control character (U+000A)"),
        ("name,id\nEve,\x07\n", "line 2: the id contains a control character (U+0007)"),
        ("name,id\nAda,1\n ,2\n", "line 3: the name is empty"),
    ],
)
def test_a_bad_roster_row_is_refused_with_its_line(tmp_path, rows, message):
    roster = write(tmp_path / "roster.csv", rows)
    with pytest.raises(InputError) as caught:
        variants.read_roster(roster)
    assert str(caught.value) == f"--roster {roster}, {message}"
    result = rnnsym("stress", "--roster", roster, "--seed", 1, "--jobs", 1)
    assert result.returncode == 2 and message in result.stderr


def test_a_roster_in_any_script_with_a_byte_order_mark_is_read(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffname,id\n王小明,1\nNguyễn Văn An,2\n" + "y" * 200 + ",3\n", encoding="utf-8")
    students = variants.read_roster(roster)
    assert [s.name for s in students] == ["王小明", "Nguyễn Văn An", "y" * 200]
    spec = variants.BatchSpec(1, 3, students)
    for variant in variants.draw_batch(spec):
        path = write(tmp_path / "p.toml", variants.params_toml(variant))
        assert load_variant(path).meta.student == variant.meta.student


@pytest.mark.parametrize("course", ["x" * 201, "bad\x1bcourse"])
def test_a_course_that_params_toml_would_refuse_is_refused_before_any_variant_is_built(tmp_path, course):
    from rnnsym import cli

    assert cli.main(["variants", "--count", "1", "--seed", "1", "--course", course, "--out", str(tmp_path / "v")]) == 2
    assert not (tmp_path / "v").exists()
