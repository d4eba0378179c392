"""Psychometric functions, rule targets, d′ and Fisher information."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augbench.cognition import psychometric as pm


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["gumbel", "logistic", "normal", "weibull"]),
       p=st.floats(0.55, 0.95), a=st.floats(0.1, 2.0), b=st.floats(0.5, 8.0), lapse=st.floats(0, 0.04))
def test_intensity_at_inverts_psychometric(kind, p, a, b, lapse):
    x = pm.intensity_at(p, a, b, 0.5, lapse, kind)
    assert pm.psychometric(x, a, b, 0.5, lapse, kind) == pytest.approx(p, abs=1e-9)


@pytest.mark.parametrize("kind", pm.KINDS)
def test_psychometric_is_monotone_between_asymptotes(kind):
    x = np.linspace(0.01, 3, 200)
    p = pm.psychometric(x, 1.0, 3.0, 0.25, 0.05, kind)
    assert np.all(np.diff(p) >= -1e-15)
    assert p.min() >= 0.25 - 1e-12 and p.max() <= 0.95 + 1e-12


def test_literature_levitt_targets():
    """Levitt 1971, J Acoust Soc Am 49:467, Table I: 1-up-2-down 70.7 %, 1-up-3-down 79.4 % (tolerance 1e-3)."""
    assert pm.updown_target(2) == pytest.approx(0.707, abs=1e-3)
    assert pm.updown_target(3) == pytest.approx(0.794, abs=1e-3)
    assert pm.updown_target(1, 2) == pytest.approx(0.293, abs=1e-3)   # 2-up-1-down, Table I


def test_literature_kaernbach_target():
    """Kaernbach 1991, Percept Psychophys 49:227, eq. 1: S_up/S_down = 3 -> 75 % (exact)."""
    assert pm.weighted_updown_target(3, 1) == pytest.approx(0.75)


def test_dprime_formulas():
    """d' = z(H) - z(F) (Macmillan & Creelman 2005, eq. 1.5): H = .84, F = .16 -> 2 z(.84) = 1.989."""
    d = pm.dprime_yesno(84, 16, 16, 84, correction="none")
    assert d == pytest.approx(1.989, abs=1e-3)
    # 2AFC: d' = sqrt(2) z(Pc) (eq. 7.2); Pc = 0.76 -> sqrt(2) * 0.7063 = 0.999
    assert pm.dprime_2afc(0.76) == pytest.approx(0.999, abs=1e-3)
    assert pm.pc_2afc(pm.dprime_2afc(0.8)) == pytest.approx(0.8)


def test_loglinear_correction_keeps_dprime_finite():
    assert np.isfinite(pm.dprime_yesno(10, 0, 0, 10))


@pytest.mark.parametrize("guess,lapse", [(0.6, 0.5), (0.5, 0.5), (-0.1, 0), (0.5, 1.2)])
def test_impossible_asymptotes_name_the_values(guess, lapse):
    with pytest.raises(ValueError, match="guess|lapse"):
        pm.check_asymptotes(guess, lapse)


def test_unreachable_p_is_refused():
    with pytest.raises(ValueError, match="p="):
        pm.intensity_at(0.4, 0, 3, 0.5, 0.0)
    with pytest.raises(ValueError, match="kind"):
        pm.psychometric(0, 0, 1, kind="probit")


def test_cramer_rao_bound_scales_as_one_over_n():
    v = pm.cramer_rao_bound(np.array([10, 40]), 0.0, 3.5, 0.5, 0.01)
    assert v[0] / v[1] == pytest.approx(4.0)
    # information is highest above threshold in 2AFC (sweat-factor optimum near 80-90 % correct)
    x = np.linspace(-1.5, 1, 5001)
    best = x[np.argmax(pm.fisher_information(x, 0.0, 3.5, 0.5, 0.01))]
    assert 0.8 < pm.psychometric(best, 0, 3.5, 0.5, 0.01) < 0.95


def test_joint_cramer_rao_bound():
    known = pm.cramer_rao_bound(80, -1.0, 3.5, 0.5, 0.02)
    same = pm.cramer_rao_bound_joint(80, -1.0, 3.5, 0.5, 0.02, free=("threshold",))
    assert same == pytest.approx(known, rel=0.01)
    two = pm.cramer_rao_bound_joint(80, -1.0, 3.5, 0.5, 0.02, free=("threshold", "slope"))
    three = pm.cramer_rao_bound_joint(80, -1.0, 3.5, 0.5, 0.02, free=("threshold", "slope", "lapse"))
    assert known < two < three          # every extra unknown costs precision
    with pytest.raises(ValueError, match="include 'threshold'"):
        pm.cramer_rao_bound_joint(80, -1.0, 3.5, free=("slope",))
