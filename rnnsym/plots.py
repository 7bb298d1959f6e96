"""Figures of the report, drawn with matplotlib as reproducible vector PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# No creation date in the PDF, so the same figure is the same bytes.
PDF_METADATA = {"CreationDate": None, "Creator": "rnnsym", "Producer": "rnnsym"}
KIND_STYLE = {
    "sink": dict(marker="o", markerfacecolor="black", markeredgecolor="black"),
    "source": dict(marker="o", markerfacecolor="white", markeredgecolor="black"),
    "non-hyperbolic": dict(marker="D", markerfacecolor="grey", markeredgecolor="black"),
}


def save(figure, path: Path) -> str:
    """Writes ``figure`` as a PDF and returns the file name."""
    figure.savefig(path, format="pdf", metadata=PDF_METADATA, bbox_inches="tight")
    plt.close(figure)
    return path.name


def cobweb(
    path: Path,
    step: Callable[[float], float],
    *,
    starts: Sequence[float],
    fixed: Sequence[tuple[float, str]],
    domain: tuple[float, float],
    label: str,
    steps: int = 40,
) -> str:
    """A cobweb (phase) diagram of a one-dimensional map.

    Args:
        path: where to write the PDF.
        step: the map h_t -> h_{t+1}.
        starts: the start values h_0, one coloured staircase each.
        fixed: the fixed points with their kinds (filled = sink, open = source).
        domain: the h range shown on both axes.
        label: the legend entry of the map's curve.
        steps: how many iterations each staircase shows.

    Returns:
        The file name written.
    """
    low, high = domain
    figure, axes = plt.subplots(figsize=(4.2, 3.6))
    grid = [low + (high - low) * i / 600 for i in range(601)]
    axes.plot(grid, [step(x) for x in grid], color="black", linewidth=1.4, label=label)
    axes.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=0.9, label=r"$h_{t+1} = h_t$")
    colours = plt.get_cmap("tab10")
    for index, start in enumerate(starts):
        xs, ys, x = [start], [low], start
        for _ in range(steps):
            y = step(x)
            xs += [x, y]
            ys += [y, y]
            if not low - 1 <= y <= high + 1:
                break
            x = y
        axes.plot(xs, ys, color=colours(index), linewidth=0.9, label=rf"$h_0 = {start:g}$")
    for value, kind in fixed:
        axes.plot([value], [value], linestyle="none", markersize=6, zorder=5, **KIND_STYLE[kind])
    axes.set_xlim(low, high)
    axes.set_ylim(low, high)
    axes.set_xlabel(r"$h_t$")
    axes.set_ylabel(r"$h_{t+1}$")
    axes.legend(fontsize=7, loc="upper left")
    axes.grid(alpha=0.25)
    return save(figure, path)


def lines(path: Path, curves: dict, *, xlabel: str, ylabel: str, log: bool = False) -> str:
    """Several named curves against their index."""
    figure, axes = plt.subplots(figsize=(5.2, 3.3))
    for label, values in curves.items():
        axes.plot(range(len(values)), values, label=label, linewidth=1.3)
    if log:
        axes.set_yscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.legend(fontsize=7)
    axes.grid(alpha=0.25)
    return save(figure, path)


def components(path: Path, trajectories: dict) -> str:
    """One panel per trajectory: each component of h^(t) against t, from h^(0) = (1, ..., 1)."""
    figure, panels = plt.subplots(1, len(trajectories), figsize=(7.2, 2.9))
    for axes, (title, values) in zip(panels, trajectories.items()):
        for index in range(len(values[0])):
            axes.plot(range(len(values)), [v[index] for v in values], marker=".", linewidth=1,
                      label=rf"$h^{{(t)}}_{index + 1}$")
        axes.set_title(rf"{title}: $h^{{(0)}} = (1, \dots, 1)$", fontsize=9)
        axes.set_xlabel(r"$t$")
        axes.legend(fontsize=7)
        axes.grid(alpha=0.25)
    return save(figure, path)


def wavefront_grid(path: Path, shape: tuple[int, int]) -> str:
    """A 2-D grid whose cells show, and are coloured by, their wavefront step i + j."""
    rows, cols = shape
    steps = [[i + j for j in range(cols)] for i in range(rows)]
    figure, axes = plt.subplots(figsize=(0.5 * cols + 1.2, 0.5 * rows + 0.6))
    axes.imshow(steps, cmap="viridis", origin="upper")
    for i in range(rows):
        for j in range(cols):
            axes.text(j, i, str(steps[i][j]), ha="center", va="center",
                      color="white" if steps[i][j] < (rows + cols) / 2 else "black", fontsize=9)
    axes.set_xticks(range(cols))
    axes.set_yticks(range(rows))
    axes.set_xlabel(r"$j$")
    axes.set_ylabel(r"$i$")
    axes.set_title(r"step $s = i + j$", fontsize=9)
    return save(figure, path)
