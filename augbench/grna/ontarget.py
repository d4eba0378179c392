"""On-target activity: Rule Set 1 (Doench et al. 2014) from the published weights, vectorised.

Rule Set 1 is a logistic regression on position-specific single nucleotides and dinucleotides of the
30-mer ``4 nt 5' flank + 20 nt protospacer + NGG + 3 nt`` plus a GC-count penalty (Doench J.G. et al.
2014, Nat Biotechnol 32:1262, doi:10.1038/nbt.3026, Supplementary Table; Doench's released
``on_target_score_calculator.py``). The weights are read from the shipped table
``data/grna/tables/rule_set_1_doench2014.csv`` (hash-verified by :mod:`augbench.data`; see its
PROVENANCE.md). Positions in the table are 1-based on the 30-mer.

.. math::

    s = \\sigma\\Big(w_0 + \\sum_{p,b} w_{p,b}[x_p = b] + \\sum_{p,bb'} w_{p,bb'}[x_p x_{p+1} = bb']
        + g_{lo}\\max(0, 10 - n_{GC}) + g_{hi}\\max(0, n_{GC} - 10)\\Big)

with :math:`n_{GC}` the G+C count of the 20-nt protospacer ``30mer[4:24]``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["rule_set_1", "encode_contexts", "score_sites"]


@lru_cache(maxsize=1)
def _rs1_weights():
    import pandas as pd

    from augbench.data import path

    t = pd.read_csv(path("grna/tables/rule_set_1_doench2014"))
    w0 = float(t.loc[t.feature_type == "intercept", "weight"].iloc[0])
    glo = float(t.loc[t.feature_type == "gc_low_per_base_below_10", "weight"].iloc[0])
    ghi = float(t.loc[t.feature_type == "gc_high_per_base_above_10", "weight"].iloc[0])
    w1 = np.zeros((30, 5))
    w2 = np.zeros((29, 25))
    for r in t.itertuples():
        if r.feature_type == "single":
            w1[int(r.position) - 1, "ACGT".index(r.nucleotides)] += r.weight
        elif r.feature_type == "dinucleotide":
            a, b = ("ACGT".index(c) for c in r.nucleotides)
            w2[int(r.position) - 1, a * 5 + b] += r.weight
    return w0, glo, ghi, w1, w2


def encode_contexts(contexts, width: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Codes (A=0, C=1, G=2, T=3, N=4) of equal-length contexts.

    Returns
    -------
    codes : ndarray of uint8, shape (n, width)
    valid : ndarray of bool, shape (n,)
        False for contexts of the wrong length or containing other characters (scored NaN).
    """
    from augbench.grna.sequence import CODE

    ctx = np.asarray(contexts, dtype=object) if not isinstance(contexts, np.ndarray) else contexts
    try:
        arr = ctx.astype(f"S{width + 1}")  # one extra byte so longer strings are detected, not truncated
    except (TypeError, ValueError, UnicodeEncodeError):
        arr = np.asarray([c if isinstance(c, str) and c.isascii() else "" for c in ctx], dtype=f"S{width + 1}")
    lens = np.char.str_len(arr)
    arr = arr.astype(f"S{width}")
    raw = arr.view(np.uint8).reshape(len(arr), width) if len(arr) else np.zeros((0, width), np.uint8)
    codes = CODE[raw]
    valid = (lens == width) & (codes <= 3).all(axis=1)
    codes = np.where(codes > 4, 4, codes).astype(np.uint8)
    return codes, valid


def rule_set_1(contexts) -> np.ndarray:
    """Rule Set 1 on-target scores (Doench 2014) for 30-mers.

    Parameters
    ----------
    contexts : sequence of str, length n
        30-mers ``NNNN + 20-nt protospacer + NGG + NNN`` (upper case DNA).

    Returns
    -------
    ndarray of float, shape (n,)
        Scores in (0, 1); NaN where a context is not a 30-mer over ACGT.

    Examples
    --------
    >>> round(float(rule_set_1(["TCATGGAATCCCTTCTGCAGCACCTGGATC"])[0]), 4) > 0
    True
    """
    w0, glo, ghi, w1, w2 = _rs1_weights()
    codes, valid = encode_contexts(contexts, 30)
    n = len(codes)
    if n == 0:
        return np.zeros(0)
    c = codes.astype(np.int32)
    s = w0 + w1.ravel()[c + np.arange(0, 150, 5, dtype=np.int32)[None, :]].sum(axis=1)
    s += w2.ravel()[c[:, :-1] * 5 + c[:, 1:] + np.arange(0, 29 * 25, 25, dtype=np.int32)[None, :]].sum(axis=1)
    sp = codes[:, 4:24]
    gc = ((sp == 1) | (sp == 2)).sum(axis=1)
    s += np.where(gc < 10, glo * (10 - gc), 0.0) + np.where(gc > 10, ghi * (gc - 10), 0.0)
    out = 1.0 / (1.0 + np.exp(-s))
    out[~valid] = np.nan
    return out


def score_sites(sites, *, models=("rule_set_1", "cnn")):
    """Add on-target score columns to a :func:`~augbench.grna.sites.find_sites` table (copy).

    Columns ``rs1`` (Rule Set 1) and ``cnn`` (the shipped :mod:`augbench.grna.cnn` model) are in
    (0, 1) and (roughly) rank scale respectively; both are NaN for nucleases they are not defined for
    (anything but SpCas9 NGG) and for sites whose 30-mer runs off the record.
    """
    from augbench.grna.nucleases import get_nuclease

    df = sites.copy()
    nuc = df.attrs.get("nuclease_obj") or get_nuclease(df.attrs.get("nuclease", "SpCas9"))
    applicable = nuc.rs1_defined
    ctx = df["context"].to_numpy() if len(df) else np.zeros(0, dtype=object)
    if "rule_set_1" in models:
        df["rs1"] = rule_set_1(ctx) if applicable else np.nan
    if "cnn" in models:
        if applicable and len(df):
            from augbench.grna.cnn import predict_pretrained

            df["cnn"] = predict_pretrained(ctx)
        else:
            df["cnn"] = np.nan
    df.attrs.update(sites.attrs)
    return df
