"""Repair outcomes at a Cas9 cut: microhomology-mediated deletions (Bae et al. 2014).

Bae S., Kweon J., Kim H.S., Kim J.-S. (2014) Microhomology-based choice of Cas9 nuclease target sites.
Nat Methods 11:705-706, doi:10.1038/nmeth.3015. A deletion that joins two copies of a microhomology
(MH, >= 2 nt) on either side of the break is scored

.. math::

    s = 100 \\cdot \\mathrm{round}(e^{-L/20}, 3) \\cdot (n_{AT} + 2 n_{GC})

with ``L`` the deletion length. MH patterns nested in a longer one with the same offsets are dropped.
The microhomology score is ``MH = sum(s)`` and the out-of-frame score is
``OOF = 100 * sum(s | L mod 3 != 0) / MH``.

Window and break: Bae's worked example uses a 60-nt window with the break at the true SpCas9 cut
(3 nt 5' of the PAM). CRISPOR (Haeussler et al. 2016 Genome Biol 17:148) scores the 60 nt centred on the
protospacer/PAM junction, i.e. 3 nt 3' of the cut; the test vectors in ``data/kinetics`` use CRISPOR's
convention (``break_pos`` = 30, see its PROVENANCE.md). :func:`score_guide_context` lets you choose.
"""
from __future__ import annotations

import math

from augbench._validate import check_int, check_option, check_range

__all__ = ["microhomology_deletions", "bae_scores", "score_guide_context", "deletion_spectrum", "LENGTH_WEIGHT"]

#: Bae 2014 length weight (the ``20`` in exp(-L/20)).
LENGTH_WEIGHT = 20.0


def _clean(seq: str) -> str:
    if not isinstance(seq, str):
        raise TypeError(f"seq={seq!r} must be a string")
    s = seq.upper()
    for i, b in enumerate(s):
        if b not in "ACGTN":
            raise ValueError(f"seq contains {b!r} at position {i}; expected A, C, G, T or N")
    return s


def microhomology_deletions(seq: str, break_pos: int | None = None, *, length_weight: float = LENGTH_WEIGHT,
                            keep_nested: bool = False):
    """All microhomology-flanked deletions across a break, with Bae 2014 pattern scores.

    Parameters
    ----------
    seq : str
        DNA window around the break (A/C/G/T/N, case-insensitive; N is compared literally, as in Bae's program).
    break_pos : int, optional
        Break between ``seq[break_pos-1]`` and ``seq[break_pos]`` (0-based); default ``len(seq) // 2``.
    length_weight : float
        The 20 in ``exp(-L/20)``.
    keep_nested : bool
        Also return patterns nested in a longer one (flagged in ``nested``); they do not count in the scores.

    Returns
    -------
    pandas.DataFrame
        One row per MH pattern, longest MH first: ``microhomology`` (str), ``left_start``, ``left_end``,
        ``right_start``, ``right_end`` (int, 0-based half-open copies of the MH left and right of the break),
        ``del_start``, ``del_end`` (int: the deleted span ``seq[del_start:del_end]``, i.e. the left MH copy and
        everything up to the right copy), ``deletion_length`` (int, nt), ``in_frame`` (bool, length mod 3 == 0),
        ``n_gc`` (int), ``score`` (float, pattern score), ``deleted_seq`` (str), ``nested`` (bool).
    """
    import pandas as pd

    s = _clean(seq)
    n = len(s)
    left = n // 2 if break_pos is None else check_int("break_pos", break_pos, 1, n - 1)
    check_range("length_weight", length_weight, 0.0, None, low_inclusive=False)
    found = []  # (k, i, j)
    for k in range(left - 1, 1, -1):  # longest microhomology first (order matters for nesting)
        for j in range(left, n - k + 1):
            right_word = s[j:j + k]
            for i in range(0, left - k + 1):
                if s[i:i + k] == right_word:
                    found.append((k, i, j))
    rows = []
    for idx, (k, i, j) in enumerate(found):
        nested = False
        for k2, i2, j2 in found[:idx]:
            if i >= i2 and i + k <= i2 + k2 and j >= j2 and j + k <= j2 + k2 and (i - i2) == (j - j2):
                nested = True
                break
        if nested and not keep_nested:
            continue
        mh = s[i:i + k]
        length = j - i
        n_gc = mh.count("G") + mh.count("C")
        score = 100.0 * round(math.exp(-length / length_weight), 3) * ((k - n_gc) + 2 * n_gc)
        rows.append({"microhomology": mh, "left_start": i, "left_end": i + k, "right_start": j, "right_end": j + k,
                     "del_start": i, "del_end": j, "deletion_length": length, "in_frame": length % 3 == 0,
                     "n_gc": n_gc, "score": score if not nested else 0.0, "deleted_seq": s[i:j], "nested": nested})
    cols = ["microhomology", "left_start", "left_end", "right_start", "right_end", "del_start", "del_end",
            "deletion_length", "in_frame", "n_gc", "score", "deleted_seq", "nested"]
    return pd.DataFrame(rows, columns=cols)


def bae_scores(seq: str, break_pos: int | None = None, *, length_weight: float = LENGTH_WEIGHT) -> tuple[float, float]:
    """Microhomology score and out-of-frame score (Bae et al. 2014) of a window.

    Returns
    -------
    (mh, oof) : tuple of float
        Untruncated scores (CRISPOR reports ``int()`` of each); ``(0.0, 0.0)`` if no microhomology.
    """
    d = microhomology_deletions(seq, break_pos, length_weight=length_weight)
    # accumulate in-frame and frameshift sums separately, in pattern order, then add (as Bae's program
    # does), so int() of the result reproduces the published integers exactly
    s_in = s_out = 0.0
    for score, in_frame in zip(d.score.to_numpy(float), d.in_frame.to_numpy(bool)):
        if in_frame:
            s_in += score
        else:
            s_out += score
    total = s_in + s_out
    if total == 0:
        return 0.0, 0.0
    return total, (s_out * 100.0) / total


def score_guide_context(context: str, pam_start: int, *, convention: str = "cut", flank: int = 30):
    """Bae scores for a guide given its genomic context.

    Parameters
    ----------
    context : str
        Sequence containing protospacer + NGG PAM, 5'->3' on the protospacer strand.
    pam_start : int
        0-based index of the PAM's N in ``context``.
    convention : {"cut", "crispor"}
        ``"cut"``: break at the SpCas9 blunt cut, 3 nt 5' of the PAM (Bae 2014); ``"crispor"``: break at the
        protospacer/PAM junction (CRISPOR's scores; 3 nt off the real cut).
    flank : int
        Nucleotides each side of the break (30 for the 60-nt window).

    Returns
    -------
    (mh, oof) : tuple of float
    """
    check_option("convention", convention, ["cut", "crispor"])
    flank = check_int("flank", flank, 3, 1000)
    brk = pam_start - 3 if convention == "cut" else pam_start
    if brk - flank < 0 or brk + flank > len(context):
        raise ValueError(f"context of length {len(context)} is too short for flank={flank} around the break at "
                         f"{brk}; need {flank} nt each side")
    return bae_scores(context[brk - flank: brk + flank], flank)


def deletion_spectrum(seq: str, break_pos: int | None = None, *, length_weight: float = LENGTH_WEIGHT):
    """Predicted MH-deletion spectrum: relative frequency of each deletion length.

    Pattern scores are normalised to sum to 1 (Bae's scores are relative preferences, not measured
    frequencies; non-MH NHEJ outcomes such as +1 insertions are outside this model).

    Returns
    -------
    pandas.DataFrame
        ``deletion_length`` (int, nt), ``relative_frequency`` (float, sums to 1), ``in_frame`` (bool),
        ``n_patterns`` (int), ``top_deleted_seq`` (str, the highest-scoring deletion of that length).
    """
    import pandas as pd

    d = microhomology_deletions(seq, break_pos, length_weight=length_weight)
    if d.empty:
        return pd.DataFrame(columns=["deletion_length", "relative_frequency", "in_frame", "n_patterns",
                                     "top_deleted_seq"])
    total = d.score.sum()
    rows = []
    for length, g in d.groupby("deletion_length"):
        top = g.sort_values("score", ascending=False).iloc[0]
        rows.append({"deletion_length": int(length), "relative_frequency": float(g.score.sum() / total),
                     "in_frame": bool(length % 3 == 0), "n_patterns": int(len(g)), "top_deleted_seq": top.deleted_seq})
    return pd.DataFrame(rows)

