"""BCIExplorer: one parameter object holding the BCI section's state (subject, band, pipeline, ...).

Views (Panel dashboard, ipywidgets) are built from it; test it by setting parameters and reading outputs.
Loaded data are cached per (subject, task), so moving a slider re-fits only the model.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import param

__all__ = ["BCIExplorer", "cached_dataset"]

_FAST_PIPELINES = ["csp+lda", "ts+lr", "logvar+lr", "bandpower+lda", "csp+svm", "fbcsp+lda"]


@lru_cache(maxsize=8)
def cached_dataset(subject: int, task: str):
    """Broadband CAR epochs (−1…4 s) of one subject and task, plus channel positions (cached)."""
    from augbench.bci.io import TASK_RUNS, load_epochs

    ep = load_epochs(subject, TASK_RUNS[task], l_freq=None, h_freq=None, tmin=-1.0, tmax=4.0, car=True)
    pos = ep.get_montage().get_positions()["ch_pos"]
    xy = np.array([pos[c][:2] for c in ep.ch_names])
    classes = sorted(ep.event_id, key=ep.event_id.get)
    return {"X": ep.get_data(), "y": ep.events[:, -1] - 2, "run": ep.metadata["run"].to_numpy(),
            "sfreq": float(ep.info["sfreq"]), "ch_names": list(ep.ch_names), "xy": xy, "classes": classes,
            "times": ep.times.copy()}


class BCIExplorer(param.Parameterized):
    """State of the BCI signal-chain explorer (PhysioNet EEGMMIDB, shipped subjects 1–3)."""

    subject = param.Selector(default=1, objects=[1, 2, 3], doc="PhysioNet EEGMMIDB subject")
    task = param.Selector(default="hands_feet", objects=["hands_feet", "left_right"],
                          doc="Imagery task: runs 6/10/14 (both fists vs feet) or 4/8/12 (left vs right fist)")
    band = param.Range(default=(7.0, 30.0), bounds=(1.0, 45.0), doc="Band-pass, Hz")
    pipeline = param.Selector(default="csp+lda", objects=_FAST_PIPELINES, doc="Decoding pipeline")
    n_components = param.Integer(default=4, bounds=(2, 8), doc="CSP components")
    nf_channel = param.Selector(default="C3", objects=["C3", "Cz", "C4"], doc="Neurofeedback / ERD channel")
    seed = param.Integer(default=0, bounds=(0, None), doc="Seed for stochastic steps")

    # ------------------------------------------------------------------ data
    def dataset(self) -> dict:
        return cached_dataset(self.subject, self.task)

    # ------------------------------------------------------------------ decoding
    @param.depends("subject", "task", "band", "pipeline", "n_components", "seed")
    def score(self) -> dict:
        """Within-session ShuffleSplit(5, 0.2) accuracy of the chosen pipeline and band; majority-class chance."""
        from augbench.bci.evaluation import evaluate
        from augbench.bci.models import make_pipeline

        d = self.dataset()
        keep = (d["times"] >= 0.0) & (d["times"] <= 3.0)  # 1 s filter margin around the 1–2 s window
        pipe = make_pipeline(self.pipeline, sfreq=d["sfreq"], band=tuple(self.band), n_components=self.n_components,
                             epoch_tmin=0.0, random_state=self.seed)
        r = evaluate(pipe, d["X"][..., keep], d["y"], scheme="shuffle", n_splits=5, random_state=42)
        p = float(np.mean(d["y"]))
        r["chance"] = max(p, 1 - p)
        return r

    @param.depends("subject", "task", "band", "pipeline", "n_components", "seed")
    def summary(self) -> str:
        r = self.score()
        lo, hi = self.band
        return (f"S{self.subject:03d}, {self.pipeline.upper()}, {lo:g}–{hi:g} Hz: accuracy {r['accuracy']:.2f} "
                f"(chance {r['chance']:.2f}; {len(self.dataset()['y'])} epochs, ShuffleSplit 5×20%)")

    # ------------------------------------------------------------------ figures' data
    @param.depends("subject", "task")
    def psd_by_class(self):
        """Mean Welch PSD (dB re 1 µV²/Hz) over C3, Cz, C4 during imagery (0.5–4 s), per class.

        Returns xarray.DataArray (label, freq).
        """
        import xarray as xr
        from scipy.signal import welch

        d = self.dataset()
        idx = [d["ch_names"].index(c) for c in ("C3", "Cz", "C4")]
        m = d["times"] >= 0.5
        f, p = welch(d["X"][:, idx][..., m], fs=d["sfreq"], nperseg=int(d["sfreq"]), axis=-1)
        vals = np.stack([10 * np.log10(p[d["y"] == k].mean(axis=(0, 1)) * 1e12) for k in (0, 1)])
        da = xr.DataArray(vals, dims=("label", "freq"), coords={"label": d["classes"], "freq": f}, name="psd",
                          attrs={"units": "dB re 1 µV²/Hz", "long_name": "power spectral density"})
        da["freq"].attrs.update(units="Hz", long_name="frequency")
        da["label"].attrs.update(units="", long_name="imagined movement")
        return da

    @param.depends("subject", "task", "nf_channel")
    def erd_map(self):
        """ERD/ERS (%) time-frequency map at ``nf_channel``: Morlet power relative to −1…0 s baseline
        (Pfurtscheller & Lopes da Silva 1999), averaged over all imagery epochs.

        Returns xarray.DataArray (freq, time), in %.
        """
        import mne
        import xarray as xr

        d = self.dataset()
        i = d["ch_names"].index(self.nf_channel)
        freqs = np.arange(4.0, 36.0, 2.0)
        pw = mne.time_frequency.tfr_array_morlet(d["X"][:, i:i + 1], d["sfreq"], freqs, n_cycles=freqs / 2,
                                                 output="power", verbose="error")[:, 0].mean(0)
        base = pw[:, d["times"] < 0].mean(axis=1, keepdims=True)
        erd = 100 * (pw - base) / base
        keep = (d["times"] > -0.8) & (d["times"] < 3.8)
        da = xr.DataArray(erd[:, keep], dims=("freq", "time"), coords={"freq": freqs, "time": d["times"][keep]},
                          name="erd", attrs={"units": "%", "long_name": f"ERD/ERS at {self.nf_channel}"})
        da["freq"].attrs.update(units="Hz", long_name="frequency")
        da["time"].attrs.update(units="s", long_name="time from cue")
        return da

    @param.depends("subject", "task", "band", "n_components")
    def csp_patterns(self):
        """CSP patterns (forward models) fitted on all epochs of the subject, for topomaps (display only).

        Returns pandas.DataFrame with ``channel``, ``x``, ``y`` (m), ``component`` (int), ``pattern`` (a.u.).
        """
        import pandas as pd

        from augbench.bci._threads import single_thread_blas
        from augbench.bci.features import CSP, EpochFilter

        d = self.dataset()
        with single_thread_blas():
            Xf = EpochFilter(d["sfreq"], tuple(self.band)).fit(d["X"]).transform(d["X"])
            csp = CSP(self.n_components).fit(Xf, d["y"])
        rows = []
        for k in range(self.n_components):
            pat = csp.patterns_[:, k] / np.abs(csp.patterns_[:, k]).max()
            rows += [(c, x, y, k, v) for c, (x, y), v in zip(d["ch_names"], d["xy"], pat)]
        return pd.DataFrame(rows, columns=["channel", "x", "y", "component", "pattern"])

    @param.depends("subject", "task", "band", "nf_channel")
    def replay(self):
        """Online replay: train on the first two runs (causal filtering), decode the third run hop by hop.

        Returns ``(timeline, scores, budget)`` as from :mod:`augbench.bci.online`.
        """
        return _cached_replay(self.subject, self.task, tuple(self.band), self.nf_channel)


@lru_cache(maxsize=8)
def _cached_replay(subject, task, band, nf_channel):
    from augbench.bci import online
    from augbench.bci.io import RUN_TASKS, TASK_RUNS, load_raw
    from augbench.bci.stream import ReplayStream

    runs = TASK_RUNS[task]
    classes = list(RUN_TASKS[runs[0]])
    train, test = load_raw(subject, runs[:2]), load_raw(subject, runs[2:])
    pipe = online.fit_online_pipeline(train, classes, band=band)
    dec = online.OnlineDecoder(pipe, train.info["sfreq"], test.ch_names, classes, band=band, nf_channel=nf_channel)
    tl = online.replay(dec, ReplayStream.from_raw(test, chunk_size=10))
    return tl, online.online_scores(tl, classes), online.latency_budget(dec, tl)
