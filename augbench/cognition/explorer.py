"""Explorers: the one source of truth the dashboard and the ipywidgets controls share.

``StaircaseExplorer`` runs one adaptive session against a simulated observer whose psychometric
function is known, fits a psychometric function to the session's data and summarises the result as
text. ``NBackExplorer`` simulates Jaeggi-style n-back training. ``PlayExplorer`` holds a playable
:class:`~augbench.cognition.tasks.TaskSession`.
"""
from __future__ import annotations

import numpy as np
import param

from augbench.cognition.observers import FatiguingObserver, LearningObserver, StaticObserver

__all__ = ["PROCEDURES", "make_procedure", "StaircaseExplorer", "NBackExplorer", "PlayExplorer"]

PROCEDURES = ("1-up-2-down", "1-up-3-down", "weighted up-down (75 %)", "PEST", "QUEST", "QUEST+", "Psi", "Psi-marginal")

STIMULI = np.round(np.linspace(-2.5, 0.5, 61), 10)   # log10 contrast grid for the grid procedures


def make_procedure(name: str, n_sessions: int | None = None, *, start: float = -0.3):
    """A procedure by display name, set up for log10-contrast stimuli in [-2.5, 0.5] (2AFC)."""
    from augbench._validate import check_option
    from augbench.cognition.psi import Psi, PsiMarginal
    from augbench.cognition.quest import Quest
    from augbench.cognition.questplus import QuestPlus
    from augbench.cognition.staircase import PEST, UpDown, WeightedUpDown

    check_option("procedure", name, PROCEDURES)
    dom = dict(min_level=-2.5, max_level=0.5)
    if name == "1-up-2-down":
        return UpDown(2, start=start, step=(0.2, 0.1, 0.05), n_sessions=n_sessions, **dom)
    if name == "1-up-3-down":
        return UpDown(3, start=start, step=(0.2, 0.1, 0.05), n_sessions=n_sessions, **dom)
    if name == "weighted up-down (75 %)":
        return WeightedUpDown(0.75, start=start, step=(0.1, 0.05, 0.025), n_sessions=n_sessions, **dom)
    if name == "PEST":
        return PEST(0.75, start=start, step=0.2, min_step=0.02, n_sessions=n_sessions, **dom)
    if name == "QUEST":
        return Quest(-1.0, 0.5, slope=3.5, lapse=0.02, target_p=0.9, stim_range=(-2.5, 0.5), n_sessions=n_sessions)
    if name == "QUEST+":
        return QuestPlus(STIMULI, np.linspace(-2.5, 0.5, 61), np.geomspace(1.0, 10.0, 10), 0.5,
                         np.array([0.0, 0.02, 0.04, 0.06]), n_sessions=n_sessions)
    if name == "Psi":
        return Psi(STIMULI, np.linspace(-2.5, 0.5, 61), np.geomspace(1.0, 10.0, 15), lapse=0.02, n_sessions=n_sessions)
    return PsiMarginal(STIMULI, np.linspace(-2.5, 0.5, 61), np.geomspace(1.0, 10.0, 10),
                       np.array([0.0, 0.02, 0.04, 0.06]), n_sessions=n_sessions)


class StaircaseExplorer(param.Parameterized):
    """One adaptive session against a simulated 2AFC observer (stimulus = log10 contrast)."""

    procedure = param.Selector(default="1-up-2-down", objects=list(PROCEDURES), doc="Adaptive procedure")
    n_trials = param.Integer(60, bounds=(10, 400), doc="Trials in the session")
    true_threshold = param.Number(-1.0, bounds=(-2.0, 0.0), doc="Observer's threshold (log10 contrast)")
    true_slope = param.Number(3.5, bounds=(1.0, 10.0), doc="Observer's slope (per log10 unit)")
    true_lapse = param.Number(0.02, bounds=(0.0, 0.1), doc="Observer's lapse rate")
    observer = param.Selector(default="static", objects=["static", "learning", "fatiguing"],
                              doc="static: fixed function; learning: threshold falls 0.5 log units (tau 100 trials); "
                                  "fatiguing: lapse grows to 0.2 (tau 150 trials)")
    seed = param.Integer(0, bounds=(0, None), doc="Seed of the simulated responses")

    def __init__(self, **params):
        super().__init__(**params)
        self._cache: dict = {}

    def make_observer(self):
        kw = dict(threshold=self.true_threshold, slope=self.true_slope, guess=0.5, lapse=self.true_lapse)
        if self.observer == "learning":
            return LearningObserver(threshold_start=self.true_threshold + 0.5, tau=100.0, **kw)
        if self.observer == "fatiguing":
            return FatiguingObserver(lapse_end=0.2, tau=150.0, **kw)
        return StaticObserver(**kw)

    def _key(self):
        return (self.procedure, self.n_trials, self.true_threshold, self.true_slope, self.true_lapse, self.observer,
                self.seed)

    @param.depends("procedure", "n_trials", "true_threshold", "true_slope", "true_lapse", "observer", "seed")
    def result(self) -> dict:
        """Run (cached): ``track`` (pandas DataFrame: trial, stimulus, correct, estimate), ``truth``,
        ``estimate``, ``target`` (description), ``procedure`` (the object, for posteriors), ``observer``."""
        key = self._key()
        if key in self._cache:
            return self._cache[key]
        import pandas as pd

        from augbench.cognition.bench import truth_of
        from augbench.cognition.staircase import simulate
        obs = self.make_observer()
        proc = make_procedure(self.procedure)
        out = simulate(proc, obs, self.n_trials, random_state=self.seed)
        track = pd.DataFrame({"trial": np.arange(1, self.n_trials + 1), "stimulus": out["stimulus"][0],
                              "correct": out["correct"][0], "estimate": out["estimate"][0]})
        last = self.n_trials - 1
        truth = float(truth_of(proc.estimand, obs, last))
        est = float(out["estimate"][0, -1])
        target = (f"the {proc.estimand[1]:.1%} point" if proc.estimand[0] == "p" else "the threshold (alpha)")
        res = dict(track=track, truth=truth, estimate=est, target=target, procedure=proc, observer=obs,
                   p_at_estimate=float(obs.p_correct(est, last)))
        self._cache = {key: res}
        return res

    def fit(self, n_boot: int = 0) -> dict:
        """Psychometric function fitted by maximum likelihood to this session's trials."""
        from augbench.cognition.fitting import aggregate, fit_psychometric
        tr = self.result()["track"]
        x, k, n = aggregate(tr.stimulus.round(6), tr.correct)
        return fit_psychometric(x, k, n, kind="gumbel", guess=0.5, n_boot=n_boot, random_state=self.seed)

    def posterior(self):
        """Marginal posterior over (threshold, slope) for QUEST+/Psi (xarray), over threshold for QUEST, else None."""
        import xarray as xr
        proc = self.result()["procedure"]
        if hasattr(proc, "grids"):
            post = proc.posterior.reshape((proc.n_sessions,) + proc.shape)[0].sum(axis=(2, 3))
            return xr.DataArray(post, dims=("threshold", "slope"),
                                coords={"threshold": ("threshold", proc.grids["threshold"],
                                                      {"units": "log10 contrast", "long_name": "Threshold"}),
                                        "slope": ("slope", proc.grids["slope"],
                                                  {"units": "1/log10 unit", "long_name": "Slope"})},
                                attrs={"units": "1", "long_name": "Posterior probability"})
        if hasattr(proc, "grid"):
            return xr.DataArray(proc.posterior[0], dims=("threshold",),
                                coords={"threshold": ("threshold", proc.grid,
                                                      {"units": "log10 contrast", "long_name": "Threshold"})},
                                attrs={"units": "1", "long_name": "Posterior probability"})
        return None

    def summary(self) -> str:
        """One line, e.g. "1-up-2-down, 60 trials: threshold estimate -1.08 (true -1.06), p(correct) at estimate 0.69"."""
        r = self.result()
        what = "threshold estimate" if r["target"].startswith("the threshold") else f"estimate of {r['target']}"
        return (f"{self.procedure}, {self.n_trials} trials ({self.observer} observer): {what} {r['estimate']:.2f} "
                f"(true {r['truth']:.2f}), p(correct) at estimate {r['p_at_estimate']:.2f}")


class NBackExplorer(param.Parameterized):
    """Adaptive n-back training (Jaeggi et al. 2008 rule) of simulated players."""

    n_blocks = param.Integer(20, bounds=(5, 60), doc="Blocks of 20 + n trials")
    capacity = param.Number(4.0, bounds=(1.5, 8.0), doc="Trained capacity (n at half-way performance)")
    capacity_start = param.Number(2.5, bounds=(1.0, 8.0), doc="Capacity before training")
    n_players = param.Integer(200, bounds=(1, 5000), doc="Simulated players")
    seed = param.Integer(0, bounds=(0, None))

    @param.depends("n_blocks", "capacity", "capacity_start", "n_players", "seed")
    def result(self):
        from augbench.cognition.nback import simulate_nback_training
        from augbench.cognition.observers import NBackObserver
        obs = NBackObserver(capacity=self.capacity, capacity_start=self.capacity_start)
        return simulate_nback_training(obs, self.n_blocks, self.n_players, random_state=self.seed)

    def summary(self) -> str:
        lv = self.result().level.mean("session").values
        return (f"{self.n_players} players, {self.n_blocks} blocks: mean level {lv[0]:.1f} -> {lv[-1]:.1f} "
                f"(capacity {self.capacity_start:.1f} -> {self.capacity:.1f})")


class PlayExplorer(param.Parameterized):
    """A playable session: task, language, planned trials; ``session`` is rebuilt when they change."""

    task = param.Selector(default="2afc", objects=["2afc", "nback", "digitspan"], doc="Task to play")
    lang = param.Selector(default="en", objects=["en", "zh"], doc="Language of the guidance")
    n_trials = param.Integer(30, bounds=(5, 200), doc="Planned trials")
    log_path = param.String(default="", doc="JSON-lines log (empty = no log); reopening resumes")
    participant = param.String(default="anon", doc="Pseudonymous participant code (no names)")

    def __init__(self, **params):
        super().__init__(**params)
        self.new_session()

    @param.depends("task", "lang", "n_trials", "log_path", "participant", watch=True)
    def new_session(self):
        from augbench.cognition.tasks import TaskSession
        self.session = TaskSession(self.task, n_trials=self.n_trials, lang=self.lang,
                                   log_path=self.log_path or None, participant=self.participant)
        self.trial = self.session.next_trial()
        self.last = None

    def answer(self, response) -> dict:
        """Respond to the showing trial and draw the next one (unless done)."""
        self.last = self.session.respond(response)
        self.trial = None if self.session.done else self.session.next_trial()
        return self.last
