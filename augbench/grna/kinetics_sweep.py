"""Parameter sweeps of the Cas9 ODE model (Cas9 dose x gRNA dose x time), serial or on dask.

Each grid point is an independent stiff ODE solve (:func:`augbench.grna.kinetics.solve_amounts`), so the
sweep is embarrassingly parallel: :func:`sweep` submits one task per (Cas9, gRNA) dose pair to a dask
cluster (a loopback LocalCluster by default, or an existing scheduler given by address) and assembles an
xarray Dataset. The serial path runs the same function in the same order, so both give identical numbers.
"""
from __future__ import annotations

import time as _time

import numpy as np

from augbench._validate import check_range
from augbench.grna.kinetics import OUTCOMES, CasRates, allele_fractions, default_rates, initial_state, solve_amounts

__all__ = ["sweep_point", "sweep"]


def sweep_point(cas9: float, grna: float, times_h, rates: CasRates, donor: bool = True, rnp: float = 0.0,
                n_alleles: int = 2) -> np.ndarray:
    """Allele fractions (:data:`~augbench.grna.kinetics.OUTCOMES`) at ``times_h`` for one dose pair.

    Returns
    -------
    ndarray, shape (n_times, n_outcomes)
    """
    x0 = initial_state(cas9, grna, rnp=rnp, n_alleles=n_alleles)
    return allele_fractions(solve_amounts(x0, times_h, rates=rates, donor=donor), n_alleles)


def _progress(total, enabled, desc):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, desc=desc, leave=False)


def sweep(cas9_doses, grna_doses, times_h, *, rates: CasRates | None = None, donor: bool = True, rnp: float = 0.0,
          n_alleles: int = 2, parallel: bool = True, scheduler: str | None = None, client=None, n_workers: int = 2,
          progress: bool = True):
    """Fraction of alleles in each outcome over a Cas9 dose x gRNA dose x time grid.

    Parameters
    ----------
    cas9_doses, grna_doses : array_like
        Free Cas9 and sgRNA delivered, molecules per cell.
    times_h : array_like
        Output times, h (increasing, >= 0).
    rates : CasRates, optional
        Rate constants; :func:`~augbench.grna.kinetics.default_rates` if None.
    parallel : bool
        Run on dask (True) or serially in this process (False).
    scheduler : str, optional
        Address of an existing dask scheduler (``tcp://host:8786``); None starts a LocalCluster on 127.0.0.1
        with ``n_workers`` single-threaded worker processes.
    client : dask.distributed.Client, optional
        Use this client instead (the caller owns it; startup is then not timed).
    progress : bool
        Show a tqdm progress bar over grid points.

    Returns
    -------
    xarray.Dataset
        ``allele_fraction`` (cas9, grna, time, outcome) and ``fraction_edited`` (cas9, grna, time), units "1";
        coordinates ``cas9``, ``grna`` (molecules per cell), ``time`` (h). ``attrs["elapsed_s"]`` holds the
        wall time (including cluster start-up) and ``attrs["backend"]`` the backend used.
    """
    import xarray as xr

    from augbench._dask import dask_client

    rates = default_rates() if rates is None else rates
    c = np.asarray(cas9_doses, float).ravel()
    g = np.asarray(grna_doses, float).ravel()
    t = np.asarray(times_h, float).ravel()
    for name, arr in (("cas9_doses", c), ("grna_doses", g)):
        if arr.size == 0 or np.any(arr < 0):
            raise ValueError(f"{name} must be a non-empty list of doses >= 0 molecules per cell; got {arr}")
    check_range("rnp", rnp, 0.0, None)
    points = [(ci, gi) for ci in c for gi in g]
    out = np.empty((len(points), t.size, len(OUTCOMES)))
    t0 = _time.perf_counter()
    bar = _progress(len(points), progress, "sweep (dask)" if parallel else "sweep (serial)")
    if not parallel:
        backend = "serial"
        for i, (ci, gi) in enumerate(points):
            out[i] = sweep_point(ci, gi, t, rates, donor, rnp, n_alleles)
            if bar is not None:
                bar.update(1)
    else:
        from dask.distributed import as_completed

        def run(cl):
            futs = cl.map(sweep_point, [p[0] for p in points], [p[1] for p in points], times_h=t, rates=rates,
                          donor=donor, rnp=rnp, n_alleles=n_alleles, pure=False)
            index = {f.key: i for i, f in enumerate(futs)}
            for fut in as_completed(futs):
                out[index[fut.key]] = fut.result()
                if bar is not None:
                    bar.update(1)

        if client is not None:
            backend = f"dask ({client.scheduler.address})"
            run(client)
        else:
            with dask_client(scheduler, n_workers=n_workers) as cl:
                backend = f"dask ({scheduler or 'LocalCluster'}, {len(cl.scheduler_info()['workers'])} workers)"
                run(cl)
    if bar is not None:
        bar.close()
    elapsed = _time.perf_counter() - t0
    arr = out.reshape(c.size, g.size, t.size, len(OUTCOMES))
    frac_attrs = {"units": "1", "long_name": "Fraction of target alleles"}
    ds = xr.Dataset(
        {"allele_fraction": (("cas9", "grna", "time", "outcome"), arr, frac_attrs),
         "fraction_edited": (("cas9", "grna", "time"), arr[..., OUTCOMES.index("edited")],
                             {"units": "1", "long_name": "Fraction of alleles edited (indel + HDR)"})},
        coords={"cas9": ("cas9", c, {"units": "molecules per cell", "long_name": "Cas9 delivered"}),
                "grna": ("grna", g, {"units": "molecules per cell", "long_name": "sgRNA delivered"}),
                "time": ("time", t, {"units": "h", "long_name": "Time after delivery"}),
                "outcome": ("outcome", list(OUTCOMES), {"units": "1", "long_name": "Allele outcome"})},
        attrs={"backend": backend, "elapsed_s": float(elapsed), "n_points": len(points), "donor": int(bool(donor)),
               **{f"rate_{k}_per_s": float(v) for k, v in rates.as_dict().items()}})
    return ds
