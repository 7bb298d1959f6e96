"""An instrumented forward pass: every arithmetic operation actually executed is counted.

This is the independent count behind problem 2b's operation polynomials:
the encoder-decoder is written out naively in plain Python over
:class:`CountingNumber` values, and each multiplication, addition,
division, exponential and sigmoid increments a counter. Nothing here reads
the layer description that the polynomials are derived from.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from functools import reduce

import numpy


class CountingNumber:
    """A float that counts the operations done with it in a shared Counter."""

    __slots__ = ("value", "counter")

    def __init__(self, value: float, counter: Counter):
        self.value = float(value)
        self.counter = counter

    def _other(self, other):
        return other.value if isinstance(other, CountingNumber) else float(other)

    def __add__(self, other):
        self.counter["add"] += 1
        return CountingNumber(self.value + self._other(other), self.counter)

    __radd__ = __add__

    def __mul__(self, other):
        self.counter["mul"] += 1
        return CountingNumber(self.value * self._other(other), self.counter)

    __rmul__ = __mul__

    def __truediv__(self, other):
        self.counter["div"] += 1
        return CountingNumber(self.value / self._other(other), self.counter)

    def exp(self):
        self.counter["exp"] += 1
        return CountingNumber(math.exp(self.value), self.counter)

    def sigmoid(self):
        # One op by the convention of problem 2b, whatever its implementation.
        self.counter["sigmoid"] += 1
        return CountingNumber(1 / (1 + math.exp(-self.value)), self.counter)


def _dot(row, vector):
    return reduce(lambda acc, term: acc + term, (w * x for w, x in zip(row, vector)))


def _matvec(matrix, vector):
    return [_dot(row, vector) for row in matrix]


def _add(left, right):
    return [a + b for a, b in zip(left, right)]


@dataclasses.dataclass
class EncoderDecoderWeights:
    """The weight arrays of problem 2b's network, one bias vector per layer."""

    E: numpy.ndarray  # m x V
    U: numpy.ndarray  # h x m
    W: numpy.ndarray  # h x h
    b: numpy.ndarray  # h
    W_dec: numpy.ndarray  # h x h
    b_dec: numpy.ndarray  # h
    W_V: numpy.ndarray  # V x h
    c: numpy.ndarray  # V

    @classmethod
    def random(cls, m: int, h: int, V: int, rng: numpy.random.Generator) -> "EncoderDecoderWeights":
        shapes = dict(E=(m, V), U=(h, m), W=(h, h), b=(h,), W_dec=(h, h), b_dec=(h,), W_V=(V, h), c=(V,))
        return cls(**{name: rng.normal(scale=0.3, size=shape) for name, shape in shapes.items()})

    def sizes(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name).size for f in dataclasses.fields(self)}


def counted_forward(weights: EncoderDecoderWeights, tokens: list[int], T: int) -> dict[str, Counter]:
    """Runs the encoder over ``tokens`` and the decoder for T steps, counting.

    Returns:
        Counters of operations for "encoder" and "decoder".
    """
    counts = {"encoder": Counter(), "decoder": Counter()}
    V = weights.E.shape[1]
    h = weights.W.shape[0]

    def wrap(array, counter):
        return [[CountingNumber(v, counter) for v in row] for row in numpy.atleast_2d(array)]

    counter = counts["encoder"]
    E, U, W = wrap(weights.E, counter), wrap(weights.U, counter), wrap(weights.W, counter)
    b = wrap(weights.b, counter)[0]
    state = [CountingNumber(0.0, counter) for _ in range(h)]
    for token in tokens:
        one_hot = [CountingNumber(1.0 if j == token else 0.0, counter) for j in range(V)]
        embedded = _matvec(E, one_hot)  # the dense one-hot product, as the convention counts it
        state = [z.sigmoid() for z in _add(_add(_matvec(U, embedded), _matvec(W, state)), b)]

    counter = counts["decoder"]
    W_dec, W_V = wrap(weights.W_dec, counter), wrap(weights.W_V, counter)
    b_dec, c = wrap(weights.b_dec, counter)[0], wrap(weights.c, counter)[0]
    s = [CountingNumber(v.value, counter) for v in state]
    for _ in range(T):
        s = [z.sigmoid() for z in _add(_matvec(W_dec, s), b_dec)]
        logits = _add(_matvec(W_V, s), c)
        exps = [z.exp() for z in logits]
        total = reduce(lambda acc, term: acc + term, exps)
        _probabilities = [e / total for e in exps]
    return counts
