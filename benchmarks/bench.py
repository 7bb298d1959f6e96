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


def main() -> None:
    print("MD-RNN forward scan, one direction, H = 32, D = 3 (median of 5 runs)")
    print(f"{'grid':>10} {'lexicographic':>14} {'wavefront':>11} {'+ plan':>9} {'speedup':>8} {'speedup incl. plan':>19}")
    for grid, lexicographic, wavefront, with_plan in bench_mdrnn_schedules():
        print(f"{grid:>10} {lexicographic * 1e3:>11.1f} ms {wavefront * 1e3:>8.1f} ms {with_plan * 1e3:>6.1f} ms "
              f"{lexicographic / wavefront:>7.1f}x {lexicographic / with_plan:>18.1f}x")
    print("target: the wavefront at least 5x faster on both grids")
    print()
    wall, floor = bench_batch()
    print("Variant batch: 20 variants, --jobs 2 (problems.pdf + solutions.pdf each)")
    print(f"  wall time {wall:.1f} s; LaTeX compile floor (sum of compiles / 2) {floor:.1f} s; "
          f"ratio {wall / floor:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
