"""Fit cut and repair rates to allele time courses by maximum likelihood (torch autograd through the solver).

Model (the reduced allele model of :func:`augbench.grna.kinetics.linear_allele_generator`, valid when the
RNP is in excess so cutting is first order, as in Brinkman et al. 2018 Mol Cell 70:801,
doi:10.1016/j.molcel.2018.04.016): an allele is ``intact -> dsb`` at ``k_cut``; a break is repaired
``dsb -> intact`` (perfect, ``k_perfect``), ``-> indel`` (``k_indel``) or ``-> hdr`` (``k_hdr``, optional).
``p(t) = expm(Q t) p(0)`` is computed with ``torch.linalg.matrix_exp``, so the log-likelihood is
differentiable in the (log) rates.

Data: at each time, read counts of the observed allele classes (e.g. intact / DSB / indel). The
likelihood is multinomial with class probabilities ``p_c(t) / sum_{observed} p(t)`` (a class that the
assay cannot see, such as broken alleles in plain amplicon sequencing, is renormalised away).
Confidence intervals are Wald intervals on the log rates from the observed information (the Hessian of
the negative log-likelihood at the optimum, by autograd), mapped back with ``exp``.
"""
from __future__ import annotations

import numpy as np

from augbench._rng import as_generator, torch_seed
from augbench._validate import check_int, check_option, check_range

__all__ = ["RATE_NAMES", "STATES", "allele_probabilities", "simulate_time_course", "RepairKineticsFit"]

STATES = ("intact", "dsb", "indel", "hdr")
RATE_NAMES = ("k_cut", "k_perfect", "k_indel", "k_hdr")


def _generator_torch(rates, torch):
    kc, kp, ki, kh = rates[0], rates[1], rates[2], rates[3]
    z = torch.zeros((), dtype=rates.dtype)
    rows = [
        torch.stack([-kc, kp, z, z]),
        torch.stack([kc, -(kp + ki + kh), z, z]),
        torch.stack([z, ki, z, z]),
        torch.stack([z, kh, z, z]),
    ]
    return torch.stack(rows)


def _probs_torch(rates, times_h, torch):
    Q = _generator_torch(rates, torch)
    t = torch.as_tensor(np.asarray(times_h, float), dtype=rates.dtype)
    E = torch.linalg.matrix_exp(Q.unsqueeze(0) * t[:, None, None])
    return E[:, :, 0]  # start intact


def allele_probabilities(rates_per_h: dict, times_h) -> np.ndarray:
    """Probabilities of (intact, dsb, indel, hdr) at each time for rates in h^-1.

    Parameters
    ----------
    rates_per_h : dict
        ``k_cut``, ``k_perfect``, ``k_indel`` and optionally ``k_hdr`` (default 0), h^-1.
    times_h : array_like, shape (n_times,)
        Times, h.

    Returns
    -------
    ndarray, shape (n_times, 4)
    """
    import torch

    r = torch.tensor([float(rates_per_h.get(n, 0.0)) for n in RATE_NAMES], dtype=torch.float64)
    if torch.any(r < 0):
        raise ValueError(f"rates must be >= 0 h^-1; got {rates_per_h}")
    return _probs_torch(r, times_h, torch).detach().numpy().clip(0.0, 1.0)


def simulate_time_course(rates_per_h: dict, times_h, *, n_reads: int = 2000,
                         observed=("intact", "dsb", "indel"), random_state=None):
    """Simulated read counts per observed allele class (multinomial sampling of the reduced model).

    Returns
    -------
    pandas.DataFrame
        ``time_h`` (float, h) and one int column per class in ``observed``.
    """
    import pandas as pd

    n_reads = check_int("n_reads", n_reads, 1, None)
    obs = [check_option("observed", o, STATES) for o in observed]
    rng = as_generator(random_state)
    p = allele_probabilities(rates_per_h, times_h)
    idx = [STATES.index(o) for o in obs]
    q = p[:, idx]
    q = q / q.sum(axis=1, keepdims=True)
    counts = np.array([rng.multinomial(n_reads, qi) for qi in q])
    df = pd.DataFrame(counts, columns=obs)
    df.insert(0, "time_h", np.asarray(times_h, float))
    return df


class RepairKineticsFit:
    """Maximum-likelihood fit of cut and repair rates with Wald confidence intervals.

    Parameters
    ----------
    observed : tuple of str
        Allele classes counted at each time (subset of ``intact, dsb, indel, hdr``, in the column order of
        the counts passed to :meth:`fit`).
    fit_hdr : bool
        Fit ``k_hdr`` (needs ``hdr`` observed); otherwise ``k_hdr = 0``.
    n_starts : int
        Random restarts of the optimiser (the best likelihood wins).
    level : float
        Confidence level of the intervals.
    random_state : None, int or Generator
        Seeds the restarts.

    Attributes
    ----------
    rates_ : dict
        Estimated rates, h^-1.
    ci_ : pandas.DataFrame
        ``parameter``, ``estimate``, ``lower``, ``upper`` (h^-1), ``se_log`` (standard error of ln k).
    loglik_ : float
        Maximised multinomial log-likelihood (without the constant).
    cov_log_ : ndarray
        Covariance of the log rates (inverse observed information).
    """

    def __init__(self, observed=("intact", "dsb", "indel"), fit_hdr: bool = False, n_starts: int = 3,
                 level: float = 0.95, random_state=None):
        self.observed = observed
        self.fit_hdr = fit_hdr
        self.n_starts = n_starts
        self.level = level
        self.random_state = random_state

    def _nll(self, theta, times_h, counts, torch):
        n_free = 4 if self.fit_hdr else 3
        rates = torch.exp(theta[:n_free])
        if not self.fit_hdr:
            rates = torch.cat([rates, torch.zeros(1, dtype=theta.dtype)])
        p = _probs_torch(rates, times_h, torch)[:, self._idx].clamp_min(1e-300)
        p = p / p.sum(dim=1, keepdim=True)
        return -(counts * torch.log(p)).sum()

    def fit(self, times_h, counts):
        """Fit to counts, shape (n_times, len(observed)), observed at ``times_h`` (h)."""
        import pandas as pd
        import torch
        from scipy.stats import norm

        obs = [check_option("observed", o, STATES) for o in self.observed]
        if self.fit_hdr and "hdr" not in obs:
            raise ValueError("fit_hdr=True needs 'hdr' in observed")
        check_range("level", self.level, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
        n_starts = check_int("n_starts", self.n_starts, 1, 100)
        times_h = np.asarray(times_h, float)
        counts = np.asarray(counts, float)
        if counts.shape != (times_h.size, len(obs)):
            raise ValueError(f"counts has shape {counts.shape}; expected ({times_h.size}, {len(obs)}) = "
                             f"(n_times, len(observed={obs}))")
        if np.any(counts < 0):
            raise ValueError("counts must be >= 0")
        self._idx = [STATES.index(o) for o in obs]
        c = torch.tensor(counts, dtype=torch.float64)
        n_free = 4 if self.fit_hdr else 3
        gen = torch.Generator().manual_seed(torch_seed(self.random_state))
        best = None
        for s in range(n_starts):
            # starts spread over 0.01..1 h^-1 (log-uniform)
            theta = (torch.rand(n_free, generator=gen, dtype=torch.float64) * np.log(100) + np.log(0.01))
            theta.requires_grad_(True)
            opt = torch.optim.LBFGS([theta], lr=1.0, max_iter=200, tolerance_grad=1e-7, tolerance_change=1e-12,
                                    line_search_fn="strong_wolfe")

            def closure():
                opt.zero_grad()
                loss = self._nll(theta, times_h, c, torch)
                loss.backward()
                return loss

            opt.step(closure)
            with torch.no_grad():
                val = float(self._nll(theta, times_h, c, torch))
            if np.isfinite(val) and (best is None or val < best[0]):
                best = (val, theta.detach().clone())
        if best is None:
            raise RuntimeError("the fit failed from every start (non-finite likelihood)")
        theta = best[1]
        H = torch.autograd.functional.hessian(lambda th: self._nll(th, times_h, c, torch), theta).numpy()
        try:
            cov = np.linalg.inv(H)
        except np.linalg.LinAlgError:
            cov = np.full_like(H, np.nan)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        z = float(norm.ppf(0.5 + self.level / 2))
        est = np.exp(theta.numpy())
        names = RATE_NAMES[:n_free]
        self.rates_ = {n: float(v) for n, v in zip(names, est)}
        if not self.fit_hdr:
            self.rates_["k_hdr"] = 0.0
        self.ci_ = pd.DataFrame({"parameter": names, "estimate": est, "lower": est * np.exp(-z * se),
                                 "upper": est * np.exp(z * se), "se_log": se})
        self.loglik_ = -best[0]
        self.cov_log_ = cov
        return self

    def predict(self, times_h) -> np.ndarray:
        """Model probabilities of (intact, dsb, indel, hdr) at ``times_h`` with the fitted rates."""
        if not hasattr(self, "rates_"):
            raise RuntimeError("RepairKineticsFit is not fitted yet; call fit(times_h, counts) first")
        return allele_probabilities(self.rates_, times_h)
