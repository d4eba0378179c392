"""Decoding pipelines (scikit-learn) and their tuning grids.

Every pipeline takes epochs ``X`` (n_epochs, n_channels, n_times) in V that start at ``epoch_tmin``
relative to the cue and are *not yet band-passed*; its first step filters and cuts the analysis
window, so that band and window are hyper-parameters chosen inside the training folds.
"""
from __future__ import annotations

from augbench._validate import check_int, check_option

__all__ = ["PIPELINES", "make_pipeline", "param_grid", "make_tuned"]

#: name -> one-line description (what the notebook tables show).
PIPELINES = {
    "csp+lda": "augbench CSP log-variance (4) + LDA (Koles 1991; Ramoser et al. 2000)",
    "csp+svm": "CSP log-variance + linear SVM",
    "fbcsp+lda": "filter-bank CSP (7 bands x 4) + mutual-information selection + LDA (Ang et al. 2008)",
    "ts+lr": "Riemannian tangent space of OAS covariances + logistic regression (Barachant et al. 2012)",
    "mdm": "minimum distance to Riemannian mean (pyRiemann MDM, Barachant et al. 2012)",
    "bandpower+lda": "log Welch power mu/beta per channel + shrinkage LDA",
    "logvar+lr": "log-variance per channel + L2 logistic regression",
    "hjorth+svm": "time-domain Hjorth parameters + RBF SVM",
    "shallownet": "ShallowConvNet-style torch net (Schirrmeister et al. 2017), CPU",
}


def make_pipeline(name: str = "csp+lda", *, sfreq: float = 160.0, band=(7.0, 30.0), window=(1.0, 2.0),
                  epoch_tmin: float = -1.0, n_components: int = 4, random_state=None, net_epochs: int = 60):
    """Build one decoding pipeline by name (see :data:`PIPELINES`).

    Returns
    -------
    sklearn.pipeline.Pipeline
        First step ``filter`` (:class:`~augbench.bci.features.EpochFilter`).
    """
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as LDA
    from sklearn.feature_selection import SelectKBest, mutual_info_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from augbench._rng import torch_seed
    from augbench.bci.features import CSP, BandPower, EpochFilter, FilterBankCSP, HjorthFeatures, LogVariance

    check_option("pipeline", name, PIPELINES)
    n_components = check_int("n_components", n_components, 1, 64)
    seed = torch_seed(random_state) if random_state is not None else 0
    flt = ("filter", EpochFilter(sfreq, tuple(band) if band is not None else None, window, epoch_tmin))
    if name == "csp+lda":
        steps = [flt, ("csp", CSP(n_components=n_components)), ("clf", LDA())]
    elif name == "csp+svm":
        steps = [flt, ("csp", CSP(n_components=n_components)),
                 ("scale", StandardScaler()), ("clf", SVC(kernel="linear", C=1.0))]
    elif name == "fbcsp+lda":
        steps = [("filter", EpochFilter(sfreq, None, None, epoch_tmin)),
                 ("fbcsp", FilterBankCSP(sfreq, n_components=n_components, window=window, epoch_tmin=epoch_tmin)),
                 ("select", SelectKBest(lambda X, y: mutual_info_classif(X, y, random_state=seed), k=8)),
                 ("clf", LDA(solver="lsqr", shrinkage="auto"))]
    elif name in ("ts+lr", "mdm"):
        from pyriemann.classification import MDM
        from pyriemann.estimation import Covariances
        from pyriemann.tangentspace import TangentSpace

        steps = [flt, ("cov", Covariances(estimator="oas"))]
        steps += ([("ts", TangentSpace(metric="riemann")), ("clf", LogisticRegression(C=1.0, max_iter=1000))]
                  if name == "ts+lr" else [("clf", MDM(metric="riemann"))])
    elif name == "bandpower+lda":
        steps = [("filter", EpochFilter(sfreq, None, window, epoch_tmin)), ("bp", BandPower(sfreq)),
                 ("scale", StandardScaler()), ("clf", LDA(solver="lsqr", shrinkage="auto"))]
    elif name == "logvar+lr":
        steps = [flt, ("logvar", LogVariance()), ("scale", StandardScaler()),
                 ("clf", LogisticRegression(C=0.1, max_iter=1000))]
    elif name == "hjorth+svm":
        steps = [flt, ("hjorth", HjorthFeatures()), ("scale", StandardScaler()), ("clf", SVC(kernel="rbf", C=1.0))]
    else:  # shallownet
        from augbench.bci.nets import ShallowNetClassifier

        steps = [flt, ("net", ShallowNetClassifier(sfreq=sfreq, n_epochs=net_epochs, random_state=seed))]
    return Pipeline(steps)


def param_grid(name: str, *, quick: bool = False) -> dict:
    """The hyper-parameters tuned inside training folds for pipeline ``name`` (band and CSP components)."""
    check_option("pipeline", name, PIPELINES)
    bands = [(7.0, 30.0), (8.0, 13.0), (13.0, 30.0)] if quick else [(7.0, 30.0), (8.0, 13.0), (13.0, 30.0),
                                                                     (8.0, 30.0)]
    grid = {}
    if name not in ("fbcsp+lda", "bandpower+lda"):
        grid["filter__band"] = bands
    if name in ("csp+lda", "csp+svm"):
        grid["csp__n_components"] = [2, 4] if quick else [2, 4, 6]
    return grid


def make_tuned(name: str = "csp+lda", *, quick: bool = False, inner_cv=None, random_state=None, **kwargs):
    """A :class:`~sklearn.model_selection.GridSearchCV` over :func:`param_grid`: put it inside an outer
    cross-validation and the band and component choices are made on training folds only (nested)."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from augbench._rng import torch_seed

    seed = torch_seed(random_state) if random_state is not None else 0
    inner_cv = inner_cv or StratifiedKFold(3, shuffle=True, random_state=seed)
    return GridSearchCV(make_pipeline(name, random_state=random_state, **kwargs), param_grid(name, quick=quick),
                        cv=inner_cv, scoring="accuracy", error_score="raise")
