"""Preprocessing: offline zero-phase and online causal filters, re-referencing, normalisation,
artefact rejection, ICA blink removal and an honest signal-to-noise ratio.

Arrays are ``(n_channels, n_times)`` or ``(n_epochs, n_channels, n_times)`` in V; time is the last axis.
"""
from __future__ import annotations

import warnings

import numpy as np

from augbench._validate import check_int, check_option, check_range

__all__ = ["bandpass", "notch", "design_causal", "CausalFilter", "group_delay_s", "common_average_reference",
           "normalise", "reject_epochs", "find_flat_channels", "remove_blinks_ica", "snr_components",
           "snr_seed", "snr_plusminus"]


def _check_band(l_freq, h_freq, sfreq):
    check_range("sfreq", sfreq, 0, low_inclusive=False)
    if l_freq is not None:
        check_range("l_freq", l_freq, 0, sfreq / 2, low_inclusive=False, high_inclusive=False)
    if h_freq is not None:
        check_range("h_freq", h_freq, 0, sfreq / 2, low_inclusive=False, high_inclusive=False)
    if l_freq is not None and h_freq is not None and not l_freq < h_freq:
        raise ValueError(f"band ({l_freq}, {h_freq}) Hz is empty; need l_freq < h_freq")


def bandpass(x: np.ndarray, sfreq: float, l_freq: float | None, h_freq: float | None) -> np.ndarray:
    """Offline zero-phase FIR band-pass (MNE's ``filter_data``, firwin design, Hamming window).

    Zero-phase: the FIR is applied forward with its delay compensated, so peaks do not shift in
    time, at the price of using future samples (offline only).
    """
    import mne

    _check_band(l_freq, h_freq, sfreq)
    return mne.filter.filter_data(np.asarray(x, float), sfreq, l_freq, h_freq, fir_design="firwin",
                                  verbose="error")


def notch(x: np.ndarray, sfreq: float, freqs=(50.0,)) -> np.ndarray:
    """Offline zero-phase FIR notch at ``freqs`` (and only those; harmonics must be listed)."""
    import mne

    freqs = [check_range("freqs", f, 0, sfreq / 2, low_inclusive=False, high_inclusive=False) for f in freqs]
    return mne.filter.notch_filter(np.asarray(x, float), sfreq, freqs, fir_design="firwin", verbose="error")


def design_causal(sfreq: float, l_freq: float | None, h_freq: float | None, *, order: int = 4,
                  notch_freq: float | None = None) -> np.ndarray:
    """Second-order sections of a causal Butterworth band-pass (and optional IIR notch, Q=30).

    Returns
    -------
    ndarray, shape (n_sections, 6)
    """
    from scipy import signal

    _check_band(l_freq, h_freq, sfreq)
    order = check_int("order", order, 1, 12)
    if l_freq is not None and h_freq is not None:
        sos = signal.butter(order, [l_freq, h_freq], "bandpass", fs=sfreq, output="sos")
    elif l_freq is not None:
        sos = signal.butter(order, l_freq, "highpass", fs=sfreq, output="sos")
    elif h_freq is not None:
        sos = signal.butter(order, h_freq, "lowpass", fs=sfreq, output="sos")
    else:
        sos = np.array([[1.0, 0, 0, 1, 0, 0]])
    if notch_freq is not None:
        check_range("notch_freq", notch_freq, 0, sfreq / 2, low_inclusive=False, high_inclusive=False)
        b, a = signal.iirnotch(notch_freq, 30.0, fs=sfreq)
        sos = np.vstack([sos, signal.tf2sos(b, a)])
    return sos


def group_delay_s(sos: np.ndarray, sfreq: float, freq: float) -> float:
    """Group delay of a causal filter at ``freq`` Hz, in seconds (what an online decoder waits for)."""
    from scipy import signal

    w, gd = signal.group_delay(signal.sos2tf(sos), w=[freq], fs=sfreq)
    return float(gd[0] / sfreq)


class CausalFilter:
    """Stateful causal IIR filter for streams: filtering chunk by chunk equals filtering all at once.

    Parameters
    ----------
    sos : ndarray, shape (n_sections, 6)
        From :func:`design_causal`.
    n_channels : int
    """

    def __init__(self, sos: np.ndarray, n_channels: int):
        self.sos = np.asarray(sos, float)
        self.n_channels = check_int("n_channels", n_channels, 1)
        self.reset()

    def reset(self) -> None:
        """Zero the filter state (as if the signal were 0 before the first sample)."""
        self.zi = np.zeros((self.sos.shape[0], self.n_channels, 2))

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Filter one chunk ``(n_channels, n_samples)`` and keep the state for the next."""
        from scipy import signal

        chunk = np.asarray(chunk, float)
        if chunk.ndim != 2 or chunk.shape[0] != self.n_channels:
            raise ValueError(f"chunk has shape {chunk.shape}; expected ({self.n_channels}, n_samples)")
        y, self.zi = signal.sosfilt(self.sos, chunk, axis=1, zi=self.zi)
        return y


def common_average_reference(x: np.ndarray) -> np.ndarray:
    """Subtract the mean over channels at each sample (axis -2): CAR, a spatial high-pass."""
    x = np.asarray(x, float)
    return x - x.mean(axis=-2, keepdims=True)


def normalise(x: np.ndarray, method: str = "zscore") -> np.ndarray:
    """Per-channel normalisation over time (last axis): ``zscore`` (mean/SD) or ``robust`` (median/MAD·1.4826)."""
    check_option("method", method, ("zscore", "robust"))
    x = np.asarray(x, float)
    if method == "zscore":
        c, s = x.mean(axis=-1, keepdims=True), x.std(axis=-1, keepdims=True)
    else:
        c = np.median(x, axis=-1, keepdims=True)
        s = 1.4826 * np.median(np.abs(x - c), axis=-1, keepdims=True)
    return (x - c) / np.where(s > 0, s, 1.0)


def find_flat_channels(x: np.ndarray, ch_names, *, flat_v: float = 1e-6) -> list[str]:
    """Channels whose peak-to-peak amplitude over the whole array is below ``flat_v`` (V)."""
    x = np.asarray(x)
    ptp = np.ptp(x.reshape(-1, x.shape[-2], x.shape[-1]).transpose(1, 0, 2).reshape(x.shape[-2], -1), axis=1)
    return [c for c, p in zip(ch_names, ptp) if p < flat_v]


def reject_epochs(X: np.ndarray, ch_names, *, max_ptp_v: float = 150e-6, flat_v: float = 1e-6):
    """Mark epochs with any channel above ``max_ptp_v`` peak-to-peak or below ``flat_v`` (flat).

    Parameters
    ----------
    X : ndarray, shape (n_epochs, n_channels, n_times), in V

    Returns
    -------
    keep : ndarray of bool, shape (n_epochs,)
    reasons : pandas.DataFrame
        One row per rejected epoch: ``epoch`` (int), ``reason`` ("amplitude" or "flat"),
        ``channel`` (str, the worst channel), ``ptp_v`` (float, V).
    """
    import pandas as pd

    X = np.asarray(X, float)
    if X.ndim != 3 or X.shape[1] != len(ch_names):
        raise ValueError(f"X has shape {X.shape}; expected (n_epochs, {len(ch_names)}, n_times)")
    ptp = np.ptp(X, axis=2)
    rows = []
    keep = np.ones(len(X), bool)
    for i, p in enumerate(ptp):
        if p.max() > max_ptp_v:
            j = int(p.argmax())
            rows.append((i, "amplitude", ch_names[j], float(p[j])))
            keep[i] = False
        elif p.min() < flat_v:
            j = int(p.argmin())
            rows.append((i, "flat", ch_names[j], float(p[j])))
            keep[i] = False
    return keep, pd.DataFrame(rows, columns=["epoch", "reason", "channel", "ptp_v"])


def remove_blinks_ica(raw, *, eog_proxy=("Fp1", "Fp2"), n_components: int = 15, threshold: float = 0.7,
                      random_state=None):
    """Remove eye-blink components with ICA, using frontal channels as EOG proxies.

    EEGMMIDB has no EOG channel, so components correlating with Fp1/Fp2 (MNE's
    ``find_bads_eog`` on a 1–10 Hz filtered proxy, |r| >= ``threshold``) are removed. ICA is fitted on a 1 Hz high-passed
    copy (Winkler et al. 2015, EMBC, doi:10.1109/EMBC.2015.7319296).

    Returns
    -------
    cleaned : mne.io.Raw
    excluded : list of int
        The ICA components removed.
    """
    import mne

    from augbench._rng import torch_seed

    missing = [c for c in eog_proxy if c not in raw.ch_names]
    if missing:
        raise ValueError(f"eog_proxy channel {missing[0]!r} not in recording; available frontal channels: "
                         f"{[c for c in raw.ch_names if c.upper().startswith(('FP', 'AF'))]}")
    fit_raw = raw.copy().filter(1.0, None, verbose="error")
    n_components = check_int("n_components", n_components, 2, len(raw.ch_names) - 1)
    ica = mne.preprocessing.ICA(n_components=n_components, random_state=torch_seed(random_state), max_iter=300,
                                verbose="error")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="FastICA did not converge")
        ica.fit(fit_raw, decim=2, verbose="error")
    # |r| >= threshold with the proxy: MNE's default z-score rule cannot flag anything with few components
    # (the largest possible z of one outlier among n values is (n-1)/sqrt(n) < 3 for n <= 10)
    idx, _ = ica.find_bads_eog(fit_raw, ch_name=list(eog_proxy), measure="correlation", threshold=threshold,
                               verbose="error")
    ica.exclude = [int(i) for i in idx]
    return ica.apply(raw.copy(), verbose="error"), list(ica.exclude)


# ------------------------------------------------------------------------------------------- SNR
def snr_seed(y: np.ndarray, noise_sd: float) -> float:
    """The seed essay's SNR_Y = σ_Y / N, taken literally with N = the noise SD.

    Not a signal-to-noise ratio: σ_Y is the SD of the *whole* preprocessed signal, signal plus
    noise, so for independent signal S and noise N, σ_Y/σ_N = sqrt(1 + (σ_S/σ_N)²) ≥ 1 even when
    there is no signal at all. See :func:`snr_components` for the honest version.
    """
    return float(np.std(y) / noise_sd)


def snr_components(signal: np.ndarray, noise: np.ndarray, transform=None) -> np.ndarray:
    """SNR = σ_S / σ_N per channel, with the noise term defined as everything that is not the planted signal.

    Honest where the split is known (synthetic data). ``transform`` is a *linear* preprocessing
    step (filter, CAR) applied to signal and noise separately: for linear steps
    f(S + N) = f(S) + f(N), so the SNR after preprocessing is σ_f(S) / σ_f(N). Non-linear steps
    (rejection, ICA) have no such split; measure them with :func:`snr_plusminus`.

    Parameters
    ----------
    signal, noise : ndarray, shape (n_channels, n_times), in V

    Returns
    -------
    ndarray, shape (n_channels,)
        Amplitude SNR (dimensionless); square it for a power ratio, 20·log10 for dB.
    """
    if transform is not None:
        signal, noise = transform(signal), transform(noise)
    return np.std(signal, axis=-1) / np.std(noise, axis=-1)


def snr_plusminus(X: np.ndarray) -> np.ndarray:
    """Data-driven SNR of a trial-locked effect, with the (±)-reference noise estimate (Schimmel 1967).

    Signal estimate: the mean over trials. Noise estimate: the mean over trials with alternating
    signs (+,−,+,−,...), which cancels anything time-locked to the cue and keeps the residual noise
    of an average of the same size (Schimmel 1967, Science 157:92, doi:10.1126/science.157.3784.92).
    ``SNR = sqrt(max(σ²_mean − σ²_±, 0)) / σ_±`` over time, per channel.

    For induced effects such as ERD pass band-power envelopes (trials × channels × time) instead
    of voltages: the effect is time-locked in power, not in phase.

    Parameters
    ----------
    X : ndarray, shape (n_trials, n_channels, n_times)

    Returns
    -------
    ndarray, shape (n_channels,)
    """
    X = np.asarray(X, float)
    n = X.shape[0] - X.shape[0] % 2
    if n < 4:
        raise ValueError(f"snr_plusminus needs at least 4 trials; got {X.shape[0]}")
    X = X[:n]
    signs = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)[:, None, None]
    mean = X.mean(axis=0)
    pm = (signs * X).mean(axis=0)
    mean = mean - mean.mean(axis=-1, keepdims=True)
    pm = pm - pm.mean(axis=-1, keepdims=True)
    v_noise = pm.var(axis=-1)
    v_sig = np.maximum(mean.var(axis=-1) - v_noise, 0)
    return np.sqrt(v_sig) / np.sqrt(v_noise)
