"""Helpers called from the notebooks: offline-ready plotting setup and publishing of metrics.

``nb_setup()`` must run before anything is displayed: it loads the HoloViews/Bokeh and Panel
extensions with *inline* resources, so the exported HTML report renders with no network.
``publish(**metrics)`` records scalar results (accuracy, RMSE, ...) in the executed notebook,
where ``augbench report`` and ``augbench sweep`` read them back.
"""
from __future__ import annotations

import json
import math

METRIC_MIME = "application/vnd.augbench.metrics+json"


def nb_setup() -> None:
    """Load plotting extensions with inline JS/CSS (offline reports) and quiet noisy loggers."""
    import logging
    import warnings

    import holoviews as hv
    import panel as pn

    hv.extension("bokeh", inline=True, logo=False)
    pn.extension(inline=True)
    warnings.filterwarnings("ignore", category=FutureWarning)
    logging.getLogger("mne").setLevel(logging.WARNING)


def publish(**metrics) -> None:
    """Publish scalar metrics from a notebook (numbers, strings or bools).

    They are shown as a small table and stored in the cell output under the MIME type
    ``application/vnd.augbench.metrics+json``; :func:`read_metrics` collects them from an executed
    notebook.
    """
    clean = {}
    for k, v in metrics.items():
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        if not isinstance(v, (int, float, str, bool, type(None))):
            raise TypeError(f"metric {k!r} has type {type(v).__name__}; publish numbers, strings or bools")
        clean[k] = v
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - plain Python
        return None
    rows = "".join(f"<tr><td>{k}</td><td>{v:.4g}</td></tr>" if isinstance(v, float)
                   else f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in clean.items())
    display({METRIC_MIME: clean,
             "text/html": f"<table class='augbench-metrics'><tr><th>metric</th><th>value</th></tr>{rows}</table>",
             "text/plain": json.dumps(clean)}, raw=True)


def read_metrics(nb) -> dict:
    """All metrics published in an executed notebook (later values win). ``nb`` is a path or a NotebookNode."""
    import nbformat

    if not hasattr(nb, "cells"):
        nb = nbformat.read(str(nb), as_version=4)
    out: dict = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if METRIC_MIME in data:
                val = data[METRIC_MIME]
                out.update(json.loads(val) if isinstance(val, str) else val)
    return out
