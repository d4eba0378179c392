"""Simulated observers with a known psychometric function: the ground truth of the simulation bench.

Each observer answers many sessions at once: ``respond(x, trial, rng)`` takes an array of stimuli
(one per session) and the trial index, and returns booleans (True = correct). Parameters are scalars
or arrays broadcastable to the sessions, so a population of observers is one object.

``StaticObserver``
    a fixed psychometric function.
``LearningObserver``
    the threshold improves with practice, exponentially (Heathcote, Brown & Mewhort 2000,
    Psychon Bull Rev 7:185, found exponential fits individual learning curves better than power laws).
``FatiguingObserver``
    the lapse rate grows with trials (vigilance decrement; Mackworth 1948), so late trials hold
    more attention errors.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from augbench._rng import as_generator
from augbench._validate import check_option, check_range
from augbench.cognition.psychometric import KINDS, check_asymptotes, intensity_at, psychometric

__all__ = ["StaticObserver", "LearningObserver", "FatiguingObserver", "NBackObserver"]


@dataclass
class StaticObserver:
    """An observer whose P(correct) is a fixed psychometric function.

    Parameters
    ----------
    threshold, slope, guess, lapse : float or ndarray
        See :func:`augbench.cognition.psychometric.psychometric`.
    kind : {"weibull", "gumbel", "logistic", "normal"}
    """

    threshold: float = 0.0
    slope: float = 3.5
    guess: float = 0.5
    lapse: float = 0.02
    kind: str = "gumbel"

    def __post_init__(self):
        check_option("kind", self.kind, KINDS)
        check_asymptotes(self.guess, self.lapse, where=type(self).__name__)
        if np.any(np.asarray(self.slope) <= 0):
            raise ValueError(f"slope={self.slope!r} must be > 0")

    # parameters at a trial (overridden by the non-stationary observers)
    def params(self, trial=0) -> dict:
        """Psychometric parameters in force at ``trial`` (0-based)."""
        return dict(threshold=self.threshold, slope=self.slope, guess=self.guess, lapse=self.lapse)

    def p_correct(self, x, trial=0):
        """P(correct) for stimuli ``x`` at trial ``trial``; broadcasts."""
        return psychometric(x, kind=self.kind, **self.params(trial))

    def intensity_at(self, p, trial=0):
        """Stimulus giving P(correct) = ``p`` at ``trial``: the truth a staircase targeting ``p`` estimates."""
        return intensity_at(p, kind=self.kind, **self.params(trial))

    def respond(self, x, trial=0, random_state=None):
        """Simulated responses (True = correct), one per element of ``x``."""
        rng = as_generator(random_state)
        p = self.p_correct(x, trial)
        return rng.random(np.shape(p)) < p


@dataclass
class LearningObserver(StaticObserver):
    """Threshold falls from ``threshold_start`` to ``threshold`` with time constant ``tau`` trials.

    .. math:: \\alpha(t) = \\alpha_\\infty + (\\alpha_0 - \\alpha_\\infty)\\, e^{-t/\\tau}
    """

    threshold_start: float = 0.5
    tau: float = 100.0

    def __post_init__(self):
        super().__post_init__()
        check_range("tau", self.tau, 0, low_inclusive=False)

    def params(self, trial=0) -> dict:
        d = super().params(trial)
        t = np.asarray(trial, dtype=float)
        d["threshold"] = self.threshold + (self.threshold_start - self.threshold) * np.exp(-t / self.tau)
        return d


@dataclass
class FatiguingObserver(StaticObserver):
    """Lapse rate grows from ``lapse`` towards ``lapse_end`` with time constant ``tau`` trials."""

    lapse_end: float = 0.2
    tau: float = 200.0

    def __post_init__(self):
        super().__post_init__()
        check_asymptotes(self.guess, self.lapse_end, where="FatiguingObserver lapse_end")
        check_range("tau", self.tau, 0, low_inclusive=False)

    def params(self, trial=0) -> dict:
        d = super().params(trial)
        t = np.asarray(trial, dtype=float)
        d["lapse"] = self.lapse_end + (self.lapse - self.lapse_end) * np.exp(-t / self.tau)
        return d


@dataclass
class NBackObserver:
    """An n-back player: P(correct) per item falls with n as a logistic in n; capacity grows with practice.

    .. math:: P(n, b) = 1 - \\lambda - (1 - \\lambda - g)\\, \\mathrm{expit}(s (n - c(b))),\\quad
              c(b) = c_\\infty + (c_0 - c_\\infty) e^{-b / \\tau}

    ``capacity`` c is the n at which performance is half-way between ceiling and chance ``guess``;
    ``b`` counts blocks played. A made-up but monotone model for the bench (no paper claims these values).
    """

    capacity: float = 4.0
    capacity_start: float = 2.5
    tau_blocks: float = 10.0
    slope: float = 2.0
    guess: float = 0.5
    lapse: float = 0.02

    def p_correct(self, n, block=0):
        from scipy.special import expit
        b = np.asarray(block, dtype=float)
        c = self.capacity + (self.capacity_start - self.capacity) * np.exp(-b / self.tau_blocks)
        return 1 - self.lapse - (1 - self.lapse - self.guess) * expit(self.slope * (np.asarray(n, float) - c))

    def n_errors(self, n, n_items, block=0, random_state=None):
        """Errors in a block of ``n_items`` scored items at level ``n`` (binomial)."""
        rng = as_generator(random_state)
        p = self.p_correct(n, block)
        return rng.binomial(np.asarray(n_items), 1 - p)
