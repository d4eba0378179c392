"""Cognitive adaptation: tasks, adaptive procedures, psychometric fitting and a simulation bench.

Submodules (imported on first use, so ``import augbench.cognition`` stays light):

``psychometric``  psychometric functions, rule targets, d′, Fisher information, Cramér-Rao bounds
``observers``     simulated observers (static, learning, fatiguing, n-back)
``procedure``     the common interface, response codes, stopping rules, interleaving
``staircase``     up-down (Levitt 1971), weighted up-down (Kaernbach 1991), PEST; ``simulate``
``quest`` ``questplus`` ``psi``  QUEST (Watson & Pelli 1983), QUEST+ (Watson 2017; also psi-marginal and
                  minimum-variance placement), Psi (Kontsevich & Tyler 1999), psi-marginal (Prins 2013)
``fitting``       maximum-likelihood fits with parametric-bootstrap intervals
``bench``         vectorised Monte Carlo: RMSE, bias, efficiency; race against questplus
``nback``         n-back sequences and the Jaeggi et al. (2008) rule
``tasks`` ``logs`` ``guidance``  playable tasks, JSON-lines logs, instructions/feedback (en, zh)
``evaluation``    accuracy, d′, response-time distributions (ex-Gaussian)
``bandit``        task choice by learning progress
``digits``        small torch CNN reading drawn digits
``explorer``      param explorers behind the dashboard and widgets
"""
from __future__ import annotations

import importlib

_SUBMODULES = {"psychometric", "observers", "procedure", "staircase", "quest", "questplus", "psi", "fitting", "bench",
               "nback", "tasks", "logs", "guidance", "bandit", "digits", "explorer", "evaluation"}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"augbench.cognition.{name}")
    raise AttributeError(f"module 'augbench.cognition' has no attribute {name!r}")


__all__ = sorted(_SUBMODULES)
