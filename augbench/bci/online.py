"""Simulated real-time decoding: a sliding-window decoder fed chunk by chunk, with latency accounting,
online accuracy, ITR and a neurofeedback signal.

The same fitted scikit-learn pipeline object is used offline (cross-validated on windows) and
online (called on each window); only the band-pass differs from the offline protocol: online it
is causal (:class:`~augbench.bci.preprocessing.CausalFilter`), and the training windows are cut
from causally filtered data so that the classifier sees what it will see online.
"""
from __future__ import annotations

import time

import numpy as np

from augbench._validate import check_range

__all__ = ["training_windows", "fit_online_pipeline", "OnlineDecoder", "replay", "online_scores",
           "latency_budget"]


def _causal(data, sfreq, band, order=4):
    from augbench.bci.preprocessing import CausalFilter, design_causal

    f = CausalFilter(design_causal(sfreq, band[0], band[1], order=order), data.shape[0])
    return f.process(data)


def training_windows(raw, classes, *, band=(7.0, 30.0), window_s: float = 1.0, starts_s=(0.5, 3.0),
                     step_s: float = 0.25, car: bool = True):
    """Windows cut from a causally band-passed (``band=None``: unfiltered), CAR-referenced recording,
    ending within imagery segments.

    Windows *end* at cue + ``starts_s[0]`` + ``window_s`` up to cue + ``starts_s[1]`` + ``window_s``
    in steps of ``step_s``.

    Returns
    -------
    X : ndarray (n_windows, n_channels, n_window), V
    y : ndarray of int (index into ``classes``)
    trial : ndarray of int (which annotation each window came from; keep windows of one trial in one fold)
    """
    import mne

    sfreq = raw.info["sfreq"]
    picks = mne.pick_types(raw.info, eeg=True, exclude=())
    data = raw.get_data(picks=picks)
    if car:
        data = data - data.mean(0, keepdims=True)
    if band is not None:
        data = _causal(data, sfreq, band)
    n_win = int(round(window_s * sfreq))
    X, y, trial = [], [], []
    for k, (onset, desc) in enumerate(zip(raw.annotations.onset - raw.first_time, raw.annotations.description)):
        if desc not in classes:
            continue
        for s in np.arange(starts_s[0], starts_s[1] + 1e-9, step_s):
            i0 = int(round((onset + s) * sfreq))
            if i0 + n_win <= data.shape[1]:
                X.append(data[:, i0:i0 + n_win])
                y.append(classes.index(desc))
                trial.append(k)
    if not X:
        raise ValueError(f"no annotations {classes} found in the recording; have {sorted(set(raw.annotations.description))}")
    return np.stack(X), np.array(y), np.array(trial)


def fit_online_pipeline(raw, classes, *, pipeline: str = "csp+lda", band=(7.0, 30.0), window_s: float = 1.0,
                        n_components: int = 4, random_state=0):
    """Fit a pipeline (its filter step disabled: data arrive causally filtered) on training windows."""
    from augbench.bci.models import make_pipeline

    X, y, _ = training_windows(raw, classes, band=band, window_s=window_s)
    from augbench.bci._threads import single_thread_blas

    pipe = make_pipeline(pipeline, sfreq=raw.info["sfreq"], band=None, window=None, n_components=n_components,
                         random_state=random_state, net_epochs=20)
    with single_thread_blas():
        return pipe.fit(X, y)


class OnlineDecoder:
    """Sliding-window decoder: every ``hop_s`` it emits a command from the last ``window_s`` of data.

    Per chunk: CAR -> causal band-pass (state kept between chunks) -> ring buffer. Per hop: the fitted
    pipeline (``predict_proba``, or ``decision_function``) on the window, plus a neurofeedback value:
    the log mu-band power of ``nf_channel`` (causal 8–12 Hz band-pass, mean square over the window).

    Parameters
    ----------
    pipeline : fitted sklearn estimator taking (1, n_channels, n_window)
    sfreq : float
    ch_names : list of str
    classes : sequence of str
        Class names, in the order of the pipeline's integer labels.
    band : (float, float)
        Causal band-pass, Hz (must match the training windows).
    window_s, hop_s : float
    nf_channel : str
        Channel driving the neurofeedback bar (C3 for right hand, C4 for left hand imagery).
    """

    def __init__(self, pipeline, sfreq, ch_names, classes, *, band=(7.0, 30.0), window_s: float = 1.0,
                 hop_s: float = 0.0625, nf_channel: str = "C3", nf_band=(8.0, 12.0), car: bool = True, order: int = 4):
        from augbench.bci.preprocessing import CausalFilter, design_causal

        self.pipeline = pipeline
        self.sfreq = float(sfreq)
        self.ch_names = list(ch_names)
        self.classes = list(classes)
        check_range("window_s", window_s, 0, low_inclusive=False)
        check_range("hop_s", hop_s, 0, window_s, low_inclusive=False)
        self.n_win = int(round(window_s * sfreq))
        self.n_hop = max(1, int(round(hop_s * sfreq)))
        self.band, self.window_s, self.hop_s, self.car = band, window_s, hop_s, car
        if nf_channel not in self.ch_names:
            import difflib

            close = difflib.get_close_matches(nf_channel, self.ch_names, n=1)
            raise ValueError(f"nf_channel {nf_channel!r} not in recording" + (f"; did you mean {close[0]!r}?" if close else ""))
        self.nf_index = self.ch_names.index(nf_channel)
        self.sos = design_causal(sfreq, band[0], band[1], order=order)
        self.filter = CausalFilter(self.sos, len(self.ch_names))
        self.nf_filter = CausalFilter(design_causal(sfreq, nf_band[0], nf_band[1], order=order), 1)
        self.nf_band = nf_band
        self.reset()

    def reset(self) -> None:
        self.filter.reset()
        self.nf_filter.reset()
        self.buf = np.zeros((len(self.ch_names), self.n_win))
        self.nf_buf = np.zeros(self.n_win)
        self.n_seen = 0
        self.since_hop = 0

    def _emit(self, t_end):
        t0 = time.perf_counter()
        win = self.buf[None]
        if hasattr(self.pipeline, "predict_proba"):
            proba = self.pipeline.predict_proba(win)[0]
        else:
            d = float(np.ravel(self.pipeline.decision_function(win))[0])
            proba = np.array([1 / (1 + np.exp(d)), 1 / (1 + np.exp(-d))])
        t1 = time.perf_counter()
        nf = float(np.log10(np.mean(self.nf_buf ** 2) + 1e-30))
        return {"time_s": t_end, "command": self.classes[int(np.argmax(proba))], "p_second": float(proba[-1]),
                "nf_log_power": nf, "classify_ms": (t1 - t0) * 1e3}

    def push(self, chunk: np.ndarray, t_last: float | None = None) -> list[dict]:
        """Feed one chunk ``(n_channels, n)``; return one output dict per completed hop (possibly none).

        Each dict: ``time_s`` (time of the window's last sample), ``command``, ``p_second`` (probability of
        the second class), ``nf_log_power`` (log10 V²), ``filter_ms``, ``classify_ms``, ``latency_ms``
        (wall time from receiving the chunk to the command).
        """
        t_recv = time.perf_counter()
        chunk = np.asarray(chunk, float)
        if chunk.ndim != 2 or chunk.shape[0] != len(self.ch_names):
            raise ValueError(f"chunk has shape {chunk.shape}; expected ({len(self.ch_names)}, n_samples)")
        if not np.isfinite(chunk).all():
            c = int(np.argwhere(~np.isfinite(chunk))[0][0])
            raise ValueError(f"chunk contains NaN or inf on channel {self.ch_names[c]!r}")
        out = []
        pos = 0
        n = chunk.shape[1]
        while pos < n:
            take = min(self.n_hop - self.since_hop, n - pos)
            part = chunk[:, pos:pos + take]
            t0 = time.perf_counter()
            if self.car:
                part = part - part.mean(0, keepdims=True)
            y = self.filter.process(part)
            ynf = self.nf_filter.process(part[self.nf_index:self.nf_index + 1])[0]
            self.buf = np.roll(self.buf, -take, axis=1)
            self.buf[:, -take:] = y
            self.nf_buf = np.roll(self.nf_buf, -take)
            self.nf_buf[-take:] = ynf
            filt_ms = (time.perf_counter() - t0) * 1e3
            pos += take
            self.n_seen += take
            self.since_hop += take
            if self.since_hop == self.n_hop:
                self.since_hop = 0
                if self.n_seen >= self.n_win:
                    r = self._emit((self.n_seen - 1) / self.sfreq)
                    r["filter_ms"] = filt_ms
                    r["latency_ms"] = (time.perf_counter() - t_recv) * 1e3
                    out.append(r)
        return out


def replay(decoder: OnlineDecoder, stream, annotations=None):
    """Run ``decoder`` over a :class:`~augbench.bci.stream.ReplayStream`; return the timeline.

    Returns
    -------
    pandas.DataFrame
        One row per hop: ``time_s``, ``command``, ``p_second``, ``nf_log_power``, ``filter_ms``,
        ``classify_ms``, ``latency_ms``, ``true`` (class whose imagery segment contains the window's end
        after a 0.5 s reaction margin, else "rest"), ``trial`` (annotation index or -1).
    """
    import pandas as pd

    from augbench.bci._threads import single_thread_blas

    decoder.reset()
    rows = []
    with single_thread_blas():
        for chunk, ts in stream:
            rows.extend(decoder.push(chunk))
    df = pd.DataFrame(rows)
    ann = annotations if annotations is not None else stream.annotations
    true = np.array(["rest"] * len(df), dtype=object)
    trial = -np.ones(len(df), int)
    if ann is not None and len(df):
        for k, (o, d, desc) in enumerate(zip(ann.onset, ann.duration, ann.description)):
            if desc in decoder.classes:
                m = (df["time_s"] >= o + 0.5) & (df["time_s"] <= o + d)
                true[m.to_numpy()] = desc
                trial[m.to_numpy()] = k
    df["true"] = true
    df["trial"] = trial
    return df


def online_scores(timeline, classes, *, trial_s: float | None = None) -> dict:
    """Online accuracy per hop and per trial (majority vote of hops), Wolpaw ITR, latency median/p99.

    ``trial_s``: seconds per selection for bits/min (default: median interval between trial onsets in
    the timeline, i.e. imagery plus rest).
    """
    from augbench.bci.evaluation import wolpaw_itr

    task = timeline[timeline["true"].isin(classes)]
    hop_acc = float((task["command"] == task["true"]).mean()) if len(task) else float("nan")
    votes = task.groupby("trial").agg(true=("true", "first"),
                                      pred=("command", lambda s: s.value_counts().idxmax()))
    trial_acc = float((votes["true"] == votes["pred"]).mean()) if len(votes) else float("nan")
    if trial_s is None:
        starts = task.groupby("trial")["time_s"].min().sort_values().to_numpy()
        trial_s = float(np.median(np.diff(starts))) if len(starts) > 1 else 8.0
    lat = timeline["latency_ms"].to_numpy()
    return {"hop_accuracy": hop_acc, "trial_accuracy": trial_acc, "n_trials": int(len(votes)),
            "itr_bits_per_trial": wolpaw_itr(trial_acc, len(classes)) if np.isfinite(trial_acc) else float("nan"),
            "itr_bits_per_min": wolpaw_itr(trial_acc, len(classes), trial_s) if np.isfinite(trial_acc) else float("nan"),
            "trial_s": trial_s, "latency_median_ms": float(np.median(lat)), "latency_p99_ms": float(np.percentile(lat, 99))}


def latency_budget(decoder: OnlineDecoder, timeline) -> "pd.DataFrame":  # noqa: F821
    """Where the delay from brain event to command comes from, per stage, in ms.

    Rows: ``filter group delay`` (causal band-pass at the band centre), ``window (centroid)`` (half the
    window: the average age of the samples the decision uses), ``hop (mean wait)`` (half a hop),
    ``filter compute``, ``features + classifier compute``, ``total compute`` (median per hop).
    """
    import pandas as pd

    from augbench.bci.preprocessing import group_delay_s

    fc = float(np.sqrt(decoder.band[0] * decoder.band[1]))
    rows = [("filter group delay", group_delay_s(decoder.sos, decoder.sfreq, fc) * 1e3, f"Butterworth at {fc:.1f} Hz"),
            ("window (centroid)", decoder.window_s / 2 * 1e3, f"{decoder.window_s} s window"),
            ("hop (mean wait)", decoder.hop_s / 2 * 1e3, f"{decoder.hop_s * 1e3:.1f} ms hop"),
            ("filter compute", float(timeline["filter_ms"].median()), "median per hop"),
            ("features + classifier compute", float(timeline["classify_ms"].median()), "median per hop"),
            ("total compute", float(timeline["latency_ms"].median()), "median per hop, chunk in -> command out")]
    return pd.DataFrame(rows, columns=["stage", "ms", "note"])


def benchmark_hops(subject: int = 1, *, n_hops: int = 300, window_s: float = 1.0, hop_s: float = 0.0625,
                   band=(7.0, 30.0)) -> dict:
    """Per-hop latency of :class:`OnlineDecoder` vs re-running the offline MNE pipeline on every window.

    Both decode the same hops of run 14 of ``subject`` (trained on runs 6 and 10). Naive: for each hop
    take the last ``window_s`` of raw data and run MNE's offline chain on it (``mne.filter.filter_data``
    FIR 7–30 Hz zero-phase on the window, average reference, ``mne.decoding.CSP`` + LDA fitted the same
    way on MNE-filtered training windows). Ours: push the hop's new samples into the decoder (CAR,
    causal IIR with kept state, ring buffer, augbench CSP + LDA). BLAS limited to one thread for both.

    Returns
    -------
    dict with ``ours_median_ms``, ``ours_p99_ms``, ``naive_median_ms``, ``naive_p99_ms``,
    ``ratio_median`` (naive / ours), ``n_hops``.
    """
    import mne
    from mne.decoding import CSP as MNECSP
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import Pipeline

    from augbench.bci._threads import single_thread_blas
    from augbench.bci.io import load_raw

    classes = ["hands", "feet"]
    train, test = load_raw(subject, (6, 10)), load_raw(subject, (14,))
    sf = train.info["sfreq"]
    ours = fit_online_pipeline(train, classes, band=band, window_s=window_s)
    dec = OnlineDecoder(ours, sf, test.ch_names, classes, band=band, window_s=window_s, hop_s=hop_s)
    # naive training: MNE zero-phase FIR on the continuous training data, same windows
    tr = train.copy().set_eeg_reference("average", verbose="error").filter(band[0], band[1], fir_design="firwin",
                                                                            verbose="error")
    Xn, yn, _ = training_windows(tr, classes, band=None, car=False, window_s=window_s)  # already filtered
    with mne.utils.use_log_level("error"), single_thread_blas():
        naive = Pipeline([("csp", MNECSP(n_components=4, reg=None, log=True, norm_trace=False)),
                          ("lda", LinearDiscriminantAnalysis())]).fit(Xn, yn)
    data = test.get_data()
    n_win, n_hop = dec.n_win, dec.n_hop
    start = n_win + 10 * n_hop
    t_ours, t_naive = [], []
    with single_thread_blas(), mne.utils.use_log_level("error"):
        dec.push(data[:, :start])
        for h in range(n_hops):
            i1 = start + (h + 1) * n_hop
            if i1 > data.shape[1]:
                break
            chunk = data[:, i1 - n_hop:i1]
            t0 = time.perf_counter()
            dec.push(chunk)
            t_ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            win = data[:, i1 - n_win:i1]
            win = win - win.mean(0, keepdims=True)
            win = mne.filter.filter_data(win, sf, band[0], band[1], fir_design="firwin", verbose="error")
            naive.predict(win[None])
            t_naive.append(time.perf_counter() - t0)
    o, n = np.array(t_ours) * 1e3, np.array(t_naive) * 1e3
    return {"ours_median_ms": float(np.median(o)), "ours_p99_ms": float(np.percentile(o, 99)),
            "naive_median_ms": float(np.median(n)), "naive_p99_ms": float(np.percentile(n, 99)),
            "ratio_median": float(np.median(n) / np.median(o)), "n_hops": len(o)}
