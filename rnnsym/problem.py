"""The records that describe a problem and the result of one check."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable, Mapping

from rnnsym.i18n import N_


@dataclasses.dataclass(frozen=True)
class Check:
    """One verification of a derived answer, shown in the report's check table.

    Attributes:
        id: a stable identifier, ``"1a.residual"``.
        what: what was checked, plain text.
        detail: the numbers that were compared, plain text.
        tolerance: the tolerance used, plain text ("exact" for exact checks).
        passed: whether the derived answer survived the check; ``None``
            when the check could not run here (an optional package such as
            torch is missing), which the report says in so many words.
    """

    id: str
    what: str
    detail: str
    tolerance: str
    passed: bool | None

    def __post_init__(self):
        # Comparisons of SymPy numbers give SymPy booleans; JSON wants bool.
        if self.passed is not None:
            object.__setattr__(self, "passed", bool(self.passed))

    @property
    def failed(self) -> bool:
        return self.passed is False

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "passed": self.passed,
            "detail": f"{self.what}: {self.detail} (tolerance: {self.tolerance})",
        }

@dataclasses.dataclass(frozen=True)
class KeyEntry:
    """What the key says for one answer id, and how the checker compares with it.

    Attributes:
        id: the answer id of interfaces.md, ``"1b.derivative"``.
        kind: how answers are compared (the same as the declaration's kind).
        value: the key (SymPy objects, numbers, words, or None).
        names: the symbols an answer may use, by name.
        intermediates: named quantities (``h_next``, ``h3``) and their definitions.
        nearby: (description, value) pairs that explain a typical wrong answer.
        shown: the key as the answers file writes it.
    """

    id: str
    kind: str  # expression, expressions, numbers, number, words, word, integer, exact, matrix
    value: Any
    names: dict = dataclasses.field(default_factory=dict)
    intermediates: dict = dataclasses.field(default_factory=dict)
    nearby: tuple = ()  # (description, expression)
    shown: str = ""  # the key as the answers file writes it

# The tolerance of an exact check, in the check tables' language.
TOLERANCE_WORDS = (N_("exact"),)

# The kinds of answers: how the checker compares them.
ANSWER_KINDS = ("expression", "expressions", "numbers", "number", "words", "word", "integer", "exact", "matrix")


@dataclasses.dataclass(frozen=True)
class AnswerSpec:
    """One answer id as the problem sheet asks for it.

    Declared once, in the problem's module, and read by the problem sheet
    (the hand-in list), the key table, the grader and the feedback, so they
    cannot disagree about what is asked and under which convention.

    Attributes:
        id: the answer id of interfaces.md, ``"2b.ops.total"``.
        asks: what the sheet asks for (trusted LaTeX from the module).
        kind: how answers are compared, one of :data:`ANSWER_KINDS`.
        form: how to write the answer: the names it may use, the order (LaTeX).
        convention: the convention the key uses, printed on the sheet (LaTeX),
            or "" when the answer needs none.
        choices: for a word or words answer, every word it may be (the
            Moodle export offers them as choices); empty for other kinds.
    """

    id: str
    asks: str
    kind: str
    form: str
    convention: str = ""
    choices: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in ANSWER_KINDS:
            raise ValueError(f"{self.id}: unknown answer kind {self.kind!r}")

    @property
    def part(self) -> str:
        """The part of the problem that asks for it, ``"2b"``."""
        return self.id.split(".")[0]


def names_of(*exprs) -> dict:
    """The free symbols of some SymPy objects, by name."""
    names = {}
    for expr in exprs:
        for symbol in getattr(expr, "free_symbols", set()):
            names[str(symbol)] = symbol
    return names


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem of the set: its parameters and the steps of the pipeline.

    Attributes:
        id: the section of the parameter file, ``"p1"``.
        title: the heading in the report.
        params: the frozen parameter dataclass (defaults = the homework's).
        derive: parameters -> derivation (SymPy objects).
        checks: derivation -> list of :class:`Check`.
        answers: derivation -> mapping of answer ids to JSON values.
        figures: (derivation, directory) -> mapping of figure names to file
            names written into that directory.
        draw: (numpy Generator, options) -> parameters of a new variant.
        template: the Jinja template that typesets the derivation.
        answer_specs: one :class:`AnswerSpec` per answer id, in sheet order.
        key: (derivation, answers document) -> one :class:`KeyEntry` per answer id.
    """

    id: str
    title: str
    params: type
    derive: Callable[[Any], Any]
    checks: Callable[[Any], list[Check]]
    answers: Callable[[Any], Mapping[str, Any]]
    figures: Callable[[Any, Path], Mapping[str, str]]
    draw: Callable[[Any, Mapping[str, str]], Any]
    template: str
    answer_specs: tuple[AnswerSpec, ...] = ()
    key: Callable[[Any, Mapping[str, Any]], list[KeyEntry]] = lambda derivation, answers: []
