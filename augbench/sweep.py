"""Parameter sweeps of notebooks on dask.distributed.

``augbench sweep NAME -p KEY v1,v2 -p KEY2 a,b`` runs the grid (the product of the values) as papermill
runs in parallel on a dask cluster (a loopback LocalCluster by default, an existing scheduler when an
address is given). Each grid cell writes its executed notebook and a ``result.json`` atomically under
``<sweep>/cells/<cell-id>/``; a rerun of the same sweep skips cells that already finished ``ok`` and
retries failed ones. The metrics that notebooks publish with :func:`augbench.publish` are gathered into
one xarray Dataset (grid parameters as dimensions; ``sweep.nc``), a CSV (``sweep.csv``) and an offline
HTML summary with one plot per metric (``summary.html``).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import time
from pathlib import Path

from .reports import (REPORT_DIR, NotebookInfo, ParameterError, atomic_write_text, coerce_parameter,
                      resolve_notebook)


def parse_grid(name: str, pairs, *, notebook_dir=None) -> dict:
    """``[("SEED", "0,1,2"), ...]`` -> ``{"SEED": [0, 1, 2], ...}`` with values checked against the notebook."""
    info = resolve_notebook(name, notebook_dir)
    grid = {}
    for key, values in pairs:
        if key in grid:
            raise ParameterError(f"parameter {key!r} given twice; put all its values in one comma-separated list")
        items = [v.strip() for v in str(values).split(",") if v.strip() != ""] if isinstance(values, str) \
            else list(values)
        if not items:
            raise ParameterError(f"parameter {key!r} has no values; give them as -p {key} v1,v2,...")
        grid[key] = [coerce_parameter(info, key, v) for v in items]
    return grid


def cell_id(params: dict) -> str:
    """Stable id of one grid cell (sorted JSON of its parameters)."""
    blob = json.dumps(params, sort_keys=True, default=str).encode()
    return hashlib.sha1(blob).hexdigest()[:12]


def sweep_dir_for(info: NotebookInfo, grid: dict, quick: bool, out_dir=None) -> Path:
    """Default folder ``reports/sweeps/<notebook>-<hash of grid and quick>`` (same grid -> same folder -> resume)."""
    if out_dir:
        return Path(out_dir)
    key = hashlib.sha1(json.dumps({"grid": grid, "quick": quick}, sort_keys=True, default=str).encode())
    return REPORT_DIR / "sweeps" / f"{info.name}-{key.hexdigest()[:8]}"


def _run_cell(nb_path: str, params: dict, cell_dir: str, timeout_s: int) -> dict:
    """Execute one grid cell (runs on a dask worker). Writes ``result.json`` last, atomically."""
    from .notebook import read_metrics
    from .reports import execute_notebook

    cell_dir = Path(cell_dir)
    cell_dir.mkdir(parents=True, exist_ok=True)
    out_nb = cell_dir / "executed.ipynb"
    t0 = time.perf_counter()
    status, error = execute_notebook(nb_path, params, out_nb, timeout_s=timeout_s)
    metrics = {}
    if out_nb.exists():
        try:
            metrics = read_metrics(out_nb)
        except Exception:
            pass
    result = {"params": params, "status": status, "error": error, "metrics": metrics,
              "duration_s": round(time.perf_counter() - t0, 2), "worker_pid": os.getpid()}
    atomic_write_text(cell_dir / "result.json", json.dumps(result, indent=1))
    return result


def _load_result(cell_dir: Path):
    p = cell_dir / "result.json"
    if not p.exists():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None


def run_sweep(name: str, grid: dict, *, quick: bool = False, scheduler: str | None = None, n_workers: int = 2,
              out_dir=None, notebook_dir=None, timeout_s: int = 1800, progress: bool = True,
              client=None) -> dict:
    """Run the grid of notebook runs on dask; returns a summary dict (paths, counts, the Dataset).

    Parameters
    ----------
    name : str
        Notebook (name, alias or number).
    grid : dict
        ``{parameter: [values]}`` as from :func:`parse_grid`.
    quick : bool
        Add ``QUICK=True`` to every cell.
    scheduler : str, optional
        Address of an existing dask scheduler; default a LocalCluster of ``n_workers`` processes on 127.0.0.1.
    client : dask.distributed.Client, optional
        Use this client instead of creating one (tests, notebooks).
    """
    from tqdm.auto import tqdm

    from ._dask import dask_client

    info = resolve_notebook(name, notebook_dir)
    if not grid:
        raise ParameterError("a sweep needs at least one -p KEY v1,v2,... parameter")
    for key in grid:
        if key not in info.parameters:
            coerce_parameter(info, key, None)  # raises the standard unknown-parameter error
    if quick and "QUICK" in grid:
        raise ParameterError("QUICK is swept and --quick given; choose one")
    sweep_dir = sweep_dir_for(info, grid, quick, out_dir)
    (sweep_dir / "cells").mkdir(parents=True, exist_ok=True)
    keys = list(grid)
    cells = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, combo))
        if quick:
            params["QUICK"] = True
        cells.append(params)
    atomic_write_text(sweep_dir / "sweep.json", json.dumps(
        {"notebook": info.name, "grid": grid, "quick": quick, "n_cells": len(cells)}, indent=1, default=str))

    results: dict[str, dict] = {}
    todo = []
    for params in cells:
        cid = cell_id(params)
        prev = _load_result(sweep_dir / "cells" / cid)
        if prev is not None and prev.get("status") == "ok":
            results[cid] = {**prev, "resumed": True}
        else:
            todo.append((cid, params))
    t0 = time.perf_counter()
    if todo:
        def _submit_all(c):
            from dask.distributed import as_completed

            futs = {c.submit(_run_cell, str(info.path), params, str(sweep_dir / "cells" / cid), timeout_s,
                             pure=False, key=f"augbench-sweep-{cid}-{time.time_ns()}"): cid for cid, params in todo}
            bar = tqdm(total=len(futs), desc=f"sweep {info.name}", unit="run", disable=not progress)
            for fut in as_completed(futs):
                cid = futs[fut]
                try:
                    results[cid] = fut.result()
                except Exception as exc:  # the worker died: record, go on
                    results[cid] = {"params": dict(todo)[cid], "status": "failed",
                                    "error": f"{type(exc).__name__}: {exc}", "metrics": {}, "duration_s": None}
                bar.update(1)
            bar.close()

        if client is not None:
            _submit_all(client)
        else:
            with dask_client(scheduler, n_workers=n_workers) as c:
                _submit_all(c)
    wall = time.perf_counter() - t0

    ds, table = collect(grid, cells, results, quick=quick)
    _write_outputs(sweep_dir, info, ds, table)
    n_failed = sum(r["status"] != "ok" for r in results.values())
    return {"path": str(sweep_dir), "n_cells": len(cells), "n_ok": len(cells) - n_failed, "n_failed": n_failed,
            "n_skipped": sum(bool(r.get("resumed")) for r in results.values()), "wall_s": round(wall, 2),
            "dataset": ds, "table": table}


def collect(grid: dict, cells: list, results: dict, *, quick: bool = False):
    """Gather cell results into an ``xarray.Dataset`` (grid dims) and a ``pandas.DataFrame`` (one row per cell)."""
    import numpy as np
    import pandas as pd
    import xarray as xr

    rows = []
    for params in cells:
        r = results[cell_id(params)]
        row = {k: params[k] for k in grid}
        row.update(status=r["status"], error=r.get("error") or "", duration_s=r.get("duration_s"))
        for m, v in (r.get("metrics") or {}).items():
            row[f"metric:{m}"] = v
        rows.append(row)
    table = pd.DataFrame(rows)
    keys = list(grid)
    shape = tuple(len(grid[k]) for k in keys)
    coords = {k: (k, list(grid[k]), {"long_name": k, "units": "1"}) for k in keys}
    status = np.empty(shape, dtype=object)
    duration = np.full(shape, np.nan)
    metric_names = sorted({c[len("metric:"):] for c in table.columns if c.startswith("metric:")})
    metrics = {m: np.full(shape, np.nan) for m in metric_names}
    for params in cells:
        idx = tuple(grid[k].index(params[k]) for k in keys)
        r = results[cell_id(params)]
        status[idx] = r["status"]
        duration[idx] = r.get("duration_s") if r.get("duration_s") is not None else np.nan
        for m in metric_names:
            v = (r.get("metrics") or {}).get(m)
            if isinstance(v, bool):
                v = float(v)
            if isinstance(v, (int, float)):
                metrics[m][idx] = v
    data_vars = {"status": (keys, status.astype(str), {"long_name": "run status", "units": ""}),
                 "duration": (keys, duration, {"long_name": "run time", "units": "s"})}
    for m, arr in metrics.items():
        data_vars[m] = (keys, arr, {"long_name": m, "units": "as published by the notebook"})
    ds = xr.Dataset(data_vars, coords=coords, attrs={"quick": int(quick)})
    return ds, table


def _plot_png(ds, metric: str) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    da = ds[metric]
    dims = list(da.dims)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    x = dims[0]
    xs = [str(v) for v in da[x].values]
    if len(dims) == 1:
        ax.plot(xs, da.values, "o-")
    else:
        rest = da.stack(_combo=dims[1:])
        for i in range(rest.sizes["_combo"]):
            label = ", ".join(f"{d}={v}" for d, v in zip(dims[1:], rest["_combo"].values[i]))
            ax.plot(xs, rest.isel(_combo=i).values, "o-", label=label)
        ax.legend(fontsize=7)
    ax.set_xlabel(x)
    ax.set_ylabel(metric)
    ax.set_title(metric)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def _write_outputs(sweep_dir: Path, info: NotebookInfo, ds, table) -> None:
    import base64
    import html

    nc_tmp = sweep_dir / ".sweep.nc.tmp"
    ds.to_netcdf(nc_tmp)
    os.replace(nc_tmp, sweep_dir / "sweep.nc")
    atomic_write_text(sweep_dir / "sweep.csv", table.to_csv(index=False))
    imgs = []
    for m in ds.data_vars:
        if m in ("status", "duration") or not ds[m].notnull().any():
            continue
        png = base64.b64encode(_plot_png(ds, m)).decode()
        imgs.append(f"<h3>{html.escape(m)}</h3><img alt='{html.escape(m)}' src='data:image/png;base64,{png}'>")
    doc = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>augbench sweep</title>"
           "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}</style></head><body>"
           f"<h1>Sweep of {html.escape(info.name)}</h1>"
           f"<p>{len(table)} runs: {(table.status == 'ok').sum()} ok, {(table.status != 'ok').sum()} failed.</p>"
           + "".join(imgs) + table.to_html(index=False, escape=True) + "</body></html>")
    atomic_write_text(sweep_dir / "summary.html", doc)
