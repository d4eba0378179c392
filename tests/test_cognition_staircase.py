"""Staircases converge to their theoretical targets on simulated observers; interface, masks, stopping rules."""
import numpy as np
import pytest

from augbench.cognition.observers import FatiguingObserver, LearningObserver, StaticObserver
from augbench.cognition.procedure import (EntropyBelow, Interleaved, MaxReversals, MaxTrials, TimeBudget,
                                          parse_responses)
from augbench.cognition.staircase import PEST, UpDown, WeightedUpDown, simulate

OBS = StaticObserver(threshold=0.0, slope=3.5, guess=0.5, lapse=0.0, kind="gumbel")


def _converged_pc(proc, n_trials=400, burn=100, seed=0):
    out = simulate(proc, OBS, n_trials, random_state=seed)
    return out, out["correct"][:, burn:].mean()


def test_literature_levitt_1up2down_converges_to_70_7():
    """Levitt 1971, J Acoust Soc Am 49:467, Table I: 1-up-2-down tracks 70.7 % correct.
    2000 simulated sessions x 300 converged trials; tolerance 0.01."""
    out, pc = _converged_pc(UpDown(2, start=0.5, step=0.05, n_sessions=2000))
    assert pc == pytest.approx(0.707, abs=0.01)


def test_literature_levitt_1up3down_converges_to_79_4():
    """Levitt 1971, Table I: 1-up-3-down tracks 79.4 % correct (tolerance 0.01)."""
    _, pc = _converged_pc(UpDown(3, start=0.5, step=0.05, n_sessions=2000))
    assert pc == pytest.approx(0.794, abs=0.01)


def test_literature_kaernbach_weighted_converges_to_75():
    """Kaernbach 1991, Percept Psychophys 49:227: weighted up-down with S_up = 3 S_down tracks 75 % (tol 0.01)."""
    _, pc = _converged_pc(WeightedUpDown(0.75, start=0.5, step=0.03, n_sessions=2000))
    assert pc == pytest.approx(0.75, abs=0.01)


@pytest.mark.parametrize("make,p", [(lambda: UpDown(2, start=0.5, step=0.05, n_sessions=2000), 0.707),
                                    (lambda: UpDown(3, start=0.5, step=0.05, n_sessions=2000), 0.794),
                                    (lambda: PEST(0.75, start=0.5, step=0.1, n_sessions=2000), 0.75)])
def test_estimates_land_near_the_target_intensity(make, p):
    proc = make()
    simulate(proc, OBS, 300, random_state=1)
    est = proc.estimate()
    truth = OBS.intensity_at(p)
    # reversal averages are slightly biased on skewed functions (Garcia-Perez 1998); 0.03 log units = 7 %
    assert abs(np.median(est) - truth) < 0.03
    assert np.median(OBS.p_correct(est)) == pytest.approx(p, abs=0.03)


def test_vectorised_equals_scalar_runs():
    rng = np.random.default_rng(3)
    resp = rng.random((3, 60)) < 0.7
    vec = UpDown(2, start=1.0, step=(0.2, 0.1), n_sessions=3)
    scal = [UpDown(2, start=1.0, step=(0.2, 0.1)) for _ in range(3)]
    for t in range(60):
        x = vec.next_stimulus()
        for s in range(3):
            assert scal[s].next_stimulus() == pytest.approx(x[s])
            scal[s].update(scal[s].next_stimulus(), bool(resp[s, t]))
        vec.update(x, resp[:, t])
    assert np.allclose(vec.estimate(), [s.estimate() for s in scal])
    assert list(vec.reversals()) == [s.reversals()[0] for s in scal]


def test_step_sequence_halves_at_reversals():
    p = UpDown(1, start=0.0, step=(0.4, 0.2, 0.1))
    p.update(0, False)   # up 0.4
    assert p.next_stimulus() == pytest.approx(0.4)
    p.update(0.4, True)  # reversal -> step 0.2, down
    assert p.next_stimulus() == pytest.approx(0.2)
    assert p.reversals()[0] == 1


def test_levels_stay_in_domain():
    p = UpDown(2, start=0.0, step=0.5, min_level=-1, max_level=1, n_sessions=5)
    for _ in range(20):
        p.update(p.next_stimulus(), np.ones(5, bool))
    assert np.all(p.next_stimulus() >= -1)


def test_unknown_response_code_is_named():
    p = UpDown(2)
    with pytest.raises(ValueError, match="'maybe'"):
        p.update(1.0, "maybe")
    with pytest.raises(ValueError, match="position 1"):
        parse_responses([1, 2], 2)
    assert parse_responses(["Correct", "no"], 2).tolist() == [True, False]


def test_mask_freezes_sessions():
    p = UpDown(2, start=1.0, step=0.1, n_sessions=2)
    p.update(p.next_stimulus(), [False, False], mask=[True, False])
    assert p.next_stimulus().tolist() == pytest.approx([1.1, 1.0])
    assert p.n_trials.tolist() == [1, 0]


def test_stopping_rules_combine():
    p = UpDown(2, start=1.0, step=0.1, n_sessions=2, stop=MaxTrials(50) | MaxReversals(4))
    out = simulate(p, OBS, 100, random_state=0, respect_stop=True)
    assert np.all(p.finished)
    assert np.all((p.n_trials <= 50) & ((p.n_trials == 50) | (p.reversals() == 4)))
    both = UpDown(2, n_sessions=1, stop=MaxTrials(1) & MaxReversals(100))
    both.update(1.0, [True])
    assert not both.finished[0]
    t = [0.0]
    tb = UpDown(2, stop=TimeBudget(5, clock=lambda: t[0]))
    tb.started_at = 0.0
    assert not tb.finished
    t[0] = 6.0
    assert tb.finished
    with pytest.raises(TypeError, match="Bayesian"):
        UpDown(2, stop=EntropyBelow(1.0)).finished


def test_interleaved_routes_responses_and_combines_estimates():
    # one track from above, one from below; big first steps so early reversals do not dominate
    a = UpDown(2, start=0.6, step=(0.2, 0.1, 0.05), n_discard=3, n_sessions=500)
    b = UpDown(2, start=-0.6, step=(0.2, 0.1, 0.05), n_discard=3, n_sessions=500)
    il = Interleaved([a, b], random_state=0)
    simulate(il, OBS, 400, random_state=0)
    assert (a.n_trials + b.n_trials == 400).all()
    assert abs(np.median(il.estimate()) - OBS.intensity_at(0.707)) < 0.03
    assert il.estimates().shape == (2, 500)
    s = Interleaved([UpDown(2), UpDown(3)], random_state=1)
    x = s.next_stimulus()
    s.update(x, True)
    assert isinstance(x, float)


def test_learning_and_fatiguing_observers():
    lo = LearningObserver(threshold=0.0, threshold_start=0.5, tau=50)
    assert lo.params(0)["threshold"] == pytest.approx(0.5)
    assert lo.params(10_000)["threshold"] == pytest.approx(0.0)
    fo = FatiguingObserver(lapse=0.0, lapse_end=0.3, tau=100)
    assert fo.p_correct(5.0, 0) > fo.p_correct(5.0, 500)
    # a 1-up-2-down staircase follows a learning observer downwards
    p = UpDown(2, start=0.6, step=0.05, n_sessions=500)
    out = simulate(p, lo, 300, random_state=0)
    assert out["stimulus"][:, -50:].mean() < out["stimulus"][:, 20:70].mean() - 0.1


def test_bad_staircase_parameters():
    with pytest.raises(ValueError, match="step"):
        UpDown(2, step=[])
    with pytest.raises(ValueError, match="start"):
        UpDown(2, start=5, min_level=0, max_level=1)
    with pytest.raises(ValueError, match="target_p"):
        WeightedUpDown(1.2)
