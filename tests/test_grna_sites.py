"""Target-site finder: hand-checked loci, reverse-strand coordinates and cut sites, brute-force property tests."""
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augbench.grna.nucleases import IUPAC, custom_nuclease, get_nuclease, list_nucleases
from augbench.grna.sequence import reverse_complement
from augbench.grna.sites import find_sites


def test_shipped_nucleases():
    assert set(list_nucleases()) == {"SpCas9", "SpCas9-NG", "SaCas9", "AsCas12a"}
    sa = get_nuclease("SaCas9")
    assert (sa.pam, sa.spacer_len) == ("NNGRRT", 21)
    cas12 = get_nuclease("AsCas12a")
    assert cas12.pam_side == "5prime" and cas12.staggered and cas12.spacer_len == 23
    assert get_nuclease("SpCas9").alt_pams == ("NAG", "NGA")


def test_known_guides_in_shipped_amplicons():
    """The published guides of human_loci_guides.tsv are found at their recorded positions (hand-checked)."""
    from augbench.data import path

    guides = pd.read_csv(path("genomes/human_loci_guides"), sep="\t")
    for row in guides.itertuples():
        df = find_sites({"FANC": "FANCF"}.get(row.locus, row.locus))
        hit = df[df.spacer == row.guide20]
        assert len(hit) == 1
        h = hit.iloc[0]
        assert (h.start, h.end, h.strand, h.pam) == (row.guide_start0, row.guide_start0 + 20, "+", row.pam)
        assert h.cut_pos == row.guide_start0 + 17  # SpCas9 blunt cut 3 bp 5' of the PAM
        assert len(h.context) == 30 and h.context[4:24] == row.guide20 and h.context[24:27] == row.pam


def test_reverse_strand_hand_example():
    # + strand: CCN at 2..4 means an NGG site on the - strand whose spacer is the rc of seq[5:25]
    seq = "TT" + "CCA" + "ACGTTGCAAGGCTTAGCATG" + "TTTTT"
    df = find_sites(seq)
    minus = df[df.strand == "-"]
    assert len(minus) == 1
    r = minus.iloc[0]
    assert (r.start, r.end) == (5, 25)
    assert r.spacer == reverse_complement(seq[5:25]) and r.pam == "TGG"
    # the break lies 3 nt from the PAM on the spacer strand: + coordinate 5 + 3 = 8
    assert r.cut_pos == 8 == r.cut_pos_complement


def test_cas12a_staggered_cut_both_strands():
    nuc = get_nuclease("AsCas12a")
    spacer = "ACGTACGTACGTACGTACGTACG"
    seq = "GGGG" + "TTTA" + spacer + "CCCC"
    df = find_sites(seq, nuc)
    r = df[(df.strand == "+") & (df.spacer == spacer)].iloc[0]
    assert (r.start, r.end, r.pam) == (8, 31, "TTTA")
    assert (r.cut_pos, r.cut_pos_complement) == (8 + 18, 8 + 23)  # 5-nt 5' overhang (Zetsche 2015)
    rc = reverse_complement(seq)
    df2 = find_sites(rc, nuc)
    r2 = df2[df2.spacer == spacer].iloc[0]
    n = len(seq)
    assert r2.strand == "-" and (r2.start, r2.end) == (n - 31, n - 8)
    assert (r2.cut_pos, r2.cut_pos_complement) == (n - 26, n - 31)


def test_no_site_contains_n_and_soft_mask_flag():
    seq = "ACGTACGTACNTACGTACGTAGG" + "acgtacgtacgtacgtacgtcgg"
    df = find_sites(seq)
    assert not df.spacer.str.contains("N").any()
    assert df[df.start == 23].soft_masked.all()


def test_invalid_input_errors():
    with pytest.raises(ValueError, match="nuclease"):
        find_sites("ACGT" * 10, "Cas99")
    with pytest.raises(ValueError, match="IUPAC"):
        custom_nuclease(pam="NGZ")


def _brute(seq, nuc, pams):
    """Reference: check every position of both strands with a regex built from the IUPAC PAM."""
    L, P = nuc.spacer_len, len(nuc.pam)
    out = set()
    for strand, s in (("+", seq), ("-", reverse_complement(seq))):
        for pam in pams:
            pat = "".join(f"[{IUPAC[c]}]" for c in pam)
            for i in range(len(s) - L - P + 1):
                if nuc.pam_side == "3prime":
                    sp, pm = s[i:i + L], s[i + L:i + L + P]
                    a = i
                else:
                    pm, sp = s[i:i + P], s[i + P:i + P + L]
                    a = i + P
                if "N" in sp or not re.fullmatch(pat, pm):
                    continue
                start = a if strand == "+" else len(s) - a - L
                cut = a + nuc.cut_offset if strand == "+" else len(s) - a - nuc.cut_offset
                out.add((start, strand, sp, pm, cut))
    return out


nuclease_st = st.sampled_from(["SpCas9", "SpCas9-NG", "SaCas9", "AsCas12a", "custom"])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ACGTN", min_size=0, max_size=150).filter(lambda s: s.count("N") < 10), nuclease_st)
def test_sites_match_brute_force(seq, name):
    nuc = custom_nuclease("x", "NRG", spacer_len=18, cut_offset=15) if name == "custom" else get_nuclease(name)
    if not seq:
        return
    df = find_sites(seq, nuc)
    got = {(r.start, r.strand, r.spacer, r.pam, r.cut_pos) for r in df.itertuples()}
    assert got == _brute(seq, nuc, [nuc.pam])
    # sites on - map back onto +: the + strand slice is the reverse complement of the spacer
    for r in df.itertuples():
        plus = seq[r.start:r.end]
        assert plus == (r.spacer if r.strand == "+" else reverse_complement(r.spacer))


def test_gc_and_poly_t():
    seq = "GGGGGTTTTAAAAACCCCCAAGGCC"
    df = find_sites(seq)
    r = df[df.strand == "+"].iloc[0]
    assert r.spacer == "GGGGGTTTTAAAAACCCCCA" and r.poly_t and r.gc == pytest.approx(0.5)


def test_scan_one_megabase_is_vectorised():
    """Scale check (not a timing goal): 1 Mb of E. coli gives the PROVENANCE-consistent NGG density."""
    from augbench.grna.sequence import load_locus

    eco = load_locus("ecoli_K12")
    n_all = len(find_sites(eco))
    assert n_all == 542_072  # genomes/PROVENANCE.md: 542,072 NGG PAM sites on both strands (measured)


def test_reverse_strand_real_locus_smallgenome():
    """genomes/PROVENANCE.md (CRISPResso2 smallGenome): the FANCF guide lies on the - strand of 'chr11' at
    1174 and the HEK3 guide on + of 'chr9' at 1070 (independent annotation, 0-based)."""
    df = find_sites("HEK3_FANCF_smallgenome")
    f = df[df.spacer == "GGAATCCCTTCTGCAGCACC"].iloc[0]
    assert (f.record, f.start, f.end, f.strand, f.pam) == ("chr11", 1174, 1194, "-", "TGG")
    assert f.cut_pos == 1194 - 17  # 3 bp from the PAM, which lies left of the spacer on +
    h = df[df.spacer == "GGCCCAGACTGAGCACGTGA"].iloc[0]
    assert (h.record, h.start, h.strand, h.cut_pos) == ("chr9", 1070, "+", 1087)
    # the FANCF context equals the one found in the FANCF amplicon (same human sequence, other strand)
    amp = find_sites("FANCF")
    assert amp[amp.spacer == f.spacer].context.item() == f.context
