"""A small torch CNN that reads hand-drawn digits: the seed's "evaluate completion by computer vision", done honestly.

Trained once on scikit-learn's bundled handwritten digits (UCI optdigits test set: 1,797 images of
8x8 "on-pixel counts" 0..16, from 32x32 bitmaps counted in 4x4 blocks; Alpaydin & Kaynak 1998),
with a seeded, stratified 75/25 split; the held-out accuracy is measured on the 25 % it never saw
and written to ``data/models/cognition/PROVENANCE.md`` and ``digits_cnn_meta.json``.

Train (about a minute on 2 CPU cores)::

    python -m augbench.cognition.digits

A drawing (strokes of points) is rasterised the same way as the training data: scaled into a
32x32 bitmap, then counted in 4x4 blocks, so the network sees the format it was trained on.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from augbench._rng import torch_seed
from augbench._validate import check_int

__all__ = ["DigitsCNN", "load_split", "train", "load_model", "predict", "strokes_to_image", "heldout_accuracy",
           "SPLIT_SEED"]

SPLIT_SEED = 0
_WEIGHTS = "models/cognition/digits_cnn"


def load_split(random_state: int = SPLIT_SEED):
    """sklearn's digits split 75/25 (stratified, seeded): ``X_train, X_test`` (n, 8, 8) in 0..16, ``y_train, y_test``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    X = d.images.astype(np.float32)
    return train_test_split(X, d.target, test_size=0.25, stratify=d.target, random_state=random_state)


def _net():
    import torch.nn as nn

    class _DigitsCNN(nn.Module):
        """conv(1->16, 3x3) - ReLU - conv(16->32, 3x3) - ReLU - maxpool 2 - dropout - fc(512->64) - ReLU - fc(64->10)."""

        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
            self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
                                      nn.Linear(64, 10))

        def forward(self, x):
            return self.head(self.features(x))

    return _DigitsCNN()


DigitsCNN = _net  # factory: ``DigitsCNN()`` builds an untrained network


def _to_tensor(X):
    import torch
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 2:
        X = X[None]
    if X.shape[-2:] != (8, 8):
        raise ValueError(f"digit images must be 8x8; got shape {X.shape}")
    return torch.from_numpy(X[:, None] / 16.0)


def train(n_epochs: int = 40, random_state: int = 0, out_dir: Path | None = None) -> dict:
    """Train the CNN on the training split and write weights + metadata; returns the metadata dict."""
    import torch

    n_epochs = check_int("n_epochs", n_epochs, 1)
    seed = torch_seed(random_state)
    # weight init and dropout draw from torch's global generator: seed it inside fork_rng, which restores it after
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        g = torch.Generator().manual_seed(seed)
        Xtr, Xte, ytr, yte = load_split()
        net = _net()
        opt = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-4)
        xt, yt = _to_tensor(Xtr), torch.as_tensor(ytr)
        for _ in range(n_epochs):
            net.train()
            perm = torch.randperm(len(xt), generator=g)
            for i in range(0, len(xt), 64):
                idx = perm[i:i + 64]
                xb = xt[idx]
                # small random shifts (+-1 pixel) so drawn digits off-centre are still read
                sh = torch.randint(-1, 2, (2,), generator=g)
                xb = torch.roll(xb, shifts=(int(sh[0]), int(sh[1])), dims=(2, 3))
                loss = torch.nn.functional.cross_entropy(net(xb), yt[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
        with torch.no_grad():
            acc = float((net(_to_tensor(Xte)).argmax(1).numpy() == yte).mean())
            acc_tr = float((net(_to_tensor(Xtr)).argmax(1).numpy() == ytr).mean())
    from augbench.data import data_dir
    out = Path(out_dir) if out_dir else data_dir() / "models" / "cognition"
    out.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), out / "digits_cnn.pt")
    meta = {"heldout_accuracy": acc, "train_accuracy": acc_tr, "n_train": int(len(Xtr)), "n_test": int(len(Xte)),
            "split_seed": SPLIT_SEED, "train_seed": seed, "n_epochs": n_epochs, "torch": torch.__version__,
            "command": "python -m augbench.cognition.digits"}
    (out / "digits_cnn_meta.json").write_text(json.dumps(meta, indent=2))
    (out / "PROVENANCE.md").write_text(
        "# Digits CNN (augbench.cognition.digits)\n\n"
        "Trained by augbench on scikit-learn's bundled `load_digits` (UCI Optical Recognition of Handwritten Digits,\n"
        "Alpaydin & Kaynak 1998; 1,797 8x8 images). Nothing downloaded.\n\n"
        f"- Split: stratified 75/25, `train_test_split(random_state={SPLIT_SEED})`: {len(Xtr)} train, {len(Xte)} held out.\n"
        f"- Training: Adam lr 2e-3, weight decay 1e-4, batch 64, {n_epochs} epochs, +-1 px random shifts, torch seed {seed}, "
        f"torch {torch.__version__}, CPU.\n"
        f"- **Held-out accuracy: {acc:.4f}** ({int(round(acc * len(Xte)))}/{len(Xte)}); training accuracy {acc_tr:.4f}.\n"
        "- The held-out images were never used for training or model choice.\n"
        "- Rebuild: `python -m augbench.cognition.digits`, then rebuild data/MANIFEST.csv.\n\n"
        "Limits: 8x8 digits from 43 writers (UCI); a mouse drawing is a different distribution, so the\n"
        "accuracy on drawings is lower and unmeasured here. Licence of the data: CC BY 4.0 (UCI).\n")
    return meta


def load_model():
    """The shipped network (eval mode), its weights verified through the data manifest."""
    import torch

    from augbench.data import path
    net = _net()
    net.load_state_dict(torch.load(path(_WEIGHTS), map_location="cpu", weights_only=True))
    net.eval()
    return net


def predict(images, model=None, return_proba: bool = False):
    """Digit labels (and optionally probabilities) for images of shape (8, 8) or (n, 8, 8) in 0..16."""
    import torch
    model = model or load_model()
    with torch.no_grad():
        logits = model(_to_tensor(images))
        proba = torch.softmax(logits, 1).numpy()
    lab = proba.argmax(1)
    return (lab, proba) if return_proba else lab


def heldout_accuracy(model=None) -> float:
    """Accuracy of the (shipped) model on the held-out 25 %."""
    _, Xte, _, yte = load_split()
    return float((predict(Xte, model) == yte).mean())


def strokes_to_image(strokes, *, thickness: float = 2.2) -> np.ndarray:
    """Rasterise a drawing into the 8x8, 0..16 format of the training data.

    Parameters
    ----------
    strokes : sequence of array_like, each shape (n_points, 2)
        Pen paths as (x, y) with y pointing down (screen coordinates, any scale).
    thickness : float
        Pen radius in pixels of the 32x32 bitmap.

    Returns
    -------
    ndarray, shape (8, 8)
        On-pixel counts per 4x4 block (0..16), like ``sklearn.datasets.load_digits().images``.
    """
    pts = [np.asarray(s, dtype=float).reshape(-1, 2) for s in strokes if len(s)]
    if not pts:
        raise ValueError("strokes is empty; draw something first")
    allp = np.concatenate(pts)
    if not np.isfinite(allp).all():
        raise ValueError("strokes contain non-finite coordinates")
    lo, hi = allp.min(0), allp.max(0)
    span = max(float((hi - lo).max()), 1e-9)
    # fit the longer side into 26 px, centred in 32 x 32 (the UCI bitmaps are size-normalised)
    scale = 26.0 / span
    centre = (lo + hi) / 2
    grid = np.stack(np.meshgrid(np.arange(32) + 0.5, np.arange(32) + 0.5, indexing="xy"), -1).reshape(-1, 2)
    on = np.zeros(32 * 32, dtype=bool)
    for s in pts:
        p = (s - centre) * scale + 16.0
        if len(p) == 1:
            p = np.vstack([p, p])
        a, b = p[:-1], p[1:]
        ab = b - a
        L2 = np.maximum((ab ** 2).sum(1), 1e-12)
        t = np.clip(((grid[:, None, :] - a[None]) * ab[None]).sum(-1) / L2[None], 0, 1)
        proj = a[None] + t[..., None] * ab[None]
        d = np.sqrt(((grid[:, None, :] - proj) ** 2).sum(-1)).min(1)
        on |= d <= thickness
    bitmap = on.reshape(32, 32)
    return bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)).astype(np.float32)


if __name__ == "__main__":  # pragma: no cover
    m = train()
    print(f"held-out accuracy {m['heldout_accuracy']:.4f} on {m['n_test']} images "
          f"(train {m['train_accuracy']:.4f}); weights in data/models/cognition/")
