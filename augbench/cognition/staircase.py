"""Non-parametric staircases: transformed up-down (Levitt 1971), weighted up-down (Kaernbach 1991), PEST.

All are vectorised over sessions (see :mod:`augbench.cognition.procedure`) and estimate the
intensity at their target proportion correct (``estimand = ("p", target)``).
"""
from __future__ import annotations

import numpy as np

from augbench._validate import check_int, check_range
from augbench.cognition.procedure import AdaptiveProcedure
from augbench.cognition.psychometric import updown_target, weighted_updown_target

__all__ = ["UpDown", "WeightedUpDown", "PEST", "simulate"]


class UpDown(AdaptiveProcedure):
    """Transformed ``n_up``-up/``n_down``-down staircase (Levitt 1971, J Acoust Soc Am 49:467).

    The level goes down by ``step`` after ``n_down`` correct answers in a row and up by
    ``step * up_ratio`` after ``n_up`` wrong answers in a row. A reversal is a change of direction;
    it is recorded at the level where the track turned. With ``up_ratio = 1`` the track converges to
    P(correct) = :func:`~augbench.cognition.psychometric.updown_target` (0.707 for 1-up-2-down,
    0.794 for 1-up-3-down); ``up_ratio != 1`` is Kaernbach's weighted rule.

    Parameters
    ----------
    n_down, n_up : int
        Rule (default 1-up-2-down).
    start : float
        Starting level, in the stimulus unit.
    step : float or sequence of float
        Step size; a sequence gives the step after 0, 1, 2, ... reversals (the last one stays),
        e.g. ``(0.2, 0.1, 0.05)`` halves the step at the first two reversals.
    up_ratio : float
        Step up = ``up_ratio`` * step down.
    min_level, max_level : float
        Bounds the level is clipped to (stimulus domain).
    n_discard : int
        Reversals discarded before averaging (default 2). An odd remainder drops one more early
        reversal so an even number is averaged (Levitt 1971, p. 474).
    n_average : int, optional
        Average only the last ``n_average`` usable reversals.
    n_sessions : int, optional
        Run that many sessions at once (arrays in/out); ``None`` = one session, floats.
    stop : StopRule, optional
    """

    name = "1-up-2-down"

    def __init__(self, n_down: int = 2, n_up: int = 1, *, start: float = 1.0, step=0.1, up_ratio: float = 1.0,
                 min_level: float = -np.inf, max_level: float = np.inf, n_discard: int = 2,
                 n_average: int | None = None, n_sessions: int | None = None, stop=None):
        super().__init__(n_sessions, stop)
        self.n_down = check_int("n_down", n_down, 1)
        self.n_up = check_int("n_up", n_up, 1)
        steps = np.atleast_1d(np.asarray(step, dtype=float))
        if steps.size == 0 or np.any(~np.isfinite(steps)) or np.any(steps <= 0):
            raise ValueError(f"step={step!r} must be a positive number or a non-empty sequence of them")
        self.steps = steps
        self.up_ratio = check_range("up_ratio", up_ratio, 0, low_inclusive=False)
        if not min_level < max_level:
            raise ValueError(f"min_level={min_level!r} must be below max_level={max_level!r}")
        check_range("start", start, min_level, max_level)
        self.min_level, self.max_level = float(min_level), float(max_level)
        self.n_discard = check_int("n_discard", n_discard, 0)
        self.n_average = None if n_average is None else check_int("n_average", n_average, 1)
        S = self.n_sessions
        self.level = np.full(S, float(start))
        self._run_c = np.zeros(S, dtype=int)
        self._run_w = np.zeros(S, dtype=int)
        self._dir = np.zeros(S, dtype=int)
        self._rev = np.full((S, 16), np.nan)
        self.n_reversals = np.zeros(S, dtype=int)
        self.name = (f"1-up-{n_down}-down" if n_up == 1 and up_ratio == 1 else
                     f"weighted up-down ({up_ratio:g}:1)" if n_up == 1 and n_down == 1 else
                     f"{n_up}-up-{n_down}-down")

    @property
    def target_p(self) -> float:
        """Proportion correct the rule converges to."""
        if self.n_up == 1 and self.n_down == 1:
            return weighted_updown_target(self.up_ratio, 1.0)
        if self.up_ratio != 1:
            raise ValueError("a target for a transformed rule with unequal steps is not implemented")
        return updown_target(self.n_down, self.n_up)

    @property
    def estimand(self):
        return ("p", self.target_p)

    def _next(self):
        return self.level.copy()

    def reversals(self):
        return self.n_reversals

    def _update(self, x, r, mask):
        rc = np.where(r, self._run_c + 1, 0)
        rw = np.where(r, 0, self._run_w + 1)
        move = np.zeros_like(self._dir)
        move[rc >= self.n_down] = -1
        move[rw >= self.n_up] = 1
        move = np.where(mask, move, 0)
        rc = np.where(move != 0, 0, rc)
        rw = np.where(move != 0, 0, rw)
        is_rev = (move != 0) & (self._dir != 0) & (move != self._dir)
        if np.any(is_rev):
            need = int(self.n_reversals.max()) + 1
            if need > self._rev.shape[1]:
                self._rev = np.concatenate([self._rev, np.full_like(self._rev, np.nan)], axis=1)
            idx = np.flatnonzero(is_rev)
            self._rev[idx, self.n_reversals[idx]] = self.level[idx]
            self.n_reversals = self.n_reversals + is_rev
        step = self.steps[np.minimum(self.n_reversals, self.steps.size - 1)]
        delta = np.where(move > 0, step * self.up_ratio, -step) * (move != 0)
        self.level = np.clip(self.level + delta, self.min_level, self.max_level)
        self._dir = np.where(move != 0, move, self._dir)
        self._run_c = np.where(mask, rc, self._run_c)
        self._run_w = np.where(mask, rw, self._run_w)

    def reversal_levels(self) -> np.ndarray:
        """Levels at the reversals, shape (n_sessions, max reversals), NaN-padded."""
        return self._rev[:, : max(int(self.n_reversals.max()), 0)]

    def _estimate(self):
        n = self.n_reversals
        usable = n - self.n_discard
        first = self.n_discard + np.where(usable > 0, usable % 2, 0)
        if self.n_average is not None:
            first = np.maximum(first, n - self.n_average)
            first = first + np.where((n - first) > 0, (n - first) % 2, 0)
        idx = np.arange(self._rev.shape[1])[None, :]
        sel = (idx >= first[:, None]) & (idx < n[:, None])
        cnt = sel.sum(axis=1)
        s = np.where(sel, np.nan_to_num(self._rev), 0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = s / cnt
        # too few reversals yet: fall back on the current level
        return np.where(cnt > 0, est, self.level)


def WeightedUpDown(target_p: float = 0.75, **kwargs) -> UpDown:
    """Kaernbach's (1991) weighted up-down rule converging to ``target_p``.

    1-up-1-down with step up / step down = p / (1 - p) (Kaernbach 1991, Percept Psychophys 49:227,
    eq. 1); ``target_p = 0.75`` gives steps of 3:1.
    """
    check_range("target_p", target_p, 0, 1, low_inclusive=False, high_inclusive=False)
    return UpDown(n_down=1, n_up=1, up_ratio=target_p / (1 - target_p), **kwargs)


class PEST(AdaptiveProcedure):
    """Parameter Estimation by Sequential Testing (Taylor & Creelman 1967, J Acoust Soc Am 41:782).

    At each level a Wald sequential test compares the correct count ``c`` after ``n`` trials with
    the expectation ``target_p * n``: the level drops when ``c >= target_p * n + wald`` and rises when
    ``c <= target_p * n - wald``. Step rules: (1) halve the step at a reversal; (2) a second step in
    the same direction keeps its size; (3) the fourth and later steps in the same direction double;
    (4) the third doubles unless the step before the last reversal was a doubling. Steps stay within
    [``min_step``, ``max_step``]; the estimate is the current level.

    Parameters
    ----------
    target_p : float
        Target proportion correct.
    start, step : float
        Starting level and step.
    wald : float
        Deviation limit W (Taylor & Creelman used 1).
    """

    name = "PEST"

    def __init__(self, target_p: float = 0.75, *, start: float = 1.0, step: float = 0.2, wald: float = 1.0,
                 min_step: float = 0.01, max_step: float | None = None, min_level: float = -np.inf,
                 max_level: float = np.inf, n_sessions: int | None = None, stop=None):
        super().__init__(n_sessions, stop)
        self.target_p = check_range("target_p", target_p, 0, 1, low_inclusive=False, high_inclusive=False)
        self.wald = check_range("wald", wald, 0, low_inclusive=False)
        check_range("step", step, 0, low_inclusive=False)
        self.min_step = check_range("min_step", min_step, 0, low_inclusive=False)
        self.max_step = float(max_step) if max_step is not None else 4 * float(step)
        check_range("start", start, min_level, max_level)
        self.min_level, self.max_level = float(min_level), float(max_level)
        S = self.n_sessions
        self.level = np.full(S, float(start))
        self.step = np.full(S, float(step))
        self._n = np.zeros(S, dtype=int)
        self._c = np.zeros(S, dtype=int)
        self._dir = np.zeros(S, dtype=int)
        self._same = np.zeros(S, dtype=int)
        self._doubled_last = np.zeros(S, dtype=bool)
        self._doubled_before_rev = np.zeros(S, dtype=bool)
        self.n_reversals = np.zeros(S, dtype=int)

    @property
    def estimand(self):
        return ("p", self.target_p)

    def reversals(self):
        return self.n_reversals

    def _next(self):
        return self.level.copy()

    def _update(self, x, r, mask):
        n = self._n + mask
        c = self._c + (mask & r)
        expected = self.target_p * n
        move = np.where(c >= expected + self.wald, -1, np.where(c <= expected - self.wald, 1, 0))
        move = np.where(mask, move, 0)
        moving = move != 0
        rev = moving & (self._dir != 0) & (move != self._dir)
        same = moving & (self._dir == move)
        first = moving & (self._dir == 0)
        n_same = np.where(rev | first, 1, np.where(same, self._same + 1, self._same))
        double = same & ((n_same >= 4) | ((n_same == 3) & ~self._doubled_before_rev))
        step = np.where(rev, self.step / 2, np.where(double, self.step * 2, self.step))
        step = np.clip(step, self.min_step, self.max_step)
        self._doubled_before_rev = np.where(rev, self._doubled_last, self._doubled_before_rev)
        self._doubled_last = np.where(moving, double, self._doubled_last)
        self.level = np.clip(self.level + move * step, self.min_level, self.max_level)
        self.step = np.where(moving, step, self.step)
        self._same = n_same
        self._dir = np.where(moving, move, self._dir)
        self.n_reversals = self.n_reversals + rev
        self._n = np.where(moving, 0, n)
        self._c = np.where(moving, 0, c)

    def _estimate(self):
        return self.level.copy()


def simulate(procedure: AdaptiveProcedure, observer, n_trials: int, random_state=None,
             respect_stop: bool = False):
    """Run ``procedure`` against a simulated ``observer`` for ``n_trials`` trials (all sessions at once).

    Parameters
    ----------
    procedure : AdaptiveProcedure
        Fresh procedure (scalar or vectorised).
    observer : StaticObserver or subclass
        Answers with ``respond(x, trial, rng)``.
    n_trials : int
        Trials per session.
    respect_stop : bool
        If True, sessions whose stopping rule fires stop updating (their estimate freezes).

    Returns
    -------
    dict
        ``stimulus``, ``correct`` (n_sessions, n_trials) and ``estimate`` (n_sessions, n_trials): the
        estimate after each trial; ``active`` marks trials actually run.
    """
    from augbench._rng import as_generator
    rng = as_generator(random_state)
    n_trials = check_int("n_trials", n_trials, 1)
    S = procedure.n_sessions
    X = np.empty((S, n_trials))
    R = np.zeros((S, n_trials), dtype=bool)
    E = np.empty((S, n_trials))
    A = np.ones((S, n_trials), dtype=bool)
    for t in range(n_trials):
        x = np.atleast_1d(procedure.next_stimulus())
        r = observer.respond(x, t, rng)
        m = ~np.atleast_1d(procedure.finished) if respect_stop else np.ones(S, dtype=bool)
        if procedure._scalar:
            if m[0]:
                procedure.update(float(x[0]), bool(r[0]))
        else:
            procedure.update(x, r, mask=m)
        X[:, t], R[:, t], E[:, t], A[:, t] = x, r, np.atleast_1d(procedure.estimate()), m
    return {"stimulus": X, "correct": R, "estimate": E, "active": A}
