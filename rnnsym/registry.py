"""The explicit list of problems, in the order the report prints them."""

from derivations import p1_iterated_maps, p2_architectures

PROBLEMS = {
    "p1": p1_iterated_maps.PROBLEM,
    "p2": p2_architectures.PROBLEM,
}
