"""Tests of the energy-landscape R-loop model (augbench.grna.landscape)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augbench import data
from augbench.grna import landscape as L

GUIDE = "GACGCATAAAGATGAGACGC"


def mutate(seq, i):
    b = seq[i]
    return seq[:i] + ("A" if b != "A" else "C") + seq[i + 1:]


@pytest.mark.parametrize("param_set", L.PARAM_SETS)
def test_literature_crisprzip_single_mismatch_profile(param_set):
    """Eslami-Mossallam et al. 2022 Nat Commun 13:1367 model as packaged in crisprzip 1.2.3: single-mismatch
    cleaved and dCas9-bound fractions at 600 s and 12 h with on_rate 0.1 s^-1
    (data/kinetics/crisprzip_single_mismatch_profile.csv, 6 significant digits). Tolerance 2e-6 absolute."""
    ref = pd.read_csv(data.path("kinetics/crisprzip_single_mismatch_profile"))
    for t in (600.0, 43200.0):
        r = ref[(ref.param_set == param_set) & (ref.time_s == t)].sort_values("mm_position")
        got = L.single_mismatch_profile(param_set=param_set, time_s=t, on_rate=0.1)
        np.testing.assert_allclose(got.cleaved_fraction, r.cleaved_fraction, atol=2e-6)
        np.testing.assert_allclose(got.bound_fraction_dcas9, r.bound_fraction_dcas9, atol=2e-6)


def test_against_crisprzip_package_on_random_patterns():
    cz = pytest.importorskip("crisprzip.kinetics")
    from crisprzip.nucleic_acid import MismatchPattern

    rng = np.random.default_rng(0)
    searcher = cz.load_landscape("average_params")
    for _ in range(10):
        pat = rng.random(20) < 0.15
        ref = searcher.probe_target(MismatchPattern(pat.astype(int))).get_cleaved_fraction(np.array([60.0, 3600.0]),
                                                                                          0.05)
        got = L.cleaved_fraction(pat, np.array([60.0, 3600.0]), 0.05)
        np.testing.assert_allclose(got, ref, atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(pat=st.lists(st.booleans(), min_size=20, max_size=20), on_rate=st.floats(1e-3, 10.0),
       t=st.floats(0.0, 1e5))
def test_master_equation_properties(pat, on_rate, t):
    M = L.rate_matrix(np.array(pat), on_rate)
    np.testing.assert_allclose(M.sum(axis=0), 0.0, atol=1e-8 * np.abs(M).max())
    p = L.occupancy(np.array(pat), t, on_rate)
    assert p.shape == (1, 23)
    assert p.sum() == pytest.approx(1.0)
    assert 0.0 <= L.cleavage_probability(np.array(pat)) <= 1.0


def test_effective_rate_low_on_rate_limit():
    on = 1e-6
    for pos in (None, [3], [15]):
        k = L.effective_cleavage_rate(pos, on)
        assert k == pytest.approx(on * L.cleavage_probability(pos), rel=1e-3)


def test_pam_proximal_mismatches_hurt_most():
    prof = L.single_mismatch_profile()
    on = prof.p_clv[0]
    assert (prof.p_clv[1:] <= on + 1e-12).all()
    assert prof.p_clv[1:9].max() < 0.1 * on  # seed region (1-8 from the PAM)
    assert prof.p_clv[18:21].min() > 0.5 * on  # PAM-distal end tolerated


def test_cleavage_for_pairs_positions_and_on_target():
    targets = [GUIDE + "TGG", mutate(GUIDE, 19) + "AGG", mutate(GUIDE, 0), mutate(GUIDE, 19) + "TAA"]
    df = L.cleavage_for_pairs(GUIDE + "NGG", targets)
    assert df.loc[0, "relative_rate"] == pytest.approx(1.0) and df.loc[0, "n_mismatches"] == 0
    assert df.loc[1, "mismatch_positions"] == "1"  # last protospacer base = PAM-adjacent = position 1
    assert df.loc[2, "mismatch_positions"] == "20"
    assert df.loc[1, "relative_rate"] < df.loc[2, "relative_rate"] < 1.0
    assert df.pam_ngg.tolist() == [True, True, True, False]
    assert df.loc[2, "pam"] == ""
    np.testing.assert_array_equal(L.mismatch_pattern(GUIDE, mutate(GUIDE, 19)), np.eye(20, dtype=bool)[0])


def test_cleavage_for_pairs_errors():
    with pytest.raises(ValueError, match="length 19"):
        L.cleavage_for_pairs(GUIDE, GUIDE[:19])
    with pytest.raises(ValueError, match="position 3"):
        L.cleavage_for_pairs(GUIDE, GUIDE[:3] + "X" + GUIDE[4:])
    with pytest.raises(ValueError, match="equal numbers"):
        L.cleavage_for_pairs([GUIDE, GUIDE], [GUIDE] * 3)


def test_cfd_table_reindexed_from_pam():
    cfd = L.cfd_position_sensitivity()
    raw = pd.read_csv(data.path("grna/tables/cfd_mismatch_scores_doench2016"))
    assert cfd.loc[cfd.mm_position == 1, "cfd_mean"].item() == pytest.approx(raw[raw.position == 20].activity.mean())


def test_literature_energy_model_position_sensitivity_tracks_cfd():
    """Doench et al. 2016 Nat Biotech 34:184 (CFD, Fig. 1) and Klein et al. 2018 Cell Rep 22:1413 both find
    PAM-proximal mismatches the most disruptive. Expect a clearly positive rank correlation (Spearman > 0.5)
    between the energy model's single-mismatch cleaved fraction (600 s, 0.1 s^-1) and CFD's mean activity."""
    _, stats = L.compare_with_cfd()
    assert stats["spearman"] > 0.5 and stats["spearman_p"] < 0.01
