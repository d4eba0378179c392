"""Analyses the notebook and dashboard show: PSD per condition and SNR through the preprocessing chain."""
from __future__ import annotations

import numpy as np

__all__ = ["psd_by_condition", "snr_through_chain", "snr_plusminus_real"]


def psd_by_condition(raw, classes, *, picks=("C3", "Cz", "C4"), tmin: float = 0.5, tmax: float = 4.0,
                     fmin: float = 1.0, fmax: float = 45.0):
    """Welch PSD (1-s segments) of imagery epochs, per condition and channel.

    Returns
    -------
    xarray.DataArray, dims (label, channel, freq), in dB re 1 µV²/Hz
    """
    import mne
    import xarray as xr

    events, _ = mne.events_from_annotations(raw, event_id={c: i + 1 for i, c in enumerate(classes)}, verbose="error")
    ep = mne.Epochs(raw, events, {c: i + 1 for i, c in enumerate(classes)}, tmin=tmin, tmax=tmax, baseline=None,
                    picks=list(picks), preload=True, verbose="error")
    vals = []
    for c in classes:
        spec = ep[c].compute_psd(method="welch", fmin=fmin, fmax=fmax, n_fft=int(ep.info["sfreq"]), verbose="error")
        vals.append(10 * np.log10(spec.get_data().mean(0) * 1e12))
        freqs = spec.freqs
    da = xr.DataArray(np.stack(vals), dims=("label", "channel", "freq"),
                      coords={"label": list(classes), "channel": list(picks), "freq": freqs}, name="psd",
                      attrs={"units": "dB re 1 µV²/Hz", "long_name": "power spectral density (Welch)"})
    da["freq"].attrs.update(units="Hz", long_name="frequency")
    da["channel"].attrs.update(units="", long_name="channel")
    da["label"].attrs.update(units="", long_name="condition")
    return da


def snr_through_chain(raw, truth, *, channels=("C3", "C4"), band=(8.0, 30.0), line_freq: float = 50.0):
    """SNR of the planted rhythm at ``channels`` after each linear preprocessing stage (synthetic data).

    Stages: raw, notch at ``line_freq``, + zero-phase band-pass ``band``, + common average reference.
    Columns: ``stage``; ``snr_seed`` (σ_Y/σ_N, the seed's formula, with N the noise SD after the same
    stage); ``snr`` (σ_S/σ_N, honest); ``snr_db`` (20·log10 snr). Mean over ``channels``.
    """
    import pandas as pd

    from augbench.bci import preprocessing as pp

    sf = raw.info["sfreq"]
    idx = [raw.ch_names.index(c) for c in channels]
    stages = [("raw", lambda a: a),
              (f"notch {line_freq:g} Hz", lambda a: pp.notch(a, sf, [line_freq])),
              (f"+ band-pass {band[0]:g}–{band[1]:g} Hz", lambda a: pp.bandpass(pp.notch(a, sf, [line_freq]), sf, *band)),
              ("+ common average reference", lambda a: pp.common_average_reference(
                  pp.bandpass(pp.notch(a, sf, [line_freq]), sf, *band)))]
    rows = []
    for name, f in stages:
        s, n = f(truth["signal"]), f(truth["noise"])
        snr = pp.snr_components(s, n)[idx].mean()
        seed = np.mean([pp.snr_seed((s + n)[i], n[i].std()) for i in idx])
        rows.append((name, seed, snr, 20 * np.log10(snr) if snr > 0 else -np.inf))
    return pd.DataFrame(rows, columns=["stage", "snr_seed", "snr", "snr_db"])


def snr_plusminus_real(subject: int = 1, runs=(4, 8, 12), *, channel: str = "C4", band=(8.0, 13.0)):
    """Data-driven SNR of the mu ERD on a real recording, at each preprocessing stage.

    Envelope = squared band-passed signal smoothed over 250 ms, per trial (0–4 s after the cue, both
    classes); SNR by the (±)-reference (:func:`~augbench.bci.preprocessing.snr_plusminus`).
    Stages: raw (broadband power), band-pass, band-pass + CAR.

    Returns
    -------
    pandas.DataFrame with ``stage`` and ``snr``.
    """
    import mne
    import pandas as pd
    from scipy.ndimage import uniform_filter1d

    from augbench.bci import preprocessing as pp
    from augbench.bci.io import RUN_TASKS, load_raw

    raw = load_raw(subject, runs)
    sf = raw.info["sfreq"]
    classes = list(RUN_TASKS[runs[0]])
    events, _ = mne.events_from_annotations(raw, event_id={c: i + 1 for i, c in enumerate(classes)}, verbose="error")
    data = raw.get_data()
    i = raw.ch_names.index(channel)
    n = int(4 * sf)
    stages = {"raw": data, "band-pass": pp.bandpass(data, sf, *band),
              "band-pass + CAR": pp.common_average_reference(pp.bandpass(data, sf, *band))}
    rows = []
    for name, d in stages.items():
        env = uniform_filter1d(d[i] ** 2, int(0.25 * sf))
        trials = np.stack([env[e:e + n] for e in events[:, 0] if e + n <= env.size])[:, None, :]
        rows.append((name, float(pp.snr_plusminus(trials)[0])))
    return pd.DataFrame(rows, columns=["stage", "snr"])
