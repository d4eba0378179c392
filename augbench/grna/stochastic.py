"""Stochastic (Gillespie) simulation of the Cas9 editing network for a population of cells.

A cell has two alleles and, after delivery, a few hundred to a few thousand Cas9/sgRNA molecules, so
whether a given cell ends unedited, edited on one allele or on both is a matter of chance. This module
runs Gillespie's direct method (Gillespie 1977, J Phys Chem 81:2340, doi:10.1021/j100540a008) on the
same reactions and rates as :func:`augbench.grna.kinetics.simulate_ode`, for many cells at once
(vectorised over cells: every cell advances by its own next event in each numpy step).

The population mean agrees with the ODE when the RNP is in excess over targets (the only bimolecular
step with few copies, binding, is then effectively first order in the allele); with very few RNPs per
cell the mean departs from the ODE, which is the point of simulating them.
"""
from __future__ import annotations

import numpy as np

from augbench._rng import as_generator
from augbench._validate import check_int, check_range
from augbench.grna.kinetics import (CasRates, SPECIES, _IX, _network, _time_grid, default_rates, initial_state,
                                    make_dataset, propensities)

__all__ = ["simulate_cells", "outcome_distribution", "GENOTYPE_CLASSES"]

#: Per-cell outcome classes reported by :func:`outcome_distribution`.
GENOTYPE_CLASSES = ("unedited", "one allele", "both alleles")


def simulate_cells(n_cells: int = 500, cas9: float = 1000, grna: float = 2000, *, rnp: float = 0, n_alleles: int = 2,
                   donor: bool = True, rates: CasRates | None = None, t_end_h: float = 24.0, n_times: int = 25,
                   dose_cv: float = 0.0, max_steps: int = 2_000_000, random_state=None):
    """Gillespie simulation of ``n_cells`` independent cells.

    Parameters
    ----------
    n_cells : int
        Number of simulated cells.
    cas9, grna, rnp : float
        Mean initial free Cas9, free sgRNA and pre-assembled RNP per cell (molecules). With
        ``dose_cv == 0`` every cell gets ``round(dose)`` molecules; otherwise each cell's dose is Poisson
        with a log-normal mean (coefficient of variation ``dose_cv``, same factor for all three: cells
        that take up more Cas9 take up more guide).
    n_alleles : int
        Target alleles per cell (2: diploid).
    donor : bool
        HDR donor present.
    rates : CasRates, optional
        Rate constants (s^-1); :func:`augbench.grna.kinetics.default_rates` if None.
    t_end_h : float
        End time, h; the state is recorded at ``n_times`` evenly spaced times from 0.
    dose_cv : float
        Cell-to-cell variation of the delivered dose (0 = identical doses).
    max_steps : int
        Safety limit on vectorised steps (each step is one event in every still-active cell).
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    xarray.Dataset
        ``amount`` (cell, time, species) in molecules per cell (integers stored as float) and
        ``allele_fraction`` (cell, time, outcome); coordinate ``time`` in h.
    """
    n_cells = check_int("n_cells", n_cells, 1, 10_000_000)
    check_range("dose_cv", dose_cv, 0.0, 10.0)
    rng = as_generator(random_state)
    rates = default_rates() if rates is None else rates
    grid_h = _time_grid(t_end_h, n_times)
    grid = grid_h * 3600.0
    S, _ = _network()
    S_int = S.astype(np.int64)
    k = rates.vector(donor)
    x0 = initial_state(cas9, grna, rnp=rnp, n_alleles=n_alleles)
    x = np.tile(np.rint(x0).astype(np.int64), (n_cells, 1))
    if dose_cv > 0:
        sigma = np.sqrt(np.log1p(dose_cv ** 2))
        factor = rng.lognormal(-sigma ** 2 / 2, sigma, size=n_cells)
        for s, dose in (("cas9", cas9), ("grna", grna), ("rnp", rnp)):
            x[:, _IX[s]] = rng.poisson(dose * factor)
    n_t, n_s = len(grid), len(SPECIES)
    rec = np.zeros((n_cells, n_t, n_s), dtype=np.int64)
    t = np.zeros(n_cells)
    nxt = np.zeros(n_cells, dtype=np.int64)
    ids = np.arange(n_cells)
    steps = 0
    while ids.size:
        steps += 1
        if steps > max_steps:
            raise RuntimeError(f"Gillespie simulation exceeded max_steps={max_steps}; lower the doses or raise it")
        xa = x[ids]
        a = propensities(xa, k)
        a0 = a.sum(axis=1)
        with np.errstate(divide="ignore"):
            tau = np.where(a0 > 0, rng.exponential(1.0, size=ids.size) / np.where(a0 > 0, a0, 1.0), np.inf)
        t_new = t[ids] + tau
        # record the current state at every grid time it covers: state x holds on [t, t_new)
        while True:
            j = nxt[ids]
            need = j < n_t
            need[need] = grid[j[need]] < t_new[need]
            if not need.any():
                break
            c = ids[need]
            rec[c, nxt[c]] = x[c]
            nxt[c] += 1
        fire = nxt[ids] < n_t
        if not fire.all():
            ids, a, a0 = ids[fire], a[fire], a0[fire]
            t_new = t_new[fire]
            if not ids.size:
                break
        u = rng.random(ids.size) * a0
        r = (np.cumsum(a, axis=1) < u[:, None]).sum(axis=1)
        r = np.minimum(r, len(k) - 1)
        x[ids] += S_int[r]
        t[ids] = t_new
    attrs = {"model": "Gillespie direct method", "n_cells": n_cells, "cas9": float(cas9), "grna": float(grna),
             "rnp": float(rnp), "n_alleles": int(n_alleles), "donor": int(bool(donor)), "dose_cv": float(dose_cv),
             "n_steps": steps, **{f"rate_{kk}_per_s": float(v) for kk, v in rates.as_dict().items()}}
    ds = make_dataset(grid_h, rec.astype(float), n_alleles, attrs, extra_dims=["cell"])
    ds = ds.assign_coords(cell=("cell", np.arange(n_cells), {"units": "1", "long_name": "Cell index"}))
    return ds


def outcome_distribution(ds, time_h: float | None = None):
    """Distribution of per-cell outcomes at one time (default: the last).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`simulate_cells`.
    time_h : float, optional
        Time (h); the nearest recorded time is used.

    Returns
    -------
    pandas.DataFrame
        One row per class: ``class`` (``unedited`` / ``one allele`` / ``both alleles``, counting indel
        and HDR alleles as edited), ``n_cells`` (int), ``fraction`` (float, of cells), ``mean_indel`` and
        ``mean_hdr`` (float, mean alleles of each kind per cell in that class). ``attrs["time_h"]`` holds the
        time used.
    """
    import pandas as pd

    sel = ds.amount.isel(time=-1) if time_h is None else ds.amount.sel(time=time_h, method="nearest")
    indel = sel.sel(species="indel").values
    hdr = sel.sel(species="hdr").values
    n_alleles = int(ds.attrs.get("n_alleles", 2))
    edited = np.rint(indel + hdr).astype(int)
    cls = np.where(edited == 0, 0, np.where(edited >= n_alleles, 2, 1))
    rows = []
    for i, name in enumerate(GENOTYPE_CLASSES):
        m = cls == i
        rows.append({"class": name, "n_cells": int(m.sum()), "fraction": float(m.mean()),
                     "mean_indel": float(indel[m].mean()) if m.any() else 0.0,
                     "mean_hdr": float(hdr[m].mean()) if m.any() else 0.0})
    out = pd.DataFrame(rows)
    out.attrs["time_h"] = float(sel.time)
    return out
