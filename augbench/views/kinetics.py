"""Cas9 kinetics views: a Panel dashboard and ipywidgets controls over :class:`KineticsExplorer`.

Test hooks (for browser tests):

* ``dashboard()`` shows a Markdown pane with CSS class ``augbench-summary`` whose text reads e.g.
  ``fraction edited at 24 h: 0.32 (indel 0.27, HDR 0.05); unrepaired breaks 0.27; cut at least once 0.74``.
  Moving the slider named ``Cas9 dose (molecules per cell)`` (default 1000; try 200) changes the numbers
  (at 200: ``fraction edited at 24 h: 0.09 ...``). The slider ``sgRNA dose (molecules per cell)`` and the
  checkbox ``HDR donor present`` change it too (without donor HDR reads 0.00).
* The pane with CSS class ``augbench-landscape-summary`` reads ``cleavage probability per binding: ...``;
  typing ``3`` into the text box ``Mismatch positions from the PAM`` changes it.
* Other panes: ``augbench-timecourse`` (HoloViews time course), ``augbench-outcomes`` (cells with 0/1/2 edited
  alleles, Gillespie), ``augbench-landscape`` (free-energy landscape), ``augbench-scheme`` (reaction scheme).

The views hold no state: every value lives in the explorer.
"""
from __future__ import annotations

import param

from augbench.grna.kinetics_explorer import KineticsExplorer

__all__ = ["dashboard", "widgets", "time_course_plot", "outcome_plot", "landscape_plot", "profile_plot",
           "spectrum_plot", "sweep_plot", "p_cut_plot", "SCHEME_MD"]

SCHEME_MD = """**Reaction scheme** (mass action, molecules per cell)

| step | reaction | rate (default) |
|---|---|---|
| RNP formation | Cas9 + g ⇄ Cg | k_assemble, k_disassemble (assumed) |
| target search | Cg + S ⇄ CgS | k_search per RNP (Jones 2017, scaled), k_unbind (bound) |
| cleavage | CgS → Cg + DSB | k_cut = 2.39 s⁻¹ (Eslami-Mossallam 2022 fit) |
| perfect repair | DSB → S (cut again) | share of ln2/10 h (Brinkman 2018) |
| mutagenic NHEJ | DSB → indel | share of ln2/10 h |
| HDR (donor) | DSB → HDR allele | share of ln2/10 h |
| turnover | Cas9, Cg, g → ∅ | assumed half-lives 12 h, 12 h, 1 h |
"""

_OUT_STYLE = {"intact": "#4c72b0", "dsb": "#c44e52", "indel": "#dd8452", "hdr": "#55a868", "edited": "#8172b3",
              "ever_cut": "#937860"}


def time_course_plot(ds, outcomes=("intact", "dsb", "indel", "hdr", "edited"), title="Allele outcomes (ODE)"):
    """HoloViews overlay of allele fractions over time from a kinetics Dataset."""
    hv = _hv()

    curves = []
    for o in outcomes:
        y = ds.allele_fraction.sel(outcome=o)
        if "cell" in y.dims:
            y = y.mean("cell")
        curves.append(hv.Curve((ds.time.values, y.values), hv.Dimension("time", label="Time", unit="h"),
                               hv.Dimension("fraction", label="Fraction of alleles", range=(0, 1)), label=o)
                      .opts(color=_OUT_STYLE.get(o, "black")))
    return hv.Overlay(curves).opts(title=title, legend_position="right", width=620, height=300,
                                   show_grid=True)


def outcome_plot(df, title="Cells by edited alleles (Gillespie)"):
    """Bars of the per-cell outcome distribution (:func:`augbench.grna.stochastic.outcome_distribution`)."""
    hv = _hv()

    return hv.Bars(df, hv.Dimension("class", label="Cell outcome"),
                   hv.Dimension("fraction", label="Fraction of cells", range=(0, 1))).opts(
        title=title, width=380, height=300, color="#8172b3", tools=["hover"])


def landscape_plot(df, title="R-loop free-energy landscape"):
    """On-target vs mismatched free-energy landscape (:meth:`KineticsExplorer.landscape`)."""
    hv = _hv()

    kd = hv.Dimension("state_index", label="R-loop length (bp from PAM; 0 = PAM-bound)")
    vd = hv.Dimension("G", label="Free energy", unit="kBT")
    a = hv.Curve((df.state_index, df.on_target_kBT), kd, vd, label="on-target").opts(color="#4c72b0")
    b = hv.Curve((df.state_index, df.with_mismatches_kBT), kd, vd, label="with mismatches").opts(
        color="#c44e52", line_dash="dashed")
    return (a * b).opts(title=title, width=520, height=300, legend_position="top_left", show_grid=True)


def profile_plot(table, title="Single-mismatch sensitivity: energy model vs CFD"):
    """Model relative cleavage vs CFD mean activity per position (:func:`augbench.grna.landscape.compare_with_cfd`)."""
    hv = _hv()

    kd = hv.Dimension("mm_position", label="Mismatch position (from PAM)")
    vd = hv.Dimension("activity", label="Relative activity", range=(0, 1.05))
    a = hv.Curve((table.mm_position, table.model_relative), kd, vd, label="energy model").opts(color="#c44e52")
    b = hv.Curve((table.mm_position, table.cfd_mean), kd, vd, label="CFD (mean of 12 types)").opts(color="#4c72b0")
    pts = [hv.Scatter((table.mm_position, table[c]), kd, vd).opts(color=col, size=5)
           for c, col in (("model_relative", "#c44e52"), ("cfd_mean", "#4c72b0"))]
    extra = []
    if "crisprzip" in table:
        extra.append(hv.Curve((table.mm_position, table.crisprzip), kd, vd, label="crisprzip (reference)").opts(
            color="black", line_dash="dotted"))
    return hv.Overlay([a, b, *pts, *extra]).opts(title=title, width=620, height=300, legend_position="bottom_right",
                                                 show_grid=True)


def spectrum_plot(spectrum, title="Predicted MH-deletion spectrum (Bae 2014)"):
    """Bars of relative frequency by deletion length, frameshift vs in-frame."""
    hv = _hv()

    df = spectrum.assign(frame=lambda d: d.in_frame.map({True: "in-frame", False: "frameshift"}))
    return hv.Bars(df, [hv.Dimension("deletion_length", label="Deletion length", unit="nt"), "frame"],
                   hv.Dimension("relative_frequency", label="Relative frequency")).opts(
        title=title, width=620, height=300, stacked=True, cmap={"in-frame": "#55a868", "frameshift": "#c44e52"},
        tools=["hover"], xrotation=90)


def sweep_plot(ds, time_h=None, title=None):
    """Heat map of the fraction edited over Cas9 x gRNA doses at one time (default: last)."""
    hv = _hv()

    fe = ds.fraction_edited.isel(time=-1) if time_h is None else ds.fraction_edited.sel(time=time_h, method="nearest")
    t = float(fe.time)
    data = [(f"{c:.0f}", f"{g:.0f}", float(fe.sel(cas9=c, grna=g))) for c in fe.cas9.values for g in fe.grna.values]
    return hv.HeatMap(data, [hv.Dimension("cas9", label="Cas9 (molecules/cell)"),
                             hv.Dimension("grna", label="sgRNA (molecules/cell)")],
                      hv.Dimension("edited", label="Fraction edited")).opts(
        title=title or f"Fraction edited at {t:g} h", width=480, height=380, colorbar=True, cmap="viridis",
        tools=["hover"], xrotation=45, clim=(0, 1))


def p_cut_plot(grna, seed_values, mech_values, title="Seed P_cut vs mechanistic probability of a cut"):
    """Seed formula (log scale, its own units) beside the mechanistic P(cut at least once) over gRNA dose."""
    hv = _hv()

    kd = hv.Dimension("grna", label="sgRNA (molecules per cell)")
    a = hv.Curve((grna, seed_values), kd, hv.Dimension("seed", label="Seed 'P_cut' (k1·nM²)"), label="seed formula").opts(
        logy=True, color="#c44e52", width=360, height=300, title="Seed formula (unbounded)", show_grid=True)
    b = hv.Curve((grna, mech_values), kd, hv.Dimension("p", label="P(allele cut by 24 h)", range=(0, 1)),
                 label="mechanistic").opts(color="#4c72b0", width=360, height=300, title="Mechanistic (ODE)",
                                           show_grid=True)
    return (a + b).opts(title=title)


_DOSE_PARAMS = ["cas9", "grna", "donor", "t_end_h", "search_scale", "k_cut", "repair_half_life_h", "frac_perfect",
                "frac_hdr"]
_LABELS = {"cas9": "Cas9 dose (molecules per cell)", "grna": "sgRNA dose (molecules per cell)",
           "donor": "HDR donor present", "t_end_h": "Time (h)", "search_scale": "Search-rate multiplier",
           "k_cut": "Cleavage rate k_cut (1/s)", "repair_half_life_h": "DSB repair half-life (h)",
           "frac_perfect": "Perfect-repair share", "frac_hdr": "HDR share", "n_cells": "Cells simulated",
           "seed": "Seed", "mismatches": "Mismatch positions from the PAM", "param_set": "Landscape parameters"}


def dashboard(explorer: KineticsExplorer | None = None, **params):
    """Panel dashboard: controls, reaction scheme, ODE time course, cell outcomes, mismatch landscape."""
    import panel as pn

    pn.extension()
    ex = explorer if explorer is not None else KineticsExplorer(**params)

    class KineticsDashboard(pn.viewable.Viewer):
        def __panel__(self):
            return layout

    widgets_spec = {}
    for name, label in _LABELS.items():
        p = ex.param[name]
        if isinstance(p, param.Boolean):
            widgets_spec[name] = {"type": pn.widgets.Checkbox, "name": label}
        elif isinstance(p, param.String):
            widgets_spec[name] = {"type": pn.widgets.TextInput, "name": label, "placeholder": "e.g. 3, 12"}
        else:
            widgets_spec[name] = {"name": label}
    controls = pn.Param(ex, parameters=list(_LABELS), widgets=widgets_spec, show_name=False, width=300)
    summary = pn.pane.Markdown(ex.summary(), css_classes=["augbench-summary"], sizing_mode="stretch_width")
    tc = pn.pane.HoloViews(time_course_plot(ex.time_course()), css_classes=["augbench-timecourse"])
    outc = pn.pane.HoloViews(outcome_plot(ex.outcome_distribution()), css_classes=["augbench-outcomes"])
    land = pn.pane.HoloViews(landscape_plot(ex.landscape()), css_classes=["augbench-landscape"])
    land_txt = pn.pane.Markdown(_landscape_text(ex), css_classes=["augbench-landscape-summary"])
    scheme = pn.pane.Markdown(SCHEME_MD, css_classes=["augbench-scheme"], width=520)

    def on_dose(*_):
        summary.object = ex.summary()
        tc.object = time_course_plot(ex.time_course())

    def on_cells(*_):
        outc.object = outcome_plot(ex.outcome_distribution())

    def on_land(*_):
        try:
            land.object = landscape_plot(ex.landscape())
            land_txt.object = _landscape_text(ex)
        except ValueError as exc:
            land_txt.object = f"**{exc}**"

    ex.param.watch(on_dose, _DOSE_PARAMS)
    ex.param.watch(on_cells, _DOSE_PARAMS + ["n_cells", "seed"])
    ex.param.watch(on_land, ["mismatches", "param_set"])
    layout = pn.Row(
        controls,
        pn.Column("## Cas9 kinetics and repair", summary,
                  pn.Tabs(("Time course", pn.Column(tc, outc)), ("Mismatch landscape", pn.Column(land_txt, land)),
                          ("Scheme", scheme), dynamic=False)))
    return KineticsDashboard()


def _hv():
    import holoviews as hv
    import holoviews.plotting.bokeh  # noqa: F401  (registers the bokeh backend so .opts work without hv.extension)

    return hv


def _landscape_text(ex) -> str:
    r = ex.target_cleavage()
    pos = ex.mismatch_positions()
    where = f"mismatches at {', '.join(map(str, pos))}" if pos else "on-target"
    return (f"cleavage probability per binding: {r['p_clv']:.3g} ({where}; on-target {r['p_clv_on_target']:.3g}); "
            f"relative cut rate {r['relative_rate']:.3g}")


def widgets(explorer: KineticsExplorer | None = None, **params):
    """ipywidgets controls synced both ways with the explorer, plus a live summary line and a table of allele
    fractions over time (``box.children[-2]`` is the summary HTML, ``box.explorer`` the explorer)."""
    import ipywidgets as w

    ex = explorer if explorer is not None else KineticsExplorer(**params)
    specs = {
        "cas9": w.FloatSlider(value=ex.cas9, min=0, max=10000, step=50, description="Cas9 dose"),
        "grna": w.FloatSlider(value=ex.grna, min=0, max=10000, step=50, description="sgRNA dose"),
        "repair_half_life_h": w.FloatSlider(value=ex.repair_half_life_h, min=0.5, max=48, step=0.5,
                                            description="Repair t½ (h)"),
        "search_scale": w.FloatLogSlider(value=ex.search_scale, base=10, min=-1, max=1, description="Search ×"),
        "donor": w.Checkbox(value=ex.donor, description="HDR donor"),
    }
    for name, wid in specs.items():
        wid.style.description_width = "110px"
        wid.layout.width = "420px"
    summary = w.HTML()
    table = w.HTML()

    def refresh(*_):
        summary.value = f"<b class='augbench-summary'>{ex.summary()}</b>"
        ds = ex.time_course()
        times = [t for t in (0, 2, 6, 12, 24, 48, 96) if t <= ex.t_end_h] + [ex.t_end_h]
        tab = ds.allele_fraction.sel(time=sorted(set(times)), method="nearest").to_pandas()
        tab.index = [f"{t:g} h" for t in tab.index]
        # a plain HTML table: rendering HoloViews inside an Output widget can block a headless kernel
        table.value = tab[["intact", "dsb", "indel", "hdr", "edited"]].round(3).to_html(
            classes="augbench-widget-table")

    def from_widget(change, name):
        if getattr(ex, name) != change["new"]:
            setattr(ex, name, change["new"])

    def from_param(event):
        wid = specs.get(event.name)
        if wid is not None and wid.value != event.new:
            wid.value = event.new

    for name, wid in specs.items():
        wid.observe(lambda ch, n=name: from_widget(ch, n), names="value")
    ex.param.watch(from_param, list(specs))
    ex.param.watch(refresh, _DOSE_PARAMS)
    refresh()
    box = w.VBox([*specs.values(), summary, table])
    box.explorer = ex
    return box
