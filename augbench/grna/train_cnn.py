"""Train the shipped on-target CNN reproducibly: ``python -m augbench.grna.train_cnn [--out DIR] [--seed 0]``.

Trains :class:`augbench.grna.cnn.GuideCNNRegressor` (default hyper-parameters, fixed before training)
on the Doench 2016 FC+RES guides of every gene except :data:`augbench.grna.cnn.HELD_OUT_GENES`,
then writes ``guide_cnn_doench2016.pt`` (weights), ``guide_cnn_doench2016_metrics.json`` (held-out and
Haeussler 2016 Spearman r) and ``PROVENANCE.md`` into ``--out`` (default ``data/models/grna``).
Deterministic: same seed -> bit-identical weights (single thread, deterministic torch algorithms).
Afterwards rebuild the data manifest: ``python -c "import augbench.data as d; d.write_manifest()"``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time
from pathlib import Path


def train(seed: int = 0, epochs: int | None = None):
    """Fit the CNN on the training genes; return the fitted estimator."""
    from augbench.grna.cnn import GuideCNNRegressor, load_training_data

    df = load_training_data()
    tr = df[~df.held_out]
    est = GuideCNNRegressor(random_state=seed)
    if epochs is not None:
        est.set_params(epochs=epochs)
    return est.fit(tr["30mer"].tolist(), tr["score_drug_gene_rank"].to_numpy())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="output folder (default data/models/grna)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    import torch

    from augbench.data import data_dir
    from augbench.grna.cnn import HELD_OUT_GENES, haeussler_spearman, heldout_spearman, load_training_data

    out = Path(args.out) if args.out else data_dir() / "models" / "grna"
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    est = train(args.seed)
    t_train = time.perf_counter() - t0
    wpath = out / "guide_cnn_doench2016.pt"
    est.save(wpath)
    held = heldout_spearman(est)
    hae = haeussler_spearman(est)
    df = load_training_data()
    metrics = {
        "seed": args.seed, "params": est.get_params(), "train_seconds": round(t_train, 1),
        "n_train": int((~df.held_out).sum()), "n_heldout": int(df.held_out.sum()),
        "held_out_genes": list(HELD_OUT_GENES), "final_train_mse": est.loss_curve_[-1],
        "heldout": held.to_dict(orient="records"), "haeussler2016": hae.to_dict(orient="records"),
        "torch": torch.__version__, "python": platform.python_version(),
    }
    mpath = out / "guide_cnn_doench2016_metrics.json"
    mpath.write_text(json.dumps(metrics, indent=1, default=float))
    sha = hashlib.sha256(wpath.read_bytes()).hexdigest()
    pooled = held.iloc[-1]
    (out / "PROVENANCE.md").write_text(f"""# Provenance — data/models/grna (trained by augbench)

## guide_cnn_doench2016.pt
- Model: `augbench.grna.cnn.GuideCNNRegressor` (Conv1d 4->32, width 5, ReLU, MaxPool 2, Dropout 0.25,
  Linear 416->32, ReLU, Linear 32->1; {sum(p.numel() for p in est.net_.parameters())} parameters), params {est.get_params()}.
- Data: `data/grna/ontarget/doench2016_FC_plus_RES_withPredictions.csv` (Doench et al. 2016 Nat Biotechnol
  34:184, doi:10.1038/nbt.3437, via MicrosoftResearch/Azimuth), input `30mer` one-hot, target `score_drug_gene_rank`.
- Split: genes {', '.join(HELD_OUT_GENES)} held out ({metrics['n_heldout']} guides); trained on the other 12 genes
  ({metrics['n_train']} guides). Hyper-parameters fixed before training; no early stopping; no use of held-out data.
- Seed {args.seed}; deterministic (single thread, `torch.use_deterministic_algorithms(True)`), torch {torch.__version__},
  trained in {t_train:.0f} s on CPU.
- Command: `python -m augbench.grna.train_cnn --seed {args.seed}` then
  `python -c "import augbench.data as d; d.write_manifest()"`.
- Held-out genes, pooled Spearman r: CNN {pooled.cnn:.3f}, Rule Set 1 {pooled.rule_set_1:.3f},
  Azimuth (in-sample for Azimuth) {pooled.azimuth_in_sample:.3f}. Per gene and per Haeussler 2016 data set:
  `guide_cnn_doench2016_metrics.json`.
- sha256 {sha}
""")
    print(held.round(3).to_string(index=False))
    print(hae.round(3).to_string(index=False))
    print(f"weights: {wpath} ({wpath.stat().st_size} bytes), trained in {t_train:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
