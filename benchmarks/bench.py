"""`make bench`: speed figures, printed as a table (never asserted in unit tests).

Medians of several runs, wall-clock (time.perf_counter).
"""

from __future__ import annotations

import statistics
import time

import numpy

from rnnsym import mdrnn


def median_seconds(function, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_mdrnn_schedules(H: int = 32, D: int = 3) -> list[tuple]:
    """One direction's scan, lexicographic loop against wavefront, on two grids."""
    rng = numpy.random.default_rng(0)
    rows = []
    for shape in ((64, 64), (16, 16, 16)):
        weights = mdrnn.MdrnnWeights.random(len(shape), D, H, 2, rng).directions[(1,) * len(shape)]
        x = rng.normal(size=shape + (D,))
        plan = mdrnn.WavefrontPlan.of(shape)
        lexicographic = median_seconds(lambda: mdrnn.scan_lexicographic(x, weights))
        wavefront = median_seconds(lambda: mdrnn.scan_wavefront(x, weights, plan))
        with_plan = median_seconds(lambda: mdrnn.scan_wavefront(x, weights))
        rows.append(("x".join(map(str, shape)), lexicographic, wavefront, with_plan))
    return rows


def bench_batch(count: int = 20, jobs: int = 2) -> tuple[float, float]:
    """Wall time of a variant batch against its compile floor (sum of compiles / jobs)."""
    import tempfile
    from pathlib import Path

    from rnnsym import variants

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        outcomes = variants.run_batch(variants.BatchSpec(2026, count), Path(out), jobs=jobs)
        wall = time.perf_counter() - started
    return wall, sum(o.compile_seconds for o in outcomes) / jobs


def bench_class(count: int = 200, jobs: int = 2) -> dict:
    """A class's whole hand-out, as an instructor makes it: ``count`` variants
    with PDFs (sheet, solutions, the merged key) and HTML pages, then the
    Moodle export of the batch.

    Returns:
        Wall seconds of the batch and of the export, the batch's LaTeX
        compile floor (the sum of its compiles / jobs) and the machine's
        busy CPU seconds meanwhile.
    """
    import os
    import tempfile
    from pathlib import Path

    from rnnsym import moodle, variants

    def cpu() -> float:
        # The whole machine's busy CPU seconds (/proc/stat), so run it on an
        # otherwise idle machine: the rusage of this process's children
        # misses everything that ran in TeX's sandbox (bwrap's pid
        # namespace), which is about half the work.
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        idle = fields[3] + fields[4]  # idle, iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "class"
        cpu_before, started = cpu(), time.perf_counter()
        outcomes = variants.run_batch(variants.BatchSpec(2026, count), out, jobs=jobs, formats=("pdf", "html"))
        batch = time.perf_counter() - started
        moodle.export(out, Path(scratch) / "quiz.xml", jobs=jobs)
        export = time.perf_counter() - started - batch
        failed = sum(1 for o in outcomes if o.error)
    return dict(batch=batch, export=export, floor=sum(o.compile_seconds for o in outcomes) / jobs,
                cpu=cpu() - cpu_before, failed=failed)


def bench_report(repeats: int = 3) -> tuple[float, float, float]:
    """(derivation + checks + rendering, LaTeX compile, no-op rebuild) of the default report."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from rnnsym import latex, pipeline, render
    from rnnsym.params import load_variant

    variant = load_variant(None)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)

        def derive_and_render():
            solved = pipeline.solve(variant)
            (work / "solutions.tex").write_text(
                render.render_tex(variant.meta, pipeline.report_sections(solved, work)), encoding="utf-8")

        first = median_seconds(derive_and_render, repeats)

        def compile_once():
            for leftover in work.glob("solutions.*"):
                if leftover.suffix != ".tex":
                    leftover.unlink()
            latex.compile_pdf(work / "solutions.tex")

        second = median_seconds(compile_once, repeats)
        command = [sys.executable, "-m", "rnnsym", "report", "--out", str(work / "out")]
        subprocess.run(command, check=True, capture_output=True)
        noop = median_seconds(lambda: subprocess.run(command, check=True, capture_output=True), 5)
    return first, second, noop


def bench_bptt() -> list[tuple[int, float]]:
    from sympy.core.cache import clear_cache

    from derivations import p3_bptt_dynamics

    def cold(T):
        clear_cache()  # SymPy's cache would make every run after the first look free
        p3_bptt_dynamics.derive_bptt(T)

    return [(T, median_seconds(lambda: cold(T), 3)) for T in (3, 10, 30, 100)]


def bench_check_seed(repeats: int = 5) -> tuple[float, float]:
    """Checking examples/seed_answers.toml: in a worker (as rnnsym does) against in-process compares."""
    from pathlib import Path

    from sympy.core.cache import clear_cache

    from rnnsym import checker, pipeline, sandbox
    from rnnsym.params import load_variant

    variant = load_variant(None)
    solved = pipeline.solve(variant)
    answers = checker.read_answers(Path(__file__).parent.parent / "examples" / "seed_answers.toml")

    def isolated_check():
        clear_cache()  # both start cold: the worker's cache dies with it, in-process repeats would reuse theirs
        checker.check_answers(variant, solved, answers, sandbox.Grader())

    def in_process_check():
        clear_cache()
        return [checker.compare(e, answers.get(i)) for i, e in checker.answer_key(variant, solved).items()]

    isolated, in_process = median_seconds(isolated_check, repeats), median_seconds(in_process_check, repeats)
    return isolated, in_process


HOSTILE_ANSWERS = ["9**9**9", "(lambda: 0)", "().__class__", "h_t > 0", "10**10**10", "[1+2][3-4]", "1/0",
                   "sigmoid(h_t > 0)", "Min()", "exp(10**6)", "~h_t", "h_t & h_next", "[*range(10**9)].sort()"]


def _hostile_file(kind: int, path, ids: list[str]) -> None:
    """One of ten kinds of student file: hostile answers, unreadable files, a good file."""
    import json
    import os

    if kind == 0:
        path.write_text('"2b.params.total" = "m*V + m*h + 2*h**2 + h*V + 2*h + V"\n"1c.kinds" = ["sink"]\n')
    elif kind == 1:
        path.write_text('"3c.h_t" = ["9**9**9", "9**9**9"]\n"1b.derivative" = "(lambda: 0)"\n')
    elif kind == 2:  # every answer id hostile
        path.write_text("".join(f"{json.dumps(i)} = {json.dumps(HOSTILE_ANSWERS[k % len(HOSTILE_ANSWERS)])}\n"
                                for k, i in enumerate(ids)))
    elif kind == 3:
        os.mkfifo(path)
    elif kind == 4:
        os.symlink("/dev/zero", path)
    elif kind == 5:
        path.write_text("[[[")
    elif kind == 6:
        path.with_suffix(".json").write_text("[" * 5000 + "]" * 5000)
    elif kind == 7:
        path.with_suffix(".json").write_text('{"\\u001b[2Jscore: 27 of 27": 1, "1c.kinds": ["\\ud800"]}')
    elif kind == 8:
        path.with_name(path.name.upper()).write_text('"1c.kinds" = ["sink"]\n')
    else:
        path.write_text('"1c.kinds" = ["sink"]\n"4c.sequential_steps" = "13"\n')


def bench_hostile_gradebook(count: int = 200) -> tuple[float, float, str]:
    """`rnnsym check --params-dir` over ``count`` files, most of them hostile, with the default budgets.

    Returns:
        (wall seconds, peak RSS of the largest process in MiB, the summary line rnnsym printed).
    """
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from rnnsym import checker, pipeline, variants

    with tempfile.TemporaryDirectory() as scratch:
        params_dir, answers_dir = Path(scratch) / "variants", Path(scratch) / "answers"
        answers_dir.mkdir()
        batch = variants.draw_batch(variants.BatchSpec(11, count))
        ids = list(checker.answer_key(batch[0], pipeline.solve(batch[0])))
        for index, variant in enumerate(batch):
            folder = params_dir / variant.meta.variant
            folder.mkdir(parents=True)
            (folder / "params.toml").write_text(variants.params_toml(variant), encoding="utf-8")
            _hostile_file(index % 10, answers_dir / f"{variant.meta.variant}.toml", ids)
        # The wrapper's RUSAGE_CHILDREN covers rnnsym and every worker it forked (the largest of them).
        measure = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, "
                   "text=True); print(done.stdout.strip()); print(done.returncode); "
                   "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "rnnsym", "check",
                               "--params-dir", str(params_dir), "--answers-dir", str(answers_dir)],
                              capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
    summary, status, peak = done.stdout.strip().splitlines()[-3:]
    return wall, int(peak) / 1024, f"{summary} (exit status {status})"


def main() -> None:
    derive_render, compile_time, noop = bench_report()
    print("Default report (median of 3 runs)")
    print(f"  derivation + checks + rendering {derive_render:6.2f} s")
    print(f"  LaTeX compile                   {compile_time:6.2f} s   (target: the first at most half of this; "
          f"ratio {derive_render / compile_time:.2f})")
    print(f"  no-op rebuild (rnnsym report)   {noop:6.2f} s   (target: under 1 s)")
    print()
    print("BPTT derivation of 3a (median of 3 runs; target: T = 100 under 2 s)")
    for T, seconds in bench_bptt():
        print(f"  T = {T:>3}: {seconds:6.3f} s")
    print()
    print("MD-RNN forward scan, one direction, H = 32, D = 3 (median of 5 runs)")
    print(f"{'grid':>10} {'lexicographic':>14} {'wavefront':>11} {'+ plan':>9} {'speedup':>8} {'speedup incl. plan':>19}")
    for grid, lexicographic, wavefront, with_plan in bench_mdrnn_schedules():
        print(f"{grid:>10} {lexicographic * 1e3:>11.1f} ms {wavefront * 1e3:>8.1f} ms {with_plan * 1e3:>6.1f} ms "
              f"{lexicographic / wavefront:>7.1f}x {lexicographic / with_plan:>18.1f}x")
    print("target: the wavefront at least 5x faster on both grids")
    print()
    isolated, in_process = bench_check_seed()
    print("Checking examples/seed_answers.toml against the default variant (median of 5 runs)")
    print(f"  in a worker process {isolated:.2f} s; in-process compares (no isolation) {in_process:.2f} s")
    print()
    wall, peak, summary = bench_hostile_gradebook()
    print("Gradebook over 200 files (hostile answers, FIFOs, symlinks, invalid and deep files), default budgets")
    print(f"  wall time {wall:.0f} s; peak RSS of the largest process {peak:.0f} MiB")
    print(f"  {summary}")
    print()
    wall, floor = bench_batch()
    print("Variant batch: 20 variants, --jobs 2 (problems.pdf + solutions.pdf each)")
    print(f"  wall time {wall:.1f} s; LaTeX compile floor (sum of compiles / 2) {floor:.1f} s; "
          f"ratio {wall / floor:.2f} (target <= 1.3)")
    print()
    print_class()


def print_class() -> None:
    figures = bench_class()
    total = figures["batch"] + figures["export"]
    print(f"A class of 200 variants, --jobs 2: PDFs (sheet, solutions, merged key), HTML pages, Moodle export "
          f"({figures['failed']} failed)")
    print(f"  variants {figures['batch']:.0f} s + export {figures['export']:.0f} s = {total:.0f} s "
          f"(target: under 300 s); LaTeX compile floor {figures['floor']:.0f} s (ratio {total / figures['floor']:.2f}); "
          f"machine CPU {figures['cpu']:.0f} s of the {2 * total:.0f} s two cores offer")


if __name__ == "__main__":
    import sys

    # `python benchmarks/bench.py class`: only the class of 200.
    print_class() if sys.argv[1:] == ["class"] else main()
