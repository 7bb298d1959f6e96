"""Drawing the numbers of a variant: seeded generators and bounded retries."""

from __future__ import annotations

import numpy

from rnnsym.errors import RnnsymError

MAX_TRIES = 200


class DrawError(RnnsymError):
    """No draw satisfied a problem's constraints within MAX_TRIES (names the constraint)."""

    exit_status = 1


def tries(limit: int = MAX_TRIES) -> range:
    """The bounded attempts a problem's draw may make."""
    return range(limit)


def generator(batch_seed: int, index: int, problem_number: int, attempt: int = 0) -> numpy.random.Generator:
    """The generator of one problem of one variant.

    Seeded from (batch seed, variant index, problem, attempt) through a
    SeedSequence, so every variant and problem has its own stream, the same
    on every machine and independent of which shard or worker draws it.
    """
    return numpy.random.default_rng(numpy.random.SeedSequence([batch_seed, index, problem_number, attempt]))
