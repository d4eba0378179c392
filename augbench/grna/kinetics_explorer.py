"""State for the Cas9 kinetics views: one ``param.Parameterized`` holding doses, rates and the mismatch pattern.

Views (:mod:`augbench.views.kinetics`) build widgets from these parameters and display the outputs of
the methods below; they hold no state of their own.
"""
from __future__ import annotations

import param

from augbench.grna import kinetics as K
from augbench.grna import landscape as L

__all__ = ["KineticsExplorer"]

_ODE_PARAMS = ("cas9", "grna", "donor", "t_end_h", "search_scale", "k_cut", "repair_half_life_h", "frac_perfect",
               "frac_hdr")


class KineticsExplorer(param.Parameterized):
    """Doses, rates and target mismatches -> ODE time course, cell outcomes, R-loop landscape."""

    cas9 = param.Number(1000.0, bounds=(0, 10000), step=50, doc="Cas9 protein delivered (molecules per cell)")
    grna = param.Number(2000.0, bounds=(0, 10000), step=50, doc="sgRNA delivered (molecules per cell)")
    donor = param.Boolean(True, doc="HDR donor present")
    t_end_h = param.Number(24.0, bounds=(1, 96), step=1, doc="Simulated time after delivery (h)")
    search_scale = param.Number(1.0, bounds=(0.1, 10), step=0.1,
                                doc="Multiplier on the target-search rate (Jones et al. 2017, scaled; an assumption)")
    k_cut = param.Number(2.392863652, bounds=(0.01, 10), step=0.01,
                         doc="Cleavage rate from the bound complex (s^-1; Eslami-Mossallam et al. 2022 fit)")
    repair_half_life_h = param.Number(10.0, bounds=(0.5, 48), step=0.5,
                                      doc="DSB repair half-life (h; Brinkman et al. 2018: up to ~10 h)")
    frac_perfect = param.Number(0.4, bounds=(0, 1), step=0.05, doc="Share of repair that is perfect (assumption)")
    frac_hdr = param.Number(0.1, bounds=(0, 1), step=0.05, doc="Share of repair by HDR with donor (assumption)")
    n_cells = param.Integer(200, bounds=(20, 3000), doc="Cells in the Gillespie population")
    seed = param.Integer(0, bounds=(0, None), doc="Seed of the stochastic simulation")
    mismatches = param.String("", doc="Mismatch positions from the PAM (1 = PAM-adjacent), e.g. '3, 12'")
    param_set = param.Selector(default="average_params", objects=list(L.PARAM_SETS),
                               doc="Energy-landscape parameters (crisprzip 1.2.3; Eslami-Mossallam et al. 2022)")

    def __init__(self, **params):
        super().__init__(**params)
        self._memo: dict = {}

    def rates(self) -> K.CasRates:
        """Rate constants from the current parameters (other rates from the sourced table)."""
        import math

        base = K.default_rates()
        k_rep = math.log(2) / (self.repair_half_life_h * 3600.0)
        fp = min(self.frac_perfect, 1.0)
        fh = min(self.frac_hdr, 1.0 - fp)
        fi = max(1.0 - fp - fh, 0.0)
        return base.with_(k_search=base.k_search * self.search_scale, k_cut=self.k_cut, k_perfect=fp * k_rep,
                          k_indel=fi * k_rep, k_hdr=fh * k_rep)

    @param.depends("cas9", "grna", "donor", "t_end_h", "search_scale", "k_cut", "repair_half_life_h",
                   "frac_perfect", "frac_hdr")
    def time_course(self):
        """ODE solution (xarray.Dataset, see :func:`augbench.grna.kinetics.simulate_ode`)."""
        key = ("ode",) + tuple(getattr(self, n) for n in _ODE_PARAMS)
        if key not in self._memo:
            self._memo.clear()
            self._memo[key] = K.simulate_ode(self.cas9, self.grna, donor=self.donor, rates=self.rates(),
                                             t_end_h=self.t_end_h, n_times=max(25, int(self.t_end_h * 2) + 1))
        return self._memo[key]

    @param.depends("cas9", "grna", "donor", "t_end_h", "search_scale", "k_cut", "repair_half_life_h",
                   "frac_perfect", "frac_hdr", "n_cells", "seed")
    def cells(self):
        """Gillespie population (xarray.Dataset, see :func:`augbench.grna.stochastic.simulate_cells`)."""
        from augbench.grna.stochastic import simulate_cells

        return simulate_cells(self.n_cells, self.cas9, self.grna, donor=self.donor, rates=self.rates(),
                              t_end_h=self.t_end_h, n_times=7, random_state=self.seed)

    def outcome_distribution(self):
        """Per-cell outcome classes at the end time (pandas.DataFrame)."""
        from augbench.grna.stochastic import outcome_distribution

        return outcome_distribution(self.cells())

    def mismatch_positions(self) -> list[int]:
        """Parsed :attr:`mismatches` (positions 1..20 from the PAM)."""
        txt = self.mismatches.replace(";", ",").replace(" ", ",")
        out = []
        for tok in filter(None, txt.split(",")):
            try:
                p = int(tok)
            except ValueError:
                raise ValueError(f"mismatches={self.mismatches!r}: {tok!r} is not an integer position 1..20") from None
            if not 1 <= p <= L.GUIDE_LENGTH:
                raise ValueError(f"mismatches={self.mismatches!r}: position {p} outside 1..20 (1 = PAM-adjacent)")
            out.append(p)
        return sorted(set(out))

    @param.depends("mismatches", "param_set")
    def landscape(self):
        """Free-energy landscape on-target and with the chosen mismatches.

        Returns
        -------
        pandas.DataFrame
            ``state`` (PAM, R1..R20), ``state_index`` (0..20), ``on_target_kBT``, ``with_mismatches_kBT``.
        """
        import pandas as pd

        pos = self.mismatch_positions()
        return pd.DataFrame({"state": L.state_labels()[1:-1], "state_index": range(L.GUIDE_LENGTH + 1),
                             "on_target_kBT": L.landscape_energies(None, self.param_set),
                             "with_mismatches_kBT": L.landscape_energies(pos or None, self.param_set)})

    @param.depends("mismatches", "param_set")
    def target_cleavage(self) -> dict:
        """Cleavage probability per binding and relative effective rate of the mismatched target."""
        pos = self.mismatch_positions() or None
        p_on = L.cleavage_probability(None, param_set=self.param_set)
        p = L.cleavage_probability(pos, param_set=self.param_set)
        k_on = L.effective_cleavage_rate(None, 0.1, param_set=self.param_set)
        k = L.effective_cleavage_rate(pos, 0.1, param_set=self.param_set)
        return {"p_clv": p, "p_clv_on_target": p_on, "relative_rate": k / k_on}

    def summary(self) -> str:
        """One line of text summarising the current time course."""
        ds = self.time_course()
        f = ds.allele_fraction.isel(time=-1)
        g = lambda o: float(f.sel(outcome=o))  # noqa: E731
        return (f"fraction edited at {self.t_end_h:g} h: {g('edited'):.2f} (indel {g('indel'):.2f}, "
                f"HDR {g('hdr'):.2f}); unrepaired breaks {g('dsb'):.2f}; cut at least once {g('ever_cut'):.2f}")
