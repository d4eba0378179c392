"""Feature extractors as scikit-learn transformers on epochs ``X`` of shape (n_epochs, n_channels, n_times), V.

Filtering is a pipeline step (:class:`EpochFilter`) so that a band tuned by grid search is chosen
inside the training folds (nested cross-validation) like any other hyper-parameter.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from augbench._validate import check_int

__all__ = ["CSP", "EpochFilter", "BandPower", "LogVariance", "HjorthFeatures", "FilterBankCSP", "check_epochs"]


def check_epochs(X, name: str = "X") -> np.ndarray:
    """Return ``X`` as float (n_epochs, n_channels, n_times); clear errors for wrong shape or NaNs."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"{name} has shape {X.shape}; expected (n_epochs, n_channels, n_times)")
    if not np.isfinite(X).all():
        e, c, _ = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"{name} contains NaN or inf (first at epoch {e}, channel index {c})")
    return X


_FILTER_CACHE: "OrderedDict[tuple, np.ndarray]" = OrderedDict()
_FILTER_CACHE_MAX = 6000  # filtered windows (about 80 kB each for 64 channels x 1 s at 160 Hz: <= 0.5 GB)


class EpochFilter(BaseEstimator, TransformerMixin):
    """Band-pass each epoch (zero-phase Butterworth, ``sosfiltfilt``) and cut the analysis window.

    Parameters
    ----------
    sfreq : float
        Sampling rate, Hz.
    band : tuple of float or None
        (low, high) in Hz; None = no filtering.
    window : tuple of float or None
        (start, stop) in s relative to the cue, cut *after* filtering (so edges see real data).
    epoch_tmin : float
        Time of the first sample of the incoming epochs relative to the cue, s.
    order : int
        Butterworth order (per pass; zero-phase doubles it).
    """

    def __init__(self, sfreq=160.0, band=(7.0, 30.0), window=(1.0, 2.0), epoch_tmin=-1.0, order=4):
        self.sfreq = sfreq
        self.band = band
        self.window = window
        self.epoch_tmin = epoch_tmin
        self.order = order

    def fit(self, X, y=None):
        X = check_epochs(X)
        self.n_channels_ = X.shape[1]
        if self.band is not None:
            from augbench.bci.preprocessing import design_causal

            self.sos_ = design_causal(self.sfreq, self.band[0], self.band[1], order=self.order)
        else:
            self.sos_ = None
        return self

    def _apply(self, X):
        from scipy.signal import sosfiltfilt

        if self.sos_ is not None:
            X = sosfiltfilt(self.sos_, X, axis=-1)
        if self.window is not None:
            i0 = int(round((self.window[0] - self.epoch_tmin) * self.sfreq))
            i1 = int(round((self.window[1] - self.epoch_tmin) * self.sfreq)) + 1
            if i0 < 0 or i1 > X.shape[-1]:
                raise ValueError(f"window={self.window} s lies outside the epochs "
                                 f"({self.epoch_tmin} to {self.epoch_tmin + (X.shape[-1] - 1) / self.sfreq:.3f} s)")
            X = X[..., i0:i1]
        return np.ascontiguousarray(X)

    def transform(self, X):
        """Filter each epoch independently (no state learned from data, so a per-epoch cache is exact:
        nested grid searches re-use the filtered windows instead of re-filtering every fold)."""
        import hashlib

        check_is_fitted(self, "n_channels_")
        X = check_epochs(X)
        if X.shape[1] != self.n_channels_:
            raise ValueError(f"X has {X.shape[1]} channels; the filter was fitted on {self.n_channels_}")
        common = (float(self.sfreq), None if self.band is None else tuple(map(float, self.band)),
                  None if self.window is None else tuple(map(float, self.window)), float(self.epoch_tmin),
                  int(self.order), X.shape[1:])
        keys = [(hashlib.blake2b(e.tobytes(), digest_size=16).digest(), common) for e in X]
        miss = [i for i, k in enumerate(keys) if k not in _FILTER_CACHE]
        if miss:
            Y = self._apply(X[miss])
            for j, i in enumerate(miss):
                _FILTER_CACHE[keys[i]] = Y[j]
            while len(_FILTER_CACHE) > _FILTER_CACHE_MAX:
                _FILTER_CACHE.popitem(last=False)
        return np.stack([_FILTER_CACHE[k] for k in keys])


class _PerChannelTransformer(BaseEstimator, TransformerMixin):
    """Base of the stateless per-channel features: ``fit`` only checks the epochs and records ``n_channels_``."""

    def fit(self, X, y=None):
        self.n_channels_ = check_epochs(X).shape[1]
        return self


class BandPower(_PerChannelTransformer):
    """Mean Welch power per channel and band (log10 of V²/Hz if ``log``): frequency-domain features.

    Parameters
    ----------
    sfreq : float
    bands : sequence of (low, high)
        Hz; default mu (8–12) and beta (18–26).
    log : bool
    """

    def __init__(self, sfreq=160.0, bands=((8.0, 12.0), (18.0, 26.0)), log=True):
        self.sfreq = sfreq
        self.bands = bands
        self.log = log

    def transform(self, X):
        from scipy.signal import welch

        check_is_fitted(self, "n_channels_")
        X = check_epochs(X)
        nper = min(X.shape[-1], int(self.sfreq))
        f, p = welch(X, fs=self.sfreq, nperseg=nper, axis=-1)
        out = []
        for lo, hi in self.bands:
            m = (f >= lo) & (f <= hi)
            if not m.any():
                raise ValueError(f"band ({lo}, {hi}) Hz has no Welch bin at resolution {f[1]:.2f} Hz")
            out.append(p[..., m].mean(-1))
        feats = np.concatenate(out, axis=1)
        return np.log10(feats) if self.log else feats


class LogVariance(_PerChannelTransformer):
    """log(variance) per channel: band power of an already band-passed epoch."""

    def transform(self, X):
        check_is_fitted(self, "n_channels_")
        return np.log(np.var(check_epochs(X), axis=-1))


class HjorthFeatures(_PerChannelTransformer):
    """Time-domain Hjorth parameters per channel: log activity, mobility, complexity (Hjorth 1970,
    Electroencephalogr Clin Neurophysiol 29:306, doi:10.1016/0013-4694(70)90143-4)."""

    def transform(self, X):
        check_is_fitted(self, "n_channels_")
        X = check_epochs(X)
        d1 = np.diff(X, axis=-1)
        d2 = np.diff(d1, axis=-1)
        v0, v1, v2 = X.var(-1), d1.var(-1), d2.var(-1)
        mob = np.sqrt(v1 / v0)
        comp = np.sqrt(v2 / v1) / mob
        return np.concatenate([np.log(v0), mob, comp], axis=1)


class CSP(BaseEstimator, TransformerMixin):
    """Common spatial patterns for two classes, log-variance output (Koles 1991; Ramoser et al. 2000,
    IEEE Trans Rehabil Eng 8:441, doi:10.1109/86.895946).

    Spatial filters W solve the generalised eigenproblem C_a w = λ (C_a + C_b) w on trace-normalised
    class covariances; the ``n_components`` filters with the most extreme λ (alternating from both
    ends) are kept. Features: log of the variance of each filtered epoch.

    Parameters
    ----------
    n_components : int
    reg : float
        Shrinkage towards the scaled identity, in [0, 1] (0 = none).

    Attributes
    ----------
    filters_ : ndarray (n_components, n_channels)
    patterns_ : ndarray (n_channels, n_components)
        Forward model of each component (Haufe et al. 2014, doi:10.1016/j.neuroimage.2013.10.067), for topomaps.
    """

    def __init__(self, n_components=4, reg=0.0):
        self.n_components = n_components
        self.reg = reg

    def fit(self, X, y):
        from scipy.linalg import eigh

        X = check_epochs(X)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"CSP needs exactly two classes in y; got {self.classes_.tolist()}")
        n_ch = X.shape[1]
        k = check_int("n_components", self.n_components, 1, n_ch)
        covs = []
        for c in self.classes_:
            Xc = X[y == c]
            Xc = Xc - Xc.mean(axis=-1, keepdims=True)
            C = np.einsum("ect,edt->cd", Xc, Xc) / (Xc.shape[0] * Xc.shape[-1])
            C /= np.trace(C)
            if self.reg:
                C = (1 - self.reg) * C + self.reg * np.eye(n_ch) / n_ch
            covs.append(C)
        Cs = covs[0] + covs[1]
        Cs += 1e-10 * np.trace(Cs) / n_ch * np.eye(n_ch)  # rank-deficient after average reference
        evals, evecs = eigh(covs[0], Cs)
        order = np.argsort(np.abs(evals - 0.5))[::-1]
        self.filters_ = evecs[:, order[:k]].T
        self.eigenvalues_ = evals[order[:k]]
        full = evecs[:, order].T
        self.patterns_ = np.linalg.pinv(full)[:, :k]
        self.n_channels_ = n_ch
        return self

    def transform(self, X):
        check_is_fitted(self, "filters_")
        X = check_epochs(X)
        if X.shape[1] != self.n_channels_:
            raise ValueError(f"X has {X.shape[1]} channels; CSP was fitted on {self.n_channels_}")
        S = np.einsum("kc,ect->ekt", self.filters_, X)
        return np.log(np.var(S, axis=-1))


class FilterBankCSP(BaseEstimator, TransformerMixin):
    """Filter-bank CSP (Ang et al. 2008, IJCNN, doi:10.1109/IJCNN.2008.4634130): CSP log-variance
    features in each sub-band, concatenated (feature selection follows in the pipeline).

    Parameters
    ----------
    sfreq : float
    bands : sequence of (low, high), Hz
    n_components : int
        CSP components per band.
    window, epoch_tmin : as :class:`EpochFilter`
    """

    def __init__(self, sfreq=160.0, bands=((4, 8), (8, 12), (12, 16), (16, 20), (20, 24), (24, 28), (28, 32)),
                 n_components=4, window=(1.0, 2.0), epoch_tmin=-1.0):
        self.sfreq = sfreq
        self.bands = bands
        self.n_components = n_components
        self.window = window
        self.epoch_tmin = epoch_tmin

    def _filters(self):
        return [EpochFilter(self.sfreq, tuple(b), self.window, self.epoch_tmin) for b in self.bands]

    def fit(self, X, y):
        X = check_epochs(X)
        check_int("n_components", self.n_components, 1, X.shape[1])
        self.filters_, self.csps_ = [], []
        for f in self._filters():
            Xf = f.fit(X).transform(X)
            self.filters_.append(f)
            self.csps_.append(CSP(n_components=self.n_components, reg=0.05).fit(Xf, y))
        return self

    def transform(self, X):
        check_is_fitted(self, "csps_")
        X = check_epochs(X)
        return np.concatenate([c.transform(f.transform(X)) for f, c in zip(self.filters_, self.csps_)], axis=1)

