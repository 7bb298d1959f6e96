"""Figures of the report, drawn with matplotlib as reproducible vector PDFs."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from rnnsym import i18n  # noqa: E402


def _share_mathtext_layouts() -> None:
    """One cache of laid-out labels for the process, not one per renderer.

    matplotlib keeps a formula's layout in an ``lru_cache`` on
    ``MathTextParser._parse_cached``, whose key holds the parser, and every
    figure's renderer makes a new parser: ``$h_t$`` or a log axis's
    ``$10^{-2}$`` was parsed (pyparsing, the figures' largest cost) anew in
    each figure and each of its two draws. The layout depends only on the
    parser's output type and the arguments, so they are the key here; the
    font properties are copied into the key, as they are mutable. On a
    matplotlib without this private method the figures are the same, only
    slower.
    """
    from matplotlib import mathtext

    parse = getattr(getattr(mathtext.MathTextParser, "_parse_cached", None), "__wrapped__", None)
    if parse is None or getattr(mathtext.MathTextParser, "_rnnsym_shared", False):
        return
    parsers: dict[str, mathtext.MathTextParser] = {}

    @functools.lru_cache(maxsize=4096)
    def layout(output_type, text, dpi, prop, antialiased, load_glyph_flags):
        return parse(parsers[output_type], text, dpi, prop, antialiased, load_glyph_flags)

    def shared(self, text, dpi, prop, antialiased, load_glyph_flags):
        parsers.setdefault(self._output_type, self)
        return layout(self._output_type, text, dpi, None if prop is None else prop.copy(),
                      antialiased, load_glyph_flags)

    shared.layouts = layout  # its cache_info() shows the reuse (tests/test_figures.py)
    shared.matplotlibs_own = mathtext.MathTextParser._parse_cached
    mathtext.MathTextParser._parse_cached = shared
    mathtext.MathTextParser._rnnsym_shared = True


_share_mathtext_layouts()

# Every figure is included at its natural size (no width= in the templates),
# so FONT_POINTS here is the size on paper, the 11 pt text's footnote size;
# the widest figure stays inside the 6.54 in text width of A4 with 2.2 cm
# margins (tests/test_layout.py would see an overfull box otherwise).
TEXT_WIDTH_INCHES = 6.54
FONT_POINTS = 9.5
STYLE = {"font.size": FONT_POINTS, "axes.labelsize": FONT_POINTS, "axes.titlesize": FONT_POINTS,
         "legend.fontsize": FONT_POINTS, "xtick.labelsize": FONT_POINTS, "ytick.labelsize": FONT_POINTS}

# No creation date in the PDF, so the same figure is the same bytes.
PDF_METADATA = {"CreationDate": None, "Creator": "rnnsym", "Producer": "rnnsym"}
KIND_STYLE = {
    "sink": dict(marker="o", markerfacecolor="black", markeredgecolor="black"),
    "source": dict(marker="o", markerfacecolor="white", markeredgecolor="black"),
    "non-hyperbolic": dict(marker="D", markerfacecolor="grey", markeredgecolor="black"),
}


# Persian words in figures: matplotlib draws a string's characters left to
# right, unjoined, so the words are shaped first (arabic-reshaper picks each
# letter's joined form) and put in visual order (python-bidi); maths between
# $...$ stays as written, and the pieces are laid out right to left. The
# glyphs come from Debian's Nazli, the Persian PDF's font (fonts-farsiweb),
# after DejaVu Sans for everything else.
PERSIAN_FONT = "/usr/share/fonts/truetype/farsiweb/nazli.ttf"
_MATH = re.compile(r"(\$[^$]*\$)")


def words(message: str, **values: str) -> str:
    """A figure's label or legend entry (a message id, with ``%(name)s``
    values) in the current document's language, ready for matplotlib."""
    text = i18n._(message) % values if values else i18n._(message)
    if not i18n.is_rtl(i18n.current()):
        return text
    from arabic_reshaper import reshape
    from bidi.algorithm import get_display

    pieces = [piece if _MATH.fullmatch(piece) else get_display(reshape(piece)) for piece in _MATH.split(text) if piece]
    return "".join(reversed(pieces))


def _style() -> dict:
    """The rc parameters of a figure in the current document's language."""
    if not i18n.is_rtl(i18n.current()) or not Path(PERSIAN_FONT).exists():
        return STYLE
    from matplotlib import font_manager

    if "Nazli" not in {font.name for font in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(PERSIAN_FONT)
    return {**STYLE, "font.family": ["DejaVu Sans", "Nazli"]}


def width(fraction: float) -> float:
    """Inches of ``fraction`` of the text width: a figure's width in its template."""
    return fraction * TEXT_WIDTH_INCHES


def _integer_ticks(axes) -> None:
    """Time steps are integers: no tick at t = 2.5."""
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))


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
    with plt.rc_context(_style()):
        return _cobweb(path, step, starts, fixed, low, high, label, steps)


def _cobweb(path, step, starts, fixed, low, high, label, steps) -> str:
    figure, axes = plt.subplots(figsize=(3.4, 3.1))
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
    # Beside the axes, never over the staircases.
    axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
    axes.grid(alpha=0.25)
    return save(figure, path)


def lines(path: Path, curves: dict, *, xlabel: str, ylabel: str, log: bool = False) -> str:
    """Several named curves against their (integer) index, the legend beside the axes."""
    with plt.rc_context(_style()):
        figure, axes = plt.subplots(figsize=(4.0, 2.7))
        for label, values in curves.items():
            axes.plot(range(len(values)), values, label=label, linewidth=1.3)
        if log:
            axes.set_yscale("log")
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        _integer_ticks(axes)
        axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
        axes.grid(alpha=0.25)
        return save(figure, path)


def components(path: Path, trajectories: dict) -> str:
    """One panel per trajectory: each component of h^(t) against t, from h^(0) = (1, ..., 1)."""
    with plt.rc_context(_style()):
        figure, panels = plt.subplots(1, len(trajectories), figsize=(width(0.92), 2.6))
        for axes, (title, values) in zip(panels, trajectories.items()):
            for index in range(len(values[0])):
                axes.plot(range(len(values)), [v[index] for v in values], marker=".", linewidth=1,
                          label=rf"$h^{{(t)}}_{index + 1}$")
            axes.set_title(rf"{title}: $h^{{(0)}} = (1, \dots, 1)$")
            axes.set_xlabel(r"$t$")
            _integer_ticks(axes)
            axes.grid(alpha=0.25)
        # One legend for both panels, below them: the components are the same names.
        handles, labels = max((a.get_legend_handles_labels() for a in panels), key=lambda hl: len(hl[1]))
        figure.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False,
                      bbox_to_anchor=(0.5, -0.08))
        figure.tight_layout()
        return save(figure, path)


def wavefront_grid(path: Path, shape: tuple[int, int]) -> str:
    """A 2-D grid whose cells show, and are coloured by, their wavefront step i + j."""
    with plt.rc_context(_style()):
        return _wavefront_grid(path, shape)


def _wavefront_grid(path: Path, shape: tuple[int, int]) -> str:
    rows, cols = shape
    steps = [[i + j for j in range(cols)] for i in range(rows)]
    # Cells of 0.4 in, less for a large grid so that it stays within 4.4 in.
    cell = min(0.4, 4.0 / max(rows, cols))
    figure, axes = plt.subplots(figsize=(cell * cols + 1.0, cell * rows + 0.6))
    axes.imshow(steps, cmap="viridis", origin="upper")
    for i in range(rows):
        for j in range(cols):
            axes.text(j, i, str(steps[i][j]), ha="center", va="center",
                      color="white" if steps[i][j] < (rows + cols) / 2 else "black",
                      fontsize=FONT_POINTS if cell >= 0.3 else FONT_POINTS * cell / 0.3)
    axes.set_xticks(range(cols))
    axes.set_yticks(range(rows))
    axes.set_xlabel(r"$j$")
    axes.set_ylabel(r"$i$")
    axes.set_title(words(i18n.N_(r"step $s = i + j$")))
    return save(figure, path)
