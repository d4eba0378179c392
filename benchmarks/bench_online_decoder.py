"""Per-hop latency of augbench's online decoder vs re-running the offline MNE pipeline on each window.

Same run (S001 run 14, decoders trained on runs 6 and 10), same hops (1 s window, 62.5 ms hop).
Ours: CAR + causal IIR band-pass with kept state + ring buffer + augbench CSP + LDA on each new hop.
Naive: for each hop, MNE's offline chain on the last 1 s of raw data (``mne.filter.filter_data`` FIR
7–30 Hz, average reference, ``mne.decoding.CSP`` + LDA).
Goal (issue): ours median < 2 ms and p99 < 10 ms per hop on this machine.

Usage: python benchmarks/bench_online_decoder.py [--quick] [--subject 1] [--hops 1000]
"""
from __future__ import annotations

import argparse
import warnings


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 hops instead of 1000")
    ap.add_argument("--subject", type=int, default=1)
    ap.add_argument("--hops", type=int, default=None)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    from augbench.bci.online import benchmark_hops

    n = args.hops or (200 if args.quick else 1000)
    r = benchmark_hops(args.subject, n_hops=n)
    print(f"subject S{args.subject:03d}, {r['n_hops']} hops of 62.5 ms, 1 s window, 64 channels")
    print(f"augbench online decoder : median {r['ours_median_ms']:.3f} ms, p99 {r['ours_p99_ms']:.3f} ms per hop")
    print(f"naive offline MNE chain : median {r['naive_median_ms']:.3f} ms, p99 {r['naive_p99_ms']:.3f} ms per hop")
    print(f"ratio (naive / ours, median): {r['ratio_median']:.1f}x")
    ok = r["ours_median_ms"] < 2.0 and r["ours_p99_ms"] < 10.0
    print(f"goal median < 2 ms and p99 < 10 ms: {'met' if ok else 'NOT met'}")
    return r


if __name__ == "__main__":
    main()
