"""Maximum-likelihood psychometric fits, bootstrap intervals, and agreement with psignifit."""
import warnings

import numpy as np
import pytest

from augbench.cognition.fitting import PsychometricFunction, aggregate, fit_psychometric
from augbench.cognition.psychometric import psychometric


def _data(kind="gumbel", a=-1.0, b=3.5, g=0.5, lam=0.02, n=200, seed=0, x=None):
    x = np.linspace(-1.6, -0.4, 7) if x is None else x
    k = np.random.default_rng(seed).binomial(n, psychometric(x, a, b, g, lam, kind))
    return x, k, np.full(x.size, n)


@pytest.mark.parametrize("kind", ["gumbel", "logistic", "normal"])
def test_fit_recovers_parameters(kind):
    b = 3.5 if kind == "gumbel" else 6.0
    x, k, n = _data(kind, b=b, n=400)
    f = fit_psychometric(x, k, n, kind=kind)
    assert f.threshold == pytest.approx(-1.0, abs=0.05)
    assert f.slope == pytest.approx(b, rel=0.3)
    assert 0 <= f.lapse <= 0.06 and f.converged


def test_weibull_linear_and_free_guess():
    x = np.array([0.5, 1.0, 1.5, 2.0, 3.0, 4.0])
    x, k, n = _data("weibull", a=1.5, b=2.5, g=0.2, lam=0.01, n=300, x=x)
    f = fit_psychometric(x, k, n, kind="weibull", guess=None)
    assert f.threshold == pytest.approx(1.5, rel=0.15)
    assert f.guess == pytest.approx(0.2, abs=0.08)


def test_bootstrap_interval_covers_truth_and_orders():
    x, k, n = _data(n=100, seed=3)
    f = fit_psychometric(x, k, n, n_boot=40, random_state=0)
    lo, hi = f.ci["threshold"]
    assert lo < f.threshold < hi
    assert lo < -1.0 < hi
    assert f.boot.shape == (40, 4)


def test_estimator_interface():
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1.8, -0.2, 1500)
    y = rng.random(1500) < psychometric(xs, -1.0, 3.5, 0.5, 0.02)
    est = PsychometricFunction().fit(xs[:, None], y)
    assert est.threshold_ == pytest.approx(-1.0, abs=0.06)
    assert est.predict_proba([[-1.0]]).shape == (1, 2)
    assert est.threshold_at(0.75) > est.threshold_at(0.6)
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        PsychometricFunction().predict_proba([[0.0]])
    ux, k, n = aggregate([1, 1, 2], [True, False, True])
    assert ux.tolist() == [1, 2] and k.tolist() == [1, 1] and n.tolist() == [2, 1]


def test_bad_data():
    with pytest.raises(ValueError, match="empty"):
        fit_psychometric([], [], [])
    with pytest.raises(ValueError, match="n_correct=12"):
        fit_psychometric([1, 2], [12, 3], [10, 10])
    with pytest.raises(ValueError, match="sizes"):
        fit_psychometric([1, 2], [1], [10, 10])
    with pytest.raises(ValueError, match="lapse_bounds"):
        fit_psychometric([1, 2], [5, 8], [10, 10], lapse_bounds=(0.1, 0.05))


def test_agrees_with_psignifit_on_the_same_data():
    """Both fit a cumulative normal to the same 2AFC data: thresholds within 0.1 (stimulus units, ~1/3 of the
    95 % CI width) and psignifit's width within 25 % of ours (psignifit is Bayesian with its own priors)."""
    psignifit = pytest.importorskip("psignifit")
    x, k, n = _data("normal", a=0.0, b=3.0, n=60, seed=1, x=np.linspace(-1, 1, 7))
    ours = fit_psychometric(x, k, n, kind="normal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = psignifit.psignifit(np.column_stack([x, k, n]), sigmoid="norm", experiment_type="2AFC", verbose=False)
    ref = res.parameter_estimate
    from scipy.special import ndtri
    our_width = (ndtri(0.95) - ndtri(0.05)) / ours.slope
    assert ours.threshold == pytest.approx(ref["threshold"], abs=0.1)
    assert our_width == pytest.approx(ref["width"], rel=0.25)
