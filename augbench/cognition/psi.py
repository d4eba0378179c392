"""Psi (Kontsevich & Tyler 1999): threshold and slope estimated together by minimum expected entropy.

Kontsevich & Tyler (1999, Vision Res 39:2729) choose the stimulus minimising the expected entropy of
the joint (threshold, slope) posterior, with guess and lapse fixed; that is QUEST+ restricted to two
free parameters, so :class:`Psi` is a thin :class:`~augbench.cognition.questplus.QuestPlus`.
"""
from __future__ import annotations

import numpy as np

from augbench.cognition.questplus import QuestPlus

__all__ = ["Psi"]


class Psi(QuestPlus):
    """Psi method: (threshold, slope) grid, fixed ``guess`` and ``lapse``.

    Parameters
    ----------
    stimuli, thresholds, slopes : array_like
        Grids (Kontsevich & Tyler used log-spaced contrasts and slopes).
    guess, lapse : float
        Fixed asymptotes (2AFC: 0.5; a small lapse such as 0.02 guards against lapses).
    """

    name = "Psi"

    def __init__(self, stimuli, thresholds, slopes, *, guess: float = 0.5, lapse: float = 0.02,
                 kind: str = "gumbel", prior=None, n_sessions: int | None = None, dtype=np.float64, stop=None):
        if np.ndim(guess) or np.ndim(lapse):
            raise ValueError("Psi fixes guess and lapse; give scalars (use QuestPlus to estimate them)")
        super().__init__(stimuli, thresholds, slopes, guess, lapse, kind=kind,
                         prior=None if prior is None else np.asarray(prior)[:, :, None, None],
                         n_sessions=n_sessions, dtype=dtype, stop=stop)
