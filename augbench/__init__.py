"""augbench: a notebook-driven research workbench for the science of human augmentation.

Sections: :mod:`augbench.grna` (gRNA design, Cas9 kinetics), :mod:`augbench.bci` (EEG signal chain),
:mod:`augbench.cognition` (adaptive cognitive tasks). ``import augbench`` is light: heavy libraries are
imported where used.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {"grna", "bci", "cognition", "data", "reports", "views", "notebook", "sweep"}
_LAZY_ATTRS = {"nb_setup": "notebook", "publish": "notebook"}


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"augbench.{name}")
    if name in _LAZY_ATTRS:
        return getattr(importlib.import_module(f"augbench.{_LAZY_ATTRS[name]}"), name)
    raise AttributeError(f"module 'augbench' has no attribute {name!r}")


__all__ = ["__version__", *sorted(_LAZY), *sorted(_LAZY_ATTRS)]
