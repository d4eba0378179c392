"""Synthetic motor-imagery EEG with known ground truth and an SNR knob.

The generator plants the effect that real motor-imagery decoders exploit: event-related
desynchronisation (ERD) of the mu (8–12 Hz) and beta (18–26 Hz) rhythms over the sensorimotor
cortex contralateral to the imagined hand (Pfurtscheller & Lopes da Silva 1999, Clin Neurophysiol
110:1842, doi:10.1016/S1388-2457(99)00141-8). Around it: 1/f ("pink") background with spatial
correlation, 50 Hz line noise and eye blinks on frontal channels.

SNR definition (used everywhere in this module): ``snr`` is the ratio of the standard deviation of
the sensorimotor rhythm (sum of mu and beta sources, at rest, at the C3/C4 electrodes) to the
standard deviation of the background at the same electrodes, both broadband. At ``snr=0`` there is
no rhythm, hence nothing to desynchronise, and no classifier can beat chance.
"""
from __future__ import annotations

import numpy as np

from augbench._rng import as_generator
from augbench._validate import check_int, check_range

__all__ = ["DEFAULT_CHANNELS", "make_motor_imagery", "pink_noise"]

#: 21 channels of the 10-10 system around the sensorimotor strip plus frontal (blink) and occipital ones.
DEFAULT_CHANNELS = ("Fp1", "Fp2", "F3", "Fz", "F4", "FC3", "FCz", "FC4", "C5", "C3", "C1", "Cz", "C2", "C4",
                    "C6", "CP3", "CPz", "CP4", "P3", "Pz", "P4")


def pink_noise(n_channels: int, n_times: int, *, exponent: float = 1.0, random_state=None) -> np.ndarray:
    """Gaussian noise with power spectral density ∝ 1/f**exponent, unit variance per channel.

    Returns
    -------
    ndarray, shape (n_channels, n_times), dimensionless
    """
    rng = as_generator(random_state)
    white = rng.standard_normal((n_channels, n_times))
    spec = np.fft.rfft(white, axis=1)
    f = np.fft.rfftfreq(n_times)
    f[0] = f[1]
    spec *= f ** (-exponent / 2)
    x = np.fft.irfft(spec, n=n_times, axis=1)
    x -= x.mean(axis=1, keepdims=True)
    return x / x.std(axis=1, keepdims=True)


def _narrowband(n: int, sfreq: float, f0: float, bw: float, rng) -> np.ndarray:
    """Unit-variance noise band-limited to f0 ± bw/2 (random phase), i.e. a realistic waxing-waning rhythm."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / sfreq)
    spec *= np.exp(-0.5 * ((f - f0) / (bw / 2.355)) ** 2)
    x = np.fft.irfft(spec, n=n)
    return x / x.std()


def make_motor_imagery(n_trials: int = 40, *, snr: float = 1.0, erd: float = 0.6, sfreq: float = 160.0,
                       ch_names=DEFAULT_CHANNELS, trial_s: float = 4.0, rest_s: float = 2.0,
                       background_uv: float = 10.0, line_freq: float = 50.0, line_uv: float = 2.0,
                       blink_rate_hz: float = 0.2, blink_uv: float = 100.0, random_state=None):
    """Continuous synthetic EEG of left- vs right-hand motor imagery, as an :class:`mne.io.RawArray`.

    Trials alternate rest (``rest_s``) and imagery (``trial_s``) with a random class; during
    imagery of the left hand the mu/beta sources under C4 (right hemisphere) shrink by the factor
    ``1 - erd`` and vice versa (contralateral ERD, Pfurtscheller & Lopes da Silva 1999).

    Parameters
    ----------
    n_trials : int
        Imagery trials (balanced classes, random order).
    snr : float
        Rhythm-to-background SD ratio at C3/C4 at rest (see module docstring); 0 plants no effect.
    erd : float
        Fractional amplitude drop of the contralateral rhythm during imagery, in [0, 1].
    sfreq : float
        Sampling rate, Hz.
    ch_names : sequence of str
        10-05 channel names; must include C3 and C4.
    background_uv, line_uv, blink_uv : float
        Background SD, line-noise amplitude and blink peak amplitude, in µV.
    blink_rate_hz : float
        Mean blink rate (Poisson), 1/s.
    random_state : None, int or Generator

    Returns
    -------
    raw : mne.io.RawArray
        Data in V, annotations ``rest``/``left``/``right``; ``raw.info["description"]`` states the truth.
    truth : dict
        ``labels`` (0 = left, 1 = right), ``onsets_s``, ``signal`` and ``noise`` (the rhythm and the
        rest, both ndarray (n_channels, n_times) in V, summing to the data), ``snr``, ``erd``, ``blinks_s``.
    """
    import mne

    from augbench.bci.io import make_montage

    n_trials = check_int("n_trials", n_trials, 2)
    check_range("snr", snr, 0)
    check_range("erd", erd, 0, 1)
    check_range("sfreq", sfreq, 64, low_inclusive=True)
    ch_names = list(ch_names)
    for c in ("C3", "C4"):
        if c not in ch_names:
            raise ValueError(f"ch_names must include {c!r} (the planted ERD sits there); got {ch_names}")
    rng = as_generator(random_state)
    labels = rng.permutation(np.arange(n_trials) % 2)
    n_rest, n_task = int(rest_s * sfreq), int(trial_s * sfreq)
    n = n_trials * (n_rest + n_task) + n_rest
    t = np.arange(n) / sfreq
    pos = make_montage().get_positions()["ch_pos"]
    xyz = np.array([pos[c] for c in ch_names])
    d = np.linalg.norm(xyz[:, None] - xyz[None], axis=-1)
    # background: pink sources mixed with a smooth spatial kernel (volume conduction), per-channel SD = background
    mix = np.exp(-(d / 0.04) ** 2)
    bg = mix @ pink_noise(len(ch_names), n, random_state=rng)
    bg *= background_uv * 1e-6 / bg.std(axis=1, keepdims=True)
    # rhythms at C3 and C4 with a spatial spread (gain at C3/C4 = 1)
    gain = {h: np.exp(-(np.linalg.norm(xyz - pos[h], axis=1) / 0.03) ** 2) for h in ("C3", "C4")}
    env = {h: np.ones(n) for h in ("C3", "C4")}
    onsets = []
    for i, lab in enumerate(labels):
        s = n_rest + i * (n_rest + n_task)
        onsets.append(s / sfreq)
        contra = "C4" if lab == 0 else "C3"
        ramp = np.minimum(1, np.minimum(np.arange(n_task), np.arange(n_task)[::-1]) / (0.3 * sfreq))
        env[contra][s:s + n_task] = 1 - erd * ramp
    signal = np.zeros((len(ch_names), n))
    for h in ("C3", "C4"):
        src = _narrowband(n, sfreq, 10.5, 3.0, rng) + 0.5 * _narrowband(n, sfreq, 22.0, 6.0, rng)
        src /= src.std()
        signal += np.outer(gain[h], src * env[h])
    signal *= snr * background_uv * 1e-6
    noise = bg.copy()
    if line_uv > 0:
        phase = rng.uniform(0, 2 * np.pi, len(ch_names))
        noise += line_uv * 1e-6 * np.sin(2 * np.pi * line_freq * t[None] + phase[:, None])
    blinks = []
    if blink_rate_hz > 0 and blink_uv > 0:
        ymax = max(pos[c][1] for c in ch_names)
        frontal = np.array([np.clip(pos[c][1] / ymax, 0, 1) ** 4 for c in ch_names])  # 1 at Fp1/Fp2
        tb = np.cumsum(rng.exponential(1 / blink_rate_hz, int(3 * blink_rate_hz * t[-1]) + 2))
        tb = tb[tb < t[-1] - 0.5]
        shape_t = np.arange(int(0.4 * sfreq)) / sfreq
        shape = np.exp(-0.5 * ((shape_t - 0.2) / 0.05) ** 2)
        for b in tb:
            k = int(b * sfreq)
            noise[:, k:k + shape.size] += blink_uv * 1e-6 * np.outer(frontal, shape)
        blinks = list(tb)
    info = mne.create_info(ch_names, sfreq, "eeg")
    raw = mne.io.RawArray(signal + noise, info, verbose="error")
    raw.set_montage(make_montage(), verbose="error")
    desc = ["left" if lab == 0 else "right" for lab in labels]
    rest_on = [0.0] + [o + trial_s for o in onsets[:-1]]
    ann = mne.Annotations(onsets + rest_on, [trial_s] * n_trials + [rest_s] * n_trials,
                          desc + ["rest"] * n_trials)
    raw.set_annotations(ann)
    raw.info["description"] = (f"synthetic motor imagery: snr={snr}, erd={erd}, contralateral mu/beta ERD at C3/C4, "
                               f"seed-derived; {n_trials} trials")
    truth = {"labels": labels, "onsets_s": np.array(onsets), "signal": signal, "noise": noise, "snr": snr,
             "erd": erd, "blinks_s": np.array(blinks), "line_freq": line_freq}
    return raw, truth

