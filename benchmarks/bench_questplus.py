"""Benchmark: augbench's QUEST+ against the questplus package on the same grid in the same run.

    python benchmarks/bench_questplus.py            # 100 stimuli x 50 thresholds x 20 slopes x 5 lapses, 30 trials;
                                                    # then 10,000 sessions x 100 trials on a 41x41x5x5 grid
    python benchmarks/bench_questplus.py --quick    # 10 trials, 1,000 sessions

Prints whether both chose the same stimuli for the same responses, time per trial of each, and the
ratio (goal: >= 50x), then the wall time of the many-session Monte Carlo (goal: seconds, not minutes).
"""
from __future__ import annotations

import argparse
import sys

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer trials and sessions")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    from augbench.cognition.bench import race_questplus, time_many_sessions
    try:
        import questplus  # noqa: F401
    except ImportError:
        print("questplus is not installed; skipping the head-to-head race")
    else:
        st = np.linspace(-2.0, 0.0, 100)
        th = np.linspace(-2.0, 0.0, 50)
        sl = np.linspace(1.0, 10.0, 20)
        la = np.linspace(0.0, 0.04, 5)
        r = race_questplus(st, th, sl, la, n_trials=10 if args.quick else 30, random_state=args.seed)
        print(f"grid {r['grid']} (stimuli x thresholds x slopes x lapses), {r['n_trials']} trials")
        print(f"same stimulus choices: {r['same_choices']}/{r['n_trials']}; "
              f"max final estimate difference {r['max_estimate_diff']:.2e}")
        print(f"median time per trial: questplus {r['questplus_s_per_trial'] * 1e3:.1f} ms (init {r['questplus_init_s']:.2f} s); "
              f"augbench {r['augbench_s_per_trial'] * 1e3:.2f} ms (init {r['augbench_init_s']:.2f} s); "
              f"ratio {r['ratio']:.0f}x of medians, {r['ratio_mean']:.0f}x of means (goal >= 50x)")
    n = 1000 if args.quick else 10_000
    m = time_many_sessions(n, 100, random_state=args.seed)
    print(f"{m['n_sessions']} sessions x {m['n_trials']} trials of QUEST+ on a {m['grid']} grid: "
          f"{m['seconds']:.1f} s (threshold RMSE at trial 100: {m['rmse_threshold']:.3f} log10 units)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
