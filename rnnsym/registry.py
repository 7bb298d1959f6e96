"""The explicit list of problems, in the order the report prints them."""

from derivations import p1_iterated_maps

PROBLEMS = {
    "p1": p1_iterated_maps.PROBLEM,
}
