"""A small, deterministic torch CNN for SpCas9 on-target activity, trained on Doench 2016 FC+RES.

Input: the one-hot 30-mer (4 nt 5' flank + 20-nt protospacer + NGG + 3 nt), shape (n, 4, 30).
Target: ``score_drug_gene_rank`` of ``doench2016_FC_plus_RES_withPredictions.csv`` (within-gene activity
rank in 0-1, the Rule Set 2 training target; Doench et al. 2016 Nat Biotechnol 34:184,
doi:10.1038/nbt.3437). Genes in :data:`HELD_OUT_GENES` are never seen in training; all metrics on
them are out-of-gene.

Why a CNN on the sequence and not the seed essay's ``Cas9`` MLP: activity depends on *which base
sits at which position* of the 30-mer (e.g. G at position 24 (PAM-proximal, Doench 2014) and the
NGG context), so the input must be the sequence with its positions, and the labels must be measured
activities that vary. The essay's net takes 2 random numbers and is trained on labels that are all 1:
the best it can do is output 1 for everything, which carries no information about any guide.

Library code: import torch lazily (``import augbench.grna`` stays light).
"""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

__all__ = ["HELD_OUT_GENES", "GuideCNNRegressor", "one_hot", "load_training_data", "predict_pretrained",
           "load_pretrained", "WEIGHTS_NAME",
           "heldout_spearman", "haeussler_datasets", "haeussler_spearman", "load_haeussler", "seed_cas9_demo"]

#: Genes held out of training (fixed before any training run; ~18 % of the guides).
HELD_OUT_GENES = ("CD33", "CD5", "NF2", "TADA2B", "CUL3")
WEIGHTS_NAME = "models/grna/guide_cnn_doench2016"
METRICS_NAME = "models/grna/guide_cnn_doench2016_metrics"


def one_hot(contexts) -> np.ndarray:
    """One-hot encode 30-mers: float32 array, shape (n, 4, 30), channels A, C, G, T (N -> all zero)."""
    from augbench.grna.ontarget import encode_contexts

    codes, _ = encode_contexts(contexts, 30)
    x = np.zeros((len(codes), 5, 30), np.float32)
    np.put_along_axis(x, codes[:, None, :].astype(np.intp), 1.0, axis=1)
    return x[:, :4, :]


def _net(n_filters: int = 32, n_hidden: int = 32, dropout: float = 0.25):
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv1d(4, n_filters, kernel_size=5),  # 30 -> 26 positions
        nn.ReLU(),
        nn.MaxPool1d(2),  # -> 13
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(n_filters * 13, n_hidden),
        nn.ReLU(),
        nn.Linear(n_hidden, 1),
    )


class GuideCNNRegressor:
    """scikit-learn style regressor wrapping the CNN.

    Parameters
    ----------
    n_filters, n_hidden : int
        Convolution filters (width 5) and hidden units.
    epochs : int
        Training epochs (fixed; no early stopping on test data).
    lr, weight_decay : float
        Adam learning rate and L2 penalty.
    batch_size : int
    random_state : int or None
        Seeds weight initialisation and batch order (torch generator; no global seeding).
    """

    def __init__(self, n_filters: int = 32, n_hidden: int = 32, epochs: int = 30, lr: float = 1e-3,
                 weight_decay: float = 1e-4, batch_size: int = 64, dropout: float = 0.25, random_state=0):
        self.n_filters = n_filters
        self.n_hidden = n_hidden
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.dropout = dropout
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict:
        return {k: getattr(self, k) for k in ("n_filters", "n_hidden", "epochs", "lr", "weight_decay",
                                               "batch_size", "dropout", "random_state")}

    def set_params(self, **params):
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def _build(self):
        import torch

        from augbench._rng import torch_seed

        gen = torch.Generator().manual_seed(torch_seed(self.random_state))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
            net = _net(self.n_filters, self.n_hidden, self.dropout)
        return net, gen

    def fit(self, X, y):
        """Fit on 30-mers ``X`` (sequence of str, length n) and activities ``y`` (shape (n,))."""
        import torch

        from augbench._validate import check_int

        check_int("epochs", self.epochs, 1)
        xt = torch.from_numpy(one_hot(list(X)))
        yt = torch.as_tensor(np.asarray(y, np.float32)).reshape(-1, 1)
        if len(xt) != len(yt):
            raise ValueError(f"X has {len(xt)} rows but y has {len(yt)}")
        if not np.isfinite(yt.numpy()).all():
            raise ValueError("y contains NaN or inf")
        net, gen = self._build()
        prev = torch.are_deterministic_algorithms_enabled()
        n_threads = torch.get_num_threads()
        torch.use_deterministic_algorithms(True)
        torch.set_num_threads(1)
        try:
            opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
            self.loss_curve_ = []
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))  # dropout masks
                for _ in range(self.epochs):
                    net.train()
                    perm = torch.randperm(len(xt), generator=gen)
                    tot = 0.0
                    for i in range(0, len(xt), self.batch_size):
                        idx = perm[i:i + self.batch_size]
                        opt.zero_grad()
                        loss = torch.nn.functional.mse_loss(net(xt[idx]), yt[idx])
                        loss.backward()
                        opt.step()
                        tot += float(loss.detach()) * len(idx)
                    self.loss_curve_.append(tot / len(xt))
        finally:
            torch.use_deterministic_algorithms(prev)
            torch.set_num_threads(n_threads)
        net.eval()
        self.net_ = net
        return self

    def predict(self, X) -> np.ndarray:
        """Predicted activity (rank scale, about 0-1) for 30-mers; NaN for invalid 30-mers."""
        import torch

        from augbench.grna.ontarget import encode_contexts

        if not hasattr(self, "net_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("GuideCNNRegressor is not fitted; call fit() or load_pretrained()")
        X = list(X)
        _, valid = encode_contexts(X, 30)
        with torch.no_grad():
            out = self.net_(torch.from_numpy(one_hot(X))).numpy().ravel().astype(float)
        out[~valid] = np.nan
        return out

    def save(self, path) -> None:
        import torch

        torch.save({"params": self.get_params(), "state_dict": self.net_.state_dict()}, path)

    @classmethod
    def load(cls, path) -> "GuideCNNRegressor":
        import torch

        blob = torch.load(path, weights_only=True)
        est = cls(**blob["params"])
        net, _ = est._build()
        net.load_state_dict(blob["state_dict"])
        net.eval()
        est.net_ = net
        return est


def load_training_data():
    """Doench 2016 FC+RES table with a ``held_out`` column (gene in :data:`HELD_OUT_GENES`)."""
    import pandas as pd

    from augbench.data import path

    df = pd.read_csv(path("grna/ontarget/doench2016_FC_plus_RES_withPredictions"), index_col=0)
    df["held_out"] = df["Target gene"].isin(HELD_OUT_GENES)
    return df


@lru_cache(maxsize=1)
def load_pretrained() -> GuideCNNRegressor:
    """The shipped CNN (``data/models/grna/guide_cnn_doench2016.pt``, hash-verified)."""
    from augbench.data import path

    return GuideCNNRegressor.load(path(WEIGHTS_NAME))


def pretrained_metrics() -> dict:
    """Metrics recorded when the shipped weights were trained (see PROVENANCE.md next to them)."""
    from augbench.data import path

    return json.loads(path(METRICS_NAME).read_text())


def predict_pretrained(contexts) -> np.ndarray:
    """Scores of the shipped CNN for 30-mers (NaN for invalid ones)."""
    return load_pretrained().predict(contexts)


# --------------------------------------------------------------------------------------------------
# Evaluation: Spearman of CNN, Rule Set 1 and Azimuth on held-out genes and on the Haeussler 2016
# collection (the table behind Haeussler et al. 2016 Genome Biol 17:148, Fig. 2).
# --------------------------------------------------------------------------------------------------
import pandas as pd  # noqa: E402

#: Data sets whose activity is depletion (lower = more active): sign flipped so that positive = good.
DEPLETION_SETS = ("wang2015_hg19",)
#: Data sets that re-map the Doench 2014/2016 screens (overlap with Rule Set 1/2 and our training data).
TRAINING_OVERLAP = ("doench2014", "doench2016")


def _spearman(a, b) -> float:
    from scipy.stats import spearmanr

    a, b = np.asarray(a, float), np.asarray(b, float)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return float("nan")
    return float(spearmanr(a[ok], b[ok]).statistic)


def heldout_spearman(model=None) -> pd.DataFrame:
    """Spearman r of CNN, Rule Set 1 and Azimuth on the held-out genes of Doench 2016 FC+RES (per gene
    and pooled). Azimuth's ``predictions`` are in-sample for Azimuth (it was trained on all genes)."""
    from augbench.grna.ontarget import rule_set_1

    model = model or load_pretrained()
    df = load_training_data()
    te = df[df.held_out]
    pred = model.predict(te["30mer"])
    rs1 = rule_set_1(te["30mer"].to_numpy())
    y = te["score_drug_gene_rank"].to_numpy()
    rows = []
    for gene, idx in te.groupby("Target gene").indices.items():
        rows.append({"gene": gene, "n": len(idx), "cnn": _spearman(pred[idx], y[idx]),
                     "rule_set_1": _spearman(rs1[idx], y[idx]),
                     "azimuth_in_sample": _spearman(te["predictions"].to_numpy()[idx], y[idx])})
    rows.append({"gene": "all held-out genes", "n": len(te), "cnn": _spearman(pred, y),
                 "rule_set_1": _spearman(rs1, y), "azimuth_in_sample": _spearman(te["predictions"], y)})
    return pd.DataFrame(rows)


def haeussler_datasets() -> list[str]:
    """Names of the shipped Haeussler 2016 efficiency data sets."""
    from augbench.data import manifest

    return sorted(k.split("/")[-1].replace(".scores", "") for k in manifest()
                  if k.startswith("grna/ontarget/haeussler2016_effdata/"))


def load_haeussler(name: str) -> pd.DataFrame:
    """One Haeussler 2016 efficiency table with a ``context30`` column (30-mer around the 23-mer)."""
    from augbench.data import path

    df = pd.read_csv(path(f"grna/ontarget/haeussler2016_effdata/{name}"), sep="\t")

    def ctx(long, seq):
        long, seq = str(long), str(seq)
        i = long.find(seq)
        return long[i - 4: i + 26].upper() if i >= 4 and i + 26 <= len(long) else ""

    df["context30"] = [ctx(a, b) for a, b in zip(df["longSeq100Bp"], df["seq"])]
    return df


def haeussler_spearman(model=None, names=None) -> pd.DataFrame:
    """Spearman r (activity vs predictor) per Haeussler 2016 data set for CNN, Rule Set 1 and Azimuth.

    Columns: ``dataset``, ``n``, ``independent`` (False for re-mapped Doench screens), ``cnn``,
    ``rule_set_1``, ``azimuth`` (CRISPOR's ``fusi``), ``rule_set_1_crispor`` (CRISPOR's ``doench``
    column, a check of our Rule Set 1). Depletion sets (:data:`DEPLETION_SETS`) are sign-flipped.
    """
    from augbench.grna.ontarget import rule_set_1

    model = model or load_pretrained()
    rows = []
    for name in names or haeussler_datasets():
        df = load_haeussler(name)
        y = pd.to_numeric(df["modFreq"], errors="coerce").to_numpy(float)
        if name in DEPLETION_SETS:
            y = -y
        ctx = df["context30"].tolist()
        rows.append({"dataset": name, "n": int(np.isfinite(y).sum()),
                     "independent": not name.startswith(TRAINING_OVERLAP),
                     "cnn": _spearman(model.predict(ctx), y),
                     "rule_set_1": _spearman(rule_set_1(ctx), y),
                     "azimuth": _spearman(pd.to_numeric(df.get("fusi"), errors="coerce"), y),
                     "rule_set_1_crispor": _spearman(pd.to_numeric(df.get("doench"), errors="coerce"), y)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# The seed essay's "Cas9" network, as a contrast (section 5.2 of the essay)
# --------------------------------------------------------------------------------------------------
def seed_cas9_demo(epochs: int = 200, lr: float = 1e-3, random_state=0) -> dict:
    """Re-run the essay's ``Cas9`` MLP (Linear(2, 32) -> ReLU -> Linear(32, 1) -> sigmoid) faithfully.

    The essay trains it on ``X = randn(100, 2)`` with ``y = ones(100)`` and binary cross-entropy. As
    printed, the code does not run with current torch: the target has shape (100,) and the output
    (100, 1), which ``F.binary_cross_entropy`` refuses (``shape_error`` below). With the shapes fixed,
    the net can only learn "always output 1": the labels carry no information (zero variance), the
    inputs are noise unrelated to any DNA, and the output is the same for every input.

    Returns
    -------
    dict
        ``shape_error`` (str), ``loss`` (per-epoch BCE, list), ``output_mean`` / ``output_std`` on 1,000
        fresh random inputs after training, ``label_variance`` (0.0), and ``spearman_heldout``: the
        Spearman r of its output (fed the GC fraction and the position-24 G indicator of each held-out
        30-mer, the most generous 2-number encoding) with the measured activity of held-out genes, next
        to the Spearman r of those two hand-made features alone (whatever it "predicts" comes from them).
    """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    from augbench._rng import torch_seed

    gen = torch.Generator().manual_seed(torch_seed(random_state))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
        net = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1), nn.Sigmoid())
    X = torch.randn(100, 2, generator=gen)
    y = torch.ones(100)
    try:
        F.binary_cross_entropy(net(X), y)
        shape_error = ""
    except ValueError as exc:
        shape_error = str(exc)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = F.binary_cross_entropy(net(X).squeeze(1), y)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    with torch.no_grad():
        out = net(torch.randn(1000, 2, generator=gen)).numpy().ravel()
        df = load_training_data()
        te = df[df.held_out]
        seqs = te["30mer"].str.upper()
        feats = np.c_[seqs.str[4:24].str.count("[GC]") / 20.0, (seqs.str[23] == "G").astype(float)]
        pred = net(torch.as_tensor(feats, dtype=torch.float32)).numpy().ravel()
    return {"shape_error": shape_error, "loss": losses, "output_mean": float(out.mean()),
            "output_std": float(out.std()), "label_variance": float(y.var()),
            "spearman_heldout": _spearman(pred, te["score_drug_gene_rank"].to_numpy()),
            "spearman_g24_feature_alone": _spearman(feats[:, 1], te["score_drug_gene_rank"].to_numpy()),
            "spearman_gc_feature_alone": _spearman(feats[:, 0], te["score_drug_gene_rank"].to_numpy())}
