"""Benchmark: Cas9 dose x gRNA dose x time sweep, serial vs dask (same machine, same run).

Also times the energy-landscape model against crisprzip (peer) on the same 200 random mismatch patterns.

    python benchmarks/bench_kinetics_sweep.py [--quick] [--scheduler tcp://host:8786] [--workers 2]

Prints serial time, dask time (with and without cluster start-up), their ratio, and whether the results
are identical.
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def _warm_up():
    from augbench.grna import kinetics_sweep as W

    W.sweep_point(1000.0, 1000.0, [0.0, 1.0], W.default_rates())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small grid (4 x 4)")
    ap.add_argument("--scheduler", default=None, help="existing dask scheduler address")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    args = ap.parse_args(argv)

    from augbench._dask import dask_client
    from augbench.grna import kinetics_sweep as W

    n = 4 if args.quick else 10
    cas9 = np.geomspace(100, 5000, n)
    grna = np.geomspace(100, 5000, n)
    times = np.linspace(0, 48, 25)
    _warm_up()
    serial = W.sweep(cas9, grna, times, parallel=False, progress=False)
    t_serial = serial.attrs["elapsed_s"]
    t0 = time.perf_counter()
    with dask_client(args.scheduler, n_workers=args.workers) as client:
        client.run(_warm_up)  # import scipy/augbench in every worker: counted as start-up
        t_start = time.perf_counter() - t0
        par = W.sweep(cas9, grna, times, client=client, progress=False)
    t_dask_total = time.perf_counter() - t0
    t_dask = par.attrs["elapsed_s"]
    same = bool(np.array_equal(serial.allele_fraction.values, par.allele_fraction.values))
    print(f"sweep grid: {n} x {n} doses x {times.size} times = {n * n} ODE solves")
    print(f"serial: {t_serial:.2f} s")
    print(f"dask ({par.attrs['backend']}): {t_dask:.2f} s compute, {t_start:.2f} s cluster start-up, "
          f"{t_dask_total:.2f} s total")
    print(f"ratio serial/dask: {t_serial / t_dask:.2f} (compute), {t_serial / t_dask_total:.2f} (incl. start-up)")
    print(f"identical results: {same}")

    # peer: crisprzip vs augbench landscape on the same random mismatch patterns
    from augbench.grna import landscape as L

    rng = np.random.default_rng(0)
    pats = rng.random((50 if args.quick else 200, 20)) < 0.1
    L.cleaved_fraction(None, 600.0, 0.1)  # warm-up (loads the parameter table)
    t0 = time.perf_counter()
    ours = np.array([L.cleaved_fraction(p, 600.0, 0.1) for p in pats])
    t_ours = time.perf_counter() - t0
    try:
        from crisprzip.kinetics import load_landscape
        from crisprzip.nucleic_acid import MismatchPattern
    except ImportError:
        print("crisprzip not installed: landscape peer comparison skipped")
        return
    s = load_landscape("average_params")
    s.probe_target(MismatchPattern(pats[0].astype(int))).get_cleaved_fraction(600.0, 0.1)  # numba warm-up
    t0 = time.perf_counter()
    ref = np.array([s.probe_target(MismatchPattern(p.astype(int))).get_cleaved_fraction(600.0, 0.1) for p in pats])
    t_ref = time.perf_counter() - t0
    print(f"landscape, {len(pats)} patterns: augbench {t_ours:.3f} s, crisprzip {t_ref:.3f} s, "
          f"ratio augbench/crisprzip {t_ours / t_ref:.2f}; max |diff| {np.abs(ours - np.ravel(ref)).max():.2e}")


if __name__ == "__main__":
    main()
