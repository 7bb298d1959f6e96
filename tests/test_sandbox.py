"""The comparison worker: budgets per answer, per file and per class; a killed worker costs one answer.

The hostile comparisons are simulated by replacing ``checker.compare`` (the
worker is forked, so it runs the replacement): a C loop that SIGALRM cannot
interrupt, a 4 GB allocation, a segfault, an internal error.
"""

import itertools
import json
import os
import signal
import time

import pytest

from rnnsym import checker, i18n, pipeline, sandbox
from rnnsym.params import load_variant

VARIANT = load_variant(None)
SOLVED = pipeline.solve(VARIANT)
KEY = checker.answer_key(VARIANT, SOLVED)
REAL_COMPARE = checker.compare


def hostile_compare(entry, answer):
    """Behaves as the answer says; any other answer is compared for real."""
    if answer == "spin":
        sum(itertools.repeat(1, 10**13))  # hours of C code: no signal handler runs until it returns
    if answer == "allocate":
        bytearray(4 << 30)
    if answer == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if answer == "raise":
        raise AttributeError("'StrictGreaterThan' object has no attribute 'as_coeff_Mul'")
    return REAL_COMPARE(entry, answer)


@pytest.fixture
def hostile(monkeypatch):
    monkeypatch.setattr(checker, "compare", hostile_compare)


def grade(answers, **budgets):
    grader = sandbox.Grader(sandbox.Budgets(**budgets))
    return grader.compare_all(KEY, answers)


GOOD = {"2b.params.total": "m*V + m*h + 2*h**2 + h*V + 2*h + V", "1c.kinds": ["sink"]}


@pytest.mark.usefixtures("hostile")
@pytest.mark.parametrize(
    "answer, verdict, diagnosis",
    [
        ("spin", "unreadable", "comparison stopped: the per-answer budget of 1 s was spent"),
        ("allocate", "unreadable", "comparison stopped: the per-answer memory budget of 256 MiB was spent"),
        ("segfault", "not graded", "comparison stopped: the grading worker died (SIGSEGV)"),
        ("raise", "not graded", "grading failed: AttributeError: 'StrictGreaterThan' object"),
    ],
)
def test_a_hostile_comparison_costs_only_its_own_answer(answer, verdict, diagnosis):
    started = time.monotonic()
    verdicts, stopped = grade({"1b.derivative": answer, **GOOD}, answer_seconds=1, memory_mib=256)
    assert time.monotonic() - started < 30  # bounded: 1 s for the hostile answer, plus start-up
    assert verdicts["1b.derivative"].verdict == verdict
    assert verdicts["1b.derivative"].diagnosis.startswith(diagnosis), verdicts["1b.derivative"].diagnosis
    # The answers after it were compared by a fresh worker.
    assert verdicts["2b.params.total"].verdict == "correct" and verdicts["1c.kinds"].verdict == "correct"
    assert stopped == ""


@pytest.mark.usefixtures("hostile")
def test_a_list_answer_shares_one_budget_across_its_components(monkeypatch):
    # 3c.h_t compares each component with compare_expression: two slow components, one budget.
    def slow_component(*arguments, **keywords):
        sum(itertools.repeat(1, 10**13))

    monkeypatch.setattr(checker, "compare_expression", slow_component)
    started = time.monotonic()
    verdicts, _ = grade({"3c.h_t": ["9**9**9", "9**9**9"]}, answer_seconds=1)
    assert time.monotonic() - started < 30
    assert verdicts["3c.h_t"].diagnosis.startswith("comparison stopped: the per-answer budget of 1 s")


@pytest.mark.usefixtures("hostile")
def test_the_file_budget_leaves_the_rest_not_graded():
    answers = {answer_id: "spin" for answer_id in list(KEY)[:6]}
    started = time.monotonic()
    verdicts, stopped = grade(answers, answer_seconds=1, file_seconds=2.5)
    assert time.monotonic() - started < 30
    assert stopped == "the per-file budget of 2.5 s was spent"
    shown = [verdicts[i].diagnosis for i in answers]
    assert shown[:2] == ["comparison stopped: the per-answer budget of 1 s was spent; write the answer more simply"] * 2
    assert shown[2] == "comparison stopped: the per-file budget of 2.5 s was spent"
    assert shown[3:] == ["not graded: the per-file budget of 2.5 s was spent"] * 3
    assert [verdicts[i].verdict for i in answers] == ["unreadable"] * 2 + ["not graded"] * 4
    assert verdicts[list(KEY)[-1]].verdict == "missing"


@pytest.mark.usefixtures("hostile")
def test_the_class_budget_spans_files():
    grader = sandbox.Grader(sandbox.Budgets(answer_seconds=1, class_seconds=1.5))
    first, _ = grader.compare_all(KEY, {"1b.derivative": "spin"})
    second, stopped = grader.compare_all(KEY, {"1b.derivative": "spin", **GOOD})
    assert first["1b.derivative"].verdict == "unreadable"
    assert second["1b.derivative"].diagnosis == "comparison stopped: the per-class budget of 1.5 s was spent"
    assert second["2b.params.total"].diagnosis == "not graded: the per-class budget of 1.5 s was spent"
    assert stopped and grader.class_budget_spent()


def test_honest_answers_get_the_same_verdicts_as_in_process():
    answers = checker.read_answers(os.path.join(os.path.dirname(__file__), "..", "examples", "seed_answers.toml"))
    verdicts, stopped = grade(answers)
    absent = getattr(checker, "MISSING", None)
    expected = {answer_id: REAL_COMPARE(entry, answers.get(answer_id, absent)) for answer_id, entry in KEY.items()}
    assert stopped == ""
    assert {i: v.verdict for i, v in verdicts.items()} == {i: v.verdict for i, v in expected.items()}

    def fixed(diagnosis):  # a diagnosis that names a random point differs from run to run
        return "differs from the key at" not in diagnosis and "seed" not in diagnosis

    assert {i: v.diagnosis for i, v in verdicts.items() if fixed(v.diagnosis)} == \
        {i: v.diagnosis for i, v in expected.items() if fixed(v.diagnosis)}
    # ... and as the messages they were made of, which the Persian feedback prints in Persian.
    assert {i: v.diagnosis.msgid for i, v in verdicts.items() if v.diagnosis} == \
        {i: v.diagnosis.msgid for i, v in expected.items() if v.diagnosis}


@pytest.mark.parametrize("said, rebuilt", [
    ({"msgid": "the MD-LSTM count", "values": {}}, True),
    ({"msgid": "the sign is wrong", "values": {}}, False),  # says something else than the diagnosis
    ({"msgid": "%(x)s", "values": {"x": "the MD-LSTM count"}}, False),  # an id no catalog knows
    ("the MD-LSTM count", False),
])
def test_a_worker_diagnosis_is_rebuilt_as_a_message_only_if_it_says_the_same(said, rebuilt):
    raw = json.dumps({"verdict": "wrong", "diagnosis": "the MD-LSTM count", "said": said}).encode()
    diagnosis = sandbox._valid_message(raw)["diagnosis"]
    assert diagnosis == "the MD-LSTM count" and isinstance(diagnosis, i18n.Message) is rebuilt


@pytest.mark.parametrize(
    "raw",
    [b"[1]", b'{"verdict": "correct"}', b'{"verdict": "perfect", "diagnosis": ""}', b"\x80\x04K\x01.",
     b'{"verdict": "correct", "diagnosis": 1}', b'{"verdict": ["correct"], "diagnosis": ""}', b"[" * 5000,
     b'{"stopped": "time"}', b'{"failed": null}', b'{"verdict": "correct", "diagnosis": "", "student": "x"}',
     b'{"verdict": "correct", "diagnosis": "", "parsed": "x"}', b'{"verdict": "correct", "diagnosis": "", "seed": [1]}'],
)
def test_the_grader_accepts_only_well_formed_json_from_a_worker(raw):
    assert sandbox._valid_message(raw) is None


def test_budgets_must_be_positive():
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="expected a positive number"):
            sandbox.Budgets(answer_seconds=bad)


def test_what_one_file_changes_in_its_worker_does_not_reach_the_next_file(monkeypatch):
    # An answer that got to run code could monkeypatch the checker (issue 11: every later student
    # graded at will); in a forked worker the change dies with the worker, at the end of the file.
    def patching_compare(entry, answer):
        if answer == "patch":
            checker._compare = lambda entry, answer: checker.Verdict("correct", answer, entry.shown)
            checker.compare = checker._compare
            return checker.Verdict("correct", answer, entry.shown)
        return REAL_COMPARE(entry, answer)

    monkeypatch.setattr(checker, "compare", patching_compare)
    grader = sandbox.Grader()
    grader.compare_all(KEY, {"1b.derivative": "patch"})
    later, _ = grader.compare_all(KEY, {"2b.params.total": "m", "1c.kinds": ["source"]})
    assert later["2b.params.total"].verdict == "wrong" and later["1c.kinds"].verdict == "wrong"
    assert checker.compare is patching_compare
