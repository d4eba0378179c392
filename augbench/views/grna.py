"""gRNA design views: HoloViews plots, the Panel "guide designer" and ipywidgets controls.

All state lives in :class:`augbench.grna.explorer.GuideDesigner`; this module only draws it.

Browser-test hooks (``augbench serve`` -> ``dashboard()``):

- Markdown pane with CSS class ``augbench-summary``: text like
  ``"48 SpCas9 sites (25 on +, 23 on −); top guide CTGGAACCACACCTTCACCT GGG at EMX1_amplicon:63-83 (-), ..."``.
- Select named **"Locus"** (default ``EMX1``): change to ``FANCF`` -> summary changes to ``"37 SpCas9 sites (...)"``,
  and the record name in the summary becomes ``FANC_amplicon``.
- Select named **"Nuclease"**: change to ``SaCas9`` -> summary starts with ``"N SaCas9 sites"``; ``custom`` uses
  TextInput **"Custom PAM (IUPAC)"**, IntInput **"Custom spacer length"**, Select **"Custom PAM side"**
  (summary starts ``"N custom sites"``; an invalid PAM gives ``"Error: pam=..."``).
- TextAreaInput named **"Sequence (DNA or FASTA)"** (used when Locus is ``custom``); an invalid
  character makes the summary start with ``"Error:"`` and name the record, position and character.
- FileInput named **"FASTA file"** (plain or .gz) switches Locus to ``custom`` and fills the sequence.
- Ranked table: ``pn.widgets.Tabulator`` with CSS class ``augbench-guide-table``; CSV download button
  ``augbench-download`` (file ``guides.csv``); plots in a pane with CSS class ``augbench-sites-plot``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["sites_plot", "score_distributions", "mismatch_map", "dashboard", "widgets", "TABLE_COLUMNS"]

#: Columns shown in the ranked table (others are in the CSV download).
TABLE_COLUMNS = ["rank", "record", "start", "end", "strand", "spacer", "pam", "cut_pos", "gc", "poly_t",
                 "rs1", "cnn", "n_mm0", "n_mm1", "n_mm2", "n_mm3", "n_mm4", "mit_specificity",
                 "cfd_specificity", "specificity_note"]


def sites_plot(df, score: str = "cnn", *, title: str | None = None, max_points: int = 5000):
    """Sites along the locus: x = cut position, y = score (+ strand up, − strand down), colour = strand.

    Falls back to GC fraction as height for nucleases without an on-target model. At most ``max_points``
    sites are drawn (the best-ranked for designer tables, an even subsample otherwise).
    """
    hv = _hv()
    d = df.head(max_points).copy() if "rank" in df else df.copy()  # designer tables are ranked: best first
    if len(d) > max_points:
        d = d.iloc[np.linspace(0, len(d) - 1, max_points).astype(int)]
    label = {"cnn": "CNN score", "rs1": "Rule Set 1"}.get(score, score)
    if score not in d or d[score].isna().all():
        score, label = "gc", "GC fraction"
    d = d[d[score].notna()]  # sites whose 30-mer runs off the sequence have no score
    d["height"] = np.where(d["strand"] == "+", 1, -1) * d[score].to_numpy(float)
    nuc = df.attrs.get("nuclease", "")
    pts = hv.Scatter(d, kdims=[hv.Dimension("cut_pos", label="cut position (bp, + strand)")],
                     vdims=[hv.Dimension("height", label=f"{label} (+ strand up, − strand down)"),
                            *[c for c in ("strand", "spacer", "pam", "start", "rank") if c in d]])
    pts = pts.opts(color="strand", cmap={"+": "#1f77b4", "-": "#d62728"}, size=6, tools=["hover"],
                   width=700, height=280, title=title or f"{nuc} sites along the sequence", show_legend=True)
    return pts * hv.HLine(0).opts(color="gray", line_width=1)


def score_distributions(df):
    """Histograms of the on-target scores (Rule Set 1, CNN) of all sites."""
    hv = _hv()
    layers = []
    for col, lab, color in (("rs1", "Rule Set 1", "#2ca02c"), ("cnn", "CNN", "#9467bd")):
        if col in df and df[col].notna().any():
            v = df[col].dropna().to_numpy(float)
            edges = np.linspace(min(0, v.min()), max(1, v.max()), 21)
            counts, edges = np.histogram(v, bins=edges)
            layers.append(hv.Histogram((edges, counts), kdims=[hv.Dimension("score", label="on-target score")],
                                       vdims=[hv.Dimension("count", label="sites")], label=lab)
                          .opts(alpha=0.5, color=color))
    if not layers:
        return hv.Text(0.5, 0.5, "no on-target model for this nuclease").opts(width=400, height=250)
    return hv.Overlay(layers).opts(width=400, height=250, title="On-target score distributions", legend_position="top_left")


def mismatch_map(hits, *, top: int = 15):
    """Off-target mismatch positions: guides (rows) x protospacer position (1 = PAM-distal), colour =
    number of off-targets with a mismatch there (on-target perfect matches excluded)."""
    hv = _hv()
    if hits is None or len(hits) == 0:
        return hv.Text(0.5, 0.5, "no off-target search (choose a genome)").opts(width=400, height=250)
    h = hits[hits["n_mismatches"] > 0]
    if len(h) == 0:
        return hv.Text(0.5, 0.5, "no off-targets with mismatches found").opts(width=400, height=250)
    guides = h["guide"].value_counts().index[:top].tolist()
    h = h[h["guide"].isin(guides)]
    L = len(h["guide"].iloc[0])
    rows = []
    for g, sub in h.groupby("guide"):
        counts = np.zeros(L, int)
        for s in sub["mismatch_pos"]:
            for p in s.split(","):
                counts[int(p) - 1] += 1
        rows += [(p + 1, g, int(c)) for p, c in enumerate(counts)]
    hm = hv.HeatMap(rows, kdims=[hv.Dimension("position", label="protospacer position (1 = PAM-distal)"),
                                 hv.Dimension("guide")],
                    vdims=[hv.Dimension("n", label="off-targets with a mismatch here")])
    return hm.opts(cmap="viridis", colorbar=True, tools=["hover"], width=700, height=40 + 22 * len(guides),
                   title="Off-target mismatch positions", xrotation=0)


def _hv():
    import holoviews as hv
    import holoviews.plotting.bokeh  # noqa: F401  (registers the bokeh backend so .opts works)

    if hv.Store.current_backend != "bokeh":
        hv.Store.set_current_backend("bokeh")
    return hv


def _table_view(df):
    cols = [c for c in TABLE_COLUMNS if c in df]
    return df[cols].round(3)


def dashboard(**kwargs):
    """The Panel guide designer (``augbench serve``); ``kwargs`` set :class:`GuideDesigner` params."""
    import io

    import panel as pn

    from augbench.grna.explorer import GuideDesigner

    pn.extension("tabulator")

    class GuideDesignerApp(pn.viewable.Viewer):
        def __init__(self, **params):
            super().__init__()
            self.designer = GuideDesigner(**params)
            d = self.designer
            self.locus = pn.widgets.Select(label="Locus", options=d.param.locus.objects, value=d.locus)
            self.seq = pn.widgets.TextAreaInput(label="Sequence (DNA or FASTA)", value=d.sequence, height=120,
                                                placeholder="paste DNA or FASTA; Locus must be 'custom'")
            self.upload = pn.widgets.FileInput(label="FASTA file", accept=".fa,.fasta,.fna,.gz,.txt")
            self.nuclease = pn.widgets.Select(label="Nuclease", options=d.param.nuclease.objects, value=d.nuclease)
            self.cpam = pn.widgets.TextInput(label="Custom PAM (IUPAC)", value=d.custom_pam)
            self.clen = pn.widgets.IntInput(label="Custom spacer length", value=d.custom_spacer_len, start=10, end=32)
            self.cside = pn.widgets.Select(label="Custom PAM side", options=["3prime", "5prime"], value=d.custom_pam_side)
            self.genome = pn.widgets.Select(label="Off-target genome", options=d.param.genome.objects, value=d.genome)
            self.mm = pn.widgets.IntSlider(label="Max mismatches", start=0, end=4, value=d.max_mismatches)
            self.gc = pn.widgets.RangeSlider(label="GC fraction", start=0, end=1, step=0.05,
                                             value=(d.gc_min, d.gc_max))
            self.polyt = pn.widgets.Checkbox(label="Exclude TTTT", value=d.exclude_poly_t)
            self.summary = pn.pane.Markdown("", css_classes=["augbench-summary"], sizing_mode="stretch_width")
            self.table = pn.widgets.Tabulator(None, pagination="remote", page_size=15, disabled=True, show_index=False,
                                              css_classes=["augbench-guide-table"], sizing_mode="stretch_width")
            self.download = pn.widgets.FileDownload(callback=self._csv, filename="guides.csv",
                                                    label="Download CSV", css_classes=["augbench-download"])
            self.plots = pn.Column(css_classes=["augbench-sites-plot"])
            for w, p in ((self.locus, "locus"), (self.seq, "sequence"), (self.nuclease, "nuclease"),
                         (self.genome, "genome"), (self.mm, "max_mismatches"), (self.polyt, "exclude_poly_t"),
                         (self.cpam, "custom_pam"), (self.clen, "custom_spacer_len"), (self.cside, "custom_pam_side")):
                w.param.watch(lambda e, p=p: setattr(self.designer, p, e.new), "value")
                d.param.watch(lambda e, w=w: setattr(w, "value", e.new), p)
            self.gc.param.watch(lambda e: self.designer.param.update(gc_min=e.new[0], gc_max=e.new[1]), "value")
            self.upload.param.watch(self._on_upload, "value")
            from augbench.grna.explorer import _DEPS

            d.param.watch(lambda *e: self._refresh(), list(_DEPS))
            self._refresh()

        def _on_upload(self, event):
            from augbench.grna.sequence import parse_fasta_bytes

            if not event.new:
                return
            try:
                recs = parse_fasta_bytes(event.new, source=self.upload.filename or "upload")
                text = "\n".join(f">{r.name}\n{r.seq}" for r in recs)
            except ValueError as exc:
                self.summary.object = f"Error: {exc}"
                return
            self.designer.param.update(sequence=text, locus="custom")

        def _csv(self):
            buf = io.StringIO()
            self.designer.table().to_csv(buf, index=False)
            buf.seek(0)
            return buf

        def _refresh(self):
            df = self.designer.table()
            self.summary.object = self.designer.summary()
            self.table.value = _table_view(df) if len(df) else df
            if len(df):
                self.plots.objects = [pn.pane.HoloViews(sites_plot(df)),
                                      pn.Row(pn.pane.HoloViews(score_distributions(df)),
                                             pn.pane.HoloViews(mismatch_map(self.designer.hits())))]
            else:
                self.plots.objects = [pn.pane.Markdown("No sites.")]

        def __panel__(self):
            custom = pn.Card(self.cpam, self.clen, self.cside, title="Custom nuclease (Nuclease = custom)",
                             collapsed=True)
            controls = pn.Column("## Guide designer", self.locus, self.seq, self.upload, self.nuclease, custom,
                                 self.genome, self.mm, self.gc, self.polyt, self.download, width=320)
            return pn.Row(controls, pn.Column(self.summary, self.plots, self.table, sizing_mode="stretch_width"))

    return GuideDesignerApp(**kwargs)


def widgets(designer=None, **kwargs):
    """ipywidgets controls synced both ways with a :class:`GuideDesigner`, plus an output (summary + top 10)."""
    import html

    import ipywidgets as ipw

    from augbench.grna.explorer import GuideDesigner

    d = designer or GuideDesigner(**kwargs)
    ctrl = {
        "locus": ipw.Dropdown(options=d.param.locus.objects, value=d.locus, description="Locus"),
        "sequence": ipw.Textarea(value=d.sequence, description="Sequence", placeholder="DNA or FASTA (Locus=custom)"),
        "nuclease": ipw.Dropdown(options=d.param.nuclease.objects, value=d.nuclease, description="Nuclease"),
        "genome": ipw.Dropdown(options=d.param.genome.objects, value=d.genome, description="Off-targets in"),
        "max_mismatches": ipw.IntSlider(value=d.max_mismatches, min=0, max=4, description="Max mm"),
        "gc_min": ipw.FloatSlider(value=d.gc_min, min=0, max=1, step=0.05, description="GC min"),
        "gc_max": ipw.FloatSlider(value=d.gc_max, min=0, max=1, step=0.05, description="GC max"),
        "exclude_poly_t": ipw.Checkbox(value=d.exclude_poly_t, description="Exclude TTTT"),
    }
    # an HTML widget, not ipywidgets.Output: capturing output into an Output widget during headless
    # (papermill/nbclient) execution intermittently left the client waiting forever
    out = ipw.HTML()

    def render(*_):
        df = d.table()
        text = f"<pre class='augbench-summary'>{html.escape(d.summary())}</pre>"
        if len(df):
            text += _table_view(df).head(10).to_html(index=False)
        out.value = text

    for name, w in ctrl.items():
        w.observe(lambda ch, name=name: setattr(d, name, ch["new"]), names="value")
        d.param.watch(lambda e, w=w: setattr(w, "value", e.new), name)
    d.param.watch(render, list(ctrl))
    render()
    box = ipw.VBox([ipw.HBox([ctrl["locus"], ctrl["nuclease"], ctrl["genome"]]), ctrl["sequence"],
                    ipw.HBox([ctrl["max_mismatches"], ctrl["exclude_poly_t"]]),
                    ipw.HBox([ctrl["gc_min"], ctrl["gc_max"]]), out])
    box.designer = d
    return box
