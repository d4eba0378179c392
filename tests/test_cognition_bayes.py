"""QUEST, QUEST+ and Psi: agreement with the questplus package, posterior properties, precision, bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augbench.cognition.bench import compare
from augbench.cognition.observers import StaticObserver
from augbench.cognition.procedure import EntropyBelow, MaxTrials, PosteriorSDBelow
from augbench.cognition.psi import Psi
from augbench.cognition.quest import Quest
from augbench.cognition.questplus import QuestPlus
from augbench.cognition.staircase import simulate

OBS = StaticObserver(threshold=-1.0, slope=3.5, guess=0.5, lapse=0.02, kind="gumbel")
STIM = np.linspace(-2, 0, 41)


def test_regression_questplus_package_same_choices():
    """Same grid, same responses: our QUEST+ picks the same stimuli and ends with the same estimates as questplus."""
    questplus = pytest.importorskip("questplus")
    th, sl, la = np.linspace(-2, 0, 21), np.array([2.0, 3.5, 6.0]), np.array([0.0, 0.02, 0.04])
    ref = questplus.QuestPlusWeibull(intensities=STIM, thresholds=th, slopes=sl, lower_asymptotes=[0.5],
                                     lapse_rates=la, responses=["Correct", "Incorrect"])
    ours = QuestPlus(STIM, th, sl, 0.5, la)
    rng = np.random.default_rng(5)
    for t in range(25):
        x_ref = ref.next_intensity
        x = ours.next_stimulus()
        assert x == pytest.approx(x_ref), f"trial {t}"
        r = bool(OBS.respond(x, t, rng))
        ref.update(intensity=x_ref, response="Correct" if r else "Incorrect")
        ours.update(x, r)
    est = ours.estimates()
    for k_ref, k in [("threshold", "threshold"), ("slope", "slope"), ("lapse_rate", "lapse")]:
        assert est[k] == pytest.approx(ref.param_estimate[k_ref], rel=1e-9, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(resp=st.lists(st.booleans(), min_size=1, max_size=20), n=st.integers(1, 4))
def test_posterior_sums_to_one(resp, n):
    qp = QuestPlus(STIM, np.linspace(-2, 0, 11), [2.0, 4.0], 0.5, [0.0, 0.05], n_sessions=n)
    for r in resp:
        qp.update(qp.next_stimulus(), np.full(n, r))
    assert np.allclose(qp.posterior.sum(axis=1), 1.0)
    assert np.all(qp.posterior >= 0)
    assert np.all(qp.expected_entropy() <= qp.entropy()[:, None] + 1e-9)   # information never hurts on average


def test_vectorised_questplus_matches_single_sessions():
    resp = np.random.default_rng(1).random((3, 15)) < 0.7
    vec = QuestPlus(STIM, np.linspace(-2, 0, 11), [2.0, 4.0], 0.5, 0.02, n_sessions=3)
    singles = [QuestPlus(STIM, np.linspace(-2, 0, 11), [2.0, 4.0], 0.5, 0.02) for _ in range(3)]
    for t in range(15):
        x = vec.next_stimulus()
        for s in range(3):
            assert singles[s].next_stimulus() == pytest.approx(x[s])
            singles[s].update(x[s], bool(resp[s, t]))
        vec.update(x, resp[:, t])
    assert np.allclose(vec.estimate(), [s.estimate() for s in singles])


def test_bayesian_procedures_recover_threshold_and_slope():
    S = 400
    q = Quest(-0.8, 0.4, slope=3.5, lapse=0.02, n_sessions=S)
    simulate(q, OBS, 80, random_state=0)
    assert abs(np.mean(q.estimate()) + 1.0) < 0.02
    psi = Psi(STIM, np.linspace(-2, 0, 41), np.geomspace(1, 10, 15), lapse=0.02, n_sessions=S)
    simulate(psi, OBS, 120, random_state=1)
    est = psi.estimates()
    assert abs(np.mean(est["threshold"]) + 1.0) < 0.03
    assert 2.5 < np.median(est["slope"]) < 5.0


def test_quest_efficiency_against_cramer_rao():
    """Threshold-only QUEST reaches a good share of the Cramér-Rao efficiency by 80 trials (measured ~0.7-0.77)."""
    df = compare({"QUEST": lambda n: Quest(-0.8, 0.4, slope=3.5, lapse=0.02, target_p=0.9,
                                           grid=np.linspace(-3, 1, 201), n_sessions=n)},
                 OBS, n_trials=80, n_sessions=1500, checkpoints=(20, 80), random_state=0)
    eff80 = df.set_index("n_trials").loc[80, "efficiency"]
    assert 0.6 < eff80 < 1.1
    rm = df.set_index("n_trials")["rmse"]
    assert rm[80] < rm[20]


def test_posterior_stopping_rules():
    qp = QuestPlus(STIM, np.linspace(-2, 0, 41), 3.5, 0.5, 0.02, n_sessions=50,
                   stop=PosteriorSDBelow(0.08) | MaxTrials(200))
    simulate(qp, OBS, 200, random_state=0, respect_stop=True)
    assert np.all(qp.finished)
    assert np.all(qp.posterior_sd()[qp.n_trials < 200] < 0.08)
    q = Quest(stop=EntropyBelow(2.0))
    assert not q.finished


def test_bad_grids_and_stimuli():
    with pytest.raises(ValueError, match="thresholds grid is empty"):
        QuestPlus(STIM, [], 3.5)
    with pytest.raises(ValueError, match="guess \\+ lapse"):
        QuestPlus(STIM, [0.0], 3.5, 0.7, 0.4)
    with pytest.raises(ValueError, match="stimuli grid is empty"):
        QuestPlus([], [0.0], 3.5)
    qp = QuestPlus(STIM, [-1.0, 0.0], 3.5)
    with pytest.raises(ValueError, match="stimulus 0.013 is not in the stimulus domain"):
        qp.update(0.013, True)
    with pytest.raises(ValueError, match="'perhaps'"):
        qp.update(STIM[0], "perhaps")
    q = Quest(stim_range=(-2, 0))
    with pytest.raises(ValueError, match="outside the stimulus domain"):
        q.update(0.5, True)
    with pytest.raises(ValueError, match="prior has shape"):
        QuestPlus(STIM, [-1.0, 0.0], 3.5, prior=np.ones(3))
    with pytest.raises(ValueError, match="Psi fixes"):
        Psi(STIM, [0.0], [1.0, 2.0], lapse=[0.0, 0.1])


def _brute_gain(qp, s, objective, params=("threshold",)):
    """Expected gain of every stimulus by explicit Bayes updates (no algebra shortcuts): the drop of the entropy
    of the marginal over ``params``, or (objective "variance") of the variance of ``params[0]``."""
    post = qp.posterior[s].reshape(qp.shape)
    axes = [("threshold", "slope", "guess", "lapse").index(p) for p in params]
    vals = qp.grids[params[0]]

    def summary(p):
        m = p.sum(axis=tuple(i for i in range(4) if i not in axes))
        m = m / m.sum()
        if objective == "variance":
            return m @ vals ** 2 - (m @ vals) ** 2
        return -np.sum(np.where(m > 0, m * np.log(np.where(m > 0, m, 1)), 0))

    out = []
    for i in range(qp.stimuli.size):
        lik = qp.likelihood[i].reshape(qp.shape)
        exp_after = 0.0
        for L in (lik, 1 - lik):
            joint = post * L
            z = joint.sum()
            if z > 0:
                exp_after += z * summary(joint / z)
        out.append(summary(post) - exp_after)
    return np.array(out)


@pytest.mark.parametrize("objective", ["marginal", "variance"])
@pytest.mark.parametrize("n_sessions", [2, 300])
def test_marginal_and_variance_objectives_match_explicit_bayes(objective, n_sessions):
    """psi-marginal (Prins 2013) and minimum-variance (King-Smith et al. 1994) gains equal the expected drop of
    the marginal entropy / variance computed by explicit posterior updates, on the one- and many-session paths."""
    qp = QuestPlus(STIM, np.linspace(-2, 0, 11), [2.0, 4.0, 8.0], 0.5, [0.0, 0.05], objective=objective,
                   n_sessions=n_sessions)
    rng = np.random.default_rng(3)
    for t in range(6):
        qp.update(qp.next_stimulus(), rng.random(n_sessions) < 0.75)
    g = qp.gain()
    for s in (0, n_sessions - 1):
        assert np.allclose(g[s], _brute_gain(qp, s, objective), rtol=1e-9, atol=1e-12)
        assert qp.next_stimulus()[s] == STIM[np.argmax(g[s])]
    assert np.all(g > -1e-12)                          # information never hurts on average


def test_psi_marginal_interest_can_include_the_slope():
    from augbench.cognition.psi import PsiMarginal
    pm = PsiMarginal(STIM, np.linspace(-2, 0, 11), [2.0, 4.0, 8.0], [0.0, 0.05], interest=("threshold", "slope"))
    pm.update(pm.next_stimulus(), True)
    # by hand: expected drop of the entropy of the (threshold, slope) marginal
    assert np.allclose(pm.gain()[0], _brute_gain(pm, 0, "marginal", ("threshold", "slope")), rtol=1e-9)


def test_psi_marginal_spends_fewer_trials_on_the_slope():
    """Against the bound for what each must learn, psi-marginal is the most efficient threshold estimator
    (Prins 2013, Fig. 4: its threshold SE is below Psi's); measured here ~0.8 of the joint bound at 80 trials."""
    from augbench.cognition.psi import PsiMarginal
    th, sl, la = np.linspace(-2.5, 0.5, 61), np.geomspace(1, 10, 10), np.array([0.0, 0.02, 0.04, 0.06])
    st_ = np.round(np.linspace(-2.5, 0.5, 61), 10)
    df = compare({"Psi-marginal": lambda n: PsiMarginal(st_, th, sl, la, n_sessions=n),
                  "QUEST+": lambda n: QuestPlus(st_, th, sl, 0.5, la, n_sessions=n)},
                 OBS, n_trials=80, n_sessions=600, checkpoints=(80,), random_state=2, chunk=600)
    d = df.set_index("procedure")
    assert d.loc["Psi-marginal", "free_params"] == "threshold,slope,lapse"
    assert d.loc["Psi-marginal", "efficiency_free"] > 0.65
    assert d.loc["Psi-marginal", "rmse"] < d.loc["QUEST+", "rmse"]
    assert 0 < d.loc["QUEST+", "info_fraction"] < d.loc["Psi-marginal", "info_fraction"] <= 1


def test_objective_bad_input():
    with pytest.raises(ValueError, match="objective"):
        QuestPlus(STIM, [-1.0, 0.0], 3.5, objective="fastest")
    with pytest.raises(ValueError, match="one parameter"):
        QuestPlus(STIM, [-1.0, 0.0], [2.0, 3.0], objective="variance", interest=("threshold", "slope"))
    with pytest.raises(ValueError, match="interest parameter"):
        QuestPlus(STIM, [-1.0, 0.0], 3.5, objective="marginal", interest=("width",))
