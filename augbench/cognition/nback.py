"""n-back sequences with controlled target and lure rates, scoring, and the adaptive rule of Jaeggi et al. 2008.

A *target* is an item equal to the one ``n`` back; a *lure* equals the one ``n - 1`` or ``n + 1``
back but not ``n`` back (the interference trials of Kane et al. 2007). ``generate_sequence`` places
exactly ``round(target_rate * n_scored)`` targets and ``round(lure_rate * n_scored)`` lures.

Jaeggi, Buschkuehl, Jonides & Perrig (2008, PNAS 105:6829, Methods): blocks of 20 + n trials; the
level n goes up by one when the participant makes fewer than 3 errors in each modality and down by
one when they make more than 5, else it stays.
"""
from __future__ import annotations

import numpy as np

from augbench._rng import as_generator
from augbench._validate import check_int, check_range

__all__ = ["LETTERS", "generate_sequence", "score_nback", "jaeggi_update", "JaeggiNBack",
           "simulate_nback_training"]

LETTERS = tuple("BCDGHKPQTW")   # consonants that sound distinct (as in many n-back tasks)


def generate_sequence(n: int, n_trials: int | None = None, *, target_rate: float = 0.3, lure_rate: float = 0.1,
                      symbols=LETTERS, random_state=None, max_tries: int = 200):
    """A seeded n-back sequence with an exact number of targets and lures.

    Parameters
    ----------
    n : int
        Back-distance, >= 1.
    n_trials : int, optional
        Length; default ``20 + n`` (Jaeggi et al. 2008).
    target_rate, lure_rate : float
        Fractions of the scored items (those with an item n back) that are targets / lures.
    symbols : sequence of str
        Alphabet; needs at least 4 symbols.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``position`` (int), ``symbol`` (str), ``is_target`` (bool), ``is_lure`` (bool),
        ``scored`` (bool, position >= n).
    """
    import pandas as pd

    n = check_int("n", n, 1)
    n_trials = 20 + n if n_trials is None else check_int("n_trials", n_trials, n + 1)
    check_range("target_rate", target_rate, 0, 1)
    check_range("lure_rate", lure_rate, 0, 1)
    symbols = list(symbols)
    if len(symbols) < 4:
        raise ValueError(f"symbols has {len(symbols)} entries; need at least 4 so non-targets can avoid lures")
    rng = as_generator(random_state)
    n_scored = n_trials - n
    n_t = int(round(target_rate * n_scored))
    n_l = int(round(lure_rate * n_scored))
    if n_t + n_l > n_scored:
        raise ValueError(f"target_rate + lure_rate = {target_rate + lure_rate:g} asks for {n_t + n_l} special "
                         f"items but only {n_scored} are scored")
    for _ in range(max_tries):
        pos = rng.permutation(np.arange(n, n_trials))
        kind = np.zeros(n_trials, dtype=int)         # 0 filler, 1 target, 2 lure
        kind[pos[:n_t]] = 1
        kind[pos[n_t:n_t + n_l]] = 2
        seq: list[str] = []
        ok = True
        for i in range(n_trials):
            back = seq[i - n] if i >= n else None
            near = {seq[i - d] for d in (n - 1, n + 1) if d >= 1 and i - d >= 0}
            if kind[i] == 1:
                seq.append(back)
                continue
            if kind[i] == 2:
                choices = [s for s in near if s != back]
            else:
                choices = [s for s in symbols if s != back and s not in near]
            if not choices:
                ok = False
                break
            seq.append(choices[int(rng.integers(len(choices)))])
        if ok:
            arr = np.array(seq)
            idx = np.arange(n_trials)
            is_t = np.zeros(n_trials, bool)
            is_t[n:] = arr[n:] == arr[:-n]
            is_l = np.zeros(n_trials, bool)
            for d in (n - 1, n + 1):
                if d >= 1:
                    m = idx >= max(d, n)
                    is_l[m] |= arr[m] == arr[idx[m] - d]
            is_l &= ~is_t
            if is_t.sum() == n_t and is_l.sum() == n_l:
                return pd.DataFrame({"position": idx, "symbol": arr, "is_target": is_t, "is_lure": is_l,
                                     "scored": idx >= n})
    raise RuntimeError(f"could not build an {n}-back sequence with {n_t} targets and {n_l} lures in "
                       f"{max_tries} tries; lower the rates or enlarge the alphabet")


def score_nback(seq, responses) -> dict:
    """Score match responses against a sequence from :func:`generate_sequence`.

    Parameters
    ----------
    seq : pandas.DataFrame
    responses : array_like of bool, shape (n_trials,)
        True where the player pressed "match".

    Returns
    -------
    dict
        ``hits, misses, false_alarms, correct_rejections, errors`` (misses + false alarms on scored
        items), ``accuracy`` and ``dprime`` (log-linear corrected).
    """
    from augbench.cognition.procedure import parse_responses
    from augbench.cognition.psychometric import dprime_yesno

    r = parse_responses(responses, len(seq))
    sc = seq["scored"].to_numpy()
    t = seq["is_target"].to_numpy()
    h = int(np.sum(r & t & sc))
    m = int(np.sum(~r & t & sc))
    fa = int(np.sum(r & ~t & sc))
    cr = int(np.sum(~r & ~t & sc))
    return {"hits": h, "misses": m, "false_alarms": fa, "correct_rejections": cr, "errors": m + fa,
            "accuracy": (h + cr) / max(1, h + m + fa + cr), "dprime": float(dprime_yesno(h, m, fa, cr))}


def jaeggi_update(n, errors, *, up_below: int = 3, down_above: int = 5, n_min: int = 1):
    """Next level under Jaeggi et al.'s (2008) rule: fewer than 3 errors -> n + 1, more than 5 -> n - 1.

    Vectorised over ``n`` and ``errors`` (errors per modality; pass the max over modalities for dual n-back).
    """
    n = np.asarray(n, dtype=int)
    e = np.asarray(errors)
    if np.any(e < 0):
        raise ValueError(f"errors={errors!r} must be >= 0")
    return np.where(e < up_below, n + 1, np.where(e > down_above, np.maximum(n - 1, n_min), n))


class JaeggiNBack:
    """Block-wise adaptive n-back: ``next_level()``, ``update(errors)``, ``estimate()`` (mean level of the last blocks).

    Parameters
    ----------
    start : int
        First level (Jaeggi et al. started at n = 1).
    n_sessions : int, optional
        Vectorised over sessions like the trial-wise procedures.
    """

    name = "Jaeggi n-back"

    def __init__(self, start: int = 1, *, up_below: int = 3, down_above: int = 5, n_sessions: int | None = None):
        self.start = check_int("start", start, 1)
        self.up_below, self.down_above = up_below, down_above
        self._scalar = n_sessions is None
        S = 1 if n_sessions is None else check_int("n_sessions", n_sessions, 1)
        self.level = np.full(S, self.start)
        self.levels: list[np.ndarray] = []

    def next_level(self):
        return int(self.level[0]) if self._scalar else self.level.copy()

    def items_per_block(self):
        """Trials in the next block: 20 + n."""
        return 20 + self.level

    def update(self, errors):
        self.levels.append(self.level.copy())
        self.level = jaeggi_update(self.level, np.broadcast_to(errors, self.level.shape), up_below=self.up_below,
                                   down_above=self.down_above)
        return self

    def estimate(self, last: int = 5):
        """Mean level over the last ``last`` blocks played."""
        if not self.levels:
            v = self.level.astype(float)
        else:
            v = np.mean(np.stack(self.levels[-last:]), axis=0)
        return float(v[0]) if self._scalar else v


def simulate_nback_training(observer, n_blocks: int = 20, n_sessions: int = 1000, start: int = 1,
                            random_state=None):
    """Jaeggi-style adaptive training of a simulated :class:`~augbench.cognition.observers.NBackObserver`.

    Returns
    -------
    xarray.Dataset
        dims ``(session, block)``: ``level`` (n played), ``errors`` (count), ``p_correct`` (model P(correct)).
    """
    import xarray as xr

    rng = as_generator(random_state)
    n_blocks = check_int("n_blocks", n_blocks, 1)
    proc = JaeggiNBack(start, n_sessions=n_sessions)
    L = np.empty((n_sessions, n_blocks), dtype=int)
    E = np.empty_like(L)
    P = np.empty((n_sessions, n_blocks))
    for b in range(n_blocks):
        lev = proc.next_level()
        n_items = 20  # scored items of a 20 + n block
        e = observer.n_errors(lev, n_items, b, rng)
        L[:, b], E[:, b], P[:, b] = lev, e, observer.p_correct(lev, b)
        proc.update(e)
    blocks = np.arange(1, n_blocks + 1)
    return xr.Dataset(
        {"level": (("session", "block"), L, {"units": "1", "long_name": "n-back level played"}),
         "errors": (("session", "block"), E, {"units": "1", "long_name": "Errors in the block"}),
         "p_correct": (("session", "block"), P, {"units": "1", "long_name": "Model P(correct) per item"})},
        coords={"session": ("session", np.arange(n_sessions), {"units": "1", "long_name": "Session"}),
                "block": ("block", blocks, {"units": "1", "long_name": "Block (1-based)"})})
