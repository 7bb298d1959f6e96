"""The command line: ``rnnsym report`` and ``rnnsym answers``.

Exit statuses (interfaces.md): 0 done, 1 a check failed, 2 bad input,
3 LaTeX failed; and 4, the outputs could not be written (disk full).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from rnnsym import __version__
from rnnsym.errors import InputError, OutputError, RnnsymError
from rnnsym.options import DRAW_OPTIONS

# Heavy modules (SymPy, matplotlib, PyLaTeX) are imported inside the
# commands, so that a no-op `rnnsym report` starts fast.


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
    report.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    _add_format(report)
    _add_language(report)
    answers = commands.add_parser("answers", help="print the answers JSON (no LaTeX needed)")
    answers.add_argument("--params", type=Path, help="parameter file (TOML)")
    check = commands.add_parser("check", help="check a student's answers against the variant's key")
    check.add_argument("answers", type=Path, nargs="?", help="the student's answers (TOML or JSON)")
    check.add_argument("--params", type=Path, help="the variant's parameter file (TOML)")
    check.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    check.add_argument("--pdf", type=Path, help="also write a feedback PDF here")
    _add_language(check)
    check.add_argument("--params-dir", type=Path, help="a variants folder (one params.toml per variant)")
    check.add_argument("--answers-dir", type=Path, help="answers files named <variant id>.toml or .json")
    check.add_argument("--gradebook", type=Path,
                       help="gradebook CSV to write, outside ANSWERS_DIR (default: PARAMS_DIR/gradebook.csv)")
    check.add_argument("--answer-budget", type=_budget, metavar="SECONDS",
                       help="wall-clock seconds to compare one answer (default: 10)")
    check.add_argument("--memory-budget", type=_budget, metavar="MIB",
                       help="memory one comparison may add to its worker, in MiB (default: 1024)")
    check.add_argument("--file-budget", type=_budget, metavar="SECONDS",
                       help="seconds for all the answers of one file (default: 60)")
    check.add_argument("--class-budget", type=_budget, metavar="SECONDS",
                       help="seconds for all the files of a gradebook (default: 10 per answers file, at least 60)")
    export = commands.add_parser("export", help="export a batch of variants for a learning-management system")
    formats = export.add_subparsers(dest="format", required=True, parser_class=_Parser)
    moodle = formats.add_parser("moodle", help="one Moodle XML file: a category per answer id, a question per variant")
    moodle.add_argument("--variants", type=Path, required=True, help="a folder written by `rnnsym variants`")
    moodle.add_argument("--out", type=Path, required=True, help="the Moodle XML file to write")
    moodle.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    for name, text in (("variants", "build one variant per student: problem sheet, key, params.toml, answers"),
                       ("stress", "draw and check many variants without LaTeX; print the regimes drawn")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--seed", type=int, required=True, help="batch seed")
        command.add_argument("--count", type=int, help="number of variants (default: one per roster row)")
        command.add_argument("--roster", type=Path, help="CSV with a 'name' (and optional 'id') column")
        command.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
        command.add_argument("--fixed-points", choices=DRAW_OPTIONS["p1_fixed_points"], default="mixed",
                             help="sigmoid maps with one or three fixed points (default: mixed)")
        command.add_argument("--regime", choices=DRAW_OPTIONS["p3_regime"], default="mixed",
                             help="spectral radius of W below, at or above 1 (default: mixed)")
        command.add_argument("--course", default="", help="course name printed on every sheet")
        if name == "variants":
            _add_language(command)
            command.add_argument("--out", type=Path, default=Path("output/variants"), help="output directory")
            command.add_argument("--shard", default="1/1", help="build only part K of N of the batch, as K/N")
            _add_format(command)
    return main


def _add_language(command: argparse.ArgumentParser) -> None:
    from rnnsym.i18n import LANGUAGES

    command.add_argument("--language", choices=LANGUAGES,
                         help="language of the documents: en or fa (Persian); "
                              "default: [meta] language of the parameter file, else en")


def _with_language(variant, arguments):
    """The variant in the language --language asks for (the parameter file's otherwise)."""
    import dataclasses

    language = getattr(arguments, "language", None)
    if language is None or language == variant.meta.language:
        return variant
    return dataclasses.replace(variant, meta=dataclasses.replace(variant.meta, language=language))


# The editions a report or a variant is built in: the PDF (the default), the
# HTML pages (rnnsym.html, which needs pandoc), or both.
FORMATS = ("pdf", "html", "both")


def _add_format(command) -> None:
    command.add_argument("--format", choices=FORMATS, default="pdf",
                         help="pdf (default), html (pages in OUT/html/, needs pandoc) or both")


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a positive number (at most 86400)")
    return value


def batch_spec(arguments):
    from rnnsym import variants
    from rnnsym.params import COURSE_LENGTH, text

    students = variants.read_roster(arguments.roster) if arguments.roster else ()
    count = arguments.count if arguments.count is not None else len(students)
    if students and arguments.count is not None and arguments.count != len(students):
        raise InputError(f"--count {arguments.count}: the roster has {len(students)} students")
    if not 1 <= count <= 10_000:
        raise InputError(f"--count {count}: expected 1 to 10000 variants (or a --roster)")
    if arguments.jobs is not None and not 1 <= arguments.jobs <= 256:
        raise InputError(f"--jobs {arguments.jobs}: expected 1 to 256")
    # Checked as params.toml will check it, so no variant is built that its own file would refuse.
    text(COURSE_LENGTH)(arguments.course, "--course")
    options = {"p1_fixed_points": arguments.fixed_points, "p3_regime": arguments.regime}
    return variants.BatchSpec(arguments.seed, count, students, options, course=arguments.course,
                              language=getattr(arguments, "language", None) or "en")


def run_batch_command(arguments) -> int:
    from rnnsym import variants

    spec = batch_spec(arguments)
    if arguments.command == "stress":
        results = variants.stress(spec, arguments.jobs)
        failures = [r for r in results if r.error]
        counts = Counter(r.fixed_points for r in results if not r.error)
        regimes = Counter(r.regime for r in results if not r.error)
        print(f"{len(results)} variants drawn and checked from seed {spec.seed}: {len(failures)} failed")
        print("sigmoid maps by number of fixed points: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
        print("3c regimes: " + ", ".join(f"{k}: {v}" for k, v in sorted(regimes.items())))
        for failure in failures:
            print(f"FAILED {failure.variant} (seed {spec.seed}): {failure.error}", file=sys.stderr)
        return 1 if failures else 0
    outcomes = variants.run_batch(spec, arguments.out, jobs=arguments.jobs,
                                  shard=variants.parse_shard(arguments.shard), formats=_formats(arguments.format))
    failures = [o for o in outcomes if o.error]
    for failure in failures:
        print(f"rnnsym: variant {failure.variant} (seed {spec.seed}) failed:\n{failure.error}", file=sys.stderr)
    print(f"built {len(outcomes) - len(failures)} of {len(outcomes)} variants in {arguments.out}")
    return max((_status_of(f.error) for f in failures), default=0)


def _status_of(error: str) -> int:
    first = error.split("\n")[0]
    return 3 if error.startswith("LaTeX") or "TeX" in first or "pandoc" in first else 1


def _formats(name: str) -> tuple[str, ...]:
    return ("pdf", "html") if name == "both" else (name,)


def run_check(arguments) -> int:
    """``rnnsym check``: one answers file, or a gradebook for a class.

    Student files are data: an error grading one of them is reported as
    such (one line, exit 1), never as a traceback.
    """
    from rnnsym import sandbox

    given = {"answer_seconds": arguments.answer_budget, "file_seconds": arguments.file_budget,
             "class_seconds": arguments.class_budget,
             "memory_mib": None if arguments.memory_budget is None else max(1, round(arguments.memory_budget))}
    budgets = sandbox.Budgets(**{name: value for name, value in given.items() if value is not None})
    try:
        if arguments.params_dir or arguments.answers_dir:
            return _run_gradebook(arguments, budgets)
        return _run_single_check(arguments, budgets)
    except (RnnsymError, OSError):  # OSError: writing the PDF; main() reports it (exit 4)
        raise
    except Exception as error:  # noqa: BLE001 - an internal error is one line, not a traceback
        raise _internal_error(error) from None


def _internal_error(error: BaseException) -> RnnsymError:
    from rnnsym.safe_io import printable

    return RnnsymError(printable(f"internal error while checking: {type(error).__name__}: {error}"))


def _run_gradebook(arguments, budgets) -> int:
    from rnnsym import gradebook
    from rnnsym.safe_io import printable

    if not (arguments.params_dir and arguments.answers_dir):
        raise InputError("arguments: --params-dir and --answers-dir go together")
    if arguments.answers is not None:
        raise InputError("arguments: give an ANSWERS file or --params-dir with --answers-dir, not both")
    target = arguments.gradebook or gradebook.default_target(arguments.params_dir)
    book = gradebook.write(arguments.params_dir, arguments.answers_dir, arguments.gradebook, budgets)
    for warning in book.warnings:
        print(f"rnnsym: warning: {warning}", file=sys.stderr)
    counts = ", ".join(f"{book.count(status)} {status}" for status in
                       ("graded", "no answers file", "unreadable file", "not graded", "grading failed",
                        "cannot read params.toml")
                       if book.count(status))
    print(f"wrote {printable(target)}: {len(book.rows)} variant(s): {counts or 'none graded'}")
    return 0


def _run_single_check(arguments, budgets) -> int:
    from rnnsym import checker, pipeline, sandbox
    from rnnsym.params import load_variant

    if arguments.answers is None:
        raise InputError("arguments: expected an ANSWERS file (or --params-dir with --answers-dir)")
    variant = _with_language(load_variant(arguments.params), arguments)
    answers = checker.read_answers(arguments.answers)
    try:
        result = checker.check_answers(variant, pipeline.solve(variant), answers, sandbox.Grader(budgets))
    except OSError as error:  # e.g. no worker process could be started: not an output error
        raise _internal_error(error) from None
    sys.stdout.write(checker.public_json(result) if arguments.json else checker.terminal_table(result))
    if arguments.pdf:
        checker.write_feedback_pdf(variant, result, arguments.pdf)
    return 0


def run(argv: list[str]) -> int:
    arguments = parser().parse_args(argv)
    if arguments.command in ("variants", "stress"):
        return run_batch_command(arguments)
    if arguments.command == "check":
        return run_check(arguments)
    if arguments.command == "report":
        return run_report(arguments)
    if arguments.command == "export":
        return run_export(arguments)
    from rnnsym import pipeline
    from rnnsym.params import load_variant

    variant = load_variant(arguments.params)
    document = pipeline.answers_document(variant, pipeline.solve(variant))
    sys.stdout.write(pipeline.answers_json(document))
    return 0


def run_export(arguments) -> int:
    """``rnnsym export moodle``: the whole file, or nothing and every failing variant named."""
    from rnnsym import moodle
    from rnnsym.safe_io import printable

    if arguments.jobs is not None and not 1 <= arguments.jobs <= 256:
        raise InputError(f"--jobs {arguments.jobs}: expected 1 to 256")
    result = moodle.export(arguments.variants, arguments.out, jobs=arguments.jobs)
    if result.failures:
        for failure in result.failures:
            print(f"rnnsym: {printable(failure)}", file=sys.stderr)
        error = RnnsymError(f"{len(result.failures)} of {result.variants} variant(s) could not be exported; "
                            f"{printable(arguments.out)} was not written")
        error.exit_status = result.status
        raise error
    print(f"wrote {printable(arguments.out)}: {result.questions} questions in {result.categories} categories "
          f"({result.variants} variants)")
    return 0


def run_report(arguments) -> int:
    from rnnsym import build_cache

    key = build_cache.build_key(arguments.params) if arguments.params is None or arguments.params.is_file() else None
    if key:
        key = f"{key}-{arguments.format}"
    if key and arguments.language:
        key = build_cache.with_option(key, "language", arguments.language)
    if key and not arguments.force and build_cache.up_to_date(arguments.out, key):
        print(f"{arguments.out}: up to date (nothing changed since the last build)")
        return 0
    from rnnsym import pipeline
    from rnnsym.params import load_variant

    variant = _with_language(load_variant(arguments.params), arguments)
    formats = _formats(arguments.format)
    if "pdf" in formats:  # with "both", the pages are built from the PDF's figures
        outputs = pipeline.build_report(variant, arguments.out, html_pages="html" in formats).outputs
    else:
        from rnnsym import html

        outputs = html.build_html(variant, arguments.out)
    if key:
        build_cache.record(arguments.out, key, outputs)
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
    except OSError as error:
        # Outputs are only ever moved into place whole, so the old ones stand.
        where = f" ({error.filename})" if error.filename else ""
        print(f"rnnsym: error: cannot write the outputs{where}: {error.strerror or error}; "
              "the previous outputs are unchanged", file=sys.stderr)
        return OutputError.exit_status
