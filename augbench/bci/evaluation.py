"""Honest evaluation: cross-validation schemes, permutation chance, confusion matrices, Wolpaw ITR,
and MNE's CSP example protocol reproduced in the same run.
"""
from __future__ import annotations

import numpy as np

from augbench._validate import check_int, check_option, check_range
from augbench.bci._threads import single_thread_blas

__all__ = ["wolpaw_itr", "make_cv", "check_cv_feasible", "evaluate", "permutation_chance", "confusion",
           "mne_csp_example", "epochs_xy", "load_dataset", "compare"]


def wolpaw_itr(p: float, n_classes: int = 2, trial_s: float | None = None) -> float:
    """Wolpaw information transfer rate, bits per selection (or bits/min if ``trial_s`` is given).

    .. math:: B = \\log_2 N + P\\log_2 P + (1-P)\\log_2\\frac{1-P}{N-1}

    (Wolpaw et al. 2002, Clin Neurophysiol 113:767, doi:10.1016/S1388-2457(02)00057-3, eq. on p. 776).
    Accuracy at or below chance gives 0 (the formula is meant for P >= 1/N).

    Parameters
    ----------
    p : float
        Accuracy in [0, 1].
    n_classes : int
    trial_s : float, optional
        Seconds per selection; the result is then multiplied by 60 / trial_s (bits/min).
    """
    check_range("p", p, 0, 1)
    n = check_int("n_classes", n_classes, 2)
    if p <= 1.0 / n:
        bits = 0.0
    else:
        bits = np.log2(n) + p * np.log2(p)
        if p < 1:
            bits += (1 - p) * np.log2((1 - p) / (n - 1))
    if trial_s is not None:
        check_range("trial_s", trial_s, 0, low_inclusive=False)
        return float(bits * 60.0 / trial_s)
    return float(bits)


def check_cv_feasible(y, n_splits: int, *, scheme: str = "cv") -> None:
    """Raise a clear error if there are too few epochs per class for ``n_splits`` folds."""
    y = np.asarray(y)
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise ValueError(f"{scheme}: only one class ({classes.tolist()}) in y; need two to decode")
    if counts.min() < n_splits:
        raise ValueError(f"{scheme}: class {classes[counts.argmin()]!r} has {counts.min()} epochs, fewer than "
                         f"n_splits={n_splits}; lower n_splits or load more runs")


def make_cv(scheme: str = "shuffle", *, n_splits: int = 10, test_size: float = 0.2, random_state=42):
    """Cross-validation splitter by name.

    ``shuffle``: ShuffleSplit(n_splits, test_size) within session (as MNE's CSP example);
    ``kfold``: StratifiedKFold; ``loro``: leave-one-run-out; ``loso``: leave-one-subject-out
    (the last two need ``groups``).
    """
    from sklearn.model_selection import LeaveOneGroupOut, ShuffleSplit, StratifiedKFold

    check_option("scheme", scheme, ("shuffle", "kfold", "loro", "loso"))
    if scheme == "shuffle":
        return ShuffleSplit(check_int("n_splits", n_splits, 2), test_size=test_size, random_state=random_state)
    if scheme == "kfold":
        return StratifiedKFold(check_int("n_splits", n_splits, 2), shuffle=True, random_state=random_state)
    return LeaveOneGroupOut()


def evaluate(estimator, X, y, *, scheme: str = "shuffle", groups=None, n_splits: int = 10, random_state=42):
    """Cross-validated accuracy of ``estimator`` (cloned per fold) under ``scheme``.

    Returns
    -------
    dict
        ``scores`` (ndarray per fold), ``accuracy`` (mean), ``sd``, ``n_folds``, ``scheme``.
    """
    import mne
    from sklearn.model_selection import cross_val_score

    y = np.asarray(y)
    if scheme in ("loro", "loso"):
        if groups is None:
            raise ValueError(f"scheme={scheme!r} needs groups (run or subject of each epoch)")
        if len(np.unique(groups)) < 2:
            raise ValueError(f"scheme={scheme!r}: groups has one value {np.unique(groups).tolist()}; need >= 2 "
                             f"{'runs' if scheme == 'loro' else 'subjects'}")
    else:
        check_cv_feasible(y, 2 if scheme == "shuffle" else n_splits, scheme=scheme)
    cv = make_cv(scheme, n_splits=n_splits, random_state=random_state)
    with mne.utils.use_log_level("error"), single_thread_blas():
        scores = cross_val_score(estimator, X, y, cv=cv, groups=groups, error_score="raise")
    return {"scores": scores, "accuracy": float(scores.mean()), "sd": float(scores.std()),
            "n_folds": len(scores), "scheme": scheme}


def permutation_chance(estimator, X, y, *, scheme: str = "kfold", groups=None, n_splits: int = 5,
                       n_permutations: int = 100, random_state=0):
    """Empirical chance level: the same cross-validation on label-permuted data (Ojala & Garriga 2010,
    JMLR 11:1833). Labels are permuted within groups when ``groups`` is given.

    Returns
    -------
    dict
        ``accuracy`` (true labels), ``null_mean``, ``null_95`` (95th percentile of the null: accuracy
        needed to claim above chance at alpha 0.05), ``p_value``, ``n_permutations``.
    """
    import mne
    from sklearn.model_selection import permutation_test_score

    from augbench._rng import torch_seed

    n_permutations = check_int("n_permutations", n_permutations, 1)
    cv = make_cv(scheme, n_splits=n_splits, random_state=torch_seed(random_state))
    with mne.utils.use_log_level("error"), single_thread_blas():
        score, null, p = permutation_test_score(estimator, X, y, groups=groups, cv=cv,
                                                n_permutations=n_permutations,
                                                random_state=torch_seed(random_state))
    return {"accuracy": float(score), "null_mean": float(null.mean()), "null_95": float(np.percentile(null, 95)),
            "p_value": float(p), "n_permutations": n_permutations}


def confusion(estimator, X, y, *, scheme: str = "kfold", groups=None, n_splits: int = 5, labels=None,
              random_state=0):
    """Confusion matrix from out-of-fold predictions (each epoch predicted once, by a model not trained on it).

    Returns
    -------
    pandas.DataFrame
        Rows true class, columns predicted class, counts.
    """
    import mne
    import pandas as pd
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import cross_val_predict

    check_option("scheme", scheme, ("kfold", "loro", "loso"))
    cv = make_cv(scheme, n_splits=n_splits, random_state=random_state)
    with mne.utils.use_log_level("error"), single_thread_blas():
        pred = cross_val_predict(estimator, X, y, cv=cv, groups=groups)
    classes = np.unique(y)
    cm = confusion_matrix(y, pred, labels=classes)
    names = [labels[c] if labels is not None else c for c in classes]
    return pd.DataFrame(cm, index=pd.Index(names, name="true"), columns=pd.Index(names, name="predicted"))


def mne_csp_example(subject: int = 1, runs=(6, 10, 14)):
    """MNE-Python's "Motor imagery decoding from EEG data using CSP" protocol, verbatim in substance.

    Runs 6/10/14 (hands vs feet), average-reference projector, FIR band-pass 7–30 Hz
    (``fir_design="firwin"``, ``skip_by_annotation="edge"``), epochs −1…4 s, training window 1–2 s,
    ``CSP(n_components=4, reg=None, log=True, norm_trace=False)`` + LDA,
    ``ShuffleSplit(10, test_size=0.2, random_state=42)``. Chance as the example prints it: the
    majority-class proportion. MNE's documentation prints 0.9333 / 0.5333 for subject 1.

    Returns
    -------
    dict
        ``accuracy``, ``chance`` (majority class), ``scores``, ``X`` (1–2 s data), ``y``, ``epochs``.
    """
    import mne
    from mne.decoding import CSP
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.model_selection import ShuffleSplit, cross_val_score
    from sklearn.pipeline import Pipeline

    from augbench.bci.io import epochs_arrays, load_epochs

    epochs = load_epochs(subject, runs, l_freq=7.0, h_freq=30.0, tmin=-1.0, tmax=4.0, car=True)
    X, y = epochs_arrays(epochs, 1.0, 2.0)
    clf = Pipeline([("CSP", CSP(n_components=4, reg=None, log=True, norm_trace=False)),
                    ("LDA", LinearDiscriminantAnalysis())])
    with mne.utils.use_log_level("error"), single_thread_blas():
        scores = cross_val_score(clf, X, y, cv=ShuffleSplit(10, test_size=0.2, random_state=42))
    cb = float(np.mean(y == y[0]))
    return {"accuracy": float(scores.mean()), "chance": max(cb, 1 - cb), "scores": scores, "X": X, "y": y,
            "epochs": epochs}


def epochs_xy(raw, classes=("left", "right"), *, tmin: float = -1.0, tmax: float = 4.0, car: bool = True):
    """Broadband epochs ``(X, y)`` around each annotation named in ``classes`` (any recording, e.g. synthetic).

    Returns
    -------
    X : ndarray (n_epochs, n_channels, n_times), V, starting ``tmin`` s after the cue
    y : ndarray of int, index into ``classes``
    """
    import mne

    raw = raw.copy()
    if car:
        raw.set_eeg_reference("average", projection=False, verbose="error")
    present = set(raw.annotations.description)
    missing = [c for c in classes if c not in present]
    if missing:
        raise ValueError(f"class {missing[0]!r} has no annotation in the recording; have {sorted(present)}")
    event_id = {c: i + 2 for i, c in enumerate(classes)}
    events, _ = mne.events_from_annotations(raw, event_id=event_id, verbose="error")
    ep = mne.Epochs(raw, events, event_id, tmin=tmin, tmax=tmax, baseline=None, preload=True, verbose="error")
    return ep.get_data(), ep.events[:, -1] - 2


def load_dataset(subjects=(1,), task: str = "hands_feet", *, tmin: float = -1.0, tmax: float = 4.0):
    """Broadband (unfiltered, CAR) epochs of several subjects for the augbench pipelines.

    Returns
    -------
    X : ndarray (n_epochs, 64, n_times), V, from ``tmin`` s after the cue
    y : ndarray of int (0 = first class, 1 = second)
    meta : pandas.DataFrame with ``subject``, ``run``, ``label``
    sfreq : float
    """
    import pandas as pd

    from augbench.bci.io import TASK_RUNS, load_epochs

    check_option("task", task, TASK_RUNS)
    Xs, ys, metas = [], [], []
    for s in subjects:
        ep = load_epochs(s, TASK_RUNS[task], l_freq=None, h_freq=None, tmin=tmin, tmax=tmax, car=True)
        Xs.append(ep.get_data())
        ys.append(ep.events[:, -1] - 2)
        metas.append(ep.metadata)
        sfreq = float(ep.info["sfreq"])
    return np.concatenate(Xs), np.concatenate(ys), pd.concat(metas, ignore_index=True), sfreq


def compare(subjects=(1, 2, 3), pipelines=("csp+lda", "ts+lr", "fbcsp+lda"), *, task: str = "hands_feet",
            quick: bool = False, tuned=True, random_state=0):
    """Accuracy per subject and pipeline: within-session ShuffleSplit (MNE protocol split) and
    leave-one-run-out, with band/components tuned in the training folds (``tuned``: True for all
    pipelines with a grid, or a collection of pipeline names; the others use fixed a-priori settings,
    7–30 Hz and 4 components); plus MNE's example and pyRiemann (MDM, TS+LR) on MNE's preprocessed
    data, all in this one run.

    Returns
    -------
    pandas.DataFrame
        Columns ``subject`` (int), ``pipeline`` (str), ``protocol`` (str), ``accuracy`` (float),
        ``sd`` (float), ``chance`` (float, majority-class proportion), ``n_epochs`` (int).
    """
    import pandas as pd

    from augbench.bci.models import make_pipeline, make_tuned

    rows = []
    n_split = 5 if quick else 10
    for s in subjects:
        ref = mne_csp_example(s) if task == "hands_feet" else None
        X, y, meta, sfreq = load_dataset((s,), task, tmin=0.0, tmax=3.0)  # 1 s filter margin around 1–2 s
        chance = max(np.mean(y), 1 - np.mean(y))
        if ref is not None:
            rows.append((s, "MNE example CSP+LDA", "shuffle 10x0.2 (MNE)", ref["accuracy"], float(ref["scores"].std()),
                         ref["chance"], len(ref["y"])))
            from pyriemann.classification import MDM
            from pyriemann.estimation import Covariances
            from pyriemann.tangentspace import TangentSpace
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import make_pipeline as mkp

            peers = {"pyRiemann MDM (MNE-preprocessed)": mkp(Covariances("oas"), MDM()),
                     "pyRiemann TS+LR (MNE-preprocessed)": mkp(Covariances("oas"), TangentSpace(),
                                                               LogisticRegression(max_iter=1000))}
            for label, est in peers.items():
                r = evaluate(est, ref["X"], ref["y"], scheme="shuffle", n_splits=10)
                rows.append((s, label, "shuffle 10x0.2 (MNE)", r["accuracy"], r["sd"], ref["chance"], len(ref["y"])))
        for name in pipelines:
            est = make_tuned(name, quick=quick, sfreq=sfreq, epoch_tmin=0.0, random_state=random_state) \
                if (tuned is True or (tuned and name in tuned)) and param_grid_nonempty(name) else \
                make_pipeline(name, sfreq=sfreq, epoch_tmin=0.0, random_state=random_state, net_epochs=30 if quick else 60)
            label = name + (" (nested)" if est.__class__.__name__ == "GridSearchCV" else "")
            r = evaluate(est, X, y, scheme="shuffle", n_splits=n_split, random_state=42)
            rows.append((s, label, f"shuffle {n_split}x0.2" + (" (MNE)" if n_split == 10 else ""), r["accuracy"],
                         r["sd"], chance, len(y)))
            r = evaluate(est, X, y, scheme="loro", groups=meta["run"].to_numpy())
            rows.append((s, label, "leave-one-run-out", r["accuracy"], r["sd"], chance, len(y)))
    return pd.DataFrame(rows, columns=["subject", "pipeline", "protocol", "accuracy", "sd", "chance", "n_epochs"])


def param_grid_nonempty(name: str) -> bool:
    from augbench.bci.models import param_grid

    return bool(param_grid(name))
