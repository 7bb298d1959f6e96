"""The command line: ``rnnsym report`` and ``rnnsym answers``.

Exit statuses (interfaces.md): 0 done, 1 a check failed, 2 bad input,
3 LaTeX failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnsym import __version__, pipeline
from rnnsym.errors import InputError, RnnsymError
from rnnsym.params import load_variant


class _Parser(argparse.ArgumentParser):
    """argparse, but bad arguments raise InputError (exit 2 with one line)."""

    def error(self, message):
        raise InputError(f"arguments: {message}")


def parser() -> argparse.ArgumentParser:
    main = _Parser(prog="rnnsym", description="Derive, check and typeset the RNN problem set.")
    main.add_argument("--version", action="version", version=f"rnnsym {__version__}")
    commands = main.add_subparsers(dest="command", required=True, parser_class=_Parser)
    report = commands.add_parser("report", help="build the solutions PDF, its .tex and answers.json")
    report.add_argument("--params", type=Path, help="parameter file (TOML); default: the homework's numbers")
    report.add_argument("--out", type=Path, default=Path("output"), help="output directory (default: output)")
    answers = commands.add_parser("answers", help="print the answers JSON (no LaTeX needed)")
    answers.add_argument("--params", type=Path, help="parameter file (TOML)")
    return main


def run(argv: list[str]) -> int:
    arguments = parser().parse_args(argv)
    variant = load_variant(arguments.params)
    if arguments.command == "answers":
        document = pipeline.answers_document(variant, pipeline.solve(variant))
        sys.stdout.write(pipeline.answers_json(document))
        return 0
    outputs = pipeline.build_report(variant, arguments.out)
    for path in outputs.values():
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns its exit status."""
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except RnnsymError as error:
        print(f"rnnsym: error: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        print("rnnsym: interrupted; the previous outputs are unchanged", file=sys.stderr)
        return 130
