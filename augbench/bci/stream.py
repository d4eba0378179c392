"""Streams: replay a recording (or the synthetic generator) in chunks, at real time or faster.

The interface mirrors what an online decoder reads from a Lab Streaming Layer inlet
(``pull_chunk() -> (samples, timestamps)``), so the decoder does not know whether it is fed a file,
the generator or a live amplifier. (An mne-lsl source is not included: mne-lsl is not installed in
this environment.)
"""
from __future__ import annotations

import time

import numpy as np

from augbench._validate import check_int, check_range

__all__ = ["ReplayStream"]


class ReplayStream:
    """Replay ``data`` (n_channels, n_times) in chunks of ``chunk_size`` samples.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_times), V
    sfreq : float
        Hz.
    ch_names : list of str
    chunk_size : int
        Samples per pull (e.g. 10 = one 62.5 ms hop at 160 Hz).
    speed : float or None
        1.0 = real time (``pull_chunk`` sleeps until the chunk's last sample would have been
        acquired); 2.0 = twice as fast; None = as fast as possible.
    annotations : mne.Annotations, optional
        Kept for the decoder's ground truth (onset in s from the first sample).
    """

    def __init__(self, data, sfreq, ch_names, *, chunk_size: int = 10, speed: float | None = None,
                 annotations=None):
        self.data = np.asarray(data, float)
        if self.data.ndim != 2:
            raise ValueError(f"data has shape {self.data.shape}; expected (n_channels, n_times)")
        if len(ch_names) != self.data.shape[0]:
            raise ValueError(f"{len(ch_names)} ch_names for {self.data.shape[0]} channels")
        self.sfreq = float(check_range("sfreq", sfreq, 0, low_inclusive=False))
        self.ch_names = list(ch_names)
        self.chunk_size = check_int("chunk_size", chunk_size, 1)
        self.speed = None if speed is None else check_range("speed", speed, 0, low_inclusive=False)
        self.annotations = annotations
        self.reset()

    @classmethod
    def from_raw(cls, raw, **kwargs) -> "ReplayStream":
        """Replay an :class:`mne.io.Raw` (EEG channels only); annotations travel with it."""
        import mne

        picks = mne.pick_types(raw.info, eeg=True, exclude=())
        ann = raw.annotations.copy()
        ann.onset = ann.onset - raw.first_time
        return cls(raw.get_data(picks=picks), raw.info["sfreq"], [raw.ch_names[i] for i in picks],
                   annotations=ann, **kwargs)

    @classmethod
    def from_generator(cls, *, n_trials: int = 20, snr: float = 1.0, random_state=None, **kwargs) -> "ReplayStream":
        """Replay :func:`augbench.bci.synthetic.make_motor_imagery` output."""
        from augbench.bci.synthetic import make_motor_imagery

        raw, _ = make_motor_imagery(n_trials, snr=snr, random_state=random_state)
        return cls.from_raw(raw, **kwargs)

    @property
    def n_times(self) -> int:
        return self.data.shape[1]

    def reset(self) -> None:
        """Rewind to the first sample."""
        self.position = 0
        self._t0 = None

    def pull_chunk(self):
        """Next chunk ``(samples (n_channels, n), timestamps (n,) in s)``; ``n == 0`` at the end."""
        if self._t0 is None:
            self._t0 = time.perf_counter()
        i0 = self.position
        i1 = min(i0 + self.chunk_size, self.n_times)
        if self.speed is not None and i1 > i0:
            due = self._t0 + (i1 / self.sfreq) / self.speed
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        self.position = i1
        return self.data[:, i0:i1], np.arange(i0, i1) / self.sfreq

    def __iter__(self):
        while True:
            chunk, ts = self.pull_chunk()
            if chunk.shape[1] == 0:
                return
            yield chunk, ts
