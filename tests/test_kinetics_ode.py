"""Tests of the seed P_cut formula and the mass-action Cas9 ODE model (augbench.grna.kinetics)."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from augbench import data
from augbench.grna import kinetics as K

ZERO = dict(k_assemble=0.0, k_disassemble=0.0, k_search=0.0, k_unbind=0.0, k_cut=0.0, k_perfect=0.0, k_indel=0.0,
            k_hdr=0.0, k_deg_cas9=0.0, k_deg_grna=0.0)


def rates(**kw):
    return K.CasRates(**{**ZERO, **kw})


def test_seed_p_cut_is_not_a_probability():
    # at ordinary doses (100 nM each, K = 10 nM) the formula gives thousands
    assert K.seed_p_cut(100.0, 100.0, k1=1.0) > 1.0
    # gRNA enters as [g] * [gRNA]^2 / (K2 + [gRNA]): at high dose doubling it multiplies P by ~4
    r = K.seed_p_cut(100.0, 2e6) / K.seed_p_cut(100.0, 1e6)
    assert r == pytest.approx(4.0, rel=1e-4)
    assert K.seed_p_cut_units("s^-1") == "s^-1 nM^2"
    with pytest.raises(ValueError, match="cas9_nM"):
        K.seed_p_cut(-1.0, 1.0)


def test_dataset_has_units_and_fractions_sum():
    ds = K.simulate_ode(t_end_h=6, n_times=7)
    for name in list(ds.data_vars) + list(ds.coords):
        assert "units" in ds[name].attrs and "long_name" in ds[name].attrs, name
    assert ds.time.attrs["units"] == "h"
    f = ds.allele_fraction
    total = f.sel(outcome="intact") + f.sel(outcome="dsb") + f.sel(outcome="edited")
    np.testing.assert_allclose(total.values, 1.0, atol=1e-8)


@settings(max_examples=15, deadline=None)
@given(cas9=st.floats(0, 5000), grna=st.floats(0, 5000), rnp=st.floats(0, 500), n_alleles=st.integers(1, 4))
def test_mass_conservation(cas9, grna, rnp, n_alleles):
    r = K.default_rates().with_(k_deg_cas9=0.0, k_deg_grna=0.0)
    ds = K.simulate_ode(cas9, grna, rnp=rnp, n_alleles=n_alleles, rates=r, t_end_h=24, n_times=5)
    a = ds.amount.to_pandas()
    alleles = a[["target", "bound", "target_r", "bound_r", "dsb", "indel", "hdr"]].sum(axis=1)
    np.testing.assert_allclose(alleles, n_alleles, rtol=1e-6, atol=1e-6)
    cas_total = a[["cas9", "rnp", "bound", "bound_r"]].sum(axis=1)
    np.testing.assert_allclose(cas_total, cas9 + rnp, rtol=1e-6, atol=1e-5)
    g_total = a[["grna", "rnp", "bound", "bound_r"]].sum(axis=1)
    np.testing.assert_allclose(g_total, grna + rnp, rtol=1e-6, atol=1e-5)


def test_first_order_cut_alone_is_exponential():
    k = 1e-4
    x0 = np.zeros(len(K.SPECIES))
    x0[K.SPECIES.index("bound")] = 2.0
    t = np.linspace(0, 10, 11)
    a = K.solve_amounts(x0, t, rates=rates(k_cut=k))
    np.testing.assert_allclose(a[:, K.SPECIES.index("bound")], 2 * np.exp(-k * t * 3600), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a[:, K.SPECIES.index("dsb")], 2 * (1 - np.exp(-k * t * 3600)), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a[:, K.SPECIES.index("cuts")], a[:, K.SPECIES.index("dsb")], atol=1e-9)


def test_repair_split_analytic():
    kp, ki, kh = 2e-5, 3e-5, 1e-5
    x0 = np.zeros(len(K.SPECIES))
    x0[K.SPECIES.index("dsb")] = 2.0
    t = np.linspace(0, 48, 9)
    a = K.solve_amounts(x0, t, rates=rates(k_perfect=kp, k_indel=ki, k_hdr=kh))
    kt = kp + ki + kh
    decay = 1 - np.exp(-kt * t * 3600)
    np.testing.assert_allclose(a[:, K.SPECIES.index("indel")], 2 * ki / kt * decay, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a[:, K.SPECIES.index("target_r")], 2 * kp / kt * decay, rtol=1e-6, atol=1e-9)
    # without donor there is no HDR
    a2 = K.solve_amounts(x0, t, rates=rates(k_perfect=kp, k_indel=ki, k_hdr=kh), donor=False)
    assert np.all(a2[:, K.SPECIES.index("hdr")] == 0)


def test_rnp_assembly_steady_state():
    r = rates(k_assemble=1e-5, k_disassemble=1e-3)
    ds = K.simulate_ode(800, 500, rates=r, t_end_h=48, n_times=3)
    kd = 1e-3 / 1e-5
    assert float(ds.amount.sel(species="rnp").isel(time=-1)) == pytest.approx(K.rnp_equilibrium(800, 500, kd),
                                                                               rel=1e-6)


def test_long_time_edits_split_by_rate_ratio():
    r = K.default_rates().with_(k_deg_cas9=0.0, k_deg_grna=0.0)
    ds = K.simulate_ode(2000, 4000, rates=r, t_end_h=2000, n_times=3)
    end = ds.allele_fraction.isel(time=-1)
    assert float(end.sel(outcome="edited")) == pytest.approx(1.0, abs=1e-4)
    assert float(end.sel(outcome="indel") / end.sel(outcome="edited")) == pytest.approx(
        r.k_indel / (r.k_indel + r.k_hdr), rel=1e-4)


def test_agrees_with_reduced_linear_model_when_rnp_in_excess():
    """RNP constant (no degradation, 1e4 RNP, fast binding equilibrium): cutting is first order with
    k_eff = k_search * R * k_cut / (k_cut + k_unbind)."""
    r = K.default_rates().with_(k_deg_cas9=0.0, k_deg_grna=0.0)
    R = 1e4
    ds = K.simulate_ode(0, 0, rnp=R, rates=r, t_end_h=48, n_times=9)
    k_eff = r.k_search * R * r.k_cut / (r.k_cut + r.k_unbind)
    Q = K.linear_allele_generator(k_eff, r.k_perfect, r.k_indel, r.k_hdr)
    p = np.array([expm(Q * t * 3600)[:, 0] for t in ds.time.values])
    f = ds.allele_fraction
    np.testing.assert_allclose(f.sel(outcome="intact"), p[:, 0], atol=2e-3)
    np.testing.assert_allclose(f.sel(outcome="dsb"), p[:, 1], atol=2e-3)
    np.testing.assert_allclose(f.sel(outcome="indel"), p[:, 2], atol=2e-3)


def test_more_cas9_edits_more():
    lo = K.simulate_ode(200, 2000, t_end_h=24, n_times=2).allele_fraction.sel(outcome="edited").values[-1]
    hi = K.simulate_ode(2000, 2000, t_end_h=24, n_times=2).allele_fraction.sel(outcome="edited").values[-1]
    assert hi > lo > 0


def test_literature_rates_match_verified_values():
    """Brinkman et al. 2018 Mol Cell 70:801 (abstract): DSB repair half-life up to ~10 h -> total repair rate
    ln2/36000 s^-1; Eslami-Mossallam et al. 2022 Nat Commun (crisprzip average_params_legacy): k_clv =
    2.392863652 s^-1. Both as listed in data/kinetics/cas9_rates_literature.csv; tolerance 1e-3 relative."""
    lit = pd.read_csv(data.path("kinetics/cas9_rates_literature")).set_index("parameter")
    r = K.default_rates()
    assert r.k_cut == pytest.approx(float(lit.loc["k_clv_fitted", "value"]), rel=1e-3)
    half_life_h = float(lit.loc["dsb_repair_half_life_upper", "value"].strip("~"))
    total = r.k_perfect + r.k_indel + r.k_hdr
    assert total == pytest.approx(math.log(2) / (half_life_h * 3600), rel=1e-3)
    tab = K.rates_table()
    assert set(tab.status.unique()) >= {"assumption", "derived"}
    assert tab.source.notna().all()


def test_errors_name_parameter():
    with pytest.raises(ValueError, match="cas9"):
        K.simulate_ode(-5)
    with pytest.raises(ValueError, match="method"):
        K.simulate_ode(method="RK45")
    with pytest.raises(ValueError, match="k_cut"):
        K.default_rates().with_(k_cut=-1.0)
    with pytest.raises(ValueError, match="rate name"):
        K.default_rates().with_(k_nope=1.0)
