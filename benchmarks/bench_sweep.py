"""Benchmark: an 8-run sweep of a notebook on a 2-worker dask LocalCluster against the same 8 runs in series.

    python benchmarks/bench_sweep.py                      # 8 quick runs of the cognition notebook (SEED 0..7)
    python benchmarks/bench_sweep.py --notebook bci       # another notebook
    python benchmarks/bench_sweep.py --quick              # a tiny fixture notebook (seconds)

Both paths execute the same papermill runs (`augbench.sweep._run_cell`); the dask path includes cluster
start-up. On a 2-core machine the ideal ratio is about 2.
"""
import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notebook", default="cognition")
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="use the tiny fixture notebook")
    args = ap.parse_args()
    from augbench import sweep
    from augbench.reports import resolve_notebook

    nb_dir = ROOT / "tests" / "fixtures" if args.quick else None
    name = "metric_demo" if args.quick else args.notebook
    info = resolve_notebook(name, nb_dir)
    grid = {"SEED": list(range(args.runs))}
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    try:
        t0 = time.perf_counter()
        for seed in grid["SEED"]:
            params = {"SEED": seed, "QUICK": True}
            r = sweep._run_cell(str(info.path), params, str(tmp / "serial" / sweep.cell_id(params)), 1800)
            if r["status"] != "ok":
                print(f"serial run SEED={seed} failed: {r['error']}", file=sys.stderr)
        t_serial = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = sweep.run_sweep(name, grid, quick=True, n_workers=args.workers, out_dir=tmp / "dask",
                              notebook_dir=nb_dir, progress=False)
        t_dask = time.perf_counter() - t0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"notebook {info.name}: {args.runs} quick runs")
    print(f"serial (one process)          : {t_serial:7.1f} s")
    print(f"dask LocalCluster ({args.workers} workers) : {t_dask:7.1f} s  (incl. cluster start; "
          f"{res['n_ok']} ok, {res['n_failed']} failed)")
    print(f"speed-up serial/dask          : {t_serial / t_dask:7.2f}x")


if __name__ == "__main__":
    main()
