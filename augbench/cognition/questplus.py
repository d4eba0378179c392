"""QUEST+ (Watson 2017): Bayesian adaptive estimation of several psychometric parameters at once.

The posterior lives on a grid of (threshold, slope, guess, lapse); the next stimulus maximises the
expected information gain, which is the same as minimising the expected posterior entropy of
Watson (2017, J Vis 17(3):10, eqs. 9-13):

.. math::

    \\arg\\min_x E[H(x)] = \\arg\\max_x \\; h\\big(\\bar p(x)\\big) - \\sum_\\theta \\pi(\\theta)\\, h\\big(p(x|\\theta)\\big)

with :math:`h(p) = -p\\ln p - (1-p)\\ln(1-p)` and :math:`\\bar p(x) = \\sum_\\theta \\pi(\\theta) p(x|\\theta)`.
Both terms are matrix products of the posterior (n_sessions, n_params) with precomputed tables, so ten
thousand sessions step together, which is where the speed comes from (questplus recomputes the full
n_stimuli x n_params x n_outcomes posterior every trial). The second term needs :math:`h(p)` on the whole
grid (one more column gives the posterior mean threshold); the first needs far less, because guess and
lapse enter :math:`p = \\gamma + (1-\\gamma-\\lambda) F(x; \\alpha, \\beta)` linearly: the posterior is summed
over them with weights :math:`1-\\gamma-\\lambda` and multiplied by :math:`F` on the (threshold, slope) grid.

Two more placement objectives serve a threshold that matters more than the other parameters:

``objective="marginal"``
    the psi-marginal method (Prins 2013, J Vis 13(7):3): minimise the expected entropy of the marginal
    posterior of the parameters of ``interest`` only; the others (slope, lapse) are nuisance parameters,
    integrated out, so trials are not spent on them for their own sake.
``objective="variance"``
    the minimum-variance method (King-Smith et al. 1994, Vision Res 34:885): minimise the expected posterior
    variance of one parameter, which is what the mean squared error of the posterior-mean estimate measures.
    With :math:`m_r(x) = \\sum_\\theta \\pi(\\theta) L_r(x|\\theta)\\,\\alpha_\\theta` and
    :math:`Z_r(x) = \\sum_\\theta \\pi(\\theta) L_r(x|\\theta)`, the expected variance is
    :math:`E[\\alpha^2] - \\sum_r m_r^2 / Z_r`, again one matrix product.

Speed for one session (a person playing, or the race with questplus): a trial reads the entropy table
(n_stimuli x n_params) once from memory, so its cost is memory bandwidth. Tables over 2**17 entries are
read by all BLAS threads (on two cores this cut the median trial from 0.57 to 0.43 ms on the 100 x 5,000
race grid); smaller ones by one thread, where thread start-up would cost more than it saves.
"""
from __future__ import annotations

from contextlib import nullcontext as _nullcontext

import numpy as np

from augbench._validate import check_option
from augbench.cognition._blas import controller as _warm_controller
from augbench.cognition._blas import single_thread as _blas_single_thread
from augbench.cognition.procedure import AdaptiveProcedure
from augbench.cognition.psychometric import KINDS, check_asymptotes, psychometric, sigmoid

__all__ = ["QuestPlus", "PARAMS", "OBJECTIVES"]

PARAMS = ("threshold", "slope", "guess", "lapse")
OBJECTIVES = ("entropy", "marginal", "variance")


def _grid(name, v):
    a = np.atleast_1d(np.asarray(v, dtype=float)).ravel()
    if a.size == 0:
        raise ValueError(f"{name} grid is empty; give at least one value")
    if np.any(~np.isfinite(a)):
        raise ValueError(f"{name} grid contains non-finite values: {a[~np.isfinite(a)][:3]!r}")
    if np.unique(a).size != a.size:
        raise ValueError(f"{name} grid has repeated values")
    return a


def _binary_entropy(p):
    """-p ln p - (1-p) ln(1-p) for p in [0, 1] (0 ln 0 = 0)."""
    tiny = 1e-300 if p.dtype == np.float64 else 1e-37
    q = 1.0 - p
    return -(p * np.log(np.maximum(p, tiny)) + q * np.log(np.maximum(q, tiny)))


class QuestPlus(AdaptiveProcedure):
    """QUEST+ with up to four free parameters of a psychometric function (binary responses).

    Parameters
    ----------
    stimuli : array_like
        Stimulus grid (the domain; a stimulus outside it is refused), in the stimulus unit.
    thresholds, slopes, guesses, lapses : array_like or float
        Parameter grids; a scalar fixes that parameter.
    kind : {"weibull", "gumbel", "logistic", "normal"}
        Psychometric function (``"gumbel"`` = questplus's Weibull with ``scale="log10"``).
    prior : array_like, optional
        Prior over the grid, shape (n_thresholds, n_slopes, n_guesses, n_lapses); uniform by default.
    estimate_method : {"mean", "mode"}
        Posterior summary returned by :meth:`estimates` (marginal means, as questplus's default).
    n_sessions : int, optional
        Number of parallel sessions (None = one session, floats in and out).
    dtype : numpy dtype
        float64 (default; reproduces questplus's choices) or float32 (about twice as fast).
    stop : StopRule, optional
    """

    name = "QUEST+"
    estimand = ("threshold", None)

    def __init__(self, stimuli, thresholds, slopes=3.5, guesses=0.5, lapses=0.01, *, kind: str = "gumbel",
                 prior=None, estimate_method: str = "mean", objective: str = "entropy", interest=("threshold",),
                 n_sessions: int | None = None, dtype=np.float64, stop=None):
        super().__init__(n_sessions, stop)
        self.kind = check_option("kind", kind, KINDS)
        self.estimate_method = check_option("estimate_method", estimate_method, ("mean", "mode"))
        self.objective = check_option("objective", objective, OBJECTIVES)
        interest = (interest,) if isinstance(interest, str) else tuple(interest)
        if not interest:
            raise ValueError("interest is empty; name at least one of " + ", ".join(PARAMS))
        for n in interest:
            check_option("interest parameter", n, PARAMS)
        if len(set(interest)) != len(interest):
            raise ValueError(f"interest={interest!r} names a parameter twice")
        if self.objective == "variance" and len(interest) != 1:
            raise ValueError(f"objective='variance' minimises the variance of one parameter; got interest={interest!r}")
        self.interest = interest
        self.stimuli = _grid("stimuli", stimuli)
        self.grids = {n: _grid(arg, v) for n, arg, v in zip(PARAMS, ("thresholds", "slopes", "guesses", "lapses"),
                                                            (thresholds, slopes, guesses, lapses))}
        check_asymptotes(self.grids["guess"][:, None], self.grids["lapse"][None, :], where="QuestPlus grid")
        if np.any(self.grids["slope"] <= 0):
            raise ValueError(f"slopes grid must be > 0; got {self.grids['slope'][self.grids['slope'] <= 0][:3]!r}")
        self.shape = tuple(g.size for g in self.grids.values())
        self._index_of = {float(v): i for i, v in enumerate(self.stimuli)}
        self.dtype = np.dtype(dtype)
        T, B, G, L = np.meshgrid(*self.grids.values(), indexing="ij")
        self._flat = {n: a.ravel() for n, a in zip(PARAMS, (T, B, G, L))}
        # likelihood of "correct", (n_stimuli, n_params)
        lik = psychometric(self.stimuli[:, None], T.ravel()[None], B.ravel()[None], G.ravel()[None],
                           L.ravel()[None], kind)
        # rows 0..X-1: P(correct | x, theta); rows X..2X-1: P(wrong | x, theta)
        self._both = np.ascontiguousarray(np.concatenate([lik, 1 - lik], axis=0).astype(self.dtype))
        self.likelihood = self._both[:self.stimuli.size]          # a view: P(correct | x, theta), (X, P)
        # P(correct | x, theta) = guess + (1 - guess - lapse) F(x; threshold, slope): the guess and lapse axes
        # enter linearly, so sum_theta v(theta) P(correct | x, theta) needs F only on the (threshold, slope)
        # grid, a table 1/(n_guesses n_lapses) the size of the likelihood (see _lik_dot)
        Tb, Bb = np.meshgrid(self.grids["threshold"], self.grids["slope"], indexing="ij")
        F = sigmoid(self.stimuli[:, None], Tb.ravel()[None], Bb.ravel()[None], kind)             # (X, T B)
        GL = self.shape[2] * self.shape[3]
        self._cg = np.ascontiguousarray(np.column_stack([(1 - G - L).reshape(-1, GL)[0],
                                                         G.reshape(-1, GL)[0]]).astype(self.dtype))   # (G L, 2)
        # the expected entropy term needs h(P(correct | x, theta)) on the whole grid, with one more row holding
        # each grid point's threshold, so the same product gives the posterior mean
        h = np.concatenate([_binary_entropy(lik), T.ravel()[None]], axis=0).astype(self.dtype)  # (X + 1, P)
        # few sessions: a matrix-vector product over contiguous rows is ~3x faster than over columns;
        # many sessions: the (P, X + 1) layout suits the matrix-matrix product
        self._few = self.n_sessions < 256
        self._small = h.size < 2 ** 17
        if self._few:
            self._hT = np.ascontiguousarray(h)
            self._F = np.ascontiguousarray(F.astype(self.dtype)).T                       # (T B, X) view
        else:
            self._h, self._F = np.ascontiguousarray(h.T), np.ascontiguousarray(F.T.astype(self.dtype))
        if self.objective == "variance":
            self._target = self._flat[interest[0]].astype(self.dtype)
        if self.objective == "marginal":
            # likelihood with the interest axes first: (n_interest, n_nuisance, X)
            axes = [PARAMS.index(n) for n in interest]
            self._perm = tuple(axes + [i for i in range(4) if i not in axes])
            self._n_int = int(np.prod([self.shape[i] for i in axes]))
            L5 = lik.reshape((self.stimuli.size,) + self.shape).transpose((0,) + tuple(1 + i for i in self._perm))
            self._lik_int = np.ascontiguousarray(
                L5.reshape(self.stimuli.size, self._n_int, -1).transpose(1, 2, 0).astype(self.dtype))
        P = self.likelihood.shape[1]
        if prior is None:
            pri = np.full(P, 1.0 / P)
        else:
            pri = np.asarray(prior, dtype=float)
            if pri.shape != self.shape:
                raise ValueError(f"prior has shape {pri.shape}; expected {self.shape} "
                                 "(n_thresholds, n_slopes, n_guesses, n_lapses)")
            if np.any(pri < 0) or not np.isfinite(pri).all() or pri.sum() <= 0:
                raise ValueError("prior must be finite, >= 0 and not all zero")
            pri = pri.ravel() / pri.sum()
        self.prior = pri
        self.posterior = np.tile(pri.astype(self.dtype), (self.n_sessions, 1))
        self._cached = None
        if self._few:
            _warm_controller()

    @property
    def free_params(self) -> tuple:
        """Parameters with more than one grid value (estimated rather than assumed)."""
        return tuple(n for n in PARAMS if self.grids[n].size > 1)

    # ---- selection ------------------------------------------------------------------------------
    def _blas(self):
        """Threading for this object's products: one BLAS thread for the small tables of a few sessions."""
        return _blas_single_thread() if (self._few and self._small) else _nullcontext()

    def _lik_dot(self, V):
        """sum_theta V[:, theta] P(correct | x, theta), shape (len(V), n_stimuli)."""
        k, GL = V.shape[0], self._cg.shape[0]
        red = V.reshape(k * (V.shape[1] // GL), GL) @ self._cg                # (k T B, 2): weights 1-g-l and g
        red = red.reshape(k, -1, 2)
        return red[:, :, 0] @ self._F + red[:, :, 1].sum(axis=1)[:, None]

    def _product(self):
        """posterior x tables: P(correct | x), E[h(P(correct | x, theta))] and the posterior mean threshold."""
        if getattr(self, "_prod", None) is None:
            post = self.posterior
            with self._blas():
                eh = (self._hT @ post.T).T if self._few else post @ self._h   # (S, X + 1)
                pbar = self._lik_dot(post)
            self._prod = (pbar, eh[:, :-1], eh[:, -1])
        return self._prod

    def information(self) -> np.ndarray:
        """Expected information gain (nats) about all parameters jointly, shape (n_sessions, n_stimuli)."""
        pbar, eh, _ = self._product()
        return _binary_entropy(np.minimum(np.maximum(pbar, 0.0), 1.0)) - eh

    def expected_entropy(self) -> np.ndarray:
        """Expected posterior entropy after a trial at each stimulus (Watson 2017 eq. 13), (n_sessions, n_stimuli)."""
        return self.entropy()[:, None] - self.information()

    def gain(self) -> np.ndarray:
        """Expected gain of each stimulus under ``objective``, shape (n_sessions, n_stimuli); the next stimulus
        maximises it. "entropy": nats about all parameters; "marginal": nats about the ``interest``
        parameters (psi-marginal); "variance": reduction of the posterior variance of ``interest[0]``."""
        if self.objective == "entropy":
            return self.information()
        if self.objective == "variance":
            return self._variance_gain()
        return self._marginal_gain()

    def _variance_gain(self):
        post = self.posterior
        a = self._target
        with self._blas():
            prod = self._lik_dot(np.concatenate([post, post * a], axis=0))   # (2S, X)
        S = self.n_sessions
        z1, m1 = prod[:S], prod[S:]
        mu = (post @ a)[:, None]
        z0, m0 = 1.0 - z1, mu - m1
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(z1 > 1e-300, m1 ** 2 / z1, 0.0) + np.where(z0 > 1e-300, m0 ** 2 / z0, 0.0)
        return g - mu ** 2

    def _marginal_gain(self):
        S = self.n_sessions
        post = self.posterior.reshape((S,) + self.shape).transpose((0,) + tuple(1 + i for i in self._perm))
        post = post.reshape(S, self._n_int, -1)
        marg = post.sum(axis=2)                                                 # (S, I)
        with self._blas():
            m1 = np.matmul(np.ascontiguousarray(post.transpose(1, 0, 2)), self._lik_int)   # (I, S, X)
        m0 = marg.T[:, :, None] - m1
        z1 = m1.sum(axis=0)
        z0 = 1.0 - z1

        def xlogx(v):
            v = np.maximum(v, 1e-300)                 # rounding can leave m0 a hair below 0; 0 log 0 = 0
            return v * np.log(v)

        expected_h = -(xlogx(m1).sum(axis=0) + xlogx(m0).sum(axis=0)) + xlogx(z1) + xlogx(z0)
        h_now = -xlogx(marg).sum(axis=1, keepdims=True)
        return h_now - expected_h

    def _next_index(self):
        if self._cached is None:
            info = self.gain()
            # first stimulus within rounding of the best: questplus takes the first minimum
            tol = 1e-9 if self.dtype == np.float64 else 1e-5
            best = info.max(axis=1, keepdims=True)
            self._cached = np.argmax(info >= best - tol * np.maximum(1.0, np.abs(best)), axis=1)
        return self._cached

    def _next(self):
        return self.stimuli[self._next_index()]

    def _stim_index(self, x):
        if x.size == 1:                       # exact grid value: dictionary lookup
            i = self._index_of.get(float(x[0]))
            if i is not None:
                return np.array([i])
        idx = np.searchsorted(self.stimuli_sorted_, x)
        idx = np.clip(idx, 1, self.stimuli.size - 1) if self.stimuli.size > 1 else np.zeros_like(idx)
        s = self.stimuli_sorted_
        if s.size > 1:
            left, right = s[idx - 1], s[idx]
            idx = np.where(np.abs(x - left) <= np.abs(x - right), idx - 1, idx)
        tol = 1e-9 * max(1.0, float(np.ptp(s)) if s.size > 1 else 1.0)
        bad = np.abs(s[idx] - x) > tol
        if np.any(bad):
            v = float(x[np.flatnonzero(bad)[0]])
            raise ValueError(f"stimulus {v!r} is not in the stimulus domain of {self.name} ({self.stimuli.size} "
                             f"values from {s[0]:g} to {s[-1]:g}); present one of the grid values")
        return self.stimuli_order_[idx]

    @property
    def stimuli_sorted_(self):
        if not hasattr(self, "_sorted"):
            self._order = np.argsort(self.stimuli, kind="stable")
            self._sorted = self.stimuli[self._order]
        return self._sorted

    @property
    def stimuli_order_(self):
        self.stimuli_sorted_
        return self._order

    def _check_stimulus(self, x, mask):
        self._pending_idx = self._stim_index(np.where(mask, x, self.stimuli[0]))

    def _update(self, x, r, mask):
        rows = self._pending_idx + np.where(r, 0, self.stimuli.size)
        if self.n_sessions == 1 and mask[0]:          # one session: a view of the row, no copy
            post = self.posterior[0]
            post *= self._both[int(rows[0])]
            post /= post.sum()
        elif mask.all():
            post = self.posterior
            post *= self._both[rows]
            post /= post.sum(axis=1, keepdims=True)
        else:
            idx = np.flatnonzero(mask)
            post = self.posterior[idx] * self._both[rows[idx]]
            post /= post.sum(axis=1, keepdims=True)
            self.posterior[idx] = post
        self._cached = None
        self._prod = None

    # ---- summaries ------------------------------------------------------------------------------
    def marginal(self, param: str = "threshold") -> np.ndarray:
        """Marginal posterior of ``param``, shape (n_sessions, grid size)."""
        check_option("param", param, PARAMS)
        axis = PARAMS.index(param)
        post = self.posterior.reshape((self.n_sessions,) + self.shape)
        other = tuple(1 + i for i in range(4) if i != axis)
        return post.sum(axis=other)

    def posterior_mean(self, param: str = "threshold") -> np.ndarray:
        """Marginal posterior mean of ``param`` per session."""
        check_option("param", param, PARAMS)
        return self.posterior @ self._flat[param].astype(self.dtype)

    def posterior_sd(self, param: str = "threshold") -> np.ndarray:
        """Marginal posterior SD of ``param`` per session."""
        m = self.marginal(param)
        g = self.grids[param]
        mu = m @ g
        return np.sqrt(np.maximum(m @ g ** 2 - mu ** 2, 0.0))

    def entropy(self) -> np.ndarray:
        """Posterior entropy in nats, per session."""
        p = self.posterior
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0).sum(axis=1)

    def estimates(self) -> dict:
        """Estimates of every parameter: marginal posterior means (or the joint mode)."""
        if self.estimate_method == "mode":
            k = np.argmax(self.posterior, axis=1)
            out = {n: self._flat[n][k] for n in PARAMS}
        else:
            out = {n: self.posterior_mean(n) for n in PARAMS}
        return {n: (float(v[0]) if self._scalar else v) for n, v in out.items()}

    def _estimate(self):
        if self.estimate_method == "mode":
            return self._flat["threshold"][np.argmax(self.posterior, axis=1)]
        if self.objective == "entropy":
            return self._product()[2].astype(float)
        return (self.posterior @ self._flat["threshold"]).astype(float)
