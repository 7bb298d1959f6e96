"""Comparing untrusted answers in a worker process that can be killed.

A comparison of a student's answer may run for hours or allocate gigabytes
(a huge power, a sort of a long list), and much of that time is spent in C
code that SIGALRM cannot interrupt. So the answers of one file are compared
in a child process forked from the grader: it inherits the key and the
answers (nothing is pickled on the way in), sets its own address-space cap
(RLIMIT_AS) before it compares anything, and sends one verdict per answer
back. The grader waits for each verdict at most until a deadline and kills
the child (SIGKILL) when the deadline passes; the next answer gets a fresh
child. A child that dies (a MemoryError it could not report, a segfault)
costs only the answer it was comparing.

Three budgets, each named in the verdict when it is hit (:class:`Budgets`):

- per answer: ``answer_seconds`` of wall-clock time and ``memory_mib`` of
  address space above the worker's size when it starts; a list answer is one
  answer (its components share the budget). The answer is "unreadable":
  "comparison stopped: the per-answer budget of 10 s was spent".
- per file: ``file_seconds`` for all the answers of one student; the answers
  not compared when it is spent are "not graded".
- per class: ``class_seconds`` for all the files of a gradebook run; every
  answer not compared when it is spent is "not graded".

The worker sends back JSON (the verdict's plain fields: its name, the
diagnosis, and e.g. the seed of the random points), never a pickle,
so even a worker that an answer had subverted could not run code in the
grader through what it sends.
"""

from __future__ import annotations

import dataclasses
import faulthandler
import json
import multiprocessing
import os
import resource
import signal
import time

from rnnsym import checker, i18n
from rnnsym.checker import KeyEntry, Verdict
from rnnsym.i18n import N_

# A verdict message is a verdict name and a diagnosis; anything longer than
# this is not a message the worker would send.
MAX_MESSAGE_BYTES = 1 << 20
MAX_DIAGNOSIS_CHARS = 4000
# The sentence naming each spent budget ("the per-file budget of 60 s was spent").
BUDGET_NOTES = {
    "answer": N_("the per-answer budget of %(amount)s was spent"),
    "memory": N_("the per-answer memory budget of %(amount)s was spent"),
    "file": N_("the per-file budget of %(amount)s was spent"),
    "class": N_("the per-class budget of %(amount)s was spent"),
}
VERDICTS = frozenset({"correct", "equivalent", "wrong", "unreadable", "missing", "not graded"})
# fork: the child starts in a few milliseconds with the key already in memory.
_CONTEXT = multiprocessing.get_context("fork")


@dataclasses.dataclass(frozen=True)
class Budgets:
    """How much one answer, one file and one class may cost.

    Attributes:
        answer_seconds: wall-clock seconds for one answer (all components of a list answer).
        memory_mib: address space a worker may add to its size at start, in MiB.
        file_seconds: wall-clock seconds for all the answers of one file.
        class_seconds: for all the files of a run; None: no class budget (one file).
    """

    answer_seconds: float = 10.0
    memory_mib: int = 1024
    file_seconds: float = 60.0
    class_seconds: float | None = None

    def __post_init__(self):
        for name in ("answer_seconds", "memory_mib", "file_seconds", "class_seconds"):
            value = getattr(self, name)
            if value is not None and not 0 < value < float("inf"):
                raise ValueError(f"{name} = {value!r}: expected a positive number")


def _seconds(value: float) -> str:
    return f"{value:g} s"


class Grader:
    """Compares the answers of file after file, within :class:`Budgets`.

    One grader per gradebook run: it counts the time spent against the class
    budget across :meth:`compare_all` calls.
    """

    def __init__(self, budgets: Budgets | None = None):
        self.budgets = budgets or Budgets()
        self.class_spent = 0.0

    def budget_note(self, which: str) -> str:
        """The sentence that names a spent budget, e.g. "the per-file budget of 60 s was spent"."""
        budgets = self.budgets
        amount = {"answer": _seconds(budgets.answer_seconds), "memory": f"{budgets.memory_mib} MiB",
                  "file": _seconds(budgets.file_seconds),
                  "class": _seconds(budgets.class_seconds or 0)}[which]
        return i18n.message(BUDGET_NOTES[which], amount=amount)

    def _deadline(self, file_spent: float) -> tuple[float, str]:
        """Seconds the next answer may take, and which budget sets that limit."""
        limits = [(self.budgets.answer_seconds, "answer"), (self.budgets.file_seconds - file_spent, "file")]
        if self.budgets.class_seconds is not None:
            limits.append((self.budgets.class_seconds - self.class_spent, "class"))
        return min(limits)

    def class_budget_spent(self) -> bool:
        return self.budgets.class_seconds is not None and self.class_spent >= self.budgets.class_seconds

    def compare_all(self, key: dict[str, KeyEntry], answers: dict) -> tuple[dict[str, Verdict], str]:
        """Every answer id's verdict, in the key's order.

        Args:
            key: the key entries by answer id.
            answers: the student's answers by answer id (ids without an answer are missing).

        Returns:
            The verdicts, and "" or the note of the file or class budget that
            stopped the comparisons (the answers left are "not graded").
        """
        verdicts: dict[str, Verdict] = {}
        queue = []
        # An id the file does not mention is missing: no student text, so no worker. The checker
        # tells "absent" (its MISSING) from an explicit JSON null, which is an answer.
        for answer_id, entry in key.items():
            if answer_id not in answers:
                verdicts[answer_id] = checker.compare(entry, checker.MISSING)
            else:
                queue.append(answer_id)
        note, file_spent, position, worker = "", 0.0, 0, None
        try:
            while position < len(queue):
                limit, which = self._deadline(file_spent)
                if limit <= 0:
                    note = self.budget_note(which)
                    break
                if worker is None:
                    worker = _Worker([key[i] for i in queue[position:]], [answers[i] for i in queue[position:]],
                                     int(self.budgets.memory_mib * 2**20))
                started = time.monotonic()
                message = worker.next_message(limit)
                spent = time.monotonic() - started
                file_spent += spent
                self.class_spent += spent
                answer_id = queue[position]
                verdict = self._verdict(message, which, key[answer_id], answers[answer_id])
                verdicts[answer_id] = verdict
                position += 1
                if message.get("restart"):
                    worker.stop()
                    worker = None
                    if which in ("file", "class") and message.get("timeout"):
                        note = self.budget_note(which)
                        break
        finally:
            if worker is not None:
                worker.stop()
        for answer_id in queue[position:]:
            verdicts[answer_id] = Verdict("not graded", answers[answer_id], key[answer_id].shown,
                                          i18n.message(N_("not graded: %(note)s"), note=note))
        return {answer_id: verdicts[answer_id] for answer_id in key}, note

    def _verdict(self, message: dict, which: str, entry: KeyEntry, answer) -> Verdict:
        if message.get("timeout"):
            verdict = "unreadable" if which == "answer" else "not graded"
            stopped = N_("comparison stopped: %(reason)s; write the answer more simply") if which == "answer" \
                else N_("comparison stopped: %(reason)s")
            return Verdict(verdict, answer, entry.shown, i18n.message(stopped, reason=self.budget_note(which)))
        if message.get("stopped") == "memory":
            return Verdict("unreadable", answer, entry.shown,
                           i18n.message(N_("comparison stopped: %(reason)s; write the answer more simply"),
                                        reason=self.budget_note("memory")))
        if "died" in message:
            return Verdict("not graded", answer, entry.shown,
                           i18n.message(N_("comparison stopped: %(reason)s"), reason=message["died"]))
        if "failed" in message:
            return Verdict("not graded", answer, entry.shown,
                           i18n.message(N_("grading failed: %(error)s"), error=message["failed"]))
        return Verdict(student=answer, key=entry.shown, **message)


class _Worker:
    """One forked child comparing a list of answers in order, one message each."""

    def __init__(self, entries: list[KeyEntry], answers: list, memory_bytes: int):
        self.reader, writer = _CONTEXT.Pipe(duplex=False)
        self.process = _CONTEXT.Process(target=_work, args=(writer, entries, answers, memory_bytes), daemon=True)
        self.process.start()
        writer.close()  # the parent's copy: EOF on the reader means the child is gone

    def next_message(self, seconds: float) -> dict:
        """The next verdict message, or a message saying why there is none.

        Returns a dict with "restart": True when this worker cannot go on
        (it was killed at the deadline, it died, or it sent nonsense).
        """
        try:
            if not self.reader.poll(seconds):
                return {"timeout": True, "restart": True}
            raw = self.reader.recv_bytes(MAX_MESSAGE_BYTES)
        except EOFError:
            return {"died": self._death(), "restart": True}
        except OSError:  # a message longer than MAX_MESSAGE_BYTES
            return {"died": i18n.message(N_("the grading worker sent an oversized message")), "restart": True}
        message = _valid_message(raw)
        if message is None:
            return {"died": i18n.message(N_("the grading worker sent a malformed message")), "restart": True}
        if message.get("stopped"):
            message["restart"] = True
        return message

    def _death(self) -> str:
        self.process.join(5)
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return i18n.message(N_("the grading worker died (%(signal)s)"), signal=name)
        return i18n.message(N_("the grading worker ended unexpectedly (exit status %(code)s)"), code=code)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.reader.close()


def _carried_fields() -> tuple[str, ...]:
    """The Verdict fields a worker sends back: all but the answer, the key and SymPy objects."""
    return tuple(f.name for f in dataclasses.fields(Verdict) if f.name not in ("student", "key", "parsed"))


def _scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _valid_message(raw: bytes) -> dict | None:
    """The worker's message if it has the expected shape, else None."""
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict):
        return None
    if "verdict" in message:
        said = message.pop("said", None)
        if set(message) <= set(_carried_fields()) and isinstance(message["verdict"], str) \
                and message["verdict"] in VERDICTS and isinstance(message.get("diagnosis"), str) \
                and all(_scalar(v) for v in message.values()):
            message["diagnosis"] = _rebuilt(said, message["diagnosis"])
            return message
    elif set(message) == {"stopped"} and message["stopped"] == "memory":
        return message
    elif set(message) == {"failed"} and isinstance(message["failed"], str):
        return message
    return None


def _rebuilt(said, diagnosis: str) -> str:
    """The diagnosis as the :class:`rnnsym.i18n.Message` the worker made, if
    ``said`` rebuilds to exactly its English text; else the text as sent
    (a message id the catalogs do not know stays English)."""
    if said is None:
        return diagnosis
    try:
        rebuilt = i18n.from_data(said)
    except (ValueError, RecursionError):
        return diagnosis
    return rebuilt if isinstance(rebuilt, i18n.Message) and str(rebuilt) == diagnosis else diagnosis


def _confine(memory_bytes: int) -> None:
    """Limits the current (child) process: address space, no core dumps, no Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader handles Ctrl-C and kills us
    faulthandler.disable()  # a crash is reported by the grader, in the verdict, not as a dump
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    start = _address_space()
    if start is None:
        return
    limit = start + memory_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    # Soft and hard alike, so that nothing in this process can raise it again.
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space() -> int | None:
    """This process's virtual size in bytes (Linux), or None where unknown."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _work(connection, entries: list[KeyEntry], answers: list, memory_bytes: int) -> None:
    """The child: compares each answer in turn and sends one JSON message per answer."""
    _confine(memory_bytes)
    for entry, answer in zip(entries, answers):
        try:
            verdict = checker.compare(entry, answer)
            message = {name: getattr(verdict, name) for name in _carried_fields()}
            message = {name: value for name, value in message.items() if _scalar(value)}
            message["diagnosis"] = str(verdict.diagnosis)[:MAX_DIAGNOSIS_CHARS]
            if isinstance(verdict.diagnosis, i18n.Message) and len(verdict.diagnosis) <= MAX_DIAGNOSIS_CHARS:
                # Also as the message id with its values, so that a Persian
                # feedback PDF can print it in Persian (_valid_message rebuilds it).
                message["said"] = i18n.to_data(verdict.diagnosis)
        except MemoryError:
            message = {"stopped": "memory"}
        except RecursionError:
            deep = i18n.message(N_("the expression is nested too deeply"))
            message = {"verdict": "unreadable", "diagnosis": str(deep), "said": i18n.to_data(deep)}
        except Exception as error:  # an internal error costs this answer only
            message = {"failed": f"{type(error).__name__}: {error}"[:MAX_DIAGNOSIS_CHARS]}
        try:
            connection.send_bytes(json.dumps(message).encode("ascii"))
        except MemoryError:
            os._exit(3)
        if "stopped" in message:
            return
