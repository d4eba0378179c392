"""Tests of maximum-likelihood rate fitting (augbench.grna.fit)."""
import numpy as np
import pytest
from scipy.linalg import expm

from augbench.grna import fit as F
from augbench.grna.kinetics import linear_allele_generator

TRUE = {"k_cut": 0.3, "k_perfect": 0.15, "k_indel": 0.1}
TIMES = np.array([0.5, 1, 2, 4, 6, 9, 12, 18, 24, 36, 48, 72])


def test_probabilities_match_generator():
    p = F.allele_probabilities({**TRUE, "k_hdr": 0.02}, [3.0])
    Q = linear_allele_generator(0.3, 0.15, 0.1, 0.02)
    np.testing.assert_allclose(p[0], expm(Q * 3.0)[:, 0], atol=1e-10)


def test_recovers_known_rates():
    """Simulated intact/DSB/indel read counts (2000 reads at 12 times, seed 1) from known rates; stated
    tolerance: every rate within 15 % relative error and within 4 standard errors on the log scale."""
    df = F.simulate_time_course(TRUE, TIMES, n_reads=2000, random_state=1)
    m = F.RepairKineticsFit(random_state=0).fit(TIMES, df[["intact", "dsb", "indel"]].to_numpy())
    for _, row in m.ci_.iterrows():
        true = TRUE[row.parameter]
        assert abs(row.estimate / true - 1) < 0.15, row
        assert abs(np.log(row.estimate / true)) < 4 * row.se_log, row
        assert row.lower < row.estimate < row.upper
    assert m.predict(TIMES).shape == (TIMES.size, 4)


def test_hidden_dsb_still_identifiable_but_wider():
    df = F.simulate_time_course(TRUE, TIMES, n_reads=2000, observed=("intact", "indel"), random_state=2)
    m = F.RepairKineticsFit(observed=("intact", "indel"), random_state=0).fit(TIMES, df[["intact", "indel"]])
    assert abs(m.rates_["k_indel"] / TRUE["k_indel"] - 1) < 0.25
    assert (m.ci_.se_log > 0).all()


def test_counts_sum_and_errors():
    df = F.simulate_time_course(TRUE, TIMES, n_reads=500, random_state=0)
    assert (df[["intact", "dsb", "indel"]].sum(axis=1) == 500).all()
    with pytest.raises(RuntimeError, match="not fitted"):
        F.RepairKineticsFit().predict(TIMES)
    with pytest.raises(ValueError, match="counts has shape"):
        F.RepairKineticsFit().fit(TIMES, np.ones((3, 3)))
    with pytest.raises(ValueError, match="observed"):
        F.RepairKineticsFit(observed=("intact", "broken")).fit(TIMES, np.ones((12, 2)))
