"""CFD and MIT scores against CRISPOR's published per-pair values; specificity aggregation."""
import numpy as np
import pandas as pd
import pytest

from augbench.data import path
from augbench.grna.scoring import (cfd_score, cfd_scores, cfd_specificity, mismatch_positions, mit_score,
                                   mit_scores, mit_specificity)


@pytest.fixture(scope="module")
def vectors():
    return pd.read_csv(path("grna/tables/testvectors_cfd_mit_haeussler2016"), sep="\t")


def test_literature_cfd_crispor_vectors(vectors):
    """Haeussler et al. 2016 Genome Biol 17:148 (crisporPaper out/hsuVsMit.tsv, 154 pairs): CFD (Doench 2016
    Suppl. Table 19 mismatch + PAM tables) as computed by CRISPOR; tolerance 1e-9 (reproduced to 5e-13)."""
    got = cfd_scores(vectors.guide, vectors.offt)
    assert np.abs(got - vectors.cfd).max() < 1e-9


def test_literature_mit_crispor_vectors_floor(vectors):
    """Same 154 pairs, MIT hit score (Hsu 2013) as CRISPOR computes it (Python 2: floored mean mismatch
    distance); tolerance 1e-9. With the exact mean distance the difference is real (> 0.01 somewhere)."""
    got = mit_scores(vectors.guide, vectors.offt)
    assert np.abs(got - vectors.MIT).max() < 1e-9
    exact = mit_scores(vectors.guide, vectors.offt, mean_distance="exact")
    assert np.abs(exact - vectors.MIT).max() > 0.01


def test_cfd_hand_example():
    g = "GAGTCCGAGCAGAAGAAGAA"
    assert cfd_score(g, g + "GGG") == pytest.approx(1.0)
    assert cfd_score(g, g + "GAG") == pytest.approx(0.259259259, abs=1e-8)  # Doench 2016 PAM table: AG
    # position 20 (PAM-proximal) A->T in the off-target: rna A vs target-strand dna base A (complement of T)
    ot = g[:19] + "T" + "TGG"
    table = pd.read_csv(path("grna/tables/cfd_mismatch_scores_doench2016"))
    expected = table[(table.position == 20) & (table.rna_base == "A") & (table.dna_base == "A")].activity.item()
    assert cfd_score(g, ot) == pytest.approx(expected)


def test_mit_single_and_perfect():
    g = "GAGTCCGAGCAGAAGAAGAA"
    assert mit_score(g, g) == 100.0
    ot = "C" + g[1:]  # one mismatch at position 1, weight M1 = 0
    assert mit_score(g, ot) == pytest.approx(100.0)
    assert mismatch_positions(g, ot) == [1]


def test_specificity_formulas():
    assert mit_specificity([]) == 100.0
    assert mit_specificity([100.0]) == pytest.approx(50.0)
    assert cfd_specificity([1.0]) == pytest.approx(50.0)
    assert cfd_specificity([0.25, 0.25]) == pytest.approx(100 / 1.5)


def test_scoring_errors():
    with pytest.raises(ValueError, match="length"):
        cfd_scores(["ACGT"], ["ACGTACGTACGTACGTACGTAGG"])
    with pytest.raises(ValueError, match="not A, C, G or T"):
        cfd_scores(["ACGTACGTACGTACGTACGN"], ["ACGTACGTACGTACGTACGTAGG"])
    with pytest.raises(ValueError, match="mean_distance"):
        mit_scores(["A" * 20], ["A" * 20], mean_distance="median")


def test_validated_offtargets_set_and_ranking():
    """Haeussler 2016 filtered validated set (offtargetsFilt.tsv): 225 off-targets of 44 guides; CFD and MIT
    both rank measured read fractions positively (pooled Spearman > 0) among sites with <= 4 mismatches."""
    from augbench.grna.scoring import rank_validated_offtargets, validated_offtargets

    v = validated_offtargets()
    assert len(v) == 225 and v.name.nunique() <= 44
    tab = rank_validated_offtargets(max_mismatches=4)
    assert set(tab.index) == {"cfd", "mit"}
    assert (tab.spearman_pooled > 0).all()
    assert tab.loc["cfd", "n"] == (v.n_mismatches <= 4).sum()
