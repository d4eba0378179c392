"""Vectorised Monte Carlo bench: many sessions of any adaptive procedure against a known observer.

``simulate_sessions`` runs K sessions at once and returns an xarray Dataset (dims ``session, trial``);
``summarize`` turns it into RMSE, bias and efficiency against the Cramér-Rao bound per number of
trials; ``compare`` does both for a dict of procedures.

Efficiency is :math:`\\mathrm{CRB}(N) / \\mathrm{MSE}(N)` where the CRB assumes every trial sits at the
most informative stimulus and the other parameters are known (Taylor 1971's "sweat factor" ratio):
a value of 1 is the best an unbiased procedure could do. Bayesian estimators use a prior, so at
small N their MSE can fall below the bound (efficiency > 1) without anything being wrong.

Why a sequential procedure falls short of 1: the bound places every trial at the most informative
stimulus *for the true threshold*, which the procedure does not know yet. ``summarize`` therefore also
reports ``info_fraction``, the Fisher information the procedure's stimuli actually collected,
:math:`\\sum_i I(x_i) / (N \\max_x I(x))`, averaged over sessions; the efficiency of a posterior-mean
estimate tracks it. :func:`ideal_placement` builds the reference that does know: every trial at the
true optimum, the same posterior-mean estimate. Its efficiency reaches 1 once N is large (1.03 at 600
trials in the tests), so the bound is attainable; at 80 trials it is far below (one level cannot separate
a much lower threshold from lapses, so the posterior keeps heavy tails): the bound is asymptotic.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np

from augbench._rng import as_generator
from augbench._validate import check_int
from augbench.cognition.psychometric import cramer_rao_bound

__all__ = ["truth_of", "simulate_sessions", "summarize", "compare", "crb_of", "ideal_placement", "race_questplus",
           "time_many_sessions", "convergence_table"]


def truth_of(estimand, observer, trial=0):
    """The true value of a procedure's estimand for ``observer`` at ``trial``."""
    kind, p = estimand
    if kind == "p":
        return observer.intensity_at(p, trial)
    return observer.params(trial)["threshold"]


def crb_of(estimand, observer, n_trials, trial=0, free=("threshold",)):
    """Cramér-Rao variance bound for the estimand after ``n_trials``.

    ``free`` lists the parameters the procedure must learn (default: threshold only, others known);
    with more, the bound is :func:`~augbench.cognition.psychometric.cramer_rao_bound_joint`.
    """
    pr = observer.params(trial)
    if estimand[0] == "threshold" and tuple(free) != ("threshold",):
        from augbench.cognition.psychometric import cramer_rao_bound_joint
        return cramer_rao_bound_joint(n_trials, float(pr["threshold"]), float(pr["slope"]), float(pr["guess"]),
                                      float(pr["lapse"]), observer.kind, free=tuple(free))
    var_a = cramer_rao_bound(n_trials, pr["threshold"], pr["slope"], pr["guess"], pr["lapse"], observer.kind)
    if estimand[0] == "p":
        from augbench.cognition.psychometric import intensity_at
        h = 1e-6 * max(1.0, abs(float(pr["threshold"])))
        args = (pr["slope"], pr["guess"], pr["lapse"], observer.kind)
        d = (intensity_at(estimand[1], pr["threshold"] + h, *args)
             - intensity_at(estimand[1], pr["threshold"] - h, *args)) / (2 * h)
        return var_a * d ** 2
    return var_a


def simulate_sessions(make_procedure: Callable[[int], object], observer, n_trials: int, n_sessions: int,
                      *, chunk: int = 2500, random_state=None):
    """Run ``n_sessions`` sessions of ``n_trials`` trials each, in chunks of ``chunk`` sessions.

    Parameters
    ----------
    make_procedure : callable
        ``make_procedure(n)`` returns a fresh procedure running ``n`` sessions.
    observer : StaticObserver or subclass
        Ground truth.
    n_trials, n_sessions : int
    chunk : int
        Sessions per vectorised block (bounds memory: a QUEST+ posterior is chunk x n_params floats).

    Returns
    -------
    xarray.Dataset
        dims ``(session, trial)``: ``stimulus``, ``correct``, ``estimate``, and ``truth`` (trial);
        attrs ``procedure``, ``estimand``, ``seconds`` (wall time of the simulation).
    """
    import xarray as xr

    from augbench.cognition.staircase import simulate

    n_trials = check_int("n_trials", n_trials, 1)
    n_sessions = check_int("n_sessions", n_sessions, 1)
    chunk = check_int("chunk", chunk, 1)
    rng = as_generator(random_state)
    parts, proc = [], None
    t0 = time.perf_counter()
    for start in range(0, n_sessions, chunk):
        proc = make_procedure(min(chunk, n_sessions - start))
        parts.append(simulate(proc, observer, n_trials, rng))
    seconds = time.perf_counter() - t0
    cat = {k: np.concatenate([p[k] for p in parts]) for k in ("stimulus", "correct", "estimate")}
    trials = np.arange(1, n_trials + 1)
    truth = np.broadcast_to(np.asarray(truth_of(proc.estimand, observer, trials - 1), float), (n_trials,))
    ds = xr.Dataset(
        {"stimulus": (("session", "trial"), cat["stimulus"], {"units": "stimulus unit", "long_name": "Stimulus"}),
         "correct": (("session", "trial"), cat["correct"], {"units": "1", "long_name": "Correct response"}),
         "estimate": (("session", "trial"), cat["estimate"],
                      {"units": "stimulus unit", "long_name": "Estimate after the trial"}),
         "truth": (("trial",), truth.copy(), {"units": "stimulus unit", "long_name": "True value of the estimand"})},
        coords={"session": ("session", np.arange(n_sessions), {"units": "1", "long_name": "Session"}),
                "trial": ("trial", trials, {"units": "1", "long_name": "Trial number (1-based)"})},
        attrs={"procedure": getattr(proc, "name", type(proc).__name__), "estimand": str(proc.estimand),
               "free_params": ",".join(getattr(proc, "free_params", ("threshold",))),
               "estimand_kind": proc.estimand[0], "estimand_p": float(proc.estimand[1] or np.nan),
               "seconds": seconds})
    return ds


def summarize(ds, observer, checkpoints=(20, 40, 80)):
    """RMSE, bias, SD and efficiency of the estimate at each checkpoint (number of trials).

    Returns
    -------
    pandas.DataFrame
        Columns: ``procedure`` (str), ``n_trials`` (int), ``rmse``, ``bias``, ``sd`` (stimulus unit),
        ``crb_sd`` (sqrt of the Cramér-Rao bound with the other parameters known, stimulus unit),
        ``efficiency`` (CRB/MSE, 1), ``crb_free_sd`` and ``efficiency_free`` (the same against the bound for the
        parameters the procedure actually estimates, e.g. threshold + slope for Psi), ``free_params`` (str),
        ``efficiency_free_lo``, ``efficiency_free_hi`` (95 % Monte Carlo interval of ``efficiency_free``, from
        the standard error of the MSE over sessions), ``info_fraction`` (Fisher information about the threshold
        collected by the stimuli presented, as a fraction of N trials at the best stimulus; other parameters
        known),
        ``seconds`` (wall time of the whole simulation, s), ``n_sessions`` (int).
    """
    import pandas as pd

    from augbench.cognition.psychometric import fisher_information, most_informative_stimulus

    kind = ds.attrs["estimand_kind"]
    estimand = (kind, None if kind == "threshold" else ds.attrs["estimand_p"])
    rows = []
    x = ds["stimulus"].values
    info = np.empty_like(x)
    imax = np.empty(x.shape[1])
    for t in range(x.shape[1]):
        pr = observer.params(t)
        args = (pr["threshold"], pr["slope"], pr["guess"], pr["lapse"], observer.kind)
        info[:, t] = fisher_information(x[:, t], *args)
        imax[t] = most_informative_stimulus(*args)[1]
    cum_info, cum_max = np.cumsum(info, axis=1).mean(axis=0), np.cumsum(imax)
    for n in checkpoints:
        n = check_int("checkpoint", n, 1, int(ds.sizes["trial"]))
        est = ds["estimate"].sel(trial=n).values
        truth = float(ds["truth"].sel(trial=n))
        err = est - truth
        mse = float(np.mean(err ** 2))
        mse_se = float(np.std(err ** 2) / np.sqrt(err.size))
        crb = float(crb_of(estimand, observer, n, trial=n - 1))
        free = tuple(ds.attrs.get("free_params", "threshold").split(","))
        crb_free = float(crb_of(estimand, observer, n, trial=n - 1, free=free)) if free != ("threshold",) else crb
        rows.append(dict(procedure=ds.attrs["procedure"], n_trials=n, rmse=np.sqrt(mse), bias=float(err.mean()),
                         sd=float(err.std()), crb_sd=np.sqrt(crb), efficiency=crb / mse,
                         crb_free_sd=np.sqrt(crb_free), efficiency_free=crb_free / mse, free_params=",".join(free),
                         efficiency_free_lo=crb_free / (mse + 1.96 * mse_se),
                         efficiency_free_hi=crb_free / max(mse - 1.96 * mse_se, 1e-300),
                         info_fraction=float(cum_info[n - 1] / cum_max[n - 1]), seconds=ds.attrs["seconds"],
                         n_sessions=int(ds.sizes["session"])))
    return pd.DataFrame(rows)


def compare(procedures: Mapping[str, Callable[[int], object]], observer, n_trials: int = 80,
            n_sessions: int = 2000, checkpoints=(20, 40, 80), random_state=None, chunk: int = 2500):
    """Simulate and summarize several procedures against one observer (same seed for each).

    Returns
    -------
    pandas.DataFrame
        :func:`summarize`'s columns, with ``procedure`` set to the dict keys.
    """
    import pandas as pd

    out = []
    base = int(as_generator(random_state).integers(2 ** 32)) if not isinstance(random_state, (int, np.integer)) \
        else int(random_state)
    for i, (name, make) in enumerate(procedures.items()):
        seed = np.random.SeedSequence([base, i])
        ds = simulate_sessions(make, observer, n_trials, n_sessions, chunk=chunk, random_state=seed)
        df = summarize(ds, observer, checkpoints)
        df["procedure"] = name
        out.append(df)
    return pd.concat(out, ignore_index=True)


def ideal_placement(observer, thresholds, *, prior=None, n_sessions=None):
    """The reference procedure that knows where to test: every trial at the most informative stimulus for the
    observer's true parameters, threshold estimated by the posterior mean (slope, guess and lapse known).

    Its information share is 1 by construction, and its efficiency approaches 1 as N grows; at small N it
    is poor, because responses at a single level cannot tell a much lower threshold from lapses.

    Returns
    -------
    QuestPlus
        With a one-value stimulus grid, so every trial is at the optimum.
    """
    from augbench.cognition.psychometric import most_informative_stimulus
    from augbench.cognition.questplus import QuestPlus
    pr = observer.params(0)
    b = float(pr["slope"])
    best, _ = most_informative_stimulus(float(pr["threshold"]), b, pr["guess"], pr["lapse"], observer.kind)
    qp = QuestPlus([best], thresholds, b, float(pr["guess"]), float(pr["lapse"]), kind=observer.kind,
                   prior=None if prior is None else np.asarray(prior, float).reshape(-1, 1, 1, 1),
                   n_sessions=n_sessions)
    qp.name = "ideal placement"
    return qp


def race_questplus(stimuli, thresholds, slopes, lapses, *, guess: float = 0.5, n_trials: int = 20, observer=None,
                   random_state=None) -> dict:
    """Run our QUEST+ and the ``questplus`` package side by side on the same grid and the same responses.

    Both see the same response on every trial (drawn once from ``observer`` at questplus's choice);
    we record whether the two chose the same stimulus and time each (selection + update).

    Returns
    -------
    dict
        ``same_choices`` (int, trials where both chose the same stimulus), ``n_trials``,
        ``questplus_s_per_trial``, ``augbench_s_per_trial`` (medians over trials, robust to load spikes on a
        shared machine), ``ratio`` (questplus / augbench, of the medians), ``ratio_mean`` (of the means),
        ``questplus_init_s``, ``augbench_init_s``, ``max_estimate_diff`` (largest difference of the final
        marginal-mean estimates, any parameter), ``grid`` (n_stimuli, n_thresholds, n_slopes, n_lapses).

    Raises
    ------
    ImportError
        If ``questplus`` is not installed.
    """
    import questplus

    from augbench.cognition.observers import StaticObserver
    from augbench.cognition.questplus import QuestPlus

    rng = as_generator(random_state)
    observer = observer or StaticObserver(float(np.median(thresholds)), float(np.median(slopes)), guess,
                                          float(np.median(lapses)))
    t0 = time.perf_counter()
    ref = questplus.QuestPlusWeibull(intensities=stimuli, thresholds=thresholds, slopes=slopes,
                                     lower_asymptotes=[guess], lapse_rates=lapses, responses=["Correct", "Incorrect"])
    t_ref_init = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = QuestPlus(stimuli, thresholds, slopes, guess, lapses)
    t_our_init = time.perf_counter() - t0
    t_ref, t_our = np.zeros(n_trials), np.zeros(n_trials)
    same = 0
    for t in range(n_trials):
        t0 = time.perf_counter()
        x_ref = ref.next_intensity
        t_ref[t] += time.perf_counter() - t0
        t0 = time.perf_counter()
        x = ours.next_stimulus()
        t_our[t] += time.perf_counter() - t0
        same += bool(np.isclose(x, x_ref))
        r = bool(observer.respond(x_ref, t, rng))
        t0 = time.perf_counter()
        ref.update(intensity=x_ref, response="Correct" if r else "Incorrect")
        t_ref[t] += time.perf_counter() - t0
        t0 = time.perf_counter()
        ours.update(x_ref, r)
        t_our[t] += time.perf_counter() - t0
    est, rest = ours.estimates(), ref.param_estimate
    diff = max(abs(est[a] - rest[b]) for a, b in (("threshold", "threshold"), ("slope", "slope"),
                                                   ("lapse", "lapse_rate")))
    return {"same_choices": same, "n_trials": n_trials, "questplus_s_per_trial": float(np.median(t_ref)),
            "augbench_s_per_trial": float(np.median(t_our)), "ratio": float(np.median(t_ref) / np.median(t_our)),
            "ratio_mean": float(t_ref.mean() / t_our.mean()), "questplus_init_s": t_ref_init,
            "augbench_init_s": t_our_init, "max_estimate_diff": float(diff),
            "grid": (len(stimuli), len(thresholds), len(slopes), len(lapses))}


def time_many_sessions(n_sessions: int = 10_000, n_trials: int = 100, *, dtype=np.float32, chunk: int = 2500,
                       random_state=None) -> dict:
    """Time ``n_sessions`` x ``n_trials`` of QUEST+ on a realistic grid (41 stimuli x 41 thresholds x 5 slopes x 5 lapses).

    Returns
    -------
    dict
        ``seconds``, ``n_sessions``, ``n_trials``, ``grid``, ``rmse_threshold`` (at the last trial).
    """
    from augbench.cognition.observers import StaticObserver
    from augbench.cognition.questplus import QuestPlus
    st = np.linspace(-2.5, 0.5, 41)
    th = np.linspace(-2.5, 0.5, 41)
    sl = np.geomspace(1.5, 8.0, 5)
    la = np.linspace(0.0, 0.04, 5)
    obs = StaticObserver(-1.0, 3.5, 0.5, 0.02)
    ds = simulate_sessions(lambda n: QuestPlus(st, th, sl, 0.5, la, n_sessions=n, dtype=dtype), obs, n_trials,
                           n_sessions, chunk=chunk, random_state=random_state)
    err = ds.estimate.isel(trial=-1).values - ds.truth.values[-1]
    return {"seconds": ds.attrs["seconds"], "n_sessions": n_sessions, "n_trials": n_trials,
            "grid": (41, 41, 5, 5), "rmse_threshold": float(np.sqrt(np.mean(err ** 2)))}


def convergence_table(n_sessions: int = 2000, n_trials: int = 400, burn: int = 100, random_state=None):
    """Proportion correct in the converged part of each staircase against its theoretical target.

    Observer: Weibull (log10 units) threshold 0, slope 3.5, guess 0.5, no lapse.

    Returns
    -------
    pandas.DataFrame
        ``rule`` (str), ``target`` (theoretical P(correct)), ``observed`` (P(correct) over trials after
        ``burn``), ``estimate_median`` and ``truth`` (stimulus at the target, log10 units).
    """
    import pandas as pd

    from augbench.cognition.observers import StaticObserver
    from augbench.cognition.staircase import PEST, UpDown, WeightedUpDown, simulate
    obs = StaticObserver(0.0, 3.5, 0.5, 0.0)
    rng = as_generator(random_state)
    rules = {"1-up-2-down": lambda: UpDown(2, start=0.5, step=0.05, n_sessions=n_sessions),
             "1-up-3-down": lambda: UpDown(3, start=0.5, step=0.05, n_sessions=n_sessions),
             "weighted 3:1 (75 %)": lambda: WeightedUpDown(0.75, start=0.5, step=0.03, n_sessions=n_sessions),
             "PEST (75 %)": lambda: PEST(0.75, start=0.5, step=0.1, n_sessions=n_sessions)}
    rows = []
    for name, make in rules.items():
        proc = make()
        out = simulate(proc, obs, n_trials, rng)
        p = proc.estimand[1]
        rows.append({"rule": name, "target": p, "observed": float(out["correct"][:, burn:].mean()),
                     "estimate_median": float(np.median(proc.estimate())), "truth": float(obs.intensity_at(p))})
    return pd.DataFrame(rows)
