"""Psychometric functions, their inverses, targets of adaptive rules, d′ and Fisher information.

Pure NumPy/SciPy maths; every function broadcasts over its arguments.

All functions share one form (Wichmann & Hill 2001, Percept Psychophys 63:1293, eq. 1):

.. math::

    \\psi(x; \\alpha, \\beta, \\gamma, \\lambda) = \\gamma + (1 - \\gamma - \\lambda)\\, F(x; \\alpha, \\beta)

with ``guess`` :math:`\\gamma` (0.5 in 2AFC), ``lapse`` :math:`\\lambda` and the sigmoid ``F`` one of

``"weibull"``  (linear intensity, x > 0)
    :math:`F = 1 - \\exp(-(x/\\alpha)^\\beta)`
``"gumbel"``   (log10 intensity; the "log-Weibull" of QUEST and questplus ``scale="log10"``)
    :math:`F = 1 - \\exp(-10^{\\beta (x - \\alpha)})`
``"logistic"``
    :math:`F = 1 / (1 + \\exp(-\\beta (x - \\alpha)))`
``"normal"``   (cumulative normal)
    :math:`F = \\Phi(\\beta (x - \\alpha))`, i.e. :math:`\\sigma = 1/\\beta`

so ``threshold`` :math:`\\alpha` is a location (a scale for ``"weibull"``) and ``slope`` :math:`\\beta`
a rate in 1/(stimulus unit) (a shape for ``"weibull"``).
"""
from __future__ import annotations

import numpy as np
from scipy import special

from augbench._validate import check_int, check_option, check_range

__all__ = ["KINDS", "sigmoid", "psychometric", "intensity_at", "check_asymptotes", "updown_target",
           "weighted_updown_target", "dprime_yesno", "dprime_2afc", "pc_2afc", "fisher_information",
           "stimulus_grid", "most_informative_stimulus", "cramer_rao_bound", "cramer_rao_bound_joint"]

KINDS = ("weibull", "gumbel", "logistic", "normal")


def check_asymptotes(guess, lapse, *, where: str = "") -> None:
    """Raise ``ValueError`` unless 0 <= guess < 1, 0 <= lapse < 1 and guess + lapse < 1 (element-wise)."""
    g = np.asarray(guess, dtype=float)
    la = np.asarray(lapse, dtype=float)
    loc = f" ({where})" if where else ""
    if np.any(~np.isfinite(g)) or np.any((g < 0) | (g >= 1)):
        raise ValueError(f"guess={guess!r}{loc} is out of range; expected 0 <= guess < 1")
    if np.any(~np.isfinite(la)) or np.any((la < 0) | (la >= 1)):
        raise ValueError(f"lapse={lapse!r}{loc} is out of range; expected 0 <= lapse < 1")
    if np.any(g + la >= 1):
        raise ValueError(f"guess + lapse = {np.max(g + la):.3g}{loc} is impossible; the asymptotes need "
                         f"guess + lapse < 1 (guess={guess!r}, lapse={lapse!r})")


def sigmoid(x, threshold, slope, kind: str = "gumbel"):
    """The core sigmoid ``F(x; alpha, beta)`` in [0, 1] (see the module docstring for each ``kind``).

    Parameters
    ----------
    x : array_like
        Stimulus intensity, in the stimulus unit (log10 units for ``"gumbel"``; > 0 for ``"weibull"``).
    threshold, slope : array_like
        Location/scale ``alpha`` and slope ``beta``; ``slope`` > 0.
    kind : {"weibull", "gumbel", "logistic", "normal"}

    Returns
    -------
    ndarray
        Broadcast shape of the inputs.
    """
    check_option("kind", kind, KINDS)
    x = np.asarray(x, dtype=float)
    a = np.asarray(threshold, dtype=float)
    b = np.asarray(slope, dtype=float)
    if kind == "weibull":
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(x > 0, np.maximum(x, 0) / a, 0.0) ** b
        return -np.expm1(-z)
    if kind == "gumbel":
        return -np.expm1(-np.power(10.0, np.clip(b * (x - a), -300, 300)))
    if kind == "logistic":
        return special.expit(b * (x - a))
    return special.ndtr(b * (x - a))


def psychometric(x, threshold, slope, guess=0.5, lapse=0.0, kind: str = "gumbel"):
    """Probability of a correct (or "yes") response, ``guess + (1 - guess - lapse) * F(x)``.

    Parameters
    ----------
    x : array_like
        Stimulus intensity (unit as for :func:`sigmoid`).
    threshold, slope : array_like
        Parameters of ``F``.
    guess : array_like, default 0.5
        Lower asymptote (0.5 for 2AFC, 1/m for mAFC, false-alarm rate in yes/no).
    lapse : array_like, default 0
        1 minus the upper asymptote.
    kind : {"weibull", "gumbel", "logistic", "normal"}

    Returns
    -------
    ndarray
        P(correct), broadcast shape of the inputs.
    """
    return np.asarray(guess) + (1 - np.asarray(guess) - np.asarray(lapse)) * sigmoid(x, threshold, slope, kind)


def intensity_at(p, threshold, slope, guess=0.5, lapse=0.0, kind: str = "gumbel"):
    """Inverse of :func:`psychometric`: the intensity where P(correct) equals ``p``.

    Parameters
    ----------
    p : array_like
        Target probability, strictly between ``guess`` and ``1 - lapse``.

    Returns
    -------
    ndarray
        Intensity in the stimulus unit.

    Raises
    ------
    ValueError
        If ``p`` is outside (guess, 1 - lapse).
    """
    check_option("kind", kind, KINDS)
    p = np.asarray(p, dtype=float)
    g, la = np.asarray(guess, float), np.asarray(lapse, float)
    if np.any((p <= g) | (p >= 1 - la)):
        raise ValueError(f"p={p!r} is not reachable; expected guess < p < 1 - lapse "
                         f"(guess={guess!r}, lapse={lapse!r})")
    f = (p - g) / (1 - g - la)
    a, b = np.asarray(threshold, float), np.asarray(slope, float)
    if kind == "weibull":
        return a * (-np.log1p(-f)) ** (1 / b)
    if kind == "gumbel":
        return a + np.log10(-np.log1p(-f)) / b
    if kind == "logistic":
        return a + special.logit(f) / b
    return a + special.ndtri(f) / b


def updown_target(n_down: int, n_up: int = 1) -> float:
    """Proportion correct an ``n_up``-up/``n_down``-down staircase converges to.

    The track is stationary where P(n_down correct in a row) = P(a step up), which for n_up = 1 is
    :math:`p^{n_{down}} = 0.5` (Levitt 1971, J Acoust Soc Am 49:467, Table I: 0.707 for 1-up-2-down,
    0.794 for 1-up-3-down); for n_down = 1 it is :math:`(1-p)^{n_{up}} = 0.5` (0.293 for 2-up-1-down).

    Parameters
    ----------
    n_down : int
        Correct answers in a row before the level drops; >= 1.
    n_up : int, default 1
        Wrong answers in a row before the level rises; >= 1.

    Returns
    -------
    float
        Target proportion correct, in (0, 1).
    """
    n_down = check_int("n_down", n_down, 1)
    n_up = check_int("n_up", n_up, 1)
    if n_up == 1:
        return 0.5 ** (1.0 / n_down)
    if n_down == 1:
        return 1.0 - 0.5 ** (1.0 / n_up)
    raise ValueError(f"n_up={n_up} and n_down={n_down}: targets are tabulated here only when one of them is 1")


def weighted_updown_target(step_up: float, step_down: float) -> float:
    """Target of Kaernbach's (1991) weighted up-down rule, :math:`p = S_{up} / (S_{up} + S_{down})`.

    Kaernbach 1991, Percept Psychophys 49:227, eq. 1 (p * S_down = (1 - p) * S_up): steps of
    ``step_up = 3 * step_down`` converge to 75 % correct.
    """
    check_range("step_up", step_up, 0, low_inclusive=False)
    check_range("step_down", step_down, 0, low_inclusive=False)
    return float(step_up) / (float(step_up) + float(step_down))


def _rates(hits, misses, false_alarms, correct_rejections, correction):
    check_option("correction", correction, ("loglinear", "none"))
    h, m, f, c = (np.asarray(v, dtype=float) for v in (hits, misses, false_alarms, correct_rejections))
    if np.any(np.stack(np.broadcast_arrays(h, m, f, c)) < 0):
        raise ValueError("hits, misses, false_alarms and correct_rejections must be counts >= 0")
    if correction == "loglinear":  # Hautus 1995, Behav Res Methods 27:46
        return (h + 0.5) / (h + m + 1), (f + 0.5) / (f + c + 1)
    return h / (h + m), f / (f + c)


def dprime_yesno(hits, misses, false_alarms, correct_rejections, correction: str = "loglinear"):
    """Yes/no sensitivity :math:`d' = z(H) - z(F)` (Macmillan & Creelman 2005, eq. 1.5).

    ``correction="loglinear"`` adds 0.5 to each count (Hautus 1995) so rates of 0 or 1 stay finite.

    Returns
    -------
    ndarray
        d′ (dimensionless).
    """
    hr, fr = _rates(hits, misses, false_alarms, correct_rejections, correction)
    return special.ndtri(hr) - special.ndtri(fr)


def dprime_2afc(pc):
    """2AFC sensitivity from proportion correct, :math:`d' = \\sqrt{2}\\, z(P_c)` (Macmillan & Creelman 2005, eq. 7.2)."""
    pc = np.asarray(pc, dtype=float)
    if np.any((pc <= 0) | (pc >= 1)):
        raise ValueError(f"pc={pc!r} must lie strictly between 0 and 1")
    return np.sqrt(2.0) * special.ndtri(pc)


def pc_2afc(dprime):
    """Proportion correct of an unbiased 2AFC observer with sensitivity ``dprime``: Φ(d′/√2)."""
    return special.ndtr(np.asarray(dprime, dtype=float) / np.sqrt(2.0))


def fisher_information(x, threshold, slope, guess=0.5, lapse=0.0, kind: str = "gumbel",
                       wrt: str = "threshold"):
    """Fisher information of one binary trial at ``x`` about one parameter (others known).

    .. math:: I(x) = \\frac{(\\partial \\psi / \\partial \\theta)^2}{\\psi (1 - \\psi)}

    (e.g. Taylor 1971, J Acoust Soc Am 49:505, "sweat factor" eq. 4). Derivatives are central
    differences with a relative step of 1e-6.

    Parameters
    ----------
    wrt : {"threshold", "slope"}
        Parameter the information is about.

    Returns
    -------
    ndarray
        Information per trial, in 1/(parameter unit)**2.
    """
    check_option("wrt", wrt, ("threshold", "slope"))
    a = np.asarray(threshold, float)
    b = np.asarray(slope, float)
    p = psychometric(x, a, b, guess, lapse, kind)
    if wrt == "threshold":
        h = 1e-6 * np.maximum(np.abs(a), 1.0)
        d = (psychometric(x, a + h, b, guess, lapse, kind) - psychometric(x, a - h, b, guess, lapse, kind)) / (2 * h)
    else:
        h = 1e-6 * np.maximum(np.abs(b), 1.0)
        d = (psychometric(x, a, b + h, guess, lapse, kind) - psychometric(x, a, b - h, guess, lapse, kind)) / (2 * h)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = d ** 2 / (p * (1 - p))
    return np.where(np.isfinite(out), out, 0.0)


def stimulus_grid(threshold, slope, kind: str = "gumbel", n: int = 4001) -> np.ndarray:
    """Default grid to search for informative stimuli: threshold ± 6/slope, or for the linear-unit Weibull
    threshold x 10**-1.5 to threshold x 10 (log-spaced)."""
    if kind == "weibull":
        return threshold * np.logspace(-1.5, 1, n)
    return threshold + np.linspace(-6, 6, n) / slope


def most_informative_stimulus(threshold, slope, guess=0.5, lapse=0.0, kind: str = "gumbel", stimuli=None):
    """The stimulus carrying the most Fisher information about the threshold (others known), and that information.

    Returns
    -------
    (float, float)
        ``x`` (stimulus unit) and ``I(x)`` (1/(stimulus unit)**2), maximised over ``stimuli``
        (default :func:`stimulus_grid`).
    """
    x = np.asarray(stimulus_grid(threshold, slope, kind) if stimuli is None else stimuli, float)
    info = fisher_information(x, threshold, slope, guess, lapse, kind)
    i = int(np.argmax(info))
    return float(x[i]), float(info[i])


def cramer_rao_bound(n_trials, threshold, slope, guess=0.5, lapse=0.0, kind: str = "gumbel",
                     stimuli=None):
    """Smallest variance of an unbiased threshold estimate after ``n_trials`` trials (others known).

    Every trial is placed at the most informative stimulus, so the bound is
    :math:`1 / (N \\max_x I(x))`; with ``stimuli`` the maximum is over that grid only.

    Parameters
    ----------
    n_trials : int or array_like
        Number of trials N.
    stimuli : array_like, optional
        Allowed stimulus values; default a fine grid of ±6/slope around the threshold.

    Returns
    -------
    ndarray
        Variance bound, in (stimulus unit)**2; ``sqrt`` of it is the best achievable RMSE.
    """
    check_asymptotes(guess, lapse, where="cramer_rao_bound")
    _, imax = most_informative_stimulus(threshold, slope, guess, lapse, kind, stimuli)
    return 1.0 / (np.asarray(n_trials, dtype=float) * imax)


def _gradients(x, threshold, slope, guess, lapse, kind, free):
    """dpsi/dtheta for each free parameter (central differences), shape (n_free, n_x)."""
    base = dict(threshold=float(threshold), slope=float(slope), guess=float(guess), lapse=float(lapse))
    out = []
    for name in free:
        h = 1e-6 * max(abs(base[name]), 1.0)
        hi, lo = dict(base), dict(base)
        hi[name] += h
        lo[name] -= h
        if name == "lapse" and lo[name] < 0:         # one-sided at the boundary
            lo[name] = base[name]
            out.append((psychometric(x, kind=kind, **hi) - psychometric(x, kind=kind, **lo)) / h)
            continue
        out.append((psychometric(x, kind=kind, **hi) - psychometric(x, kind=kind, **lo)) / (2 * h))
    return np.array(out)


def cramer_rao_bound_joint(n_trials, threshold, slope, guess=0.5, lapse=0.0, kind: str = "gumbel",
                           free=("threshold", "slope"), stimuli=None, n_iter: int = 3000):
    """Cramér-Rao bound for the threshold when the parameters in ``free`` are all unknown.

    The best design (a weighting of stimuli) minimises :math:`[M(w)^{-1}]_{\\alpha\\alpha}`, with
    :math:`M(w) = \\sum_i w_i\\, g_i g_i^T / (\\psi_i (1-\\psi_i))` the per-trial Fisher information
    (a c-optimal design). It is found with the multiplicative algorithm
    :math:`w_i \\leftarrow w_i \\sqrt{d_i} / \\sum_j w_j \\sqrt{d_j}`,
    :math:`d_i = (c^T M^{-1} g_i)^2 / (\\psi_i(1-\\psi_i))` (Fellman 1974; Pukelsheim & Torsney 1991,
    Ann Stat 19:1614). This is the fair reference for QUEST+ or Psi, which must learn slope (and lapse)
    too; with ``free=("threshold",)`` it equals :func:`cramer_rao_bound`.

    Returns
    -------
    float or ndarray
        Variance bound for the threshold after ``n_trials`` trials, in (stimulus unit)**2.
    """
    for f in free:
        check_option("free parameter", f, ("threshold", "slope", "guess", "lapse"))
    if "threshold" not in free:
        raise ValueError(f"free={free!r} must include 'threshold'")
    check_asymptotes(guess, lapse, where="cramer_rao_bound_joint")
    free = ("threshold",) + tuple(f for f in free if f != "threshold")
    x = np.asarray(stimulus_grid(threshold, slope, kind, 401) if stimuli is None else stimuli, float)
    p = psychometric(x, threshold, slope, guess, lapse, kind)
    v = np.clip(p * (1 - p), 1e-300, None)
    G = _gradients(x, threshold, slope, guess, lapse, kind, free)          # (k, n)
    c = np.zeros(len(free))
    c[0] = 1.0
    w = np.full(x.size, 1.0 / x.size)
    for _ in range(check_int("n_iter", n_iter, 1)):
        M = (G * (w / v)) @ G.T
        Minv_c = np.linalg.solve(M + 1e-12 * np.eye(len(free)), c)
        d = (Minv_c @ G) ** 2 / v
        w = w * np.sqrt(d)
        w /= w.sum()
    M = (G * (w / v)) @ G.T
    per_trial = float(np.linalg.solve(M + 1e-12 * np.eye(len(free)), c)[0])
    return per_trial / np.asarray(n_trials, dtype=float)
