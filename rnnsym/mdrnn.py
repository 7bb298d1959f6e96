"""A reference multi-dimensional RNN (Graves, Fernandez, Schmidhuber 2007) in numpy.

h(i) = tanh(W_x x(i) + sum_j W_j h(i - e_j) + b), terms outside the grid 0,
over an n-dimensional grid, in each of the 2^n scan directions; one output
layer reads the hidden states of all directions. Two schedules compute the
same thing: the plain lexicographic loop, one cell at a time, and the
wavefront, which computes every cell of a hyperplane i_1 + ... + i_n = s
at once (their predecessors all lie on the hyperplane s - 1).
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy


@dataclasses.dataclass(frozen=True)
class DirectionWeights:
    W_x: numpy.ndarray  # H x D
    W_h: numpy.ndarray  # n x H x H, one recurrent matrix per dimension
    b: numpy.ndarray  # H


@dataclasses.dataclass(frozen=True)
class MdrnnWeights:
    """Weights of every direction and of the shared output layer."""

    directions: dict  # direction (tuple of +1/-1) -> DirectionWeights
    W_out: numpy.ndarray  # K x (2^n H)
    c: numpy.ndarray  # K

    @classmethod
    def random(cls, n: int, D: int, H: int, K: int, rng: numpy.random.Generator) -> "MdrnnWeights":
        scale = 0.5 / numpy.sqrt(H)
        directions = {
            direction: DirectionWeights(
                rng.normal(scale=0.5, size=(H, D)), rng.normal(scale=scale, size=(n, H, H)),
                rng.normal(scale=0.1, size=H),
            )
            for direction in all_directions(n)
        }
        return cls(directions, rng.normal(scale=0.3, size=(K, (2**n) * H)), rng.normal(scale=0.1, size=K))

    def parameter_count(self) -> int:
        arrays = [self.W_out, self.c]
        for weights in self.directions.values():
            arrays += [weights.W_x, weights.W_h, weights.b]
        return sum(a.size for a in arrays)


def all_directions(n: int) -> list[tuple]:
    """The 2^n scan directions, +1 forwards and -1 backwards along each axis."""
    return list(itertools.product((1, -1), repeat=n))


def _flip(array: numpy.ndarray, direction: tuple) -> numpy.ndarray:
    axes = tuple(axis for axis, sign in enumerate(direction) if sign < 0)
    return numpy.flip(array, axis=axes) if axes else array


def scan_lexicographic(x: numpy.ndarray, weights: DirectionWeights) -> numpy.ndarray:
    """One forward scan (+1 along every axis), one cell at a time."""
    shape, n = x.shape[:-1], x.ndim - 1
    H = weights.b.shape[0]
    h = numpy.zeros(shape + (H,))
    for index in numpy.ndindex(*shape):
        total = weights.W_x @ x[index] + weights.b
        for j in range(n):
            if index[j] > 0:
                previous = index[:j] + (index[j] - 1,) + index[j + 1 :]
                total += weights.W_h[j] @ h[previous]
        h[index] = numpy.tanh(total)
    return h


def wavefronts(shape: tuple) -> list[numpy.ndarray]:
    """The cells of each hyperplane i_1 + ... + i_n = s, s = 0, 1, ..., as index arrays."""
    grid = numpy.indices(shape).reshape(len(shape), -1).T
    sums = grid.sum(axis=1)
    order = numpy.argsort(sums, kind="stable")
    bounds = numpy.searchsorted(sums[order], numpy.arange(int(sums.max()) + 2))
    return [grid[order[low:high]] for low, high in zip(bounds, bounds[1:])]


@dataclasses.dataclass(frozen=True)
class WavefrontPlan:
    """Flat indices of each hyperplane's cells and of their n predecessors.

    The states live in a flat array with one row per cell of the grid
    padded by one zero cell in front of every axis (which stands for
    "outside the grid"), so a predecessor is a fixed offset away.
    """

    shape: tuple
    fronts: list  # per step: (cells in the unpadded grid, cells in the padded grid, predecessors n x F)

    @classmethod
    def of(cls, shape: tuple) -> "WavefrontPlan":
        padded_shape = tuple(s + 1 for s in shape)
        strides = numpy.array([int(numpy.prod(padded_shape[j + 1 :])) for j in range(len(shape))])
        plain_strides = numpy.array([int(numpy.prod(shape[j + 1 :])) for j in range(len(shape))])
        fronts = []
        for front in wavefronts(shape):
            padded = (front + 1) @ strides
            fronts.append((front @ plain_strides, padded, padded[None, :] - strides[:, None]))
        return cls(tuple(shape), fronts)


def scan_wavefront(x: numpy.ndarray, weights: DirectionWeights, plan: WavefrontPlan | None = None):
    """One forward scan, a whole hyperplane at a time.

    Returns:
        The hidden states and the number of sequential steps actually taken.
    """
    shape, n = x.shape[:-1], x.ndim - 1
    plan = plan or WavefrontPlan.of(shape)
    H = weights.b.shape[0]
    projected = x.reshape(-1, x.shape[-1]) @ weights.W_x.T + weights.b  # all input projections at once
    stacked = weights.W_h.transpose(0, 2, 1).reshape(n * H, H)  # [W_1^T; ...; W_n^T]
    padded = numpy.zeros((int(numpy.prod([s + 1 for s in shape])), H))
    steps = 0
    for cells, padded_cells, previous in plan.fronts:
        # (F, n H) @ (n H, H): the n recurrent products of the whole front in one.
        gathered = padded[previous].transpose(1, 0, 2).reshape(len(cells), n * H)
        padded[padded_cells] = numpy.tanh(projected[cells] + gathered @ stacked)
        steps += 1
    states = padded.reshape(tuple(s + 1 for s in shape) + (H,))
    return states[tuple(slice(1, None) for _ in shape)], steps


def forward(x: numpy.ndarray, weights: MdrnnWeights, schedule: str = "wavefront") -> tuple[numpy.ndarray, int]:
    """All 2^n directions and the output layer.

    Returns:
        The outputs (shape + (K,)) and the sequential steps of one direction's scan.
    """
    states, steps = [], 0
    plan = WavefrontPlan.of(x.shape[:-1]) if schedule == "wavefront" else None
    for direction, direction_weights in weights.directions.items():
        flipped = _flip(x, direction)
        if schedule == "wavefront":
            h, steps = scan_wavefront(flipped, direction_weights, plan)
        else:
            h, steps = scan_lexicographic(flipped, direction_weights), int(numpy.prod(x.shape[:-1]))
        states.append(_flip(h, direction))
    combined = numpy.concatenate(states, axis=-1)
    return combined @ weights.W_out.T + weights.c, steps
