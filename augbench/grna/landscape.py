"""Mismatch-aware target recognition: an energy-landscape (master-equation) model of R-loop formation.

States: solution (RNP free), PAM-bound, R-loop of length 1..20 (counted from the PAM) and cleaved. The
RNP binds the PAM at ``on_rate`` (s^-1 = k_bind x [RNP]), leaves it at ``k_off``, extends the R-loop
by one base pair at ``k_f`` per step, and cleaves from the complete R-loop at ``k_clv``. Backward rates
follow from detailed balance with the free-energy landscape: ``k_b(n) = k_f * exp(G(n) - G(n-1))`` (kBT),
where ``G(n)`` is the on-target R-loop free energy relative to the PAM-bound state plus, for each
mismatch at position ``p <= n``, its penalty (Klein et al. 2018 Cell Rep 22:1413,
doi:10.1016/j.celrep.2018.01.045; Eslami-Mossallam et al. 2022 Nat Commun 13:1367,
doi:10.1038/s41467-022-28994-2). The occupancy obeys ``dP/dt = M P`` and is solved exactly with a matrix
exponential.

Parameters are the published average landscapes packaged in crisprzip 1.2.3, copied into
``data/kinetics/crisprzip_landscape_params.csv`` (``average_params``: 2025 set; ``average_params_legacy``:
as published in 2022). This is an independent implementation, validated against crisprzip's
single-mismatch profile (``data/kinetics/crisprzip_single_mismatch_profile.csv``). The
sequence-dependent set (``sequence_params``) needs nearest-neighbour hybridisation energies and is not
implemented here: all predictions are sequence-averaged, depending only on mismatch positions.
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np

from augbench._validate import check_option, check_range

__all__ = ["Landscape", "load_landscape", "PARAM_SETS", "state_labels", "landscape_energies", "rate_matrix",
           "occupancy", "cleaved_fraction", "bound_fraction", "cleavage_probability", "effective_cleavage_rate",
           "mismatch_pattern", "cleavage_for_pairs", "single_mismatch_profile", "cfd_position_sensitivity",
           "compare_with_cfd", "GUIDE_LENGTH"]

GUIDE_LENGTH = 20
PARAM_SETS = ("average_params", "average_params_legacy")


@dataclasses.dataclass(frozen=True)
class Landscape:
    """A sequence-averaged SpCas9 landscape.

    Attributes
    ----------
    name : str
        Parameter set name.
    on_target : ndarray, shape (20,)
        Free energy of the R-loop of length 1..20 relative to the PAM-bound state, kBT.
    penalties : ndarray, shape (20,)
        Mismatch penalty at positions 1..20 from the PAM, kBT.
    k_off, k_f, k_clv : float
        PAM unbinding, R-loop forward step and cleavage rates, s^-1.
    k_bind : float
        PAM binding rate constant (in vitro), nM^-1 s^-1.
    """

    name: str
    on_target: np.ndarray
    penalties: np.ndarray
    k_off: float
    k_f: float
    k_clv: float
    k_bind: float


@lru_cache(maxsize=4)
def load_landscape(param_set: str = "average_params") -> Landscape:
    """Load a parameter set from ``data/kinetics/crisprzip_landscape_params.csv`` (see its PROVENANCE.md)."""
    import pandas as pd

    from augbench import data

    check_option("param_set", param_set, PARAM_SETS)
    df = pd.read_csv(data.path("kinetics/crisprzip_landscape_params"))
    d = df[df.param_set == param_set]

    def vec(name):
        v = d[d.parameter == name].sort_values("position")
        arr = v.value.to_numpy(float)
        if arr.size != GUIDE_LENGTH:
            raise ValueError(f"{name} of {param_set!r} has {arr.size} positions; expected {GUIDE_LENGTH}")
        arr.setflags(write=False)
        return arr

    def scal(name):
        return float(d[d.parameter == name].value.iloc[0])

    return Landscape(param_set, vec("on_target_landscape"), vec("mismatch_penalty"), scal("k_off"), scal("k_f"),
                     scal("k_clv"), scal("k_bind_in_vitro"))


def state_labels() -> list[str]:
    """Names of the 23 states: ``solution``, ``PAM``, ``R1`` .. ``R20``, ``cleaved``."""
    return ["solution", "PAM"] + [f"R{i}" for i in range(1, GUIDE_LENGTH + 1)] + ["cleaved"]


def _as_pattern(mismatches) -> np.ndarray:
    m = np.zeros(GUIDE_LENGTH, bool) if mismatches is None else np.asarray(mismatches)
    if m.dtype.kind in "iu" and m.size != GUIDE_LENGTH:  # list of positions 1..20
        pos = m.ravel()
        if np.any((pos < 1) | (pos > GUIDE_LENGTH)):
            raise ValueError(f"mismatch positions {pos.tolist()} must be in 1..{GUIDE_LENGTH} (1 = PAM-adjacent)")
        m = np.zeros(GUIDE_LENGTH, bool)
        m[pos - 1] = True
        return m
    if m.size == 0:
        return np.zeros(GUIDE_LENGTH, bool)
    if m.shape != (GUIDE_LENGTH,):
        raise ValueError(f"mismatches has shape {m.shape}; expected a boolean pattern of length {GUIDE_LENGTH} "
                         "(index 0 = PAM-adjacent) or a list of positions 1..20")
    return m.astype(bool)


def landscape_energies(mismatches=None, param_set: str = "average_params") -> np.ndarray:
    """Free energies (kBT) of PAM, R1..R20 for a mismatch pattern, relative to the PAM-bound state.

    Parameters
    ----------
    mismatches : array_like of bool, shape (20,), or list of int positions, optional
        Mismatch pattern (index 0 / position 1 = PAM-adjacent). None: on-target.

    Returns
    -------
    ndarray, shape (21,)
        ``[0, G(1), ..., G(20)]`` in kBT; a mismatch at ``p`` raises every state ``>= p`` by its penalty.
    """
    ls = load_landscape(param_set)
    m = _as_pattern(mismatches)
    return np.concatenate([[0.0], ls.on_target + np.cumsum(m * ls.penalties)])


def rate_matrix(mismatches=None, on_rate: float = 0.1, *, param_set: str = "average_params",
                dead: bool = False) -> np.ndarray:
    """Generator ``M`` of ``dP/dt = M P`` over the 23 states (:func:`state_labels`), s^-1.

    ``M[j, i]`` is the rate from state ``i`` to ``j``; columns sum to 0. ``dead=True`` sets ``k_clv = 0``
    (catalytically dead dCas9).
    """
    check_range("on_rate", on_rate, 0.0, None)
    ls = load_landscape(param_set)
    G = landscape_energies(mismatches, param_set)
    n = GUIDE_LENGTH + 3
    fwd = np.zeros(n)
    bwd = np.zeros(n)
    fwd[0] = on_rate
    fwd[1:GUIDE_LENGTH + 1] = ls.k_f  # PAM -> R1, ..., R19 -> R20
    fwd[GUIDE_LENGTH + 1] = 0.0 if dead else ls.k_clv  # R20 -> cleaved
    bwd[1] = ls.k_off  # PAM -> solution
    bwd[2:GUIDE_LENGTH + 2] = ls.k_f * np.exp(np.diff(G))  # R_n -> R_{n-1} (detailed balance)
    M = np.diag(-(fwd + bwd)) + np.diag(fwd[:-1], -1) + np.diag(bwd[1:], 1)
    return M


def occupancy(mismatches=None, time_s=600.0, on_rate: float = 0.1, *, param_set: str = "average_params",
              dead: bool = False, start: str = "solution") -> np.ndarray:
    """State occupancy ``P(t) = expm(M t) P(0)``.

    Parameters
    ----------
    time_s : float or array_like
        Times, s.
    start : {"solution", "PAM"}
        Initial state.

    Returns
    -------
    ndarray, shape (n_times, 23)
        Probabilities of each state (:func:`state_labels`) at each time.
    """
    from scipy.linalg import expm

    check_option("start", start, ["solution", "PAM"])
    M = rate_matrix(mismatches, on_rate, param_set=param_set, dead=dead)
    p0 = np.zeros(M.shape[0])
    p0[0 if start == "solution" else 1] = 1.0
    t = np.atleast_1d(np.asarray(time_s, float))
    if np.any(t < 0):
        raise ValueError(f"time_s must be >= 0; got {t.min()}")
    out = np.array([expm(M * ti) @ p0 for ti in t])
    out = np.clip(out, 0.0, None)
    return out / out.sum(axis=1, keepdims=True)


def cleaved_fraction(mismatches=None, time_s=600.0, on_rate: float = 0.1, *, param_set: str = "average_params"):
    """Fraction of targets cleaved at ``time_s`` (s), starting unbound, with rebinding at ``on_rate`` (s^-1)."""
    out = occupancy(mismatches, time_s, on_rate, param_set=param_set)[:, -1]
    return out if np.ndim(time_s) else float(out[0])


def bound_fraction(mismatches=None, time_s=600.0, on_rate: float = 0.1, *, param_set: str = "average_params"):
    """Fraction of targets bound (PAM or R-loop) by catalytically dead Cas9 at ``time_s`` (PAM state counted)."""
    out = 1.0 - occupancy(mismatches, time_s, on_rate, param_set=param_set, dead=True)[:, 0]
    return out if np.ndim(time_s) else float(out[0])


def cleavage_probability(mismatches=None, *, param_set: str = "average_params") -> float:
    """Probability that a PAM-bound RNP cleaves before it falls off (splitting probability).

    Solved on the transient states PAM..R20 with solution and cleaved absorbing: ``P = 1 - Pr(unbind)``.
    """
    M = rate_matrix(mismatches, 0.0, param_set=param_set)
    T = M[1:-1, 1:-1]  # transient block (PAM..R20)
    # absorption probabilities: -T^T u = rate into cleaved from each transient state
    r_clv = M[-1, 1:-1]
    u = np.linalg.solve(-T.T, r_clv)
    return float(np.clip(u[0], 0.0, 1.0))


def effective_cleavage_rate(mismatches=None, on_rate: float = 0.1, *, param_set: str = "average_params") -> float:
    """Effective first-order cleavage rate (s^-1) from the free state: 1 / mean first-passage time to cleaved.

    With rebinding at ``on_rate``; for fast binding/unbinding this approaches
    ``on_rate * cleavage_probability``.
    """
    check_range("on_rate", on_rate, 0.0, None, low_inclusive=False)
    M = rate_matrix(mismatches, on_rate, param_set=param_set)
    T = M[:-1, :-1]  # solution..R20 transient, cleaved absorbing
    tau = np.linalg.solve(T.T, -np.ones(T.shape[0]))
    return float(1.0 / tau[0])


_VALID = set("ACGTN")


def _clean(seq, what, i):
    if not isinstance(seq, str):
        raise TypeError(f"{what}[{i}]={seq!r} must be a string")
    s = seq.strip().upper().replace("U", "T")
    bad = [(j, b) for j, b in enumerate(s) if b not in _VALID]
    if bad:
        j, b = bad[0]
        raise ValueError(f"{what}[{i}] contains {b!r} at position {j}; expected A, C, G, T (or N)")
    if len(s) not in (20, 23):
        raise ValueError(f"{what}[{i}] has length {len(s)}; expected 20 (protospacer) or 23 (protospacer + PAM)")
    return s


def mismatch_pattern(guide: str, target: str) -> np.ndarray:
    """Mismatch pattern (index 0 = position 1 = PAM-adjacent) between two 20/23-nt protospacers (5'->3').

    Both are written as the protospacer on its own strand (the off-target as the genome shows it next to its
    PAM); ``N`` matches anything.
    """
    g = _clean(guide, "guide", 0)[:20]
    t = _clean(target, "target", 0)[:20]
    mm = np.array([a != b and a != "N" and b != "N" for a, b in zip(g, t)])
    return mm[::-1].copy()


def cleavage_for_pairs(guide_seqs, target_seqs, *, on_rate: float = 0.1, time_s: float = 3600.0,
                       param_set: str = "average_params"):
    """Predicted cleavage of each (guide, off-target) pair by the energy-landscape model.

    Parameters
    ----------
    guide_seqs, target_seqs : str or sequence of str
        Guides and targets, 20 nt (protospacer) or 23 nt (protospacer + PAM), 5'->3' on the protospacer
        strand; equal numbers (a single guide is broadcast against many targets).
    on_rate : float
        PAM binding rate, s^-1 (= k_bind x [RNP]; 0.1 s^-1 as in crisprzip's README example).
    time_s : float
        Exposure time for ``cleaved_fraction``, s.
    param_set : {"average_params", "average_params_legacy"}

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``guide``, ``target`` (str, 20 nt), ``pam`` (str, "" if not given), ``pam_ngg``
        (bool; the average landscapes assume a canonical PAM, so non-NGG rows are predictions *as if* the
        PAM were bound: treat them as upper bounds), ``n_mismatches`` (int), ``mismatch_positions`` (str,
        positions from the PAM, comma separated), ``p_clv`` (float, cleavage probability per PAM-binding
        event), ``k_eff_per_s`` (float, effective cleavage rate, s^-1), ``cleaved_fraction`` (float, at
        ``time_s``), ``relative_rate`` (float, ``k_eff`` / on-target ``k_eff`` of the same model).
    """
    import pandas as pd

    gs = [guide_seqs] if isinstance(guide_seqs, str) else list(guide_seqs)
    ts = [target_seqs] if isinstance(target_seqs, str) else list(target_seqs)
    if len(gs) == 1 and len(ts) > 1:
        gs = gs * len(ts)
    if len(gs) != len(ts):
        raise ValueError(f"guide_seqs has {len(gs)} entries but target_seqs has {len(ts)}; expected equal numbers "
                         "or a single guide")
    k_on_target = effective_cleavage_rate(None, on_rate, param_set=param_set)
    cache: dict = {}
    rows = []
    for i, (g, t) in enumerate(zip(gs, ts)):
        g = _clean(g, "guide_seqs", i)
        t = _clean(t, "target_seqs", i)
        pam = t[20:]
        mm = np.array([a != b and a != "N" and b != "N" for a, b in zip(g[:20], t[:20])])[::-1]
        key = mm.tobytes()
        if key not in cache:
            cache[key] = (cleavage_probability(mm, param_set=param_set),
                          effective_cleavage_rate(mm, on_rate, param_set=param_set),
                          cleaved_fraction(mm, time_s, on_rate, param_set=param_set))
        p, k, f = cache[key]
        rows.append({"guide": g[:20], "target": t[:20], "pam": pam, "pam_ngg": (pam[1:] == "GG") if pam else True,
                     "n_mismatches": int(mm.sum()),
                     "mismatch_positions": ",".join(str(j + 1) for j in np.flatnonzero(mm)),
                     "p_clv": p, "k_eff_per_s": k, "cleaved_fraction": f, "relative_rate": k / k_on_target})
    return pd.DataFrame(rows)


def single_mismatch_profile(*, param_set: str = "average_params", time_s: float = 600.0, on_rate: float = 0.1):
    """Effect of one mismatch at each position 1..20 (from the PAM).

    Returns
    -------
    pandas.DataFrame
        Columns ``mm_position`` (int; 0 = on-target), ``cleaved_fraction`` (at ``time_s``),
        ``bound_fraction_dcas9`` (at ``time_s``), ``p_clv`` (per PAM-binding event), ``k_eff_per_s`` (s^-1).
    """
    import pandas as pd

    rows = []
    for p in range(GUIDE_LENGTH + 1):
        mm = None if p == 0 else [p]
        rows.append({"mm_position": p,
                     "cleaved_fraction": cleaved_fraction(mm, time_s, on_rate, param_set=param_set),
                     "bound_fraction_dcas9": bound_fraction(mm, time_s, on_rate, param_set=param_set),
                     "p_clv": cleavage_probability(mm, param_set=param_set),
                     "k_eff_per_s": effective_cleavage_rate(mm, on_rate, param_set=param_set)})
    return pd.DataFrame(rows)


def cfd_position_sensitivity():
    """Mean CFD single-mismatch activity per position, re-indexed from the PAM.

    Reads ``data/grna/tables/cfd_mismatch_scores_doench2016`` (Doench et al. 2016 Nat Biotech 34:184,
    doi:10.1038/nbt.3437): position 1 = PAM-distal there, so ``mm_position = 21 - position``.

    Returns
    -------
    pandas.DataFrame
        ``mm_position`` (1..20 from the PAM), ``cfd_mean``, ``cfd_min``, ``cfd_max`` (activity over the 12
        mismatch types, 0..1).
    """
    import pandas as pd

    from augbench import data

    df = pd.read_csv(data.path("grna/tables/cfd_mismatch_scores_doench2016"))
    g = df.groupby("position")["activity"].agg(["mean", "min", "max"]).reset_index()
    g["mm_position"] = 21 - g["position"]
    g = g.rename(columns={"mean": "cfd_mean", "min": "cfd_min", "max": "cfd_max"})
    return g[["mm_position", "cfd_mean", "cfd_min", "cfd_max"]].sort_values("mm_position").reset_index(drop=True)


def compare_with_cfd(*, param_set: str = "average_params", time_s: float = 600.0, on_rate: float = 0.1,
                     measure: str = "cleaved_fraction"):
    """Correlate the energy model's single-mismatch position sensitivity with CFD's.

    Parameters
    ----------
    measure : {"cleaved_fraction", "p_clv", "k_eff_per_s"}
        Model quantity, relative to the on-target value.

    Returns
    -------
    table : pandas.DataFrame
        Per position 1..20: ``mm_position``, ``model_relative`` (model value / on-target), ``cfd_mean``.
    stats : dict
        ``spearman``, ``pearson`` (and their p values) between ``model_relative`` and ``cfd_mean``.
    """
    from scipy import stats as sst

    check_option("measure", measure, ["cleaved_fraction", "p_clv", "k_eff_per_s"])
    prof = single_mismatch_profile(param_set=param_set, time_s=time_s, on_rate=on_rate)
    on = prof.loc[prof.mm_position == 0, measure].iloc[0]
    prof = prof[prof.mm_position > 0].copy()
    prof["model_relative"] = prof[measure] / on
    tab = prof[["mm_position", "model_relative"]].merge(cfd_position_sensitivity(), on="mm_position")
    rs = sst.spearmanr(tab.model_relative, tab.cfd_mean)
    rp = sst.pearsonr(tab.model_relative, tab.cfd_mean)
    return tab, {"spearman": float(rs.statistic), "spearman_p": float(rs.pvalue), "pearson": float(rp.statistic),
                 "pearson_p": float(rp.pvalue)}
