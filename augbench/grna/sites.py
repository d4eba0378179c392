"""Target-site finder: every protospacer + PAM of a nuclease on both strands of one or many records.

Vectorised with numpy (no regex): the sequence is turned into 2-bit codes, PAM positions are found
with one boolean table look-up per PAM base, spacers containing ``N`` are dropped with a cumulative
sum, and the ``-`` strand is searched on the reverse complement and mapped back.

Coordinates: 0-based half-open ``[start, end)`` of the *spacer* on the ``+`` strand of the record;
the spacer and PAM are written 5'->3' on their own strand (STYLE.md). ``cut_pos`` is the break on the
spacer's strand as a ``+``-strand coordinate ``k`` (the break lies between bases ``k-1`` and ``k``);
``cut_pos_complement`` is the break on the other strand (equal for blunt cutters).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from augbench._validate import check_option
from augbench.grna.nucleases import Nuclease, get_nuclease
from augbench.grna.sequence import Record, as_records, encode, reverse_complement

__all__ = ["find_sites", "SITE_COLUMNS"]

#: Columns of :func:`find_sites` (dtype, unit).
SITE_COLUMNS = {
    "record": "str, record name",
    "start": "int, spacer start (0-based, + strand)",
    "end": "int, spacer end (exclusive, + strand)",
    "strand": "'+' or '-'",
    "spacer": "str, protospacer 5'->3' on its strand (the guide sequence, DNA letters)",
    "pam": "str, PAM 5'->3' on the spacer's strand",
    "context": "str, on-target model context (SpCas9: the Doench 30-mer); '' where it runs off the record",
    "cut_pos": "int, break on the spacer strand (+ coordinate of the base after the break)",
    "cut_pos_complement": "int, break on the complementary strand",
    "gc": "float, GC fraction of the spacer (0-1)",
    "poly_t": "bool, spacer contains TTTT (Pol III terminator for U6-driven guides)",
    "soft_masked": "bool, any spacer base was lower case (soft-masked repeat) in the input",
}


def _pam_table(pams: list[str]) -> np.ndarray:
    """Look-up table: base-5 PAM code -> index of the first matching PAM in ``pams`` (-1 = none)."""
    import itertools

    from augbench.grna.nucleases import IUPAC

    P = len(pams[0])
    table = np.full(5 ** P, -1, dtype=np.int8)
    for j in range(len(pams) - 1, -1, -1):  # earlier PAMs (the main one) win
        for combo in itertools.product(*[IUPAC[ch] for ch in pams[j].upper()]):
            code = 0
            for b in combo:
                code = code * 5 + "ACGT".index(b)
            table[code] = j
    return table


def _strand_sites(codes: np.ndarray, nuc: Nuclease, pams: list[str]) -> tuple:
    """Block starts (on this strand's string) of all sites whose PAM matches any of ``pams``,
    and the index of the matching PAM (0 = main)."""
    L, P = nuc.spacer_len, len(nuc.pam)
    B = L + P
    n = len(codes)
    if n < B:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int8)
    pam_off = L if nuc.pam_side == "3prime" else 0
    sp_off = 0 if nuc.pam_side == "3prime" else P
    m = n - B + 1
    pc = np.zeros(m, dtype=np.int32)
    for k in range(P):
        pc *= 5
        pc += codes[pam_off + k: pam_off + k + m]
    which = _pam_table(pams)[pc]
    b = np.flatnonzero(which >= 0)
    isn = np.concatenate([[0], np.cumsum(codes == 4, dtype=np.int32)])
    good = isn[b + sp_off + L] == isn[b + sp_off]
    b = b[good]
    return b, which[b]


def _take(raw: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    if len(starts) == 0:
        return np.zeros(0, dtype=f"U{max(width, 1)}")
    win = np.lib.stride_tricks.sliding_window_view(raw, width)
    return np.ascontiguousarray(win[starts]).view(f"S{width}").ravel().astype(f"U{width}")


def _sites_one(rec: Record, nuc: Nuclease, strands: str, pams: list[str]) -> pd.DataFrame:
    L, P = nuc.spacer_len, len(nuc.pam)
    B = L + P
    n = len(rec.seq)
    sp_off = 0 if nuc.pam_side == "3prime" else P
    pam_off = L if nuc.pam_side == "3prime" else 0
    c5, c3 = nuc.context_5, nuc.context_3
    frames = []
    soft_plus = rec.soft_mask
    for strand in ("+", "-"):
        if strands != "both" and strand != strands:
            continue
        s = rec.seq if strand == "+" else reverse_complement(rec.seq)
        raw = np.frombuffer(s.encode("ascii"), dtype=np.uint8)
        codes = encode(s)
        b, which = _strand_sites(codes, nuc, pams)
        spacer = _take(raw, b + sp_off, L)
        pam = _take(raw, b + pam_off, P)
        # context: pad the strand string with N so every site has a fixed-width window
        pad = np.concatenate([np.full(c5, ord("N"), np.uint8), raw, np.full(c3, ord("N"), np.uint8)])
        ctx = _take(pad, b, B + c5 + c3)
        off_edge = (b - c5 < 0) | (b + B + c3 > n)
        ctx = np.where(off_edge, "", ctx)
        a = b + sp_off  # spacer start on this strand's string
        if strand == "+":
            start = a
            cut = a + nuc.cut_offset
            cut_c = a + nuc.cut_offset_complement
        else:
            start = n - a - L
            cut = n - (a + nuc.cut_offset)
            cut_c = n - (a + nuc.cut_offset_complement)
        gc = (np.char.count(spacer, "G") + np.char.count(spacer, "C")) / L if len(b) else np.zeros(0)
        poly_t = np.char.find(spacer, "TTTT") >= 0 if len(b) else np.zeros(0, bool)
        if soft_plus is not None and len(b):
            cs = np.concatenate([[0], np.cumsum(soft_plus, dtype=np.int64)])
            soft = (cs[start + L] - cs[start]) > 0
        else:
            soft = np.zeros(len(b), dtype=bool)
        frames.append(pd.DataFrame({
            "record": rec.name, "start": start.astype(np.int64), "end": (start + L).astype(np.int64),
            "strand": strand, "spacer": spacer, "pam": pam, "context": ctx,
            "cut_pos": cut.astype(np.int64), "cut_pos_complement": cut_c.astype(np.int64),
            "gc": gc.astype(float), "poly_t": poly_t.astype(bool), "soft_masked": soft,
            "pam_kind": np.where(which == 0, "main", "alt") if len(pams) > 1 else "main"}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(SITE_COLUMNS))


def find_sites(seq, nuclease: "str | Nuclease" = "SpCas9", *, strands: str = "both",
               include_alt_pams: bool = False, name: str = "sequence") -> pd.DataFrame:
    """Find every target site of a nuclease in DNA.

    Parameters
    ----------
    seq : str, Record, list of Record, FASTA text or path, or shipped locus name
        The DNA (see :func:`augbench.grna.sequence.as_records`).
    nuclease : str or Nuclease
        ``"SpCas9"``, ``"SpCas9-NG"``, ``"SaCas9"``, ``"AsCas12a"`` or a :func:`custom_nuclease`.
    strands : {"both", "+", "-"}
    include_alt_pams : bool
        Also report sites with the nuclease's alternative PAMs (``pam_kind == "alt"``).
    name : str
        Record name for a plain sequence string.

    Returns
    -------
    pandas.DataFrame
        One row per site, sorted by record and start, columns :data:`SITE_COLUMNS` plus
        ``pam_kind`` ("main"/"alt").

    Examples
    --------
    >>> df = find_sites("ACGTACGTACGTACGTACGTAGGTT")
    >>> df[["start", "end", "strand", "spacer", "pam", "cut_pos"]].values.tolist()
    [[0, 20, '+', 'ACGTACGTACGTACGTACGT', 'AGG', 17]]
    """
    check_option("strands", strands, ["both", "+", "-"])
    nuc = get_nuclease(nuclease)
    pams = [nuc.pam] + (list(nuc.alt_pams) if include_alt_pams else [])
    recs = as_records(seq, name=name)
    df = pd.concat([_sites_one(r, nuc, strands, pams) for r in recs], ignore_index=True)
    df = df.sort_values(["record", "start", "strand"], kind="stable").reset_index(drop=True)
    df.attrs["nuclease"] = nuc.name
    df.attrs["nuclease_obj"] = nuc
    df.attrs["records"] = {r.name: {"length": len(r), "n_soft_masked": r.n_soft_masked,
                                    "n_unknown": r.n_unknown} for r in recs}
    return df
