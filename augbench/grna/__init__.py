"""gRNA design: target sites for several nucleases, on-target scores, off-target search and scoring.

Submodules (imported lazily so ``import augbench.grna`` stays light):

- :mod:`~augbench.grna.sequence` -- DNA input (string, FASTA plain/gzip, shipped loci), reverse complement
- :mod:`~augbench.grna.nucleases` -- SpCas9, SpCas9-NG, SaCas9, AsCas12a and user-defined nucleases (data)
- :mod:`~augbench.grna.sites` -- the target-site finder
- :mod:`~augbench.grna.ontarget` -- Rule Set 1 (Doench 2014); :mod:`~augbench.grna.cnn` -- our torch CNN
- :mod:`~augbench.grna.offtarget` -- exact genome-wide mismatch search; :mod:`~augbench.grna.scoring` -- CFD, MIT
- :mod:`~augbench.grna.explorer` -- the guide-designer state (param)
"""
from __future__ import annotations

import importlib

_ATTRS = {
    "reverse_complement": "sequence", "read_fasta": "sequence", "load_locus": "sequence", "clean_sequence": "sequence",
    "get_nuclease": "nucleases", "custom_nuclease": "nucleases", "list_nucleases": "nucleases",
    "find_sites": "sites", "rule_set_1": "ontarget", "score_sites": "ontarget",
    "search_offtargets": "offtarget", "summarize_offtargets": "offtarget",
    "cfd_score": "scoring", "mit_score": "scoring", "design_guides": "explorer", "GuideDesigner": "explorer",
}


def __getattr__(name):
    if name in _ATTRS:
        return getattr(importlib.import_module(f"augbench.grna.{_ATTRS[name]}"), name)
    raise AttributeError(f"module 'augbench.grna' has no attribute {name!r}")


__all__ = sorted(_ATTRS)
