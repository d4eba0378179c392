"""Tests of the Gillespie simulation (augbench.grna.stochastic) against the ODE."""
import numpy as np
import pytest

from augbench.grna import kinetics as K
from augbench.grna import stochastic as S


@pytest.fixture(scope="module")
def pop():
    return S.simulate_cells(600, cas9=0, grna=0, rnp=400, t_end_h=24, n_times=7, random_state=1)


def test_mean_agrees_with_ode(pop):
    ode = K.simulate_ode(0, 0, rnp=400, t_end_h=24, n_times=7)
    for outcome in ("intact", "dsb", "indel", "edited", "ever_cut"):
        per_cell = pop.allele_fraction.sel(outcome=outcome)
        mean = per_cell.mean("cell").values
        se = per_cell.std("cell").values / np.sqrt(pop.sizes["cell"])
        diff = np.abs(mean - ode.allele_fraction.sel(outcome=outcome).values)
        assert np.all(diff <= 4 * se + 0.01), (outcome, diff, se)


def test_alleles_conserved_in_every_cell(pop):
    a = pop.amount.sel(species=["target", "bound", "target_r", "bound_r", "dsb", "indel", "hdr"]).sum("species")
    assert np.all(a.values == 2)
    assert np.all(pop.amount.values >= 0)


def test_outcome_distribution(pop):
    d = S.outcome_distribution(pop)
    assert list(d["class"]) == list(S.GENOTYPE_CLASSES)
    assert d.fraction.sum() == pytest.approx(1.0)
    assert d.n_cells.sum() == 600
    # independent alleles would give p^2 both-edited; the classes must be consistent with the mean
    mean_edited = float(pop.allele_fraction.sel(outcome="edited").isel(time=-1).mean())
    assert (d.fraction[1] * 0.5 + d.fraction[2]) == pytest.approx(mean_edited, abs=1e-12)


def test_no_nuclease_no_edits():
    ds = S.simulate_cells(50, cas9=0, grna=0, rnp=0, t_end_h=5, n_times=3, random_state=0)
    d = S.outcome_distribution(ds)
    assert d.loc[0, "fraction"] == 1.0


def test_reproducible_and_seed_dependent():
    a = S.simulate_cells(40, cas9=0, grna=0, rnp=200, t_end_h=24, n_times=3, random_state=5)
    b = S.simulate_cells(40, cas9=0, grna=0, rnp=200, t_end_h=24, n_times=3, random_state=5)
    c = S.simulate_cells(40, cas9=0, grna=0, rnp=200, t_end_h=24, n_times=3, random_state=6)
    assert np.array_equal(a.amount.values, b.amount.values)
    assert not np.array_equal(a.amount.values, c.amount.values)


def test_dose_variation_widens_outcomes():
    kw = dict(cas9=0, grna=0, rnp=300, t_end_h=24, n_times=2, random_state=3)
    same = S.simulate_cells(400, dose_cv=0.0, **kw).amount.sel(species="rnp").isel(time=0)
    var = S.simulate_cells(400, dose_cv=1.0, **kw).amount.sel(species="rnp").isel(time=0)
    assert float(same.std()) == 0.0 and float(var.std()) > 100


def test_bad_arguments():
    with pytest.raises(ValueError, match="dose_cv"):
        S.simulate_cells(10, dose_cv=-1)
    with pytest.raises(TypeError, match="n_cells"):
        S.simulate_cells(2.5)
