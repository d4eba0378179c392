"""Evaluation of played sessions: accuracy, d′ and response-time distributions (ex-Gaussian fits).

Response times of choice tasks are right-skewed; the ex-Gaussian (a normal with mean mu and SD sigma plus
an exponential with mean tau) describes them well (Ratcliff 1979, Psychol Bull 86:446; Lacouture &
Cousineau 2008, Tutor Quant Methods Psychol 4:35) and separates a shift (mu) from a slow tail (tau).
"""
from __future__ import annotations

import numpy as np

from augbench._rng import as_generator

__all__ = ["fit_exgauss", "sample_exgauss", "session_summary"]


def sample_exgauss(mu: float, sigma: float, tau: float, size, random_state=None) -> np.ndarray:
    """Ex-Gaussian draws (s): normal(mu, sigma) + exponential(tau)."""
    rng = as_generator(random_state)
    return rng.normal(mu, sigma, size) + rng.exponential(tau, size)


def fit_exgauss(rt) -> dict:
    """Maximum-likelihood ex-Gaussian fit of response times.

    Parameters
    ----------
    rt : array_like
        Response times in s (finite, > 0; at least 10).

    Returns
    -------
    dict
        ``mu``, ``sigma``, ``tau`` (s), ``n`` (int), ``median`` and ``iqr`` (s).
    """
    from scipy import stats
    r = np.asarray(rt, dtype=float).ravel()
    r = r[np.isfinite(r)]
    if r.size < 10:
        raise ValueError(f"need at least 10 finite response times for an ex-Gaussian fit; got {r.size}")
    if np.any(r <= 0):
        raise ValueError(f"response times must be > 0 s; got min {r.min():g}")
    # moment start (Lacouture & Cousineau 2008), then ML via scipy's exponnorm (K = tau / sigma)
    m, s, g = r.mean(), r.std(), float(stats.skew(r))
    tau0 = s * (max(g, 0.05) / 2) ** (1 / 3)
    sig0 = np.sqrt(max(s ** 2 - tau0 ** 2, (0.1 * s) ** 2))
    K, loc, scale = stats.exponnorm.fit(r, tau0 / sig0, loc=m - tau0, scale=sig0)
    q1, q3 = np.percentile(r, [25, 75])
    return {"mu": float(loc), "sigma": float(scale), "tau": float(K * scale), "n": int(r.size),
            "median": float(np.median(r)), "iqr": float(q3 - q1)}


def session_summary(records) -> dict:
    """Accuracy, d′ and RT summary of a played session (records from a log or a DataFrame).

    For the n-back (``answer`` in match/nomatch) d′ is the yes/no d′ with the log-linear correction;
    for 2AFC it is :math:`\\sqrt{2} z(P_c)` (clipped to Pc in [0.01, 0.99]).

    Returns
    -------
    dict
        ``n_trials``, ``accuracy``, ``dprime``, ``rt_median_s``, ``rt_iqr_s``.
    """
    import pandas as pd

    from augbench.cognition.psychometric import dprime_2afc, dprime_yesno
    df = pd.DataFrame(records)
    if df.empty:
        raise ValueError("no records to summarise")
    for col in ("correct", "answer"):
        if col not in df:
            raise ValueError(f"records lack the column {col!r}; expected session log records")
    acc = float(df["correct"].astype(bool).mean())
    if set(df["answer"].astype(str)) <= {"match", "nomatch"}:
        resp_yes = np.where(df["correct"], df["answer"] == "match", df["answer"] != "match")
        tgt = (df["answer"] == "match").to_numpy()
        d = float(dprime_yesno(np.sum(resp_yes & tgt), np.sum(~resp_yes & tgt), np.sum(resp_yes & ~tgt),
                               np.sum(~resp_yes & ~tgt)))
    else:
        d = float(dprime_2afc(np.clip(acc, 0.01, 0.99)))
    rt = df["rt_s"].to_numpy(float) if "rt_s" in df else np.array([np.nan])
    q1, q3 = np.nanpercentile(rt, [25, 75]) if np.isfinite(rt).any() else (np.nan, np.nan)
    return {"n_trials": int(len(df)), "accuracy": acc, "dprime": d, "rt_median_s": float(np.nanmedian(rt)),
            "rt_iqr_s": float(q3 - q1)}
