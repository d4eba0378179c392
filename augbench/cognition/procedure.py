"""The one small interface every adaptive procedure follows, response-code parsing and stopping rules.

Interface (all procedures, scalar or vectorised)::

    proc = UpDown(n_down=2, start=0.5, step=0.05)       # one session: floats in, floats out
    x = proc.next_stimulus()                            # stimulus to present next
    proc.update(x, correct)                             # tell it the response
    proc.estimate()                                     # current threshold estimate
    proc.finished                                       # stopping rule (if ``stop=`` given)

With ``n_sessions=K`` the same object runs K independent sessions: ``next_stimulus()`` returns an
array of shape (K,), ``update`` takes arrays of shape (K,) and an optional boolean ``mask`` of the
sessions that actually ran a trial (used by :class:`Interleaved` and by stopping rules).

``estimand`` says what ``estimate()`` estimates, so the bench knows the truth: ``("p", 0.707)``
means "the intensity where P(correct) = 0.707" and ``("threshold", None)`` the ``threshold``
parameter of the psychometric function.
"""
from __future__ import annotations

import time

import numpy as np

from augbench._rng import as_generator
from augbench._validate import check_int, check_range

__all__ = ["AdaptiveProcedure", "parse_responses", "RESPONSE_CODES", "StopRule", "MaxTrials",
           "MaxReversals", "PosteriorSDBelow", "EntropyBelow", "TimeBudget", "Interleaved"]

RESPONSE_CODES = {True: True, False: False, 1: True, 0: False, "correct": True, "incorrect": False,
                  "yes": True, "no": False, "c": True, "i": False, "1": True, "0": False,
                  "true": True, "false": False, "hit": True, "miss": False}


def parse_responses(response, n: int) -> np.ndarray:
    """Turn response codes into a boolean array of shape (n,) (True = correct / "yes").

    Accepts bools, 0/1 and the strings in :data:`RESPONSE_CODES` (case-insensitive).

    Raises
    ------
    ValueError
        Naming the first unknown code and its position.
    """
    arr = np.asarray(response)
    if arr.dtype == bool:
        out = arr
    elif arr.dtype.kind in "iuf":
        bad = ~np.isin(arr, (0, 1))
        if np.any(bad):
            i = int(np.flatnonzero(np.ravel(bad))[0])
            raise ValueError(f"response {np.ravel(arr)[i].item()!r} at position {i} is not a known response code; "
                             "expected True/False, 1/0 or 'correct'/'incorrect'")
        out = arr.astype(bool)
    else:
        flat = np.ravel(arr)
        vals = []
        for i, v in enumerate(flat):
            v = v.item() if hasattr(v, "item") else v
            key = v.strip().lower() if isinstance(v, str) else v
            if isinstance(key, str) and key in RESPONSE_CODES:
                vals.append(RESPONSE_CODES[key])
            elif isinstance(key, (bool, np.bool_)):
                vals.append(bool(key))
            else:
                raise ValueError(f"response {v!r} at position {i} is not a known response code; expected "
                                 "True/False, 1/0 or one of 'correct', 'incorrect', 'yes', 'no', 'c', 'i'")
        out = np.array(vals, dtype=bool).reshape(arr.shape)
    out = np.broadcast_to(out, (n,)) if out.ndim == 0 else out
    if out.shape != (n,):
        raise ValueError(f"got {out.size} responses; expected {n} (one per session)")
    return out


_ONE_TRUE = np.ones(1, dtype=bool)
_ONE_TRUE.setflags(write=False)


class AdaptiveProcedure:
    """Base class: scalar/vectorised bookkeeping, history and stopping rules.

    Subclasses implement ``_next() -> ndarray (S,)``, ``_update(x, r, mask)`` and ``_estimate() -> ndarray (S,)``.
    """

    name = "procedure"
    estimand: tuple = ("threshold", None)

    def __init__(self, n_sessions: int | None = None, stop: "StopRule | None" = None):
        self._scalar = n_sessions is None
        self.n_sessions = 1 if n_sessions is None else check_int("n_sessions", n_sessions, 1)
        self.stop = stop
        S = self.n_sessions
        self.n_trials = np.zeros(S, dtype=int)
        self.n_reversals = np.zeros(S, dtype=int)
        self._last_x = np.full(S, np.nan)
        self._last_dir = np.zeros(S, dtype=int)
        self.history: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []   # (x, r, mask) per update
        self.started_at = time.monotonic()

    # ---- public API -------------------------------------------------------------------------
    def _out(self, a):
        return float(a[0]) if self._scalar else a

    def next_stimulus(self):
        """Stimulus to present next: float (one session) or ndarray (n_sessions,)."""
        return self._out(np.asarray(self._next(), dtype=float))

    def update(self, stimulus, response, mask=None) -> "AdaptiveProcedure":
        """Record the response(s) to ``stimulus``; ``mask`` (bool, (n_sessions,)) limits the update."""
        S = self.n_sessions
        if S == 1 and mask is None and isinstance(response, (bool, np.bool_)) and \
                isinstance(stimulus, (float, int, np.floating, np.integer)) and not isinstance(stimulus, bool):
            # fast path for one session (a person playing, or a trial-by-trial race)
            if not np.isfinite(stimulus):
                raise ValueError(f"stimulus={stimulus!r} must be finite")
            x, r, m = np.array([float(stimulus)]), np.array([bool(response)]), _ONE_TRUE
        else:
            x = np.broadcast_to(np.asarray(stimulus, dtype=float), (S,)).copy()
            if np.any(~np.isfinite(x)):
                raise ValueError(f"stimulus={stimulus!r} must be finite")
            r = parse_responses(response, S)
            m = np.ones(S, dtype=bool) if mask is None else np.broadcast_to(np.asarray(mask, dtype=bool), (S,))
        self._check_stimulus(x, m)
        self._update(x, r, m)
        # generic direction reversals of the stimulus track (staircases override with their own rule)
        d = np.sign(x - self._last_x)
        d = np.where(np.isfinite(d), d, 0).astype(int)
        self._generic_rev = getattr(self, "_generic_rev", np.zeros(S, dtype=int))
        rev = m & (d != 0) & (self._last_dir != 0) & (d != self._last_dir)
        self._generic_rev = self._generic_rev + rev
        self._last_dir = np.where(m & (d != 0), d, self._last_dir)
        self._last_x = np.where(m, x, self._last_x)
        self.n_trials = self.n_trials + m
        self.history.append((x, r.copy(), m.copy()))
        return self

    def estimate(self):
        """Current estimate of the estimand (see module docstring): float or ndarray (n_sessions,)."""
        return self._out(np.asarray(self._estimate(), dtype=float))

    @property
    def finished(self):
        """Whether the stopping rule says stop (False without a rule); bool or ndarray (n_sessions,)."""
        if self.stop is None:
            done = np.zeros(self.n_sessions, dtype=bool)
        else:
            done = np.asarray(self.stop.done(self), dtype=bool)
        return bool(done[0]) if self._scalar else done

    def reversals(self) -> np.ndarray:
        """Number of reversals per session (direction changes of the stimulus track by default)."""
        return getattr(self, "_generic_rev", np.zeros(self.n_sessions, dtype=int))

    def track(self):
        """History as arrays ``x, r, mask`` of shape (n_sessions, n_updates)."""
        if not self.history:
            e = np.zeros((self.n_sessions, 0))
            return e, e.astype(bool), e.astype(bool)
        x, r, m = (np.stack(a, axis=1) for a in zip(*self.history))
        return x, r, m

    # ---- hooks ------------------------------------------------------------------------------
    def _check_stimulus(self, x, mask):
        pass

    def _next(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, x, r, mask):  # pragma: no cover - abstract
        raise NotImplementedError

    def _estimate(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, n_sessions={self.n_sessions})"


# ---------------------------------------------------------------------------------------------
# stopping rules
class StopRule:
    """A stopping rule; combine with ``|`` (either) and ``&`` (both). ``done(proc)`` -> bool (n_sessions,)."""

    def done(self, proc) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __or__(self, other):
        return _Combined(self, other, np.logical_or, "|")

    def __and__(self, other):
        return _Combined(self, other, np.logical_and, "&")


class _Combined(StopRule):
    def __init__(self, a, b, op, sym):
        self.a, self.b, self.op, self.sym = a, b, op, sym

    def done(self, proc):
        return self.op(self.a.done(proc), self.b.done(proc))

    def __repr__(self):
        return f"({self.a!r} {self.sym} {self.b!r})"


class MaxTrials(StopRule):
    """Stop after ``n`` trials."""

    def __init__(self, n: int):
        self.n = check_int("n", n, 1)

    def done(self, proc):
        return proc.n_trials >= self.n

    def __repr__(self):
        return f"MaxTrials({self.n})"


class MaxReversals(StopRule):
    """Stop after ``n`` reversals of the track."""

    def __init__(self, n: int):
        self.n = check_int("n", n, 1)

    def done(self, proc):
        return proc.reversals() >= self.n

    def __repr__(self):
        return f"MaxReversals({self.n})"


class PosteriorSDBelow(StopRule):
    """Stop when the posterior SD of ``param`` falls below ``sd`` (Bayesian procedures only)."""

    def __init__(self, sd: float, param: str = "threshold"):
        self.sd = check_range("sd", sd, 0, low_inclusive=False)
        self.param = param

    def done(self, proc):
        if not hasattr(proc, "posterior_sd"):
            raise TypeError(f"PosteriorSDBelow needs a Bayesian procedure; {type(proc).__name__} has no posterior")
        return proc.posterior_sd(self.param) < self.sd

    def __repr__(self):
        return f"PosteriorSDBelow({self.sd}, {self.param!r})"


class EntropyBelow(StopRule):
    """Stop when the posterior entropy (nats) falls below ``h``."""

    def __init__(self, h: float):
        self.h = float(h)

    def done(self, proc):
        if not hasattr(proc, "entropy"):
            raise TypeError(f"EntropyBelow needs a Bayesian procedure; {type(proc).__name__} has no posterior")
        return proc.entropy() < self.h

    def __repr__(self):
        return f"EntropyBelow({self.h})"


class TimeBudget(StopRule):
    """Stop when ``seconds`` of wall time have passed since the procedure was created."""

    def __init__(self, seconds: float, clock=time.monotonic):
        self.seconds = check_range("seconds", seconds, 0, low_inclusive=False)
        self.clock = clock

    def done(self, proc):
        return np.full(proc.n_sessions, self.clock() - proc.started_at >= self.seconds)

    def __repr__(self):
        return f"TimeBudget({self.seconds} s)"


# ---------------------------------------------------------------------------------------------
class Interleaved(AdaptiveProcedure):
    """Several procedures interleaved at random (e.g. one staircase from above, one from below).

    Each trial picks, per session, one of the procedures that has not finished, uniformly at random;
    ``update`` routes the response to it. ``estimate()`` averages the estimates of all procedures
    (``estimates()`` gives each), the usual way to combine interleaved tracks.
    """

    name = "interleaved"

    def __init__(self, procedures, random_state=None, stop: StopRule | None = None):
        procedures = list(procedures)
        if not procedures:
            raise ValueError("procedures is empty; pass at least one adaptive procedure")
        sizes = {p.n_sessions for p in procedures}
        if len(sizes) != 1:
            raise ValueError(f"all interleaved procedures need the same n_sessions; got {sorted(sizes)}")
        scalar = all(p._scalar for p in procedures)
        super().__init__(None if scalar else sizes.pop(), stop=stop)
        self.procedures = procedures
        self.estimand = procedures[0].estimand
        self._rng = as_generator(random_state)
        self._current = None

    def _next(self):
        S, K = self.n_sessions, len(self.procedures)
        active = np.stack([~np.asarray(p.finished if not p._scalar else [p.finished]) for p in self.procedures])
        active[:, ~active.any(axis=0)] = True          # all finished: keep going with any
        u = self._rng.random((K, S)) * active
        self._current = np.argmax(u, axis=0)
        xs = np.stack([np.atleast_1d(p.next_stimulus()) for p in self.procedures])
        return xs[self._current, np.arange(S)]

    def _update(self, x, r, mask):
        if self._current is None:
            self._next()
        for k, p in enumerate(self.procedures):
            m = mask & (self._current == k)
            if np.any(m):
                if p._scalar:
                    p.update(float(x[0]), bool(r[0]))
                else:
                    p.update(x, r, mask=m)
        self._current = None

    def estimates(self) -> np.ndarray:
        """Estimates of each procedure, shape (n_procedures, n_sessions)."""
        return np.stack([np.atleast_1d(p.estimate()) for p in self.procedures])

    def _estimate(self):
        return self.estimates().mean(axis=0)
