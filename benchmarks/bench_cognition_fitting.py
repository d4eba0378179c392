"""Benchmark: augbench's maximum-likelihood psychometric fit against psignifit 4 on the same data.

    python benchmarks/bench_cognition_fitting.py           # 10 simulated 2AFC data sets
    python benchmarks/bench_cognition_fitting.py --quick   # 3 data sets

Each data set: 7 stimulus levels x 40 trials from a cumulative normal (threshold 0, slope 3, guess 0.5,
lapse 0.02). Both fit a cumulative normal; we compare threshold and width (5-95 % span of the sigmoid,
psignifit's parameterisation), their error against the truth, and time per fit.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
from scipy.special import ndtri


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    from augbench.cognition.fitting import fit_psychometric
    from augbench.cognition.psychometric import psychometric
    try:
        import psignifit
    except ImportError:
        print("psignifit is not installed; nothing to compare")
        return 0
    rng = np.random.default_rng(args.seed)
    x = np.linspace(-1, 1, 7)
    n = np.full(7, 40)
    true_width = (ndtri(0.95) - ndtri(0.05)) / 3.0
    rows = []
    for _ in range(3 if args.quick else 10):
        k = rng.binomial(n, psychometric(x, 0.0, 3.0, 0.5, 0.02, "normal"))
        t0 = time.perf_counter()
        f = fit_psychometric(x, k, n, kind="normal")
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = psignifit.psignifit(np.column_stack([x, k, n]), sigmoid="norm", experiment_type="2AFC",
                                      verbose=False)
        t_ps = time.perf_counter() - t0
        pe = res.parameter_estimate
        rows.append((f.threshold, (ndtri(0.95) - ndtri(0.05)) / f.slope, pe["threshold"], pe["width"], t_ours, t_ps))
    a = np.array(rows)
    print(f"{len(a)} data sets; truth: threshold 0.000, width {true_width:.3f}")
    print(f"threshold  augbench RMSE {np.sqrt(np.mean(a[:, 0] ** 2)):.3f}   psignifit RMSE {np.sqrt(np.mean(a[:, 2] ** 2)):.3f}"
          f"   mean |difference| {np.mean(np.abs(a[:, 0] - a[:, 2])):.3f}")
    print(f"width      augbench median {np.median(a[:, 1]):.3f}   psignifit median {np.median(a[:, 3]):.3f}")
    print(f"time per fit: augbench {np.median(a[:, 4]):.3f} s, psignifit {np.median(a[:, 5]):.3f} s, "
          f"ratio {np.median(a[:, 5]) / np.median(a[:, 4]):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
