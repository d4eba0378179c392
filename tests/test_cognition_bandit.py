"""Task choice by learning progress, against round-robin, random and an oracle that knows the curves."""
import numpy as np
import pytest

from augbench.cognition.bandit import LearningProgressBandit, simulate_policies


def test_policies_table_and_ordering():
    df = simulate_policies(n_sessions=30, n_learners=80, n_tasks=3, random_state=0).set_index("policy")
    assert df.loc["oracle", "share_of_oracle"] == pytest.approx(1.0)
    assert (df.total_skill <= df.loc["oracle", "total_skill"] + 1e-12).all()
    assert df.loc["learning-progress", "total_skill"] > df.loc["random", "total_skill"]


def test_bandit_prefers_the_task_that_is_improving():
    b = LearningProgressBandit(2, n_learners=1, c=0.0, random_state=0)
    for t in range(4):
        b.update([0], [0.1 * t])      # task 0 rises
        b.update([1], [0.5])          # task 1 flat
    assert b.choose()[0] == 0
    assert np.isinf(LearningProgressBandit(3).progress()).all()     # untried tasks come first
    with pytest.raises(ValueError, match="policy"):
        simulate_policies(policies=("greedy",))
