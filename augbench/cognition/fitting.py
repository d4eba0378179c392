"""Maximum-likelihood fitting of psychometric functions, with parametric-bootstrap confidence intervals.

Binomial likelihood of ``n_correct`` out of ``n_trials`` at each stimulus (Wichmann & Hill 2001a,
Percept Psychophys 63:1293, eq. 2); the lapse rate is free within a small range (their remedy for
biased slopes, 0 to 0.06 by default) and the guess rate is fixed (mAFC) or free (yes/no).
Confidence intervals come from the parametric bootstrap of Wichmann & Hill (2001b, Percept
Psychophys 63:1314): simulate from the fit, refit, take percentiles.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize

from augbench._rng import as_generator
from augbench._validate import check_int, check_option, check_range
from augbench.cognition.psychometric import KINDS, check_asymptotes, intensity_at, psychometric

__all__ = ["aggregate", "fit_psychometric", "PsychometricFit", "PsychometricFunction"]


def aggregate(stimulus, correct):
    """Collapse trial-wise data into unique stimuli with counts.

    Returns
    -------
    x, k, n : ndarray
        Unique stimuli, correct counts, trial counts.
    """
    x = np.asarray(stimulus, dtype=float).ravel()
    from augbench.cognition.procedure import parse_responses
    r = parse_responses(correct, x.size)
    ux, inv = np.unique(x, return_inverse=True)
    return ux, np.bincount(inv, weights=r).astype(int), np.bincount(inv).astype(int)


def _check_data(x, k, n):
    x, k, n = (np.asarray(v, dtype=float).ravel() for v in (x, k, n))
    if not (x.size == k.size == n.size):
        raise ValueError(f"x, n_correct and n_trials have sizes {x.size}, {k.size}, {n.size}; they must match")
    if x.size == 0:
        raise ValueError("no data: x is empty")
    if np.any(~np.isfinite(x)):
        raise ValueError("x contains non-finite stimulus values")
    if np.any(n < 1) or np.any(k < 0) or np.any(k > n):
        i = int(np.flatnonzero((n < 1) | (k < 0) | (k > n))[0])
        raise ValueError(f"at stimulus {x[i]:g} (position {i}): n_correct={k[i]:g}, n_trials={n[i]:g}; "
                         "need 0 <= n_correct <= n_trials and n_trials >= 1")
    return x, k, n


class PsychometricFit(dict):
    """Result of :func:`fit_psychometric`: a dict of parameters plus ``kind``, ``loglik``, ``ci``."""

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None

    def predict(self, x):
        """P(correct) of the fitted function at ``x``."""
        return psychometric(x, self["threshold"], self["slope"], self["guess"], self["lapse"], self["kind"])


def _negll(theta, x, k, n, kind, guess, free_guess):
    a, logb, lam = theta[0], theta[1], theta[2]
    g = theta[3] if free_guess else guess
    p = psychometric(x, a, np.exp(logb), g, lam, kind)
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.sum(k * np.log(p) + (n - k) * np.log1p(-p))


def fit_psychometric(x, n_correct, n_trials, *, kind: str = "gumbel", guess: float | None = 0.5,
                     lapse_bounds=(0.0, 0.06), slope_bounds=None, n_starts: int = 5,
                     n_boot: int = 0, ci: float = 0.95, random_state=None) -> PsychometricFit:
    """Fit ``threshold, slope, lapse`` (and ``guess`` if ``guess=None``) by maximum likelihood.

    Parameters
    ----------
    x : array_like, shape (n_levels,)
        Stimulus values, in the stimulus unit (> 0 for ``"weibull"``).
    n_correct, n_trials : array_like, shape (n_levels,)
        Counts per stimulus.
    kind : {"weibull", "gumbel", "logistic", "normal"}
    guess : float or None
        Fixed guess rate (0.5 for 2AFC) or ``None`` to fit it (yes/no; bounded to [0, 0.5]).
    lapse_bounds : (float, float)
        Bounds of the lapse rate; ``(0, 0)`` fixes it at zero.
    n_starts : int
        Starting points (threshold spread over the stimulus range), the best fit is kept.
    n_boot : int
        Parametric bootstrap replicates for confidence intervals (0 = none).
    ci : float
        Coverage of the percentile intervals.

    Returns
    -------
    PsychometricFit
        ``threshold, slope, guess, lapse, kind, loglik, n_levels`` and, with ``n_boot``, ``ci`` (dict of
        (low, high) per parameter) and ``boot`` (ndarray, shape (n_boot, 4)).
    """
    from augbench.cognition._blas import single_thread
    # scipy's L-BFGS-B is ~10x slower with contended OpenBLAS threads: fit with one
    with single_thread():
        return _fit(x, n_correct, n_trials, kind, guess, lapse_bounds, slope_bounds, n_starts, n_boot, ci,
                    random_state)


def _fit(x, n_correct, n_trials, kind, guess, lapse_bounds, slope_bounds, n_starts, n_boot, ci, random_state):
    check_option("kind", kind, KINDS)
    x, k, n = _check_data(x, n_correct, n_trials)
    if kind == "weibull" and np.any(x <= 0):
        raise ValueError(f"Weibull needs stimuli > 0; got x={x[x <= 0][:3]!r}")
    lo_l, hi_l = (float(v) for v in lapse_bounds)
    if not 0 <= lo_l <= hi_l < 1:
        raise ValueError(f"lapse_bounds={lapse_bounds!r} must satisfy 0 <= low <= high < 1")
    free_guess = guess is None
    if not free_guess:
        check_asymptotes(guess, hi_l, where="fit_psychometric guess and upper lapse bound")
    n_starts = check_int("n_starts", n_starts, 1)
    n_boot = check_int("n_boot", n_boot, 0)
    check_range("ci", ci, 0, 1, low_inclusive=False, high_inclusive=False)
    span = float(np.ptp(x)) or 1.0
    if slope_bounds is None:
        slope_bounds = (0.05 / span, 200.0 / span) if kind != "weibull" else (0.2, 50.0)
    bounds = [(x.min() - span, x.max() + span) if kind != "weibull" else (x.min() / 10, x.max() * 10),
              (np.log(slope_bounds[0]), np.log(slope_bounds[1])), (lo_l, hi_l)]
    if free_guess:
        bounds.append((0.0, 0.5))

    def fit_once(kk, start=None):
        best = None
        starts = [start] if start is not None else []
        grid = [] if start is not None else np.linspace(np.quantile(x, 0.2), np.quantile(x, 0.8), n_starts)
        for a0 in grid:
            b0 = 3.5 if kind == "weibull" else 4.0 / span
            s = [a0, np.log(b0), min(max(0.01, lo_l), hi_l)] + ([0.2] if free_guess else [])
            starts.append(s)
        for s0 in starts:
            res = optimize.minimize(_negll, s0, args=(x, kk, n, kind, guess, free_guess), method="L-BFGS-B",
                                    bounds=bounds)
            if best is None or res.fun < best.fun:
                best = res
        return best

    res = fit_once(k)
    th = res.x
    g = float(th[3]) if free_guess else float(guess)
    out = PsychometricFit(threshold=float(th[0]), slope=float(np.exp(th[1])), guess=g, lapse=float(th[2]),
                          kind=kind, loglik=-float(res.fun), n_levels=int(x.size), converged=bool(res.success))
    if n_boot:
        rng = as_generator(random_state)
        p_hat = out.predict(x)
        boots = np.empty((n_boot, 4))
        for b in range(n_boot):
            kb = rng.binomial(n.astype(int), p_hat)
            rb = fit_once(kb, start=list(th)).x
            boots[b] = [rb[0], np.exp(rb[1]), rb[3] if free_guess else g, rb[2]]
        q = [(1 - ci) / 2 * 100, (1 + ci) / 2 * 100]
        out["boot"] = boots
        out["ci"] = {name: tuple(np.percentile(boots[:, i], q)) for i, name in
                     enumerate(("threshold", "slope", "guess", "lapse"))}
    return out


class PsychometricFunction:
    """scikit-learn-style estimator around :func:`fit_psychometric` for trial-wise data.

    ``fit(X, y)`` with ``X`` of shape (n_trials, 1) (stimulus) and ``y`` of 0/1 responses; fitted
    attributes ``threshold_, slope_, guess_, lapse_, ci_`` (with ``n_boot``); ``predict_proba`` returns
    (n, 2) probabilities of (wrong, correct); ``threshold_at(p)`` inverts the fit.
    """

    def __init__(self, kind: str = "gumbel", guess: float | None = 0.5, lapse_bounds=(0.0, 0.06),
                 n_boot: int = 0, random_state=None):
        self.kind = kind
        self.guess = guess
        self.lapse_bounds = lapse_bounds
        self.n_boot = n_boot
        self.random_state = random_state

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("kind", "guess", "lapse_bounds", "n_boot", "random_state")}

    def set_params(self, **p):
        for k, v in p.items():
            setattr(self, k, v)
        return self

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        if X.ndim == 2:
            if X.shape[1] != 1:
                raise ValueError(f"X has {X.shape[1]} columns; expected one column of stimulus values")
            X = X[:, 0]
        xs, k, n = aggregate(X, y)
        self.fit_ = fit_psychometric(xs, k, n, kind=self.kind, guess=self.guess, lapse_bounds=self.lapse_bounds,
                                     n_boot=self.n_boot, random_state=self.random_state)
        for name in ("threshold", "slope", "guess", "lapse"):
            setattr(self, name + "_", self.fit_[name])
        if "ci" in self.fit_:
            self.ci_ = self.fit_["ci"]
        return self

    def _check(self):
        if not hasattr(self, "fit_"):
            from sklearn.exceptions import NotFittedError
            raise NotFittedError("PsychometricFunction is not fitted yet; call fit(X, y) first")

    def predict_proba(self, X):
        self._check()
        x = np.asarray(X, dtype=float).reshape(-1)
        p = self.fit_.predict(x)
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def threshold_at(self, p):
        """Stimulus where the fitted function reaches ``p``."""
        self._check()
        return intensity_at(p, self.threshold_, self.slope_, self.guess_, self.lapse_, self.kind)
