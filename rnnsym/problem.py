"""The records that describe a problem and the result of one check."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable, Mapping


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
