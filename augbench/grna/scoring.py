"""Off-target scores: CFD (Doench 2016), MIT hit score (Hsu 2013) and guide specificity.

CFD (Cutting Frequency Determination; Doench J.G. et al. 2016, Nat Biotechnol 34:184,
doi:10.1038/nbt.3437, Suppl. Table 19): the product, over mismatched protospacer positions, of the
measured activity of a guide with that single mismatch (keyed by the guide's RNA base, the
*target-strand* DNA base = complement of the off-target protospacer base, and the 1-based position,
1 = PAM-distal) times the activity of the off-target's PAM (keyed by PAM nt 2-3). Defined for SpCas9
with 20-nt spacers only.

MIT hit score (Hsu P.D. et al. 2013, Nat Biotechnol 31:827, doi:10.1038/nbt.2647; crispr.mit.edu
"about" page, as implemented in CRISPOR, Haeussler et al. 2016 Genome Biol 17:148):

.. math::

    S_{hit} = 100 \\prod_{i \\in mm}(1 - M_i) \\cdot \\frac{1}{4(19 - \\bar d)/19 + 1}
              \\cdot \\frac{1}{n_{mm}^2}

with :math:`\\bar d` the mean distance between consecutive mismatches (term = 1 for fewer than two
mismatches). **Convention:** CRISPOR ran under Python 2 and so used the *floored* (integer) mean
distance; ``mean_distance="floor"`` (default) reproduces CRISPOR's published per-pair values to 1e-9,
``"exact"`` uses the true mean (up to 0.063 different on the 154 test pairs).

Guide specificity (crispr.mit.edu; CRISPOR): :math:`100 \\cdot 100 / (100 + \\sum S_{hit})` over all
off-targets (the perfect on-target match excluded); CFD specificity uses the same form with
:math:`100 \\cdot CFD` as hit score, i.e. :math:`100 / (1 + \\sum CFD)`.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["cfd_score", "mit_score", "cfd_scores", "mit_scores", "mit_specificity", "cfd_specificity",
           "mismatch_positions", "validated_offtargets", "rank_validated_offtargets", "roc_against_genome"]

_COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}


@lru_cache(maxsize=1)
def _cfd_tables():
    import pandas as pd

    from augbench.data import path

    mm = pd.read_csv(path("grna/tables/cfd_mismatch_scores_doench2016"))
    # table[pos0, guide_code, offtarget_protospacer_code]: activity; 1 where bases are equal
    tab = np.ones((20, 4, 4))
    for r in mm.itertuples():
        g = "ACGT".index("T" if r.rna_base == "U" else r.rna_base)
        o = "ACGT".index(_COMP[r.dna_base])  # dna_base is the target-strand base
        tab[int(r.position) - 1, g, o] = r.activity
    pam = pd.read_csv(path("grna/tables/cfd_pam_scores_doench2016"))
    ptab = np.zeros((4, 4))
    for r in pam.itertuples():
        ptab["ACGT".index(r.pam_nt2_nt3[0]), "ACGT".index(r.pam_nt2_nt3[1])] = r.activity
    return tab, ptab


@lru_cache(maxsize=1)
def _mit_weights() -> np.ndarray:
    import pandas as pd

    from augbench.data import path

    t = pd.read_csv(path("grna/tables/mit_hsu2013_position_weights")).sort_values("position")
    return t["weight"].to_numpy(float)


def _codes(seqs, width: int) -> np.ndarray:
    from augbench.grna.sequence import CODE

    arr = np.asarray([s.upper() for s in seqs], dtype=f"S{width}")
    if len(arr) and (np.char.str_len(arr) != width).any():
        bad = int(np.flatnonzero(np.char.str_len(arr) != width)[0])
        raise ValueError(f"sequence {bad} ({seqs[bad]!r}) has length {len(seqs[bad])}; expected {width}")
    c = CODE[arr.view(np.uint8).reshape(len(arr), width)] if len(arr) else np.zeros((0, width), np.uint8)
    if (c > 3).any():
        i, j = map(int, np.argwhere(c > 3)[0])
        raise ValueError(f"sequence {i} ({seqs[i]!r}): {seqs[i][j]!r} at position {j} is not A, C, G or T")
    return c.astype(np.intp)


def cfd_scores(guides, offtargets) -> np.ndarray:
    """CFD scores of guide / off-target pairs (vectorised).

    Parameters
    ----------
    guides : sequence of str, length n
        20-nt spacers, or 23-mers (PAM ignored).
    offtargets : sequence of str, length n
        23-mers: the off-target protospacer (20 nt) + PAM (3 nt) as found in the genome, 5'->3'.

    Returns
    -------
    ndarray of float, shape (n,), in [0, 1].
    """
    guides = [g[:20] for g in guides]
    g = _codes(guides, 20)
    o = _codes(list(offtargets), 23)
    tab, ptab = _cfd_tables()
    mm = tab[np.arange(20)[None, :], g, o[:, :20]].prod(axis=1)
    return mm * ptab[o[:, 21], o[:, 22]]


def cfd_score(guide: str, offtarget: str) -> float:
    """CFD score of one guide (20 nt) against one off-target 23-mer (protospacer + PAM)."""
    return float(cfd_scores([guide], [offtarget])[0])


def mit_scores(guides, offtargets, *, mean_distance: str = "floor") -> np.ndarray:
    """MIT (Hsu 2013) hit scores of guide / off-target pairs, on the first 20 nt (PAM ignored).

    Parameters
    ----------
    guides, offtargets : sequence of str, length n
        20-nt or 23-nt sequences (only the 20-nt protospacer is compared).
    mean_distance : {"floor", "exact"}
        CRISPOR's floored mean pairwise mismatch distance (default, reproduces CRISPOR) or the exact mean.

    Returns
    -------
    ndarray of float, shape (n,), in [0, 100]; 100 for a perfect match.
    """
    from augbench._validate import check_option

    check_option("mean_distance", mean_distance, ["floor", "exact"])
    g = _codes([s[:20] for s in guides], 20)
    o = _codes([s[:20] for s in offtargets], 20)
    M = _mit_weights()
    mm = g != o
    n = mm.sum(axis=1)
    s1 = np.where(mm, 1.0 - M[None, :], 1.0).prod(axis=1)
    pos = np.arange(20)[None, :]
    first = np.where(mm, pos, 99).min(axis=1)
    last = np.where(mm, pos, -1).max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dbar = (last - first) / np.maximum(n - 1, 1)  # mean gap between consecutive mismatches
        if mean_distance == "floor":
            dbar = np.floor((last - first) // np.maximum(n - 1, 1)).astype(float)
        s2 = np.where(n < 2, 1.0, 1.0 / (((19.0 - dbar) / 19.0) * 4.0 + 1.0))
        s3 = np.where(n == 0, 1.0, 1.0 / np.maximum(n, 1) ** 2)
    return s1 * s2 * s3 * 100.0


def mit_score(guide: str, offtarget: str, *, mean_distance: str = "floor") -> float:
    """MIT hit score of one pair (see :func:`mit_scores`)."""
    return float(mit_scores([guide], [offtarget], mean_distance=mean_distance)[0])


def mit_specificity(hit_scores) -> float:
    """MIT guide specificity, 0-100: ``100 * 100 / (100 + sum(hit_scores))`` (on-target excluded)."""
    return float(100.0 * 100.0 / (100.0 + float(np.sum(hit_scores))))


def cfd_specificity(cfd_values) -> float:
    """CFD guide specificity, 0-100: ``100 / (1 + sum(CFD))`` over off-targets (on-target excluded)."""
    return float(100.0 / (1.0 + float(np.sum(cfd_values))))


def mismatch_positions(guide: str, offtarget: str) -> list[int]:
    """1-based positions (1 = PAM-distal) where the 20-nt protospacers differ."""
    return [i + 1 for i in range(20) if guide[i] != offtarget[i]]


# --------------------------------------------------------------------------------------------------
# Validated off-targets (Haeussler et al. 2016, Genome Biol 17:148, Fig. 1-2; Suppl. File 1)
# --------------------------------------------------------------------------------------------------
def validated_offtargets(filtered: bool = True):
    """Validated SpCas9 off-targets with CFD and MIT scores.

    Parameters
    ----------
    filtered : bool
        True: ``haeussler2016_offtargetsFilt.tsv`` (two GC-rich outlier guides and off-targets below
        0.01 % removed; the set behind the paper's ROC). False: all 718 off-targets.

    Returns
    -------
    pandas.DataFrame
        One row per off-target: ``name`` (study_guide), ``guide`` (the on-target 23-mer), ``offtarget``
        (23-mer), ``read_fraction`` (measured fraction of the guide's reads/sites at this off-target),
        ``n_mismatches``, ``pam_ok`` (off-target PAM is NGG/NAG/NGA), ``cfd``, ``mit``.
    """
    import pandas as pd

    from augbench.data import path

    name = "haeussler2016_offtargetsFilt" if filtered else "haeussler2016_offtargets"
    t = pd.read_csv(path(f"grna/offtarget/{name}"), sep="\t")
    on = t[t["type"] == "on-target"].drop_duplicates("name").set_index("name")["seq"]
    off = t[t["type"] == "off-target"].copy()
    off = off[off["name"].isin(on.index)]
    off["guide"] = off["name"].map(on)
    off = off.rename(columns={"seq": "offtarget", "score": "read_fraction"})
    off["offtarget"] = off["offtarget"].str.upper()
    ok = off["offtarget"].str.fullmatch("[ACGT]{23}") & off["guide"].str.fullmatch("[ACGT]{23}")
    off = off[ok].reset_index(drop=True)
    off["n_mismatches"] = [sum(a != b for a, b in zip(g[:20], o[:20])) for g, o in zip(off.guide, off.offtarget)]
    off["pam_ok"] = off["offtarget"].str[21:].isin(["GG", "AG", "GA"])
    off["cfd"] = cfd_scores(off["guide"].tolist(), off["offtarget"].tolist())
    off["mit"] = mit_scores(off["guide"].tolist(), off["offtarget"].tolist())
    return off[["name", "guide", "offtarget", "read_fraction", "n_mismatches", "pam_ok", "cfd", "mit"]]


def rank_validated_offtargets(max_mismatches: int = 4, filtered: bool = True):
    """How well CFD and MIT rank the measured read fractions of validated off-targets.

    Only positives exist in the shipped data, so this is a *ranking among validated sites*, not the
    paper's ROC (which needs genome-wide negatives; see :func:`roc_against_genome`). Reported:
    pooled Spearman r of each score with the read fraction, the median per-guide Spearman r (guides with
    >= 5 off-targets), and the AUC of separating the top half of read fractions (per guide) from the rest.

    Returns
    -------
    pandas.DataFrame
        Rows ``cfd`` and ``mit``; columns ``n``, ``spearman_pooled``, ``spearman_per_guide_median``,
        ``auc_strong_vs_weak``.
    """
    import pandas as pd
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    off = validated_offtargets(filtered)
    off = off[(off.n_mismatches <= max_mismatches)]
    rows = []
    strong = off.groupby("name")["read_fraction"].transform(lambda v: v >= v.median()).to_numpy()
    for col in ("cfd", "mit"):
        per = [spearmanr(g[col], g["read_fraction"]).statistic for _, g in off.groupby("name") if len(g) >= 5]
        rows.append({"score": col, "n": len(off),
                     "spearman_pooled": float(spearmanr(off[col], off["read_fraction"]).statistic),
                     "spearman_per_guide_median": float(np.nanmedian(per)) if per else float("nan"),
                     "auc_strong_vs_weak": float(roc_auc_score(strong, off[col]))})
    return pd.DataFrame(rows).set_index("score")


def roc_against_genome(genome, *, max_mismatches: int = 4, min_read_fraction: float = 0.0):
    """Reproduce Haeussler 2016 Fig. 2 (ROC of CFD vs MIT) with a user-supplied hg19 FASTA.

    Procedure (the paper's): for every guide of the filtered validated set, search ``genome`` for all
    sites with <= ``max_mismatches`` mismatches and an NGG/NAG/NGA PAM (:func:`~augbench.grna.offtarget.search_offtargets`);
    a predicted site is a positive if it is a validated off-target (sequence match to the validated
    23-mer), otherwise a negative; the on-target is dropped. AUC of CFD and of MIT over all sites.
    Published values: CFD 0.91, MIT 0.87 (hg19, <= 4 mismatches, outlier guides removed).

    ``genome``: path to hg19 (plain or gzip FASTA; ~3 GB uncompressed; expect minutes and a few GB RAM).
    """
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    from augbench.grna.offtarget import search_offtargets

    val = validated_offtargets(True)
    val = val[val.read_fraction >= min_read_fraction]
    guides = sorted(set(val.guide))
    hits = search_offtargets([g[:20] for g in guides], genome, "SpCas9", max_mismatches=max_mismatches)
    hits["guide23"] = [guides[i] for i in hits.guide_index]
    hits["ot23"] = hits["protospacer"] + hits["pam"]
    hits = hits[~((hits.n_mismatches == 0) & (hits.pam_kind == "main"))]
    pos = set(zip(val.guide, val.offtarget))
    y = np.array([(g, o) in pos for g, o in zip(hits.guide23, hits.ot23)])
    return pd.Series({"n_sites": len(hits), "n_validated_found": int(y.sum()),
                      "auc_cfd": roc_auc_score(y, hits.cfd), "auc_mit": roc_auc_score(y, hits.mit)})
