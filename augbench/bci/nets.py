"""A small ShallowConvNet-style EEG decoder in torch (CPU, seeded) behind a scikit-learn estimator.

Architecture after Schirrmeister et al. 2017 (Hum Brain Mapp 38:5391, doi:10.1002/hbm.23730):
temporal convolution -> spatial convolution across all channels -> batch norm -> square ->
average pooling -> log -> dropout -> linear classifier. This squaring/log/pooling chain computes a
learned log band power of learned spatial filters, i.e. a trainable filter-bank CSP. Kernel and
pool lengths are given in seconds and converted with ``sfreq`` (the paper: 25 and 75 samples at 250 Hz).
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted

from augbench._rng import torch_seed
from augbench._validate import check_int, check_range

__all__ = ["ShallowNet", "ShallowNetClassifier"]


def ShallowNet(n_chans: int, n_outputs: int, n_times: int, sfreq: float, *, n_filters: int = 16,
               kernel_s: float = 0.1, pool_s: float = 0.3, stride_s: float = 0.06, dropout: float = 0.5):
    """Build the torch module (imported lazily so that torch is only loaded when a net is used).

    Input: tensor (batch, n_chans, n_times), standardised; output: logits (batch, n_outputs).
    """
    import torch
    from torch import nn

    k = max(1, min(int(round(kernel_s * sfreq)), n_times))
    pool = max(1, min(int(round(pool_s * sfreq)), n_times - k + 1))
    stride = max(1, int(round(stride_s * sfreq)))
    n_out_t = (n_times - k + 1 - pool) // stride + 1

    class _Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.temporal = nn.Conv2d(1, n_filters, (1, k))
            self.spatial = nn.Conv2d(n_filters, n_filters, (n_chans, 1), bias=False)
            self.bn = nn.BatchNorm2d(n_filters)
            self.pool = nn.AvgPool2d((1, pool), (1, stride))
            self.drop = nn.Dropout(dropout)
            self.fc = nn.Linear(n_filters * n_out_t, n_outputs)

        def forward(self, x):
            x = self.bn(self.spatial(self.temporal(x.unsqueeze(1))))
            x = torch.log(torch.clamp(self.pool(x * x), min=1e-6))
            return self.fc(self.drop(x.flatten(1)))

    return _Net()


class ShallowNetClassifier(BaseEstimator, ClassifierMixin):
    """scikit-learn classifier wrapping :func:`ShallowNet`; trains with Adam on CPU, fully seeded.

    Input ``X`` (n_epochs, n_channels, n_times) in V; 2-D input (n_samples, n_features) is read as one
    channel. Each epoch is scaled by the training set's per-channel SD.

    Parameters
    ----------
    sfreq : float
        Sampling rate, Hz.
    n_epochs : int
        Training passes over the data.
    lr : float
        Adam learning rate.
    batch_size : int
    n_filters : int
    weight_decay : float
    random_state : int or None
        Seeds weight init, dropout and batch order (same seed -> same predictions).
    """

    def __init__(self, sfreq=160.0, n_epochs=60, lr=1e-3, batch_size=16, n_filters=16, weight_decay=1e-3,
                 random_state=None):
        self.sfreq = sfreq
        self.n_epochs = n_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.n_filters = n_filters
        self.weight_decay = weight_decay
        self.random_state = random_state

    def _as3d(self, X):
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 2:
            X = X[:, None, :]
        if X.ndim != 3:
            raise ValueError(f"X has shape {X.shape}; expected (n_epochs, n_channels, n_times)")
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or inf")
        return X

    def fit(self, X, y):
        import torch

        from sklearn.utils.validation import check_X_y

        X = self._as3d(X)
        check_X_y(X.reshape(len(X), -1), y)
        check_int("n_epochs", self.n_epochs, 1)
        check_range("lr", self.lr, 0, low_inclusive=False)
        self.classes_ = unique_labels(y)
        if len(self.classes_) < 2:
            raise ValueError(f"y has one class ({self.classes_[0]!r}); need at least 2")
        yi = np.searchsorted(self.classes_, y)
        self.scale_ = X.std(axis=(0, 2)).astype(np.float32)
        self.scale_[self.scale_ == 0] = 1.0
        self.n_chans_, self.n_times_ = X.shape[1], X.shape[2]
        seed = torch_seed(self.random_state)
        gen = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net = ShallowNet(self.n_chans_, len(self.classes_), self.n_times_, self.sfreq, n_filters=self.n_filters)
        xt = torch.from_numpy(X / self.scale_[None, :, None])
        yt = torch.from_numpy(yi.astype(np.int64))
        opt = torch.optim.AdamW(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        loss_fn = torch.nn.CrossEntropyLoss()
        net.train()
        self.loss_curve_ = []
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for _ in range(int(self.n_epochs)):
                perm = torch.randperm(len(xt), generator=gen)
                tot = 0.0
                for i in range(0, len(xt), int(self.batch_size)):
                    idx = perm[i:i + int(self.batch_size)]
                    if len(idx) < 2:  # batch norm needs 2 samples
                        continue
                    opt.zero_grad()
                    loss = loss_fn(net(xt[idx]), yt[idx])
                    loss.backward()
                    opt.step()
                    tot += float(loss.detach()) * len(idx)
                self.loss_curve_.append(tot / len(xt))
        net.eval()
        self.net_ = net
        return self

    def predict_proba(self, X):
        import torch

        check_is_fitted(self, "net_")
        X = self._as3d(X)
        if X.shape[1:] != (self.n_chans_, self.n_times_):
            raise ValueError(f"X has epochs of shape {X.shape[1:]}; the net was fitted on "
                             f"{(self.n_chans_, self.n_times_)}")
        with torch.no_grad():
            logits = self.net_(torch.from_numpy(X / self.scale_[None, :, None]))
            return torch.softmax(logits, dim=1).numpy().astype(float)

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def decision_function(self, X):
        p = self.predict_proba(X)
        return p[:, 1] - p[:, 0] if p.shape[1] == 2 else p
