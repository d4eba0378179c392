"""BCI views: a Panel dashboard and ipywidgets controls over :class:`augbench.bci.explorer.BCIExplorer`.

Browser-test hooks
------------------
- Markdown pane with CSS class ``augbench-summary``: text like
  ``"S001, CSP+LDA, 7–30 Hz: accuracy 0.96 (chance 0.53; 45 epochs, ShuffleSplit 5×20%)"``.
  Changing the ``Band (Hz)`` range slider (e.g. to 8–13) changes the band and the accuracy in that
  text; changing the ``Subject`` select (1 -> 2) changes ``S001`` to ``S002``; ``Pipeline`` select
  changes the pipeline name.
- Tabs: "PSD by class", "ERD/ERS map", "CSP patterns", "Online replay" (rendered when opened). In the
  replay tab, the ``Replay hop`` player moves through the decoded run; the Markdown pane with CSS class
  ``augbench-replay`` shows "t = 42.3 s: decoded **feet**, true rest (p(feet) = 0.99); mu power at C3: 57%
  of its range" and the neurofeedback bar (Progress, CSS class ``augbench-nf``) changes value.
  The replay tab trains a decoder on first use (a few seconds).
"""
from __future__ import annotations

__all__ = ["BCIDashboard", "dashboard", "widgets"]


def _hv_plots(explorer):
    import holoviews as hv

    def psd():
        da = explorer.psd_by_class()
        curves = [hv.Curve((da["freq"].values, da.sel(label=lab).values), "Frequency (Hz)", "PSD (dB re 1 µV²/Hz)",
                           label=str(lab)) for lab in da["label"].values]
        lo, hi = explorer.band
        return (hv.Overlay(curves) * hv.VSpan(lo, hi).opts(color="grey", alpha=0.15)).opts(
            title=f"S{explorer.subject:03d} C3/Cz/C4 during imagery", width=520, height=320, legend_position="top_right",
            xlim=(1, 45))

    def erd():
        da = explorer.erd_map()
        return hv.QuadMesh((da["time"].values, da["freq"].values, da.values), ["Time from cue (s)", "Frequency (Hz)"],
                           "ERD/ERS (%)").opts(cmap="RdBu_r", colorbar=True, clim=(-60, 60), width=520, height=320,
                                               title=f"ERD/ERS at {explorer.nf_channel}, baseline −1…0 s")

    def csp():
        import numpy as np
        from scipy.interpolate import griddata

        df = explorer.csp_patterns()
        plots = []
        x0, x1, y0, y1 = df.x.min(), df.x.max(), df.y.min(), df.y.max()
        gx, gy = np.meshgrid(np.linspace(x0, x1, 60), np.linspace(y0, y1, 60))
        for k, g in df.groupby("component"):
            z = griddata(g[["x", "y"]].to_numpy(), g["pattern"].to_numpy(), (gx, gy), method="cubic")
            img = hv.Image((gx[0], gy[:, 0], z), ["x", "y"], "pattern").opts(
                cmap="RdBu_r", clim=(-1, 1))
            pts = hv.Points(g, ["x", "y"], ["pattern", "channel"]).opts(color="black", size=3, tools=["hover"])
            plots.append((img * pts).opts(width=230, height=220, xaxis=None, yaxis=None,
                                          title=f"CSP pattern {k + 1} (topomap)"))
        return hv.Layout(plots).cols(4)

    return psd, erd, csp


class BCIDashboard:
    """Panel dashboard (a ``pn.viewable.Viewer``) wrapping a :class:`BCIExplorer`; holds no state of its own."""

    def __new__(cls, explorer=None, **params):
        import panel as pn

        from augbench.bci.explorer import BCIExplorer

        class _Dash(pn.viewable.Viewer):
            def __init__(self, explorer=None, **p):
                super().__init__()
                self.explorer = explorer or BCIExplorer(**p)

            def __panel__(self):
                return _build(self.explorer)

        return _Dash(explorer, **params)


def _build(ex):
    import holoviews as hv
    import holoviews.plotting.bokeh  # noqa: F401 - registers the bokeh backend (no output, unlike hv.extension)
    import panel as pn

    if hv.Store.current_backend != "bokeh":
        hv.Store.set_current_backend("bokeh")

    psd, erd, csp = _hv_plots(ex)
    controls = pn.Param(ex, parameters=["subject", "task", "band", "pipeline", "n_components", "nf_channel"],
                        widgets={"subject": {"type": pn.widgets.Select, "name": "Subject"},
                                 "task": {"type": pn.widgets.Select, "name": "Task"},
                                 "band": {"type": pn.widgets.RangeSlider, "name": "Band (Hz)", "step": 1.0},
                                 "pipeline": {"type": pn.widgets.Select, "name": "Pipeline"},
                                 "n_components": {"type": pn.widgets.IntSlider, "name": "CSP components"},
                                 "nf_channel": {"type": pn.widgets.Select, "name": "Neurofeedback channel"}},
                        show_name=False, width=280)
    summary = pn.pane.Markdown(pn.bind(lambda *_: ex.summary(), ex.param.subject, ex.param.task, ex.param.band,
                                       ex.param.pipeline, ex.param.n_components),
                               css_classes=["augbench-summary"], sizing_mode="stretch_width")
    deps = [ex.param.subject, ex.param.task]
    psd_pane = pn.pane.HoloViews(pn.bind(lambda *_: psd(), *deps, ex.param.band))
    erd_pane = pn.param.ParamFunction(pn.bind(lambda *_: erd(), *deps, ex.param.nf_channel), lazy=True)
    csp_pane = pn.param.ParamFunction(pn.bind(lambda *_: csp(), *deps, ex.param.band, ex.param.n_components),
                                      lazy=True)

    def replay_view(*_):
        tl, sc, budget = ex.replay()
        from augbench.bci.io import RUN_TASKS, TASK_RUNS

        classes = list(RUN_TASKS[TASK_RUNS[ex.task][0]])  # decoder class order: p_second is p(classes[1])
        player = pn.widgets.Player(label="Replay hop", start=0, end=len(tl) - 1, value=len(tl) // 3, step=1,
                                   interval=62, loop_policy="once", width=500)
        nf = tl["nf_log_power"].to_numpy()
        lo, hi = float(nf.min()), float(nf.max())
        bar = pn.indicators.Progress(label="Neurofeedback (mu power)", value=0, max=100, width=300,
                                     css_classes=["augbench-nf"])
        text = pn.pane.Markdown("", css_classes=["augbench-replay"])

        def update(i):
            r = tl.iloc[int(i)]
            bar.value = int(round(100 * (r["nf_log_power"] - lo) / max(hi - lo, 1e-12)))
            text.object = (f"t = {r['time_s']:.1f} s: decoded **{r['command']}**, true {r['true']} "
                           f"(p({classes[1]}) = {r['p_second']:.2f}); "
                           f"mu power at {ex.nf_channel}: {bar.value}% of its range")
        player.param.watch(lambda e: update(e.new), "value")
        update(player.value)
        curve = hv.Curve((tl["time_s"], tl["p_second"]), "Time (s)", f"p({classes[1]})", label="decoder output")
        true = hv.Curve((tl["time_s"], tl["true"].map({classes[0]: 0.0, "rest": 0.5, classes[1]: 1.0})),
                        label=f"true ({classes[0]} 0 / rest 0.5 / {classes[1]} 1)").opts(
            color="black", alpha=0.5, interpolation="steps-mid")
        timeline = (curve * true).opts(width=760, height=260, legend_position="bottom_right",
                                       title="Online decoding of the last run (trained on the first two)")
        stats = pn.pane.Markdown(
            f"Online trial accuracy **{sc['trial_accuracy']:.2f}** ({sc['n_trials']} trials, majority vote), "
            f"hop accuracy {sc['hop_accuracy']:.2f}, ITR {sc['itr_bits_per_min']:.2f} bits/min; "
            f"latency median {sc['latency_median_ms']:.2f} ms, p99 {sc['latency_p99_ms']:.2f} ms per hop.")
        return pn.Column(stats, timeline, player, pn.Row(bar, text), pn.widgets.Tabulator(budget, disabled=True,
                                                                                          show_index=False))

    replay_pane = pn.param.ParamFunction(pn.bind(replay_view, *deps, ex.param.band, ex.param.nf_channel), lazy=True)
    tabs = pn.Tabs(("PSD by class", psd_pane), ("ERD/ERS map", erd_pane), ("CSP patterns", csp_pane),
                   ("Online replay", replay_pane), dynamic=True)
    return pn.Row(controls, pn.Column("## BCI signal chain (PhysioNet EEGMMIDB)", summary, tabs))


def dashboard(**kwargs):
    """The BCI Panel dashboard; keyword arguments set :class:`BCIExplorer` parameters (e.g. ``subject=2``)."""
    import panel as pn

    pn.extension("tabulator")
    return BCIDashboard(**kwargs)


def widgets(explorer=None, **kwargs):
    """ipywidgets controls (subject, band, pipeline, CSP components, neurofeedback/ERD channel) synced both ways
    with a BCIExplorer, plus an output showing its summary."""
    import html

    import ipywidgets as w

    from augbench.bci.explorer import BCIExplorer

    ex = explorer or BCIExplorer(**kwargs)
    ctl = {
        "subject": w.Dropdown(options=ex.param.subject.objects, value=ex.subject, description="Subject"),
        "band": w.FloatRangeSlider(value=tuple(ex.band), min=1.0, max=45.0, step=1.0, description="Band (Hz)"),
        "pipeline": w.Dropdown(options=ex.param.pipeline.objects, value=ex.pipeline, description="Pipeline"),
        "n_components": w.IntSlider(value=ex.n_components, min=2, max=8, description="CSP comps"),
        "nf_channel": w.Dropdown(options=ex.param.nf_channel.objects, value=ex.nf_channel, description="Channel"),
    }
    # an HTML widget, not ipywidgets.Output: capturing output into an Output widget during headless
    # (papermill/nbclient) execution intermittently left the client waiting forever
    out = w.HTML()

    def show(*_):
        out.value = f"<pre class='augbench-summary'>{html.escape(ex.summary())}</pre>"

    def to_param(change, name):
        v = tuple(change["new"]) if name == "band" else change["new"]
        if getattr(ex, name) != v:
            setattr(ex, name, v)

    for name, wid in ctl.items():
        wid.observe(lambda ch, n=name: to_param(ch, n), names="value")

    def to_widget(event):
        wid = ctl[event.name]
        cur = tuple(wid.value) if event.name == "band" else wid.value
        if cur != (tuple(event.new) if event.name == "band" else event.new):
            wid.value = event.new
        show()

    ex.param.watch(to_widget, list(ctl))
    show()
    box = w.VBox([w.HBox([ctl["subject"], ctl["pipeline"], ctl["nf_channel"]]),
                  w.HBox([ctl["band"], ctl["n_components"]]), out])
    box.explorer = ex
    return box
