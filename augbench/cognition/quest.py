"""QUEST (Watson & Pelli 1983): Bayesian threshold estimation with a known slope.

The posterior over the threshold lives on a fine grid; each trial is placed where the observer
would be ``target_p`` correct if the threshold were the current posterior estimate (mean by default;
King-Smith et al. 1994, Vision Res 34:885, found the mean more efficient than the mode). The stimulus
is continuous (clipped to the domain), unlike QUEST+.
"""
from __future__ import annotations

import numpy as np

from augbench._validate import check_option, check_range
from augbench.cognition.procedure import AdaptiveProcedure
from augbench.cognition.psychometric import KINDS, check_asymptotes, intensity_at, psychometric

__all__ = ["Quest"]


class Quest(AdaptiveProcedure):
    """QUEST with a Gaussian prior on the threshold.

    Parameters
    ----------
    prior_mean, prior_sd : float
        Gaussian prior on the threshold (Watson & Pelli 1983, Percept Psychophys 33:113, used a
        Gaussian "guess" with a generous SD).
    slope, guess, lapse : float
        Assumed known (Watson & Pelli: beta = 3.5, gamma = 0.5, delta = 0.01 for 2AFC in log10 units).
    kind : {"weibull", "gumbel", "logistic", "normal"}
    target_p : float
        P(correct) the stimulus is placed at (0.82 for the defaults above, Watson & Pelli 1983 p. 116).
    grid : array_like, optional
        Threshold grid; default ``prior_mean ± 5 prior_sd`` in 501 steps.
    stim_range : (float, float)
        Stimulus domain; placements are clipped to it and stimuli outside are refused.
    method : {"mean", "mode"}
        Posterior summary used to place trials and as the estimate.
    """

    name = "QUEST"
    estimand = ("threshold", None)

    def __init__(self, prior_mean: float = 0.0, prior_sd: float = 0.5, *, slope: float = 3.5, guess: float = 0.5,
                 lapse: float = 0.01, kind: str = "gumbel", target_p: float = 0.82, grid=None,
                 stim_range=(-np.inf, np.inf), method: str = "mean", n_sessions: int | None = None, stop=None):
        super().__init__(n_sessions, stop)
        self.kind = check_option("kind", kind, KINDS)
        check_asymptotes(guess, lapse, where="Quest")
        self.slope, self.guess, self.lapse = check_range("slope", slope, 0, low_inclusive=False), guess, lapse
        self.target_p = check_range("target_p", target_p, guess, 1 - lapse, low_inclusive=False,
                                    high_inclusive=False)
        self.method = check_option("method", method, ("mean", "mode"))
        check_range("prior_sd", prior_sd, 0, low_inclusive=False)
        lo, hi = stim_range
        if not lo < hi:
            raise ValueError(f"stim_range={stim_range!r} must be (low, high) with low < high")
        self.stim_range = (float(lo), float(hi))
        if grid is None:
            grid = prior_mean + prior_sd * np.linspace(-5, 5, 501)
            if kind == "weibull":
                grid = grid[grid > 0]
        grid = np.asarray(grid, dtype=float).ravel()
        if grid.size == 0:
            raise ValueError("grid is empty; give at least one threshold value")
        self.grid = grid
        logp = -0.5 * ((grid - prior_mean) / prior_sd) ** 2
        pri = np.exp(logp - logp.max())
        self.prior = pri / pri.sum()
        self.posterior = np.tile(self.prior, (self.n_sessions, 1))

    def _check_stimulus(self, x, mask):
        lo, hi = self.stim_range
        bad = mask & ((x < lo) | (x > hi))
        if np.any(bad):
            raise ValueError(f"stimulus {float(x[np.flatnonzero(bad)[0]])!r} is outside the stimulus domain "
                             f"[{lo:g}, {hi:g}] of QUEST")

    def _point(self):
        if self.method == "mode":
            return self.grid[np.argmax(self.posterior, axis=1)]
        return self.posterior @ self.grid

    def _next(self):
        x = intensity_at(self.target_p, self._point(), self.slope, self.guess, self.lapse, self.kind)
        return np.clip(x, *self.stim_range)

    def _update(self, x, r, mask):
        p = psychometric(x[:, None], self.grid[None, :], self.slope, self.guess, self.lapse, self.kind)
        post = self.posterior * np.where(r[:, None], p, 1 - p)
        post /= post.sum(axis=1, keepdims=True)
        self.posterior = np.where(mask[:, None], post, self.posterior)

    def posterior_sd(self, param: str = "threshold"):
        check_option("param", param, ("threshold",))
        mu = self.posterior @ self.grid
        return np.sqrt(np.maximum(self.posterior @ self.grid ** 2 - mu ** 2, 0))

    def entropy(self):
        p = self.posterior
        return -np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0).sum(axis=1)

    def _estimate(self):
        return self._point()
