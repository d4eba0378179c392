"""n-back sequences (exact target/lure counts), scoring and the Jaeggi et al. 2008 rule."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augbench.cognition.nback import JaeggiNBack, generate_sequence, jaeggi_update, score_nback, simulate_nback_training
from augbench.cognition.observers import NBackObserver


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 5), tr=st.floats(0.1, 0.4), lr=st.floats(0.0, 0.2), seed=st.integers(0, 1000))
def test_sequence_has_exact_target_and_lure_counts(n, tr, lr, seed):
    seq = generate_sequence(n, target_rate=tr, lure_rate=lr, random_state=seed)
    n_scored = len(seq) - n
    assert len(seq) == 20 + n
    assert seq.is_target.sum() == round(tr * n_scored)
    assert seq.is_lure.sum() == round(lr * n_scored)
    s = seq.symbol.to_numpy()
    for i in np.flatnonzero(seq.is_target):
        assert s[i] == s[i - n]
    assert not (seq.is_target & seq.is_lure).any()


def test_sequence_is_seeded():
    a = generate_sequence(2, random_state=4)
    b = generate_sequence(2, random_state=4)
    assert a.equals(b)


def test_literature_jaeggi_rule():
    """Jaeggi et al. 2008, PNAS 105:6829, Methods: < 3 errors -> n + 1; > 5 errors -> n - 1; else n (exact)."""
    assert jaeggi_update([2, 2, 2, 2, 2], [0, 2, 3, 5, 6]).tolist() == [3, 3, 2, 2, 1]
    assert jaeggi_update(1, 9) == 1          # never below 1


def test_scoring_counts():
    seq = generate_sequence(2, random_state=0)
    perfect = score_nback(seq, seq.is_target.to_numpy())
    assert perfect["errors"] == 0 and perfect["accuracy"] == 1.0
    always = score_nback(seq, np.ones(len(seq), bool))
    assert always["false_alarms"] == int((~seq.is_target & seq.scored).sum())
    with pytest.raises(ValueError, match="'yes please'"):
        score_nback(seq, ["yes please"] * len(seq))


def test_training_raises_level_towards_capacity():
    obs = NBackObserver(capacity=4.0, capacity_start=2.0, tau_blocks=8)
    ds = simulate_nback_training(obs, n_blocks=30, n_sessions=300, random_state=0)
    lv = ds.level.mean("session").values
    assert lv[-5:].mean() > lv[:5].mean() + 1
    # the rule keeps the player where they make about 3-5 errors of 20: near capacity
    assert 2.5 < lv[-5:].mean() < 5.5
    p = JaeggiNBack(2)
    p.update(0)
    assert p.next_level() == 3 and p.items_per_block()[0] == 23


def test_bad_rates():
    with pytest.raises(ValueError, match="target_rate"):
        generate_sequence(2, target_rate=0.8, lure_rate=0.5)
    with pytest.raises(ValueError, match="symbols"):
        generate_sequence(2, symbols="AB")
