"""Problem 2: architectures and their cost.

2a is prose and a figure (a CNN on every frame, an LSTM over the features).
2b counts the operations and parameters of an encoder-decoder RNN. The
network is described once, as data (:data:`FORWARD_PASS`, :data:`LAYERS`);
a counting convention (also data) turns that description into SymPy
polynomials. The checks count independently: an instrumented forward pass,
the entries of the weight arrays actually built, and PyTorch's own counts.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Callable

import numpy
import sympy

from rnnsym import instrumented, torch_reference
from rnnsym.i18n import N_, message
from rnnsym.params import choice, integer, rule
from rnnsym.problem import AnswerSpec, Check, KeyEntry, Problem

m, h, V = sympy.symbols("m h V", integer=True, positive=True)
T = sympy.Symbol("T", integer=True, positive=True)
SIZES = (m, h, V, T)


@dataclasses.dataclass(frozen=True)
class Params:
    """Example sizes and the conventions in force (defaults: the homework's)."""

    m: int = rule(integer(1, 10**6), 64)
    h: int = rule(integer(1, 10**6), 128)
    V: int = rule(integer(2, 10**7), 10000)
    T: int = rule(integer(1, 10**6), 20)
    ops_convention: str = rule(choice("default", "flop_counter"), "default")
    params_convention: str = rule(choice("default", "torch"), "default")


# --- the network, described once ------------------------------------------------


# The parts and conventions by name; the documents print them in their language.
PART_NAMES = (N_("encoder"), N_("decoder"), N_("total"), N_("default"))


@dataclasses.dataclass(frozen=True)
class Operation:
    """One operation of one time step of the forward pass.

    ``kind`` is matvec (shape = rows, columns), embed (the one-hot product,
    shape = m, V), add, sigmoid or softmax (shape = length,).
    """

    part: str  # "encoder" or "decoder"
    kind: str
    shape: tuple
    latex: str


FORWARD_PASS = (
    Operation("encoder", "embed", (m, V), r"e_t = E x_t"),
    Operation("encoder", "matvec", (h, m), r"U e_t"),
    Operation("encoder", "matvec", (h, h), r"W h_{t-1}"),
    Operation("encoder", "add", (h,), r"U e_t + W h_{t-1}"),
    Operation("encoder", "add", (h,), r"\cdots + b"),
    Operation("encoder", "sigmoid", (h,), r"h_t = \sigma(\cdots)"),
    Operation("decoder", "matvec", (h, h), r"W' s_{i-1}"),
    Operation("decoder", "add", (h,), r"\cdots + b'"),
    Operation("decoder", "sigmoid", (h,), r"s_i = \sigma(\cdots)"),
    Operation("decoder", "matvec", (V, h), r"W_V s_i"),
    Operation("decoder", "add", (V,), r"\cdots + c"),
    Operation("decoder", "softmax", (V,), r"y_i = \operatorname{softmax}(\cdots)"),
)


@dataclasses.dataclass(frozen=True)
class Layer:
    """A layer with trainable weights; ``biases`` = bias vectors per convention."""

    part: str
    name: str
    weights: tuple  # shapes of its weight matrices
    bias_length: sympy.Expr
    biases: dict
    torch_module: str


LAYERS = (
    Layer("encoder", N_("embedding $E$"), ((m, V),), m, {"default": 0, "torch": 0}, "nn.Embedding(V, m)"),
    Layer("encoder", N_("recurrence $U, W, b$"), ((h, m), (h, h)), h, {"default": 1, "torch": 2}, "nn.RNN(m, h)"),
    Layer("decoder", N_("recurrence $W', b'$"), ((h, h),), h, {"default": 1, "torch": 1}, "nn.Linear(h, h)"),
    Layer("decoder", N_("output $W_V, c$"), ((V, h),), V, {"default": 1, "torch": 1}, "nn.Linear(h, V)"),
)


# --- counting conventions, as data ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class OpConvention:
    """What each kind of operation costs."""

    name: str
    description: str
    cost: dict[str, Callable]


OP_CONVENTIONS = {
    "default": OpConvention(
        "default",
        N_("one multiplication or addition = 1 op; (r x k)(k) = r(2k - 1); adding r-vectors = r; "
           "sigmoid = 1 op per element; softmax over V entries = 3V - 1; the embedding as the "
           "one-hot product m(2V - 1)"),
        {
            "matvec": lambda r, k: r * (2 * k - 1),
            "embed": lambda r, k: r * (2 * k - 1),
            "add": lambda n: n,
            "sigmoid": lambda n: n,
            "softmax": lambda n: 3 * n - 1,
        },
    ),
    "flop_counter": OpConvention(
        "flop_counter",
        N_("PyTorch's FlopCounterMode: 2MNK per matrix product, nothing else; the embedding "
           "is a free table lookup"),
        {
            "matvec": lambda r, k: 2 * r * k,
            "embed": lambda r, k: 0,
            "add": lambda n: 0,
            "sigmoid": lambda n: 0,
            "softmax": lambda n: 0,
        },
    ),
}
PARAM_CONVENTIONS = {
    "default": N_("one bias vector per layer (none for the embedding)"),
    "torch": N_("PyTorch's modules: nn.Embedding, nn.RNN (bias_ih and bias_hh), nn.Linear"),
}


def count_operations(convention: OpConvention) -> dict[str, sympy.Expr]:
    """Operation polynomials per part and in total: T steps of each part."""
    per_step = {"encoder": sympy.Integer(0), "decoder": sympy.Integer(0)}
    for op in FORWARD_PASS:
        per_step[op.part] += convention.cost[op.kind](*op.shape)
    result = {part: sympy.expand(T * cost) for part, cost in per_step.items()}
    result["total"] = sympy.expand(result["encoder"] + result["decoder"])
    result.update({f"{part} step": sympy.expand(cost) for part, cost in per_step.items()})
    return result


def count_parameters(convention: str) -> dict[str, sympy.Expr]:
    """Parameter polynomials per part and in total."""
    result = {"encoder": sympy.Integer(0), "decoder": sympy.Integer(0)}
    for layer in LAYERS:
        weights = sum(rows * cols for rows, cols in layer.weights)
        result[layer.part] += weights + layer.biases[convention] * layer.bias_length
    result["total"] = sympy.expand(result["encoder"] + result["decoder"])
    return {part: sympy.expand(value) for part, value in result.items()}


@dataclasses.dataclass(frozen=True)
class Derivation:
    params: Params
    ops: dict  # convention name -> {part: polynomial}
    parameters: dict  # convention name -> {part: polynomial}
    op_rows: tuple  # (operation, cost under each convention)
    layer_rows: tuple  # (layer, count under each convention)
    op_conventions: dict  # name -> description
    param_conventions: dict  # name -> description

    def at_example(self, expr) -> sympy.Integer:
        p = self.params
        return expr.subs({m: p.m, h: p.h, V: p.V, T: p.T})


def derive(params: Params) -> Derivation:
    """Derives the cost polynomials of 2b under every convention."""
    ops = {name: count_operations(c) for name, c in OP_CONVENTIONS.items()}
    parameters = {name: count_parameters(name) for name in PARAM_CONVENTIONS}
    op_rows = tuple(
        (op, {name: sympy.expand(c.cost[op.kind](*op.shape)) for name, c in OP_CONVENTIONS.items()})
        for op in FORWARD_PASS
    )
    layer_rows = tuple(
        (layer, {name: sympy.expand(sum(r * k for r, k in layer.weights) + layer.biases[name] * layer.bias_length)
                 for name in PARAM_CONVENTIONS})
        for layer in LAYERS
    )
    return Derivation(
        params, ops, parameters, op_rows, layer_rows,
        {name: c.description for name, c in OP_CONVENTIONS.items()}, dict(PARAM_CONVENTIONS),
    )


# --- checks -------------------------------------------------------------------
# The polynomials have degree at most 1 in m, V and T and 2 in h, so agreeing
# on a grid with 2 values of m, V, T and 3 of h proves the identity.
GRID = tuple(itertools.product((1, 2), (1, 2, 3), (2, 3), (1, 2)))


def _check_instrumented(d: Derivation) -> Check:
    rng = numpy.random.default_rng(2026)
    mismatches = []
    for size_m, size_h, size_V, size_T in GRID:
        weights = instrumented.EncoderDecoderWeights.random(size_m, size_h, size_V, rng)
        tokens = list(rng.integers(0, size_V, size=size_T))
        counted = instrumented.counted_forward(weights, tokens, size_T)
        values = {m: size_m, h: size_h, V: size_V, T: size_T}
        for part in ("encoder", "decoder"):
            if sum(counted[part].values()) != d.ops["default"][part].subs(values):
                mismatches.append((size_m, size_h, size_V, size_T, part))
    return Check(
        "2b.ops",
        N_("operation counts (default convention) against an instrumented forward pass that counts every "
        "multiplication, addition, division, exp and sigmoid it executes"),
        message(N_("%(count)s size combinations (m, h, V, T) in {1, 2} x {1, 2, 3} x {2, 3} x {1, 2}, "
                   "encoder and decoder: %(mismatches)s mismatch(es); the grid determines polynomials of "
                   "degree <= 1 in m, V, T and <= 2 in h"), count=len(GRID), mismatches=len(mismatches)),
        "exact",
        not mismatches,
    )


def _check_weight_arrays(d: Derivation) -> Check:
    rng = numpy.random.default_rng(7)
    mismatches = 0
    for size_m, size_h, size_V, _ in GRID:
        sizes = instrumented.EncoderDecoderWeights.random(size_m, size_h, size_V, rng).sizes()
        built = sum(sizes.values())
        values = {m: size_m, h: size_h, V: size_V}
        mismatches += built != d.parameters["default"]["total"].subs(values)
    return Check(
        "2b.params",
        N_("parameter count (default convention) against the entries of the weight arrays the "
        "instrumented network builds"),
        message(N_("%(count)s size combinations: %(mismatches)s mismatch(es)"), count=len(GRID), mismatches=mismatches),
        "exact",
        mismatches == 0,
    )


def _check_torch(d: Derivation) -> list[Check]:
    what_params = N_("parameter count (torch convention) against sum(p.numel()) of the torch.nn network")
    what_flops = N_("FLOPs (flop_counter convention) against FlopCounterMode of torch.utils.flop_counter")
    if not torch_reference.available():
        reason = N_("not run: torch is not installed (pip install '.[torch]')")
        return [Check("2b.params_torch", what_params, reason, "exact", None),
                Check("2b.flops_torch", what_flops, reason, "exact", None)]
    grid = [(1, 1, 2, 1), (2, 3, 5, 2), (3, 2, 4, 3), (2, 4, 3, 1), (1, 3, 2, 2)]
    param_misses = flop_misses = 0
    for size_m, size_h, size_V, size_T in grid:
        parameters, flops = torch_reference.counts(size_m, size_h, size_V, size_T)
        values = {m: size_m, h: size_h, V: size_V, T: size_T}
        param_misses += parameters != d.parameters["torch"]["total"].subs(values)
        flop_misses += flops != d.ops["flop_counter"]["total"].subs(values)
    sizes = N_("%(count)s size combinations: %(mismatches)s mismatch(es)")
    return [
        Check("2b.params_torch", what_params, message(sizes, count=len(grid), mismatches=param_misses), "exact",
              param_misses == 0),
        Check("2b.flops_torch", what_flops, message(sizes, count=len(grid), mismatches=flop_misses), "exact",
              flop_misses == 0),
    ]


def checks(d: Derivation) -> list[Check]:
    """Verifies every count of 2b by an independent count."""
    return [_check_instrumented(d), _check_weight_arrays(d), *_check_torch(d)]


def answers(d: Derivation) -> dict:
    """The 2b entries of the answers file."""
    s = sympy.sstr
    return {
        "2b.ops.encoder": s(d.ops["default"]["encoder"]),
        "2b.ops.decoder": s(d.ops["default"]["decoder"]),
        "2b.ops.total": s(d.ops["default"]["total"]),
        "2b.flops_torch.total": s(d.ops["flop_counter"]["total"]),
        "2b.params.encoder": s(d.parameters["default"]["encoder"]),
        "2b.params.decoder": s(d.parameters["default"]["decoder"]),
        "2b.params.total": s(d.parameters["default"]["total"]),
        "2b.params_torch.total": s(d.parameters["torch"]["total"]),
    }


def figures(d: Derivation, directory: Path) -> dict:
    """Problem 2's figures are TikZ, drawn by its template."""
    return {}



def draw(rng, options) -> Params:
    """Example sizes of a realistic model; the polynomials do not change."""
    pick = lambda values: int(values[int(rng.integers(0, len(values)))])  # noqa: E731
    return Params(
        m=pick([32, 64, 100, 128, 256]), h=pick([64, 128, 200, 256, 512]),
        V=pick([5000, 8000, 10000, 20000, 30000]), T=pick([10, 15, 20, 25, 30, 40]),
    )

# What the problem sheet asks for, one declaration per answer id (read by the
# sheet's hand-in list, the grader and the feedback). The conventions are
# printed on the sheet, so a count is graded under the convention it was asked in.
_OPS_DEFAULT = (N_(r"one multiplication or addition is one operation: an $r \times k$ matrix times a $k$-vector "
                r"costs $r(2k - 1)$, adding two $r$-vectors $r$, a sigmoid one per element, a softmax over $V$ "
                r"entries $3V - 1$, and the embedding is the one-hot product, $m(2V - 1)$"))
_OPS_FLOP_COUNTER = (N_(r"PyTorch's \texttt{FlopCounterMode}: $2rk$ for an $r \times k$ matrix times a $k$-vector and "
                     r"nothing for anything else; the embedding is a free table lookup"))
_PARAMS_DEFAULT = N_(r"one bias vector per layer and none for the embedding")
_PARAMS_TORCH = (N_(r"PyTorch's modules \texttt{nn.Embedding(V, m)}, \texttt{nn.RNN(m, h)} (two bias vectors, "
                 r"\texttt{bias\_ih} and \texttt{bias\_hh}), \texttt{nn.Linear(h, h)} and \texttt{nn.Linear(h, V)}"))
_SIZES_FORM = N_(r"an expression in $m, h, V, T$ (\texttt{m}, \texttt{h}, \texttt{V}, \texttt{T})")
# Each question whole, so that each is one message to translate.
_PER_PART_ASKS = {
    "ops": {"encoder": N_("operations of one forward pass: the encoder"),
            "decoder": N_("operations of one forward pass: the decoder"),
            "total": N_("operations of one forward pass: in total")},
    "params": {"encoder": N_("trainable parameters: the encoder"),
               "decoder": N_("trainable parameters: the decoder"),
               "total": N_("trainable parameters: in total")},
}


def _per_part(count: str, convention: str) -> tuple[AnswerSpec, ...]:
    """The encoder, decoder and total answers of one count."""
    return tuple(AnswerSpec(f"2b.{count}.{part}", asks, "expression", _SIZES_FORM, convention)
                 for part, asks in _PER_PART_ASKS[count].items())


ANSWER_SPECS = (
    *_per_part("ops", _OPS_DEFAULT),
    AnswerSpec("2b.flops_torch.total", N_(r"operations of one forward pass in total, counted as PyTorch counts them"),
               "expression", _SIZES_FORM, _OPS_FLOP_COUNTER),
    *_per_part("params", _PARAMS_DEFAULT),
    AnswerSpec("2b.params_torch.total", N_(r"trainable parameters in total, counted as PyTorch counts them"),
               "expression", _SIZES_FORM, _PARAMS_TORCH),
)


def key_entries(d, answers) -> list[KeyEntry]:
    """The key of every answer id of this problem (see ANSWER_SPECS)."""
    names = {str(s): s for s in SIZES}
    entries = []
    for part in ("encoder", "decoder", "total"):
        other = ((message(N_("the FlopCounterMode convention instead of the default one")), d.ops["flop_counter"][part]),) \
            if d.ops["flop_counter"][part] != d.ops["default"][part] else ()
        entries.append(KeyEntry(f"2b.ops.{part}", "expression", d.ops["default"][part], names, nearby=other))
    entries.append(KeyEntry("2b.flops_torch.total", "expression", d.ops["flop_counter"]["total"], names,
                            nearby=((message(N_("the default counting convention instead of FlopCounterMode")),
                                     d.ops["default"]["total"]),)))
    for part in ("encoder", "decoder", "total"):
        # The decoder counts the same under both conventions: no mistake to name there.
        other = ((message(N_("PyTorch's parameter convention (two RNN biases)")), d.parameters["torch"][part]),) \
            if d.parameters["torch"][part] != d.parameters["default"][part] else ()
        entries.append(KeyEntry(f"2b.params.{part}", "expression", d.parameters["default"][part], names, nearby=other))
    entries.append(KeyEntry("2b.params_torch.total", "expression", d.parameters["torch"]["total"], names,
                            nearby=((message(N_("the one-bias-per-layer convention instead of PyTorch's")),
                                     d.parameters["default"]["total"]),)))
    return entries


PROBLEM = Problem(
    id="p2",
    title=N_("Architectures and their cost"),
    params=Params,
    derive=derive,
    checks=checks,
    answers=answers,
    figures=figures,
    draw=draw,
    template="p2_architectures.tex.j2",
    answer_specs=ANSWER_SPECS,
    key=key_entries,
)
