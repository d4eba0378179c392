"""One way to turn ``random_state`` arguments into local generators; library code never seeds global state."""
from __future__ import annotations

import numpy as np


def as_generator(random_state=None) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from ``None``, an int seed, a ``SeedSequence`` or a Generator.

    A Generator passed in is returned as is (so callers can share a stream).
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or isinstance(random_state, (int, np.integer, np.random.SeedSequence)):
        if isinstance(random_state, (int, np.integer)) and random_state < 0:
            raise ValueError(f"random_state={random_state} must be a non-negative integer")
        return np.random.default_rng(random_state)
    raise TypeError(f"random_state={random_state!r} must be None, an int or a numpy Generator")


def torch_seed(random_state=None) -> int:
    """An integer seed for ``torch.Generator``/``torch.manual_seed`` derived from ``random_state``."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    return int(as_generator(random_state).integers(0, 2**31 - 1))
