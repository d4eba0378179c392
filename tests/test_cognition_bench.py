"""The vectorised Monte Carlo bench: tables, truths, learning observers."""
import numpy as np
import pytest

from augbench.cognition.bench import compare, ideal_placement, simulate_sessions, summarize, truth_of
from augbench.cognition.observers import LearningObserver, StaticObserver
from augbench.cognition.quest import Quest
from augbench.cognition.staircase import UpDown

OBS = StaticObserver(threshold=-1.0, slope=3.5, guess=0.5, lapse=0.02)


def test_dataset_has_units_and_dims():
    ds = simulate_sessions(lambda n: UpDown(2, start=-0.5, step=0.05, n_sessions=n), OBS, 30, 50, chunk=20,
                           random_state=0)
    assert ds.estimate.dims == ("session", "trial") and ds.sizes["session"] == 50
    for v in list(ds.data_vars) + list(ds.coords):
        assert "units" in ds[v].attrs and "long_name" in ds[v].attrs
    assert ds.truth.values[0] == pytest.approx(OBS.intensity_at(0.7071067811865476))


def test_compare_table_and_rmse_falls_with_trials():
    df = compare({"1-up-2-down": lambda n: UpDown(2, start=-0.5, step=(0.1, 0.05), n_sessions=n),
                  "QUEST": lambda n: Quest(-0.8, 0.4, lapse=0.02, n_sessions=n)},
                 OBS, n_trials=80, n_sessions=400, checkpoints=(20, 80), random_state=0)
    assert set(df.columns) >= {"procedure", "n_trials", "rmse", "bias", "sd", "crb_sd", "efficiency"}
    for _, g in df.groupby("procedure"):
        g = g.set_index("n_trials")
        assert g.rmse[80] < g.rmse[20]
        assert np.allclose(g.rmse ** 2, g.bias ** 2 + g.sd ** 2)
        assert np.all((g.efficiency_free_lo <= g.efficiency_free) & (g.efficiency_free <= g.efficiency_free_hi))
        assert np.all((0 < g.info_fraction) & (g.info_fraction <= 1))
    # Bayesian threshold estimate beats the reversal average at 80 trials
    r = df[df.n_trials == 80].set_index("procedure").rmse
    assert r["QUEST"] < r["1-up-2-down"]


def test_truth_follows_a_learning_observer():
    lo = LearningObserver(threshold=-1.0, threshold_start=-0.5, tau=20)
    assert truth_of(("threshold", None), lo, 0) == pytest.approx(-0.5)
    ds = simulate_sessions(lambda n: Quest(-0.8, 0.4, lapse=0.02, n_sessions=n), lo, 60, 20, random_state=0)
    assert ds.truth.values[0] > ds.truth.values[-1]
    df = summarize(ds, lo, (60,))
    assert df.n_sessions[0] == 20


def test_ideal_placement_collects_all_the_information():
    """Every trial at the optimum: info_fraction is 1 by construction, and with enough trials the posterior-mean
    estimate approaches the Cramér-Rao bound (it is an asymptotic bound: at small N one level leaves heavy tails)."""
    proc = ideal_placement(OBS, np.linspace(-2.0, 0.0, 201), prior=np.exp(-0.5 * ((np.linspace(-2, 0, 201) + 1.2) / 0.3) ** 2),
                           n_sessions=5)
    assert np.unique(proc.next_stimulus()).size == 1
    df = compare({"ideal": lambda n: ideal_placement(OBS, np.linspace(-2.0, 0.0, 201), n_sessions=n)}, OBS,
                 n_trials=600, n_sessions=800, checkpoints=(80, 600), random_state=0).set_index("n_trials")
    assert np.allclose(df.info_fraction, 1.0, rtol=1e-4)
    # measured: 0.07 at 80 trials (heavy tails), 1.03 (95 % interval 0.92-1.14) at 600
    assert df.loc[80, "efficiency_free_hi"] < 0.5
    assert df.loc[600, "efficiency_free_lo"] < 1.0 < df.loc[600, "efficiency_free_hi"]
