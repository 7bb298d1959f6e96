"""The parameter file: reading, validating and writing one variant.

Each problem declares its parameters as a frozen dataclass whose fields
carry their reading rule in ``metadata["read"]`` (rules as data: small
functions built by the factories below). :func:`read_section` applies those
rules to one TOML table, so every problem validates the same way and every
error names the dotted key, the value and what was expected.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any, Callable, Mapping

import sympy

from rnnsym.errors import InputError
from rnnsym.exact import NumberForms, Typed, format_number, parse_number, typed_number
from rnnsym.i18n import LANGUAGES, N_

Reader = Callable[[object, str], Any]

# Limits that keep derivations and compiles practical; the error names them.
MAX_TEXT_LENGTH = 2000
MAX_LIST_LENGTH = 12
# meta.student and meta.student_id; a roster is checked against the same limits.
STUDENT_NAME_LENGTH = 200
STUDENT_ID_LENGTH = 100
COURSE_LENGTH = 200


def number(low=None, high=None, *, low_open=False, high_open=False) -> Reader:
    """A rule reading one exact number within optional bounds."""

    def read(value: object, key: str) -> sympy.Rational:
        result = parse_number(value, key)
        _check_bounds(result, key, value, low, high, low_open, high_open)
        return result

    return read


def integer(low=None, high=None) -> Reader:
    """A rule reading a whole number (an int, or a string of one)."""

    def read(value: object, key: str) -> int:
        result = parse_number(value, key)
        if result.q != 1:
            raise InputError(f"{key} = {value!r}: expected a whole number")
        _check_bounds(result, key, value, low, high, False, False)
        return int(result)

    return read


def number_list(low=None, high=None, *, min_length=1, max_length=MAX_LIST_LENGTH) -> Reader:
    """A rule reading a list of exact numbers."""
    item = number(low, high)

    def read(value: object, key: str) -> tuple[sympy.Rational, ...]:
        if not isinstance(value, list) or not min_length <= len(value) <= max_length:
            raise InputError(
                f"{key} = {value!r}: expected a list of {min_length} to {max_length} numbers"
            )
        return tuple(item(v, f"{key}[{i}]") for i, v in enumerate(value))

    return read


def matrix(max_size: int = 4) -> Reader:
    """A rule reading a square matrix of exact numbers (a list of rows)."""
    item = number()

    def read(value: object, key: str):
        expected = f"a square matrix of numbers, a list of rows of equal length, at most {max_size} x {max_size}"
        if (
            not isinstance(value, list)
            or not 1 <= len(value) <= max_size
            or not all(isinstance(row, list) and len(row) == len(value) for row in value)
        ):
            raise InputError(f"{key} = {value!r}: expected {expected}")
        return tuple(
            tuple(item(v, f"{key}[{i}][{j}]") for j, v in enumerate(row)) for i, row in enumerate(value)
        )

    return read


def choice(*options: str) -> Reader:
    """A rule reading one of a fixed set of names."""

    def read(value: object, key: str) -> str:
        if value not in options:
            raise InputError(f"{key} = {value!r}: expected one of {', '.join(map(repr, options))}")
        return value

    return read


def integer_list(low=None, high=None, *, min_length=1, max_length=6) -> Reader:
    """A rule reading a list of whole numbers (a grid shape)."""
    item = integer(low, high)

    def read(value: object, key: str) -> tuple[int, ...]:
        if not isinstance(value, list) or not min_length <= len(value) <= max_length:
            raise InputError(
                f"{key} = {value!r}: expected a list of {min_length} to {max_length} whole numbers"
            )
        return tuple(item(v, f"{key}[{i}]") for i, v in enumerate(value))

    return read


def text(max_length=MAX_TEXT_LENGTH) -> Reader:
    """A rule reading free text (escaped later, before LaTeX sees it)."""

    def read(value: object, key: str) -> str:
        if not isinstance(value, str):
            raise InputError(f"{key} = {value!r}: expected a string (free text)")
        if len(value) > max_length:
            raise InputError(
                f"{key}: a string of {len(value)} characters; expected at most {max_length}"
            )
        if any(ord(ch) < 32 and ch not in "\t\n" for ch in value):
            raise InputError(f"{key} = {value!r}: expected text without control characters")
        return value

    return read


def _check_bounds(result, key, value, low, high, low_open, high_open):
    if low is not None and (result < low or (low_open and result == low)):
        relation = ">" if low_open else ">="
        raise InputError(f"{key} = {value!r}: expected a value {relation} {low}")
    if high is not None and (result > high or (high_open and result == high)):
        relation = "<" if high_open else "<="
        raise InputError(f"{key} = {value!r}: expected a value {relation} {high}")


def rule(reader: Reader, default: Any) -> Any:
    """Declares a dataclass field with its default and its reading rule."""
    return dataclasses.field(default=default, metadata={"read": reader})


def read_section(cls: type, section: str, table: object):
    """Builds the parameter dataclass ``cls`` from one TOML table.

    Missing keys take their defaults; unknown keys and bad values raise
    :class:`InputError` naming ``section.key``.
    """
    if not isinstance(table, dict):
        raise InputError(f"[{section}]: expected a table of keys, got {table!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise InputError(
            f"{section}.{unknown[0]}: unknown key; expected one of {', '.join(fields)}"
        )
    values = {
        name: fields[name].metadata["read"](value, f"{section}.{name}")
        for name, value in table.items()
    }
    return cls(**values)


@dataclasses.dataclass(frozen=True)
class Meta:
    """The free-text description of a variant, printed on its sheets."""

    title: str = rule(text(200), N_("Recurrent networks: dynamics and cost"))
    course: str = rule(text(COURSE_LENGTH), "")
    variant: str = rule(text(100), "default")
    # Set for generated variants: who the sheet is for, and how to redraw it.
    student: str = rule(text(STUDENT_NAME_LENGTH), "")
    student_id: str = rule(text(STUDENT_ID_LENGTH), "")
    seed: str = rule(text(100), "")
    # The language of the sheets: "en" (the default) or "fa" (Persian, right
    # to left, typeset by XeLaTeX; rnnsym.i18n).
    language: str = rule(choice(*LANGUAGES), "en")


@dataclasses.dataclass(frozen=True)
class Variant:
    """One variant of the problem set: its meta data and each problem's parameters.

    Attributes:
        meta: the free text.
        problems: each problem's parameter dataclass, by section (``"p1"``).
        typed: how each number of the parameter file was typed, by dotted
            key (``"p1.b"``, ``"p3.W[0][1]"``); empty for a drawn variant,
            whose numbers print in the printer's default form. A number
            typed as a fraction is printed as a fraction (1/2, not 0.5).
    """

    meta: Meta
    problems: Mapping[str, Any]
    # A plain dict (not a MappingProxyType), so that a Variant pickles for --jobs workers.
    typed: Mapping[str, Typed] = dataclasses.field(default_factory=dict)

    def number_forms(self, pid: str) -> NumberForms:
        """How the printer writes the numbers of problem ``pid``: its inputs as
        they were typed, other numbers as its inputs were (see NumberForms)."""
        return NumberForms.of(t for key, t in self.typed.items() if key.startswith(pid + "."))


# Sections of interfaces.md whose problems are not built yet: accepted and
# ignored, so that a complete parameter file works today.
PENDING_SECTIONS: frozenset = frozenset()


def load_variant(path: Path | None) -> Variant:
    """Reads a parameter file; ``None`` gives the default variant.

    Raises:
        InputError: for an unreadable file, TOML syntax, unknown sections or
            keys, and bad values.
    """
    from rnnsym.registry import PROBLEMS

    document: dict = {}
    if path is not None:
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise InputError(f"{path}: cannot read the parameter file ({error.strerror})") from None
        try:
            document = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise InputError(f"{path}: expected UTF-8 text ({error.reason} at byte {error.start})") from None
        except tomllib.TOMLDecodeError as error:
            raise InputError(f"{path}: not valid TOML ({error})") from None
    known = {"meta"} | set(PROBLEMS) | PENDING_SECTIONS
    for section in document:
        if section not in known:
            raise InputError(
                f"[{section}]: unknown section; expected one of {', '.join(sorted(known))}"
            )
    meta = read_section(Meta, "meta", document.get("meta", {}))
    problems = {
        pid: read_section(problem.params, pid, document.get(pid, {}))
        for pid, problem in PROBLEMS.items()
    }
    typed: dict[str, Typed] = {}
    for pid, params in problems.items():
        for name, raw in document.get(pid, {}).items():
            _record_typed(f"{pid}.{name}", raw, getattr(params, name), typed)
    return Variant(meta=meta, problems=problems, typed=typed)


def written_forms(problems: Mapping[str, Any]) -> dict[str, Typed]:
    """How each number of ``problems`` is typed in the parameter file that
    :func:`as_strings` writes for it: a drawn variant prints exactly as its
    params.toml, read back, does."""
    typed: dict[str, Typed] = {}
    for pid, params in problems.items():
        for field in dataclasses.fields(params):
            value = getattr(params, field.name)
            _record_typed(f"{pid}.{field.name}", as_strings(value), value, typed)
    return typed


def _record_typed(key: str, raw: object, value: Any, typed: dict) -> None:
    """Records how each exact number under ``key`` was typed (lists and matrices
    entry by entry, with the keys the error messages use)."""
    if isinstance(value, sympy.Rational):
        typed[key] = typed_number(raw, key)
    elif isinstance(value, tuple) and isinstance(raw, list):
        for index, (raw_item, item) in enumerate(zip(raw, value)):
            _record_typed(f"{key}[{index}]", raw_item, item, typed)


def as_strings(value: Any, typed: Mapping[str, Typed] | None = None, key: str = "") -> Any:
    """A parameter value with every number written as an exact string: as it
    was typed when ``typed`` records it under its dotted key, else as
    :func:`format_number` writes it."""
    typed = typed or {}
    if dataclasses.is_dataclass(value):
        prefix = key + "." if key else ""
        return {f.name: as_strings(getattr(value, f.name), typed, prefix + f.name)
                for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [as_strings(v, typed, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, sympy.Rational):
        return typed[key].text if key in typed else format_number(value)
    return str(value)


def variant_as_strings(variant: Variant) -> dict:
    """The variant as the ``params`` object of the answers JSON (numbers as typed)."""
    result = {"meta": as_strings(variant.meta)}
    result.update({pid: as_strings(p, variant.typed, pid) for pid, p in variant.problems.items()})
    return result
