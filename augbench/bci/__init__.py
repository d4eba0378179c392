"""BCI signal chain on real EEG (PhysioNet EEGMMIDB): acquisition, preprocessing, features, decoders,
honest evaluation and a simulated real-time decoder with neurofeedback.

Submodules (imported on demand; ``import augbench.bci`` stays light — no mne, torch or sklearn):

- :mod:`~augbench.bci.io` — EDF loading (MNE), xarray conversions, de-identified EDF export
- :mod:`~augbench.bci.synthetic` — motor-imagery generator with known ground truth and an SNR knob
- :mod:`~augbench.bci.stream` — chunked replay at real time or faster
- :mod:`~augbench.bci.preprocessing` — zero-phase and causal filters, CAR, normalisation, rejection, ICA, SNR
- :mod:`~augbench.bci.features` — band power, log-variance, Hjorth, CSP, filter-bank CSP (sklearn transformers)
- :mod:`~augbench.bci.models` — named pipelines and nested tuning grids; :mod:`~augbench.bci.nets` — torch ShallowNet
- :mod:`~augbench.bci.evaluation` — CV schemes, permutation chance, confusion, Wolpaw ITR, MNE example protocol
- :mod:`~augbench.bci.online` — sliding-window decoder, latency budget, online accuracy, benchmark
- :mod:`~augbench.bci.analysis` — PSD per condition, SNR through the chain
- :mod:`~augbench.bci.explorer` — ``BCIExplorer`` (param) behind the dashboard and widgets
"""
from __future__ import annotations

import importlib

_SUBMODULES = {"io", "synthetic", "stream", "preprocessing", "features", "models", "nets", "evaluation", "online",
               "analysis", "explorer"}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"augbench.bci.{name}")
    raise AttributeError(f"module 'augbench.bci' has no attribute {name!r}")


__all__ = sorted(_SUBMODULES)
