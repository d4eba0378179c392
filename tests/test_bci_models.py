"""Features, pipelines, nets and evaluation on synthetic data with a planted effect, plus MNE's protocol."""
import warnings

import numpy as np
import pytest

warnings.filterwarnings("ignore", category=FutureWarning)
pytest.importorskip("mne")

from augbench.bci import evaluation as ev  # noqa: E402
from augbench.bci import features, models  # noqa: E402
from augbench.bci.synthetic import make_motor_imagery  # noqa: E402


def _data(snr, seed=0, n=40):
    raw, truth = make_motor_imagery(n, snr=snr, random_state=seed, blink_rate_hz=0.1)
    X, y = ev.epochs_xy(raw, ("left", "right"))
    return raw, truth, X, y


@pytest.fixture(scope="module")
def planted():
    return _data(2.0)


def test_synthetic_is_seeded_and_truth_adds_up():
    r1, t1 = make_motor_imagery(4, snr=1, random_state=5)
    r2, _ = make_motor_imagery(4, snr=1, random_state=5)
    r3, _ = make_motor_imagery(4, snr=1, random_state=6)
    np.testing.assert_array_equal(r1.get_data(), r2.get_data())
    assert not np.allclose(r1.get_data(), r3.get_data())
    np.testing.assert_allclose(t1["signal"] + t1["noise"], r1.get_data())
    # rhythm/noise SD ratio at C3 is near the snr knob: below 1 because ERD periods shrink the rhythm and the
    # noise term also holds line noise and blinks
    i = r1.ch_names.index("C3")
    assert 0.6 < t1["signal"][i].std() / t1["noise"][i].std() < 1.0


def test_pipeline_recovers_planted_effect_and_not_at_snr0(planted):
    _, _, X, y = planted
    acc = ev.evaluate(models.make_pipeline("csp+lda"), X, y, scheme="kfold", n_splits=5)["accuracy"]
    assert acc > 0.8
    _, _, X0, y0 = _data(0.0, seed=1)
    acc0 = ev.evaluate(models.make_pipeline("csp+lda"), X0, y0, scheme="kfold", n_splits=5)["accuracy"]
    assert acc0 < 0.7


def test_csp_pattern_sits_over_motor_cortex(planted):
    raw, _, X, y = planted
    f = features.EpochFilter(160.0, (8, 30)).fit(X)
    csp = features.CSP(2).fit(f.transform(X), y)
    top = [raw.ch_names[i] for i in np.argsort(np.abs(csp.patterns_[:, 0]))[-3:]]
    assert {"C3", "C4", "C1", "C2", "C5", "C6", "FC3", "FC4", "CP3", "CP4"} & set(top)


@pytest.mark.parametrize("name", [n for n in models.PIPELINES if n not in ("shallownet", "mdm")])
def test_every_pipeline_fits_and_predicts(planted, name):
    _, _, X, y = planted
    p = models.make_pipeline(name, random_state=0).fit(X[:30], y[:30])
    pred = p.predict(X[30:])
    assert pred.shape == (len(X) - 30,) and set(pred) <= {0, 1}


def test_nested_tuning_runs_inside_outer_cv(planted):
    _, _, X, y = planted
    tuned = models.make_tuned("csp+lda", quick=True)
    r = ev.evaluate(tuned, X, y, scheme="kfold", n_splits=3)
    assert r["n_folds"] == 3 and r["accuracy"] > 0.7


def test_wolpaw_itr_values():
    # B = 1 + 0.9 log2 0.9 + 0.1 log2 0.1 = 0.531 bits (Wolpaw et al. 2002 formula, hand-computed)
    assert ev.wolpaw_itr(0.9, 2) == pytest.approx(0.5310, abs=1e-4)
    assert ev.wolpaw_itr(1.0, 4) == pytest.approx(2.0)
    assert ev.wolpaw_itr(0.5, 2) == 0.0 and ev.wolpaw_itr(0.3, 2) == 0.0
    assert ev.wolpaw_itr(0.9, 2, trial_s=4.0) == pytest.approx(0.5310 * 15, abs=2e-3)


def test_too_few_epochs_and_nan_messages(planted):
    _, _, X, y = planted
    with pytest.raises(ValueError, match="n_splits=10"):
        ev.evaluate(models.make_pipeline("csp+lda"), X[:12], y[:12], scheme="kfold", n_splits=10)
    with pytest.raises(ValueError, match="needs groups"):
        ev.evaluate(models.make_pipeline("csp+lda"), X, y, scheme="loro")
    Xn = X.copy()
    Xn[3, 5, 7] = np.nan
    with pytest.raises(ValueError, match="epoch 3, channel index 5"):
        models.make_pipeline("csp+lda").fit(Xn, y)


def test_permutation_chance_and_confusion(planted):
    _, _, X, y = planted
    r = ev.permutation_chance(models.make_pipeline("logvar+lr"), X, y, n_permutations=8, n_splits=4)
    assert 0.3 < r["null_mean"] < 0.7 and r["accuracy"] > r["null_95"]
    cm = ev.confusion(models.make_pipeline("csp+lda"), X, y, n_splits=4, labels=["left", "right"])
    assert cm.to_numpy().sum() == len(y) and list(cm.index) == ["left", "right"]


def test_shallownet_deterministic_and_sklearn_api(planted):
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    from augbench.bci.nets import ShallowNetClassifier

    _, _, X, y = planted
    Xw = features.EpochFilter(160.0, (7, 30)).fit(X).transform(X)
    labels = np.where(y == 0, "left", "right")
    net = ShallowNetClassifier(n_epochs=3, random_state=0, n_filters=8)
    with pytest.raises(NotFittedError):
        net.predict(Xw)
    assert net.fit(Xw, labels) is net
    p1 = net.predict_proba(Xw)
    p2 = clone(net).fit(Xw, labels).predict_proba(Xw)
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_allclose(p1.sum(1), 1, rtol=1e-5)
    assert set(net.predict(Xw)) <= {"left", "right"} and list(net.classes_) == ["left", "right"]
    p3 = ShallowNetClassifier(n_epochs=3, random_state=1, n_filters=8).fit(Xw, labels).predict_proba(Xw)
    assert not np.allclose(p1, p3)
    assert clone(net).get_params()["n_epochs"] == 3
    with pytest.raises(ValueError, match="one class"):
        ShallowNetClassifier(n_epochs=1).fit(Xw, np.zeros(len(Xw)))


def test_literature_mne_csp_example_subject1():
    """MNE-Python example "Motor imagery decoding from EEG data using the Common Spatial Pattern (CSP)"
    (mne.tools, examples/decoding/decoding_csp_eeg.py) prints "Classification accuracy: 0.9333 /
    Chance level: 0.5333" for subject 1, runs 6/10/14. Tolerance: 0.02 (one test epoch of 9 = 0.011 per fold
    average)."""
    r = ev.mne_csp_example(1)
    assert r["accuracy"] == pytest.approx(0.9333, abs=0.02)
    assert r["chance"] == pytest.approx(0.5333, abs=1e-3)
