"""Cas9 editing kinetics: the seed essay's cut-probability formula and a mass-action model of the scheme.

The seed essay (section 4.1-4.2) writes genome editing as

.. math::

    C + g \\to Cg, \\quad Cg + S \\to CgS, \\quad CgS \\to \\text{DSB}, \\quad \\text{DSB} \\to \\text{repair}

and a "cut probability" :func:`seed_p_cut`. This module keeps that formula exactly as written (to show
what is wrong with it) and builds the mechanistic version: a mass-action reaction network
(:data:`REACTIONS`) solved with a stiff solver (:func:`simulate_ode`), whose reactions are shared with
the Gillespie simulation in :mod:`augbench.grna.stochastic`.

Amounts are **molecules per cell** (per nucleus) and second-order rate constants are per molecule per
second in one nucleus, so the same numbers drive the deterministic and the stochastic model. Use
:func:`molecules_from_nM` to convert concentrations (nucleus volume is a parameter, 1 pL by default).

Rates and their sources live in ``augbench/grna/params/brinkman2018_eslami2022_ode_rates.csv``
(:func:`rates_table`); the ``status`` column says which are literature values, which are derived and which
are assumptions. Only three are anchored in the verified literature values (``data/kinetics``): the
cleavage rate (Eslami-Mossallam et al. 2022 fit), the total repair rate (Brinkman et al. 2018: DSB
half-life up to ~10 h) and the search rate (Jones et al. 2017: ~6 h per target in *E. coli*, scaled).
"""
from __future__ import annotations

import dataclasses
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from augbench._validate import check_int, check_option, check_range

__all__ = ["SPECIES", "REACTIONS", "OUTCOMES", "CasRates", "default_rates", "rates_table", "seed_p_cut",
           "seed_p_cut_units", "molecules_from_nM", "stoichiometry", "propensities", "ode_rhs", "ode_jacobian",
           "initial_state", "simulate_ode", "solve_amounts", "allele_fractions", "rnp_equilibrium", "linear_allele_generator"]

AVOGADRO = 6.02214076e23
PARAMS_CSV = Path(__file__).resolve().parent / "params" / "brinkman2018_eslami2022_ode_rates.csv"

#: Species tracked by the model, in order (molecules per cell). ``target``/``bound`` are alleles never
#: cut so far (and the RNP bound to them); ``target_r``/``bound_r`` are alleles restored by perfect repair;
#: ``cuts`` counts cleavage events (a counter, not a molecule).
SPECIES = ("cas9", "grna", "rnp", "target", "bound", "target_r", "bound_r", "dsb", "indel", "hdr", "cuts")
_IX = {s: i for i, s in enumerate(SPECIES)}

#: Reactions: (name, reactants, products, rate-constant name). Mass action: propensity = k x product of
#: reactant amounts (molecules). Cleavage releases the RNP (multi-turnover after product release, as in
#: Nat Commun 2025 doi:10.1038/s41467-025-60668-7; in vitro SpCas9 can stay bound for hours: an assumption).
REACTIONS = (
    ("assemble", ("cas9", "grna"), ("rnp",), "k_assemble"),
    ("disassemble", ("rnp",), ("cas9", "grna"), "k_disassemble"),
    ("bind", ("rnp", "target"), ("bound",), "k_search"),
    ("unbind", ("bound",), ("rnp", "target"), "k_unbind"),
    ("cut", ("bound",), ("rnp", "dsb", "cuts"), "k_cut"),
    ("bind_r", ("rnp", "target_r"), ("bound_r",), "k_search"),
    ("unbind_r", ("bound_r",), ("rnp", "target_r"), "k_unbind"),
    ("cut_r", ("bound_r",), ("rnp", "dsb", "cuts"), "k_cut"),
    ("repair_perfect", ("dsb",), ("target_r",), "k_perfect"),
    ("repair_indel", ("dsb",), ("indel",), "k_indel"),
    ("repair_hdr", ("dsb",), ("hdr",), "k_hdr"),
    ("degrade_cas9", ("cas9",), (), "k_deg_cas9"),
    ("degrade_grna", ("grna",), (), "k_deg_grna"),
    ("degrade_rnp", ("rnp",), (), "k_deg_cas9"),
)

#: Allele-level outcomes reported by :func:`allele_fractions` (fractions of all alleles).
OUTCOMES = ("intact", "bound", "dsb", "indel", "hdr", "edited", "ever_cut")


@lru_cache(maxsize=1)
def rates_table():
    """The rate-constant table with sources.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter`` (str), ``value`` (float), ``unit`` (str), ``status`` (``literature ...``,
        ``derived`` or ``assumption``), ``source`` (citation with DOI), ``derivation`` and ``note`` (str).
    """
    import pandas as pd

    return pd.read_csv(PARAMS_CSV)


@dataclasses.dataclass(frozen=True)
class CasRates:
    """Rate constants of the mass-action model (all in s^-1, second-order ones per molecule per cell).

    Build from the sourced table with :func:`default_rates`; override single values with
    ``dataclasses.replace(rates, k_cut=1.0)`` or :meth:`with_`.

    Attributes
    ----------
    k_assemble : float
        Cas9 + sgRNA -> RNP, molecule^-1 s^-1.
    k_disassemble : float
        RNP -> Cas9 + sgRNA, s^-1.
    k_search : float
        RNP finds one given target allele, per RNP, s^-1 (molecule^-1 s^-1).
    k_unbind : float
        Bound RNP leaves the target uncut, s^-1.
    k_cut : float
        Cleavage of the bound target, s^-1.
    k_perfect, k_indel, k_hdr : float
        DSB repair to the intact sequence, to an indel, to the HDR allele (the latter only with a donor), s^-1.
    k_deg_cas9, k_deg_grna : float
        Degradation of Cas9/RNP and of free sgRNA, s^-1.
    """

    k_assemble: float
    k_disassemble: float
    k_search: float
    k_unbind: float
    k_cut: float
    k_perfect: float
    k_indel: float
    k_hdr: float
    k_deg_cas9: float
    k_deg_grna: float

    def __post_init__(self):
        for f in dataclasses.fields(self):
            check_range(f.name, getattr(self, f.name), 0.0, None)

    def with_(self, **changes) -> "CasRates":
        """A copy with some rates changed (names as the attributes)."""
        for k in changes:
            check_option("rate name", k, [f.name for f in dataclasses.fields(self)])
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def vector(self, donor: bool = True) -> np.ndarray:
        """Rate constant of each reaction in :data:`REACTIONS` order (``k_hdr`` set to 0 without donor)."""
        d = self.as_dict()
        if not donor:
            d["k_hdr"] = 0.0
        return np.array([d[r[3]] for r in REACTIONS], dtype=float)


def default_rates(*, repair_half_life_h: float | None = None) -> CasRates:
    """Rates from ``params/brinkman2018_eslami2022_ode_rates.csv``.

    Repair is split as ``k_perfect = frac_perfect * k_repair_total`` etc. (fractions are assumptions).

    Parameters
    ----------
    repair_half_life_h : float, optional
        Override the total DSB repair half-life in hours (default: Brinkman et al. 2018's ~10 h, the slow
        end of their range).
    """
    t = rates_table().set_index("parameter")["value"].astype(float)
    k_rep = float(t["k_repair_total"])
    if repair_half_life_h is not None:
        check_range("repair_half_life_h", repair_half_life_h, 0.0, None, low_inclusive=False)
        k_rep = math.log(2) / (repair_half_life_h * 3600.0)
    return CasRates(k_assemble=float(t["k_assemble"]), k_disassemble=float(t["k_disassemble"]),
                    k_search=float(t["k_search"]), k_unbind=float(t["k_unbind"]), k_cut=float(t["k_cut"]),
                    k_perfect=float(t["frac_perfect"]) * k_rep, k_indel=float(t["frac_indel"]) * k_rep,
                    k_hdr=float(t["frac_hdr"]) * k_rep, k_deg_cas9=float(t["k_deg_cas9"]),
                    k_deg_grna=float(t["k_deg_grna"]))


# --------------------------------------------------------------------------------------------------------
# The seed's formula
# --------------------------------------------------------------------------------------------------------
def seed_p_cut(cas9_nM, grna_nM, *, k1: float = 1.0, K1_nM: float = 10.0, K2_nM: float = 10.0):
    """The seed essay's "cut probability", exactly as written (section 4.2.1).

    .. math::

        P_{cut} = k_1 \\frac{[Cas9][g]}{K_1 + [Cas9]} \\frac{[gRNA]^2}{K_2 + [gRNA]}

    The essay's ``[g]`` and ``[gRNA]`` are the same species, so the gRNA concentration enters three times
    (``[g] * [gRNA]**2``) and the result is not a probability: with concentrations in nM it has units
    ``unit(k1) * nM^2`` (see :func:`seed_p_cut_units`), grows without bound with the gRNA dose, exceeds 1
    for ordinary doses, and contains no time, no target and no repair.

    Parameters
    ----------
    cas9_nM, grna_nM : float or array_like
        Cas9 and gRNA concentrations, nM (broadcast together).
    k1 : float
        The essay's ``k1`` ("rate constant"); its unit is whatever makes the result meaningful (none does).
    K1_nM, K2_nM : float
        The essay's ``K1`` and ``K2`` (nM).

    Returns
    -------
    ndarray
        The formula's value, in ``unit(k1) * nM^2``.
    """
    check_range("K1_nM", K1_nM, 0.0, None)
    check_range("K2_nM", K2_nM, 0.0, None)
    c = np.asarray(cas9_nM, dtype=float)
    g = np.asarray(grna_nM, dtype=float)
    if np.any(c < 0) or np.any(g < 0):
        raise ValueError("cas9_nM and grna_nM must be >= 0 (concentrations in nM)")
    return k1 * c * g / (K1_nM + c) * g ** 2 / (K2_nM + g)


def seed_p_cut_units(k1_unit: str = "s^-1") -> str:
    """Dimension of :func:`seed_p_cut` for a given unit of ``k1`` (concentrations in nM).

    ``[Cas9][g]/(K1+[Cas9])`` is a concentration, ``[gRNA]^2/(K2+[gRNA])`` is a concentration, so
    ``P_cut`` has units ``k1 * nM^2``: dimensionless only if ``k1`` is in nM^-2, and never bounded by 1.
    """
    return f"{k1_unit} nM^2" if k1_unit not in ("", "1") else "nM^2"


def molecules_from_nM(c_nM, volume_pL: float = 1.0):
    """Molecules in a volume at a concentration: ``n = c * N_A * V`` (1 nM in 1 pL = 0.602 molecules)."""
    check_range("volume_pL", volume_pL, 0.0, None, low_inclusive=False)
    return np.asarray(c_nM, dtype=float) * 1e-9 * AVOGADRO * volume_pL * 1e-12


# --------------------------------------------------------------------------------------------------------
# Mass-action network
# --------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _network():
    n_r, n_s = len(REACTIONS), len(SPECIES)
    S = np.zeros((n_r, n_s))
    reac = []
    for j, (_, rs, ps, _) in enumerate(REACTIONS):
        for s in rs:
            S[j, _IX[s]] -= 1
        for s in ps:
            S[j, _IX[s]] += 1
        reac.append(tuple(_IX[s] for s in rs))
    S.setflags(write=False)
    return S, tuple(reac)


def stoichiometry() -> np.ndarray:
    """Net change of each species (columns, :data:`SPECIES`) per reaction (rows, :data:`REACTIONS`)."""
    return _network()[0].copy()


def propensities(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Mass-action propensities ``a_j = k_j * prod(x[reactants_j])``.

    Parameters
    ----------
    x : ndarray, shape (..., n_species)
        Amounts in molecules per cell (float for the ODE, int for Gillespie).
    k : ndarray, shape (n_reactions,)
        Rate constants (:meth:`CasRates.vector`).

    Returns
    -------
    ndarray, shape (..., n_reactions), in s^-1.
    """
    _, reac = _network()
    x = np.asarray(x, dtype=float)
    out = np.empty(x.shape[:-1] + (len(REACTIONS),))
    for j, rs in enumerate(reac):
        a = np.full(x.shape[:-1], k[j])
        for i in rs:
            a = a * x[..., i]
        out[..., j] = a
    return out


def ode_rhs(t, x, k):
    """Right-hand side ``dx/dt = S^T a(x)`` (molecules per cell per s)."""
    S, _ = _network()
    return propensities(x, k) @ S


def ode_jacobian(t, x, k):
    """Analytic Jacobian ``d(dx/dt)/dx``, shape (n_species, n_species)."""
    S, reac = _network()
    x = np.asarray(x, dtype=float)
    da = np.zeros((len(REACTIONS), len(SPECIES)))
    for j, rs in enumerate(reac):
        for i in rs:
            d = k[j]
            for m in rs:
                if m != i:
                    d = d * x[m]
            da[j, i] += d
    return S.T @ da


def initial_state(cas9: float = 1000.0, grna: float = 2000.0, *, rnp: float = 0.0, n_alleles: int = 2) -> np.ndarray:
    """Initial amounts (molecules per cell) in :data:`SPECIES` order; all alleles start intact and unbound.

    Parameters
    ----------
    cas9, grna : float
        Free Cas9 protein and free sgRNA delivered to the nucleus (molecules per cell).
    rnp : float
        Pre-assembled RNP (RNP delivery), molecules per cell.
    n_alleles : int
        Target alleles per cell (2 for a diploid locus).
    """
    check_range("cas9", cas9, 0.0, None)
    check_range("grna", grna, 0.0, None)
    check_range("rnp", rnp, 0.0, None)
    n_alleles = check_int("n_alleles", n_alleles, 1, None)
    x = np.zeros(len(SPECIES))
    x[_IX["cas9"]], x[_IX["grna"]], x[_IX["rnp"]], x[_IX["target"]] = cas9, grna, rnp, n_alleles
    return x


def allele_fractions(amount: np.ndarray, n_alleles: float) -> np.ndarray:
    """Allele outcomes (:data:`OUTCOMES`) from amounts, shape (..., n_species) -> (..., 7), fractions of alleles.

    ``intact`` includes bound alleles (not yet cut, or perfectly repaired); ``bound`` is the RNP-bound part;
    ``edited = indel + hdr``; ``ever_cut`` = 1 - (never-cut alleles) / n_alleles.
    """
    a = np.asarray(amount, dtype=float)
    g = lambda s: a[..., _IX[s]]  # noqa: E731
    intact = g("target") + g("bound") + g("target_r") + g("bound_r")
    bound = g("bound") + g("bound_r")
    out = np.stack([intact, bound, g("dsb"), g("indel"), g("hdr"), g("indel") + g("hdr"),
                    n_alleles - g("target") - g("bound")], axis=-1)
    return out / n_alleles


def _time_grid(t_end_h, n_times):
    check_range("t_end_h", t_end_h, 0.0, None, low_inclusive=False)
    n_times = check_int("n_times", n_times, 2, 100000)
    return np.linspace(0.0, float(t_end_h), n_times)


def make_dataset(time_h, amount, n_alleles, attrs, extra_dims=None):
    """Wrap amounts (..., time, species) as an xarray Dataset with units (shared with the stochastic model)."""
    import xarray as xr

    extra_dims = list(extra_dims or [])
    dims = extra_dims + ["time", "species"]
    frac = allele_fractions(amount, n_alleles)
    ds = xr.Dataset(
        {"amount": (dims, amount, {"units": "molecules per cell", "long_name": "Amount per cell"}),
         "allele_fraction": (extra_dims + ["time", "outcome"], frac,
                             {"units": "1", "long_name": "Fraction of target alleles"})},
        coords={"time": ("time", np.asarray(time_h, float), {"units": "h", "long_name": "Time after delivery"}),
                "species": ("species", list(SPECIES), {"units": "1", "long_name": "Species"}),
                "outcome": ("outcome", list(OUTCOMES), {"units": "1", "long_name": "Allele outcome"})},
        attrs=attrs)
    return ds


def simulate_ode(cas9: float = 1000.0, grna: float = 2000.0, *, rnp: float = 0.0, n_alleles: int = 2,
                 donor: bool = True, rates: CasRates | None = None, t_end_h: float = 24.0, n_times: int = 97,
                 method: str = "LSODA", rtol: float = 1e-8, atol: float = 1e-10):
    """Solve the mass-action model of the seed's scheme with a stiff solver.

    Reactions (:data:`REACTIONS`): RNP assembly/disassembly, target search and binding/unbinding, cleavage,
    perfect repair (back to an intact, re-cuttable allele), mutagenic repair (indel, no longer a target),
    HDR with a donor, degradation of Cas9/RNP and of free sgRNA. Mass action,
    ``dx/dt = S^T a(x)``, solved by ``scipy.integrate.solve_ivp`` with a stiff method and the analytic
    Jacobian (LSODA switches to BDF when the problem is stiff: cleavage at ~2 s^-1 against repair at
    ~1e-5 s^-1 is a stiffness ratio of ~1e5).

    Parameters
    ----------
    cas9, grna, rnp : float
        Initial free Cas9, free sgRNA and pre-assembled RNP, molecules per cell.
    n_alleles : int
        Target alleles per cell.
    donor : bool
        Whether an HDR donor is present (without it ``k_hdr`` is 0).
    rates : CasRates, optional
        Rate constants; :func:`default_rates` if None.
    t_end_h : float
        End time, h. ``n_times`` evenly spaced output times from 0.
    method : {"LSODA", "BDF", "Radau"}
        Stiff solver (LSODA ~0.1 s, BDF ~0.25 s for 24 h at default rates).

    Returns
    -------
    xarray.Dataset
        ``amount`` (time, species) in molecules per cell; ``allele_fraction`` (time, outcome); coordinate
        ``time`` in h; attrs hold the doses and every rate (s^-1).
    """
    rates = default_rates() if rates is None else rates
    t_h = _time_grid(t_end_h, n_times)
    x0 = initial_state(cas9, grna, rnp=rnp, n_alleles=n_alleles)
    amount = solve_amounts(x0, t_h, rates=rates, donor=donor, method=method, rtol=rtol, atol=atol)
    attrs = {"model": "mass-action ODE", "solver": method, "cas9": float(cas9), "grna": float(grna),
             "rnp": float(rnp), "n_alleles": int(n_alleles), "donor": int(bool(donor)),
             **{f"rate_{kk}_per_s": float(v) for kk, v in rates.as_dict().items()}}
    return make_dataset(t_h, amount, n_alleles, attrs)


def solve_amounts(x0, times_h, *, rates: CasRates | None = None, donor: bool = True, method: str = "LSODA",
                  rtol: float = 1e-8, atol: float = 1e-10) -> np.ndarray:
    """Amounts (molecules per cell) at ``times_h`` (h, increasing, starting >= 0) from initial amounts ``x0``.

    The numerical core of :func:`simulate_ode`; returns ndarray, shape (n_times, n_species).
    """
    from scipy.integrate import solve_ivp

    check_option("method", method, ["BDF", "Radau", "LSODA"])
    rates = default_rates() if rates is None else rates
    t_h = np.asarray(times_h, float)
    if t_h.ndim != 1 or t_h.size < 1 or np.any(np.diff(t_h) <= 0) or t_h[0] < 0:
        raise ValueError(f"times_h must be increasing times >= 0 (h); got {t_h}")
    k = rates.vector(donor)
    t_end = max(t_h[-1], 1e-9) * 3600.0
    sol = solve_ivp(ode_rhs, (0.0, t_end), np.asarray(x0, float), method=method, t_eval=t_h * 3600.0, args=(k,),
                    rtol=rtol, atol=atol, jac=ode_jacobian)
    if not sol.success:
        raise RuntimeError(f"ODE solver {method} failed: {sol.message}")
    return np.clip(sol.y.T, 0.0, None)


def rnp_equilibrium(cas9: float, grna: float, kd: float) -> float:
    """Equilibrium RNP (molecules) of ``Cas9 + g <-> RNP`` with dissociation constant ``kd`` (molecules).

    Root of ``(C0 - R)(G0 - R) = kd * R`` in [0, min(C0, G0)].
    """
    b = cas9 + grna + kd
    return (b - math.sqrt(b * b - 4 * cas9 * grna)) / 2.0


def linear_allele_generator(k_cut_eff: float, k_perfect: float, k_indel: float, k_hdr: float = 0.0) -> np.ndarray:
    """Generator matrix of the reduced allele model with constant effective cut rate (RNP in excess).

    States ``(intact, dsb, indel, hdr)``; ``dp/dt = Q p`` with ``intact -> dsb`` at ``k_cut_eff`` and
    ``dsb -> intact | indel | hdr`` at ``k_perfect | k_indel | k_hdr`` (s^-1). Used by :mod:`augbench.grna.fit`
    and as an analytic check of :func:`simulate_ode`.
    """
    Q = np.zeros((4, 4))
    Q[1, 0] += k_cut_eff
    Q[0, 0] -= k_cut_eff
    for i, kk in ((0, k_perfect), (2, k_indel), (3, k_hdr)):
        Q[i, 1] += kk
        Q[1, 1] -= kk
    return Q
