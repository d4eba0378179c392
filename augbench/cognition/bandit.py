"""Personalisation across tasks: a bandit picks the next task from each task's learning curve.

Model: practising task k for the n-th time raises its skill along an exponential learning curve
(Heathcote, Brown & Mewhort 2000, Psychon Bull Rev 7:185),

.. math:: s_k(n) = a_k \\left(1 - e^{-n/\\tau_k}\\right),

and each session yields a noisy score :math:`s_k(n) + \\varepsilon`. The goal is the most total skill
after a fixed number of sessions. Because the curves are concave, the best policy practises the task
with the largest *next* gain; "learning progress" policies (Oudeyer, Kaplan & Hafner 2007, IEEE TEVC
11:265; Clement et al. 2015, J Educ Data Min 7:20) estimate that gain from the recent slope of each
task's scores. :func:`simulate_policies` compares such a policy (with a UCB bonus for tasks seldom
tried) against round-robin and random choice on simulated learners with known curves.
"""
from __future__ import annotations

import numpy as np

from augbench._rng import as_generator
from augbench._validate import check_int, check_option, check_range

__all__ = ["LearningProgressBandit", "simulate_policies", "POLICIES"]

POLICIES = ("learning-progress", "round-robin", "random", "oracle")


class LearningProgressBandit:
    """Choose the task whose recent scores rise fastest (plus a UCB bonus), vectorised over learners.

    Parameters
    ----------
    n_tasks : int
    window : int
        Scores per task used to estimate its slope (least squares on the last ``window``).
    c : float
        Weight of the exploration bonus ``c * sqrt(log t / n_k)`` (score units per session).
    n_learners : int
        Independent learners handled at once.
    """

    def __init__(self, n_tasks: int, *, window: int = 4, c: float = 0.02, n_learners: int = 1, random_state=None):
        self.n_tasks = check_int("n_tasks", n_tasks, 1)
        self.window = check_int("window", window, 2)
        self.c = check_range("c", c, 0)
        self.n_learners = check_int("n_learners", n_learners, 1)
        self.rng = as_generator(random_state)
        self.scores = [[[] for _ in range(n_tasks)] for _ in range(n_learners)]
        self.counts = np.zeros((n_learners, n_tasks), dtype=int)

    def progress(self) -> np.ndarray:
        """Estimated gain per session for each task (slope of the last ``window`` scores), (n_learners, n_tasks)."""
        out = np.full((self.n_learners, self.n_tasks), np.inf)
        for i in range(self.n_learners):
            for k in range(self.n_tasks):
                y = self.scores[i][k][-self.window:]
                if len(y) >= 2:
                    x = np.arange(len(y), dtype=float)
                    out[i, k] = max(np.polyfit(x, y, 1)[0], 0.0)
        return out

    def choose(self) -> np.ndarray:
        """Task index per learner: untried tasks first (twice each), then max progress + bonus."""
        t = self.counts.sum(axis=1, keepdims=True) + 1
        with np.errstate(divide="ignore"):
            bonus = self.c * np.sqrt(np.log(t) / np.maximum(self.counts, 1))
        val = self.progress() + bonus + 1e-9 * self.rng.random(self.counts.shape)
        return np.argmax(val, axis=1)

    def update(self, tasks, scores):
        """Record the score each learner obtained on the task it practised."""
        tasks = np.asarray(tasks, dtype=int)
        for i, (k, s) in enumerate(zip(tasks, np.asarray(scores, dtype=float))):
            self.scores[i][k].append(float(s))
            self.counts[i, k] += 1
        return self


def simulate_policies(n_sessions: int = 60, n_learners: int = 200, n_tasks: int = 3, *, noise_sd: float = 0.03,
                      policies=POLICIES, random_state=None):
    """Compare task-choice policies on simulated learners with exponential learning curves.

    Each learner gets gains ``a_k ~ U(0.2, 1)`` and time constants ``tau_k ~ U(3, 30)`` sessions per
    task; skill is scored in the units of ``a``. ``"oracle"`` knows the true curves and always takes
    the largest next gain (the optimum for concave curves).

    Returns
    -------
    pandas.DataFrame
        One row per policy: ``policy`` (str), ``total_skill`` (mean over learners of the summed skill
        after ``n_sessions``), ``sd`` (its SD over learners), ``share_of_oracle`` (total_skill / oracle's).
    """
    import pandas as pd

    n_sessions = check_int("n_sessions", n_sessions, 1)
    n_learners = check_int("n_learners", n_learners, 1)
    n_tasks = check_int("n_tasks", n_tasks, 1)
    for p in policies:
        check_option("policy", p, POLICIES)
    rng = as_generator(random_state)
    a = rng.uniform(0.2, 1.0, (n_learners, n_tasks))
    tau = rng.uniform(3.0, 30.0, (n_learners, n_tasks))
    noise = rng.normal(0, noise_sd, (len(policies), n_sessions, n_learners))
    rows = []
    for pi, pol in enumerate(policies):
        n = np.zeros((n_learners, n_tasks))
        bandit = LearningProgressBandit(n_tasks, n_learners=n_learners, random_state=rng)
        for t in range(n_sessions):
            if pol == "round-robin":
                k = np.full(n_learners, t % n_tasks)
            elif pol == "random":
                k = rng.integers(0, n_tasks, n_learners)
            elif pol == "oracle":
                gain = a * (np.exp(-n / tau) - np.exp(-(n + 1) / tau))
                k = np.argmax(gain, axis=1)
            else:
                k = bandit.choose()
            idx = np.arange(n_learners)
            n[idx, k] += 1
            score = a[idx, k] * (1 - np.exp(-n[idx, k] / tau[idx, k])) + noise[pi, t]
            if pol == "learning-progress":
                bandit.update(k, score)
        total = (a * (1 - np.exp(-n / tau))).sum(axis=1)
        rows.append({"policy": pol, "total_skill": float(total.mean()), "sd": float(total.std())})
    df = pd.DataFrame(rows)
    if "oracle" in df.policy.values:
        df["share_of_oracle"] = df.total_skill / float(df.set_index("policy").total_skill["oracle"])
    return df
