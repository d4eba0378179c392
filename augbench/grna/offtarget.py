"""Exact genome-wide off-target search (mismatches only) with CFD / MIT scoring.

Algorithm (exact by construction, tested against a brute-force scan):

1. Every PAM-anchored candidate site of the nuclease (main and alternative PAMs, both strands, no
   ``N`` in the spacer) is found with the vectorised site finder (:mod:`augbench.grna.sites`).
2. Each candidate spacer and each guide is packed 2 bits per base into one ``uint64``.
3. For every guide x candidate pair the mismatch count is ``popcount((x | x >> 1) & 0x5555...)``
   with ``x = guide ^ candidate`` -- a bit-parallel Hamming distance over all positions at once. This
   is a compiled loop (numba, ``parallel=True``; first call compiles, ~1-3 s, cached on disk).

Long records are processed in windows (``chunk_size``) so memory stays bounded for human
chromosomes; circular records (e.g. the E. coli chromosome) are searched across the origin: a site
that spans it has ``end > record length`` (subtract the length to get the wrapped end).

Only mismatches are searched (no DNA/RNA bulges), as in bowtie ``-v`` and the CFD/MIT tables.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from augbench._validate import check_int
from augbench.grna.nucleases import Nuclease, get_nuclease
from augbench.grna.sequence import CODE, Record, as_records, encode, reverse_complement

__all__ = ["search_offtargets", "summarize_offtargets", "pack", "HIT_COLUMNS", "warm_up"]

HIT_COLUMNS = {
    "guide_index": "int, row of the guide in the input list",
    "guide": "str, guide spacer",
    "record": "str", "start": "int, spacer start (0-based, + strand)", "end": "int, spacer end (exclusive)",
    "strand": "'+'/'-'", "protospacer": "str, genomic spacer 5'->3' on its strand", "pam": "str",
    "pam_kind": "'main' or 'alt'", "n_mismatches": "int", "mismatch_pos": "str, 1-based positions (1 = PAM-distal)",
    "cfd": "float, CFD (SpCas9 NGG family only; NaN otherwise)", "mit": "float, MIT hit score (SpCas9 only)",
}

_M01 = np.uint64(0x5555555555555555)


def pack(codes2d: np.ndarray) -> np.ndarray:
    """Pack rows of 2-bit codes (values 0-3, shape (n, L), L <= 32) into uint64, first base highest."""
    out = np.zeros(codes2d.shape[0], dtype=np.uint64)
    for k in range(codes2d.shape[1]):
        out = (out << np.uint64(2)) | codes2d[:, k].astype(np.uint64)
    return out


_KERNELS: dict = {}


def _kernels():
    """Compile (lazily) the numba kernels: candidate packing and the pigeonhole seed-and-verify scan."""
    if _KERNELS:
        return _KERNELS
    import numba as nb

    @nb.njit(cache=True, nogil=True)
    def pack_at(codes, starts, L):
        out = np.zeros(starts.shape[0], np.uint64)
        for i in range(starts.shape[0]):
            v = np.uint64(0)
            s = starts[i]
            for k in range(L):
                v = (v << np.uint64(2)) | np.uint64(codes[s + k] & 3)
            out[i] = v
        return out

    @nb.njit(parallel=True, cache=True, nogil=True)
    def seed_scan(gpack, csorted, orders, bstarts, kshift, kmask, dmask, kmax, cap, out_idx, out_cnt, mask):
        # For each guide and each seed part p: visit the candidates whose key (part p's bases) equals the
        # guide's; skip those whose key of an earlier part also matches (visited before); verify the full
        # spacer with a bit-parallel mismatch count.
        ng = gpack.shape[0]
        nparts = orders.shape[0]
        m2 = np.uint64(0x3333333333333333)
        m4 = np.uint64(0x0F0F0F0F0F0F0F0F)
        h01 = np.uint64(0x0101010101010101)
        s1 = np.uint64(1)
        s2 = np.uint64(2)
        s4 = np.uint64(4)
        s56 = np.uint64(56)
        for i in nb.prange(ng):
            g = gpack[i]
            cnt = 0
            for p in range(nparts):
                key = (g >> kshift[p]) & kmask[p]
                lo = bstarts[p, key]
                hi = bstarts[p, key + 1]
                for jj in range(lo, hi):
                    x = g ^ csorted[p, jj]
                    x = (x | (x >> s1)) & mask
                    dup = False
                    for q in range(p):
                        if (x & dmask[q]) == 0:
                            dup = True
                            break
                    if dup:
                        continue
                    y = (x & m2) + ((x >> s2) & m2)
                    y = (y + (y >> s4)) & m4
                    pc = (y * h01) >> s56
                    if pc <= kmax:
                        if cnt < cap:
                            out_idx[i, cnt] = orders[p, jj]
                        cnt += 1
            out_cnt[i] = cnt

    @nb.njit(cache=True, nogil=True)
    def bucket_sort(cpack, shift, kmask, nbuckets, orders_row, csorted_row, bstarts_row):
        # counting sort of the candidates by key = (cpack >> shift) & kmask
        n = cpack.shape[0]
        cnt = np.zeros(nbuckets + 1, np.int64)
        for j in range(n):
            cnt[((cpack[j] >> shift) & kmask) + np.uint64(1)] += 1
        for b in range(nbuckets):
            cnt[b + 1] += cnt[b]
        for b in range(nbuckets + 1):
            bstarts_row[b] = cnt[b]
        for j in range(n):
            k = (cpack[j] >> shift) & kmask
            pos = cnt[k]
            orders_row[pos] = j
            csorted_row[pos] = cpack[j]
            cnt[k] = pos + 1

    _KERNELS["bucket_sort"] = bucket_sort
    _KERNELS["pack_at"] = pack_at
    _KERNELS["seed_scan"] = seed_scan
    return _KERNELS


def warm_up() -> float:
    """Compile (or load from numba's on-disk cache) the kernels; return the seconds it took."""
    import time

    t = time.perf_counter()
    k = _kernels()
    c = np.zeros(30, np.uint8)
    cp = k["pack_at"](c, np.zeros(2, np.int64), 20)
    idx = _SeedIndex(cp, 20, 1)
    idx.scan(cp[:1], 1, 4)
    return time.perf_counter() - t


class _SeedIndex:
    """Pigeonhole index over packed candidate spacers: with k mismatches and k+1 parts, at least one
    part matches exactly (pigeonhole principle), so looking candidates up by each part's key and
    verifying them finds every site within k mismatches -- exactly once (duplicates skipped)."""

    MAX_KEY_NT = 10

    def __init__(self, cpack: np.ndarray, L: int, kmax: int):
        nparts = min(kmax + 1, L)
        bounds = np.linspace(0, L, nparts + 1).round().astype(int)
        self.kshift = np.zeros(nparts, np.uint64)
        self.kmask = np.zeros(nparts, np.uint64)
        self.dmask = np.zeros(nparts, np.uint64)
        widths = []
        for p in range(nparts):
            a, b = int(bounds[p]), int(bounds[p + 1])
            b = min(b, a + self.MAX_KEY_NT)  # key on at most 10 nt of the part (still exact)
            width = b - a
            shift = 2 * (L - b)
            self.kshift[p] = shift
            self.kmask[p] = (1 << (2 * width)) - 1
            self.dmask[p] = np.uint64(((1 << (2 * width)) - 1) << shift) & _M01
            widths.append(width)
        nb_max = 1 << (2 * max(widths))
        self.orders = np.zeros((nparts, len(cpack)), np.int32)  # window sizes stay far below 2**31
        self.csorted = np.zeros((nparts, len(cpack)), np.uint64)
        self.bstarts = np.zeros((nparts, nb_max + 1), np.int64)
        bsort = _kernels()["bucket_sort"]
        for p in range(nparts):
            nbk = 1 << (2 * widths[p])
            bsort(cpack, self.kshift[p], self.kmask[p], nbk, self.orders[p], self.csorted[p], self.bstarts[p])
            self.bstarts[p, nbk + 1:] = self.bstarts[p, nbk]
        self.cpack = cpack
        self.mask = np.uint64((1 << (2 * L)) - 1) & _M01

    def scan(self, gpack: np.ndarray, kmax: int, cap: int):
        kern = _kernels()["seed_scan"]
        out_idx = np.empty((len(gpack), cap), np.int64)
        out_cnt = np.zeros(len(gpack), np.int64)
        kern(gpack, self.csorted, self.orders, self.bstarts, self.kshift, self.kmask, self.dmask, kmax, cap,
             out_idx, out_cnt, self.mask)
        return out_idx, out_cnt


def _candidates(rec: Record, nuc: Nuclease, pams: list[str], chunk_size: int):
    """Yield per window: strand array, packed spacers, PAM strings, PAM index, + strand spacer starts."""
    from augbench.grna.sites import _strand_sites

    pack_at = _kernels()["pack_at"]
    L, P = nuc.spacer_len, len(nuc.pam)
    B = L + P
    n = len(rec.seq)
    seq = rec.seq + (rec.seq[: B - 1] if rec.circular and n >= B else "")
    sp_off = 0 if nuc.pam_side == "3prime" else P
    pam_off = L if nuc.pam_side == "3prime" else 0
    for w0 in range(0, n, chunk_size):
        w1 = min(w0 + chunk_size, n)
        win = seq[w0: w1 + B - 1]
        nw = len(win)
        parts = []
        for strand in ("+", "-"):
            s = win if strand == "+" else reverse_complement(win)
            codes = encode(s)
            b, which = _strand_sites(codes, nuc, pams)
            plus_block = b if strand == "+" else nw - b - B
            keep = plus_block < (w1 - w0)
            b, which = b[keep], which[keep]
            cpack = pack_at(codes, (b + sp_off).astype(np.int64), L)
            raw = np.frombuffer(s.encode("ascii"), np.uint8)
            win_v = np.lib.stride_tricks.sliding_window_view(raw, P)
            pam_s = np.ascontiguousarray(win_v[b + pam_off]).view(f"S{P}").ravel()
            sp_start = w0 + b + sp_off if strand == "+" else w0 + nw - (b + sp_off) - L
            parts.append((np.full(len(b), strand == "+"), cpack, pam_s, which, sp_start))
        yield tuple(np.concatenate([p[i] for p in parts]) for i in range(5))


def _guide_codes(guides, L: int) -> np.ndarray:
    rows = []
    for i, g in enumerate(guides):
        if not isinstance(g, str):
            raise TypeError(f"guide {i} is a {type(g).__name__}; expected a DNA string")
        s = g.strip().upper()
        if len(s) not in (L, L + 3, L + 4):
            raise ValueError(f"guide {i} ({g!r}) has length {len(s)}; expected the {L}-nt spacer "
                             f"(optionally followed by the PAM)")
        s = s[:L]
        c = CODE[np.frombuffer(s.encode("ascii", errors="replace"), np.uint8)]
        if (c > 3).any():
            j = int(np.flatnonzero(c > 3)[0])
            raise ValueError(f"guide {i} ({g!r}): {s[j]!r} at position {j} is not A, C, G or T")
        rows.append(c)
    if not rows:
        raise ValueError("no guides given")
    return np.vstack(rows)


def search_offtargets(guides, genome, nuclease: "str | Nuclease" = "SpCas9", *, max_mismatches: int = 4,
                      include_alt_pams: bool = True, circular: bool | None = None,
                      chunk_size: int = 8_000_000, score: bool = True, cap: int = 512) -> pd.DataFrame:
    """Find every genomic site within ``max_mismatches`` of each guide, next to a valid PAM.

    Parameters
    ----------
    guides : sequence of str
        Spacers (``nuclease.spacer_len`` nt, optionally followed by the PAM, which is ignored).
    genome : path, Record(s), FASTA text, sequence or shipped locus name (e.g. ``"ecoli_K12"``)
        A FASTA path (plain or gzip) is streamed record by record (a human genome fits in a few GB).
    nuclease : str or Nuclease
    max_mismatches : int
        0-8 mismatches in the spacer (default 4).
    include_alt_pams : bool
        Also search the nuclease's alternative PAMs (SpCas9: NAG, NGA).
    circular : bool, optional
        Override the records' topology (shipped E. coli is circular).
    chunk_size : int
        Window length in bp (bounds memory on large chromosomes).
    score : bool
        Add CFD and MIT scores (SpCas9 only; NaN otherwise).

    Returns
    -------
    pandas.DataFrame
        One row per (guide, site), columns :data:`HIT_COLUMNS`, sorted by guide, mismatches, record, start.
    """
    nuc = get_nuclease(nuclease)
    kmax = check_int("max_mismatches", max_mismatches, 0, 8)
    check_int("chunk_size", chunk_size, 1000)
    if nuc.spacer_len > 32:
        raise ValueError(f"spacer_len={nuc.spacer_len} > 32 is not supported by the 64-bit search")
    guides = list(guides)
    gcodes = _guide_codes(guides, nuc.spacer_len)
    gpack = pack(gcodes)
    L = nuc.spacer_len
    pams = [nuc.pam] + (list(nuc.alt_pams) if include_alt_pams else [])
    import os
    from pathlib import Path

    from augbench.grna.sequence import iter_fasta

    if isinstance(genome, (str, os.PathLike)) and not str(genome).lstrip().startswith(">") \
            and len(str(genome)) < 4096 and Path(str(genome)).is_file():
        recs = iter_fasta(genome)  # stream: one chromosome in memory at a time
    else:
        recs = as_records(genome)
    shifts = np.uint64(2) * np.arange(L - 1, -1, -1, dtype=np.uint64)
    frames = []
    for rec in recs:
        if circular is not None:
            rec = Record(rec.name, rec.seq, rec.description, rec.n_soft_masked, rec.n_unknown, bool(circular))
        for is_plus, cpack, pam_s, which, sp_start in _candidates(rec, nuc, pams, chunk_size):
            if len(cpack) == 0:
                continue
            index = _SeedIndex(cpack, L, kmax)
            out_idx, out_cnt = index.scan(gpack, kmax, cap)
            gi_parts, ci_parts = [], []
            ok = out_cnt <= cap
            if ok.any():
                rows = np.flatnonzero(ok)
                cnts = out_cnt[rows]
                gi_parts.append(np.repeat(rows, cnts))
                ci_parts.append(out_idx[rows][np.arange(cap)[None, :] < cnts[:, None]])
            for g_over in np.flatnonzero(~ok):  # rerun heavy guides with exact capacity
                oi, oc = index.scan(gpack[g_over:g_over + 1], kmax, int(out_cnt[g_over]))
                gi_parts.append(np.full(int(oc[0]), g_over))
                ci_parts.append(oi[0])
            gi = np.concatenate(gi_parts) if gi_parts else np.zeros(0, np.int64)
            ci = np.concatenate(ci_parts) if ci_parts else np.zeros(0, np.int64)
            if len(gi) == 0:
                continue
            hc = ((cpack[ci][:, None] >> shifts[None, :]) & np.uint64(3)).astype(np.uint8)
            mm = hc != gcodes[gi]
            proto = np.array(list("ACGT"), dtype="U1")[hc]
            frames.append(pd.DataFrame({
                "guide_index": gi.astype(np.int64),
                "record": rec.name,
                "start": (sp_start[ci] % len(rec.seq)).astype(np.int64),
                "strand": np.where(is_plus[ci], "+", "-"),
                "protospacer": np.ascontiguousarray(proto).view(f"U{L}").ravel(),
                "pam": pam_s[ci].astype(str),
                "pam_kind": np.where(which[ci] == 0, "main", "alt"),
                "n_mismatches": mm.sum(axis=1).astype(np.int64),
                "_mm": list(mm),
            }))
    cols = list(HIT_COLUMNS)
    if not frames:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        empty.attrs.update({"nuclease": nuc.name, "nuclease_obj": nuc, "max_mismatches": kmax, "n_guides": len(guides)})
        return empty
    df = pd.concat(frames, ignore_index=True)
    df["end"] = df["start"] + L
    df["guide"] = np.asarray([g.strip().upper()[:L] for g in guides], dtype=object)[df["guide_index"].to_numpy()]
    df["mismatch_pos"] = [",".join(str(p + 1) for p in np.flatnonzero(m)) for m in df["_mm"]]
    df = df.drop(columns="_mm")
    df["cfd"] = np.nan
    df["mit"] = np.nan
    if score and len(df) and nuc.cfd_defined and L == 20:
        from augbench.grna.scoring import cfd_scores, mit_scores

        ot = (df["protospacer"] + df["pam"]).tolist()
        df["cfd"] = cfd_scores(df["guide"].tolist(), ot)
        df["mit"] = mit_scores(df["guide"].tolist(), ot)
    df = df[cols].sort_values(["guide_index", "n_mismatches", "record", "start", "strand"], kind="stable")
    df = df.reset_index(drop=True)
    df.attrs.update({"nuclease": nuc.name, "nuclease_obj": nuc, "max_mismatches": kmax, "n_guides": len(guides)})
    return df


def summarize_offtargets(hits: pd.DataFrame, guides=None, *, max_mismatches: int | None = None) -> pd.DataFrame:
    """Per-guide off-target counts by mismatch number and specificity scores.

    The on-target is taken to be one perfect match with the main PAM (CRISPOR's convention); it is
    counted in ``n_mm0`` but excluded from the specificity sums. MIT specificity sums the MIT hit scores
    of off-targets with NGG or NAG PAMs (the PAMs crispr.mit.edu searched, Hsu 2013); CFD specificity
    sums CFD over all off-targets (the CFD PAM table already weights NAG/NGA).

    Returns
    -------
    pandas.DataFrame
        Index ``guide_index``; columns ``guide``, ``n_mm0`` ... ``n_mm{k}`` (all PAMs), ``n_offtargets``,
        ``mit_specificity``, ``cfd_specificity`` (0-100; NaN where CFD/MIT are not defined).
    """
    kmax = int(max_mismatches if max_mismatches is not None else hits.attrs.get("max_mismatches", 4))
    n_guides = len(guides) if guides is not None else int(hits.attrs.get("n_guides", hits["guide_index"].max() + 1))
    from augbench.grna.nucleases import get_nuclease as _gn

    defined = (hits.attrs.get("nuclease_obj") or _gn(hits.attrs.get("nuclease", "SpCas9"))).cfd_defined
    rows = []
    grouped = {k: g for k, g in hits.groupby("guide_index")} if len(hits) else {}
    for gi in range(n_guides):
        g = grouped.get(gi, hits.iloc[0:0])
        row = {"guide_index": gi,
               "guide": (guides[gi][:20] if guides is not None else (g["guide"].iloc[0] if len(g) else ""))}
        counts = np.bincount(g["n_mismatches"].to_numpy(np.int64), minlength=kmax + 1) if len(g) else np.zeros(kmax + 1, int)
        for k in range(kmax + 1):
            row[f"n_mm{k}"] = int(counts[k])
        perfect = np.flatnonzero((g["n_mismatches"].to_numpy() == 0) & (g["pam_kind"].to_numpy() == "main"))
        off = g.drop(index=g.index[perfect[:1]]) if len(perfect) else g
        row["n_offtargets"] = int(len(off))
        if defined:
            mit_ok = off["pam"].str[1:].isin(["GG", "AG"])
            row["mit_specificity"] = 100.0 * 100.0 / (100.0 + float(off.loc[mit_ok, "mit"].sum()))
            row["cfd_specificity"] = 100.0 / (1.0 + float(off["cfd"].sum()))
        else:
            row["mit_specificity"] = np.nan
            row["cfd_specificity"] = np.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index("guide_index")
