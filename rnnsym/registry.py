"""The explicit list of problems, in the order the report prints them."""

from derivations import p1_iterated_maps, p2_architectures, p3_bptt_dynamics, p4_mdrnn

PROBLEMS = {
    "p1": p1_iterated_maps.PROBLEM,
    "p2": p2_architectures.PROBLEM,
    "p3": p3_bptt_dynamics.PROBLEM,
    "p4": p4_mdrnn.PROBLEM,
}
