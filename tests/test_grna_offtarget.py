"""Exact off-target search: identical to a brute-force scan on random genomes with planted near-matches."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augbench.grna.nucleases import IUPAC, custom_nuclease, get_nuclease
from augbench.grna.offtarget import search_offtargets, summarize_offtargets
from augbench.grna.sequence import Record, clean_sequence, reverse_complement


def _pam_ok(pm, pams):
    return any(all(b in IUPAC[c] for b, c in zip(pm, p)) for p in pams)


def brute(guides, recs, nuc, k, pams):
    L, P = nuc.spacer_len, len(nuc.pam)
    B = L + P
    out = set()
    G = np.array([list(g[:L]) for g in guides])
    for rec in recs:
        n = len(rec.seq)
        ext = rec.seq + (rec.seq[:B - 1] if rec.circular else "")
        for strand, s in (("+", ext), ("-", reverse_complement(ext))):
            for i in range(len(s) - B + 1):
                plus_block = i if strand == "+" else len(s) - i - B
                if plus_block >= n:
                    continue
                if nuc.pam_side == "3prime":
                    sp, pm, a = s[i:i + L], s[i + L:i + B], i
                else:
                    pm, sp, a = s[i:i + P], s[i + P:i + B], i + P
                if "N" in sp or not _pam_ok(pm, pams):
                    continue
                start = a if strand == "+" else len(s) - a - L
                mm = (G != np.array(list(sp))).sum(axis=1)
                for gi in np.flatnonzero(mm <= k):
                    out.add((int(gi), rec.name, start % n, strand, sp, pm, int(mm[gi])))
    return out


def as_set(df):
    return {(r.guide_index, r.record, r.start, r.strand, r.protospacer, r.pam, r.n_mismatches) for r in df.itertuples()}


def random_genome(rng, n, guides, nuc, n_plant=30, circular=False, name="chrR"):
    """Random genome with mutated copies (0-5 mismatches) of the guides planted next to valid PAMs."""
    seq = np.array(list("ACGT"))[rng.integers(0, 4, n)]
    L, P = nuc.spacer_len, len(nuc.pam)
    pams = [nuc.pam, *nuc.alt_pams]
    for _ in range(n_plant):
        g = list(guides[rng.integers(len(guides))])
        for pos in rng.choice(L, rng.integers(0, 6), replace=False):
            g[pos] = "ACGT"[(("ACGT".index(g[pos])) + rng.integers(1, 4)) % 4]
        pam = "".join(rng.choice(list(IUPAC[c])) for c in pams[rng.integers(len(pams))])
        block = "".join(g) + pam if nuc.pam_side == "3prime" else pam + "".join(g)
        if rng.random() < 0.5:
            block = reverse_complement(block)
        at = rng.integers(0, n - len(block))
        seq[at:at + len(block)] = list(block)
    seq[rng.integers(0, n, 5)] = "N"
    return Record(name, "".join(seq), circular=circular)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("nuclease", ["SpCas9", "SaCas9", "AsCas12a"])
def test_matches_brute_force_planted(seed, nuclease):
    rng = np.random.default_rng(seed)
    nuc = get_nuclease(nuclease)
    guides = ["".join(rng.choice(list("ACGT"), nuc.spacer_len)) for _ in range(6)]
    recs = [random_genome(rng, 3000, guides, nuc), random_genome(rng, 1500, guides, nuc, name="chrS")]
    for k in (0, 2, 4):
        hits = search_offtargets(guides, recs, nuc, max_mismatches=k)
        ref = brute(guides, recs, nuc, k, [nuc.pam, *nuc.alt_pams])
        assert as_set(hits) == ref
        assert len(hits) == len(ref)  # no duplicates
    assert (hits.n_mismatches >= 3).any()  # the planted near-matches are really found


def test_main_pam_only_and_chunking_and_strand_coordinates():
    rng = np.random.default_rng(5)
    nuc = get_nuclease("SpCas9")
    guides = ["".join(rng.choice(list("ACGT"), 20)) for _ in range(5)]
    rec = random_genome(rng, 20000, guides, nuc, n_plant=60)
    a = search_offtargets(guides, rec, nuc, max_mismatches=3, include_alt_pams=False)
    assert as_set(a) == brute(guides, [rec], nuc, 3, ["NGG"])
    b = search_offtargets(guides, rec, nuc, max_mismatches=3, include_alt_pams=False, chunk_size=1000)
    assert as_set(a) == as_set(b)
    for r in a.itertuples():
        plus = rec.seq[r.start:r.end]
        assert plus == (r.protospacer if r.strand == "+" else reverse_complement(r.protospacer))


def test_circular_wraps_origin():
    nuc = get_nuclease("SpCas9")
    g = "ACGTTGCAAGGCTTAGCATG"
    body = "T" * 200
    site = g + "TGG"
    seq = site[10:] + body + site[:10]  # the site spans the origin
    lin = search_offtargets([g], clean_sequence(seq, "c"), nuc, max_mismatches=0)
    circ = search_offtargets([g], clean_sequence(seq, "c", circular=True), nuc, max_mismatches=0)
    assert len(lin) == 0 and len(circ) == 1
    r = circ.iloc[0]
    assert r.start == len(seq) - 10 and r.end == len(seq) + 10 and r.strand == "+"


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(0, 4))
def test_property_random_genomes(seed, k):
    rng = np.random.default_rng(seed)
    nuc = custom_nuclease("x", "NRG", spacer_len=16, alt_pams=["NYG"])
    guides = ["".join(rng.choice(list("ACGT"), 16)) for _ in range(3)]
    rec = random_genome(rng, 800, guides, nuc, n_plant=15, circular=bool(seed % 2))
    hits = search_offtargets(guides, rec, nuc, max_mismatches=k)
    assert as_set(hits) == brute(guides, [rec], nuc, k, [nuc.pam, *nuc.alt_pams])


def test_scores_and_summary():
    nuc = get_nuclease("SpCas9")
    g = "GAGTCCGAGCAGAAGAAGAA"
    off1 = "GAGTCCGAGCAGAAGAAGAT"
    seq = "AAAA" + g + "GGG" + "TTTT" + off1 + "TAG" + "CCCC"
    hits = search_offtargets([g], seq, nuc, max_mismatches=2)
    assert len(hits) == 2
    from augbench.grna.scoring import cfd_score, mit_score

    off = hits[hits.n_mismatches == 1].iloc[0]
    assert off.pam_kind == "alt" and off.mismatch_pos == "20"
    assert off.cfd == pytest.approx(cfd_score(g, off1 + "TAG"))
    s = summarize_offtargets(hits, [g]).iloc[0]
    assert (s.n_mm0, s.n_mm1, s.n_offtargets) == (1, 1, 1)
    assert s.cfd_specificity == pytest.approx(100 / (1 + off.cfd))
    assert s.mit_specificity == pytest.approx(100 * 100 / (100 + mit_score(g, off1)))
    # CFD is not defined for SaCas9: NaN, not a number
    sa = search_offtargets(["A" * 21], "A" * 21 + "GAGGAT", "SaCas9", max_mismatches=0)
    assert sa.cfd.isna().all()
    assert np.isnan(summarize_offtargets(sa, ["A" * 21]).iloc[0].cfd_specificity)


def test_guide_errors():
    with pytest.raises(ValueError, match="length"):
        search_offtargets(["ACGT"], "ACGT" * 20)
    with pytest.raises(ValueError, match="not A, C, G or T"):
        search_offtargets(["ACGTACGTACGTACGTACGN"], "ACGT" * 20)
    with pytest.raises(ValueError, match="max_mismatches"):
        search_offtargets(["A" * 20], "ACGT" * 20, max_mismatches=9)


def test_fasta_path_is_streamed_and_equal(tmp_path):
    rng = np.random.default_rng(11)
    nuc = get_nuclease("SpCas9")
    guides = ["".join(rng.choice(list("ACGT"), 20)) for _ in range(4)]
    recs = [random_genome(rng, 2000, guides, nuc, name="c1"), random_genome(rng, 1000, guides, nuc, name="c2")]
    p = tmp_path / "g.fa"
    p.write_text("".join(f">{r.name}\n{r.seq}\n" for r in recs))
    a = search_offtargets(guides, str(p), max_mismatches=3)
    b = search_offtargets(guides, recs, max_mismatches=3)
    assert as_set(a) == as_set(b) == brute(guides, recs, nuc, 3, ["NGG", "NAG", "NGA"])
