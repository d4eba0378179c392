"""Psi (Kontsevich & Tyler 1999) and psi-marginal (Prins 2013).

Kontsevich & Tyler (1999, Vision Res 39:2729) choose the stimulus minimising the expected entropy of
the joint (threshold, slope) posterior, with guess and lapse fixed; that is QUEST+ restricted to two
free parameters, so :class:`Psi` is a thin :class:`~augbench.cognition.questplus.QuestPlus`.

Minimising the *joint* entropy spends trials on the slope, which costs threshold precision when the
threshold is what one wants. Prins (2013, J Vis 13(7):3) minimises the expected entropy of the
*marginal* posterior of the parameters of interest, integrating the others (slope, lapse) out as nuisance
parameters: :class:`PsiMarginal`, QUEST+ with ``objective="marginal"``.
"""
from __future__ import annotations

import numpy as np

from augbench.cognition.questplus import QuestPlus

__all__ = ["Psi", "PsiMarginal"]


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


class PsiMarginal(QuestPlus):
    """Psi-marginal method (Prins 2013): threshold of interest, slope and lapse rate as nuisance parameters.

    Parameters
    ----------
    stimuli, thresholds, slopes : array_like
        Grids; ``slopes`` may be a scalar to fix the slope.
    lapses : array_like or float
        Lapse-rate grid (Prins 2013 used 0 to 0.1); a scalar fixes it.
    guess : float
        Fixed lower asymptote (0.5 for 2AFC).
    interest : tuple of str
        Parameters whose marginal entropy is minimised (default the threshold alone; Prins also shows
        ("threshold", "slope") with the lapse rate as the only nuisance).
    prior : array_like, optional
        Shape (n_thresholds, n_slopes, n_lapses); uniform by default.
    """

    name = "Psi-marginal"

    def __init__(self, stimuli, thresholds, slopes, lapses=(0.0, 0.02, 0.04, 0.06), *, guess: float = 0.5,
                 interest=("threshold",), kind: str = "gumbel", prior=None, n_sessions: int | None = None,
                 dtype=np.float64, stop=None):
        if np.ndim(guess):
            raise ValueError("PsiMarginal fixes the guess rate; give a scalar (use QuestPlus to estimate it)")
        super().__init__(stimuli, thresholds, slopes, guess, lapses, kind=kind, objective="marginal",
                         interest=interest,
                         prior=None if prior is None else np.asarray(prior).reshape(
                             np.size(thresholds), np.size(slopes), 1, np.size(lapses)),
                         n_sessions=n_sessions, dtype=dtype, stop=stop)
