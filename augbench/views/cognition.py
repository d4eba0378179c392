"""Cognition views: Panel dashboard and ipywidgets built from :mod:`augbench.cognition.explorer` (no state here).

Browser-test hooks
------------------
Tab "Staircase":
  * Select named **"Procedure"** (options "1-up-2-down", "1-up-3-down", "weighted up-down (75 %)", "PEST",
    "QUEST", "QUEST+", "Psi", "Psi-marginal") and IntSlider named **"Trials"** (10-400, default 60).
  * Markdown pane with css class **"augbench-summary"** reads e.g.
    "1-up-2-down, 60 trials (static observer): estimate of the 70.7% point -1.08 (true -1.06), p(correct) at
    estimate 0.69". Changing the procedure changes the first words (e.g. "QUEST+, 60 trials ..."
    and "threshold estimate"); changing Trials changes "60 trials".
  * Plots: staircase track (css "augbench-track"), posterior heat map (css "augbench-posterior"),
    fitted psychometric curve with the truth (css "augbench-fit").
Tab "n-back": IntSlider **"Blocks"**; Markdown css **"augbench-nback-summary"** ("200 players, 20 blocks: mean
  level 1.0 -> 3.3 ...").
Tab "Play": buttons **"1 (left)"** and **"2 (right)"** for the 2AFC task (or "match"/"no match"; for digit span a
  text box plus a drawing pad, css "augbench-drawing", whose "Read drawing" button runs the digits CNN and shows
  "Read as **d** ..." in css "augbench-drawing-read"); a key box (css **"augbench-keys"**, its ``input``)
  where each keystroke is one answer: 1/2 or F/J for 2AFC, M/N for n-back; another key gets "Key 'x' is
  not a response here ..." in the feedback;
  an HTML pane with the live track of the session (css **"augbench-play-track"**: an SVG with one dot per answer);
  Markdown css **"augbench-play-feedback"** shows the feedback ("Correct. 1/30 done, 29 to go ...") and css
  **"augbench-play-status"** the trial count and level.
"""
from __future__ import annotations

import numpy as np

__all__ = ["dashboard", "widgets", "play_widget", "track_plot", "track_svg", "session_track_svg", "posterior_plot",
           "fit_plot", "nback_plot", "CognitionDashboard"]


# ---------------------------------------------------------------------------------------------- plots
def _hv():
    import holoviews as hv
    if "bokeh" not in hv.Store.renderers or hv.Store.current_backend != "bokeh":
        import holoviews.plotting.bokeh  # noqa: F401  registers the bokeh options without notebook JS
        hv.Store.set_current_backend("bokeh")
    return hv


def track_plot(explorer):
    """HoloViews overlay: stimulus per trial (green = correct, red = wrong), running estimate, truth."""
    hv = _hv()
    r = explorer.result()
    tr = r["track"].assign(outcome=np.where(r["track"].correct, "correct", "wrong"))
    line = hv.Curve(tr, "trial", "stimulus", label="stimulus").opts(color="grey", line_width=1)
    pts = hv.Scatter(tr, "trial", ["stimulus", "outcome"]).opts(
        color="outcome", cmap={"correct": "#2ca02c", "wrong": "#d62728"}, size=6, show_legend=True)
    est = hv.Curve(tr, "trial", "estimate", label="estimate").opts(color="#1f77b4", line_dash="dashed")
    truth = hv.HLine(r["truth"], label="truth").opts(color="black", line_width=1.5)
    return (line * pts * est * truth).opts(title=f"{explorer.procedure}: track (truth = {r['target']})", width=560,
                                           height=300, xlabel="trial", ylabel="log10 contrast",
                                           legend_position="top_right")


def posterior_plot(explorer):
    """Heat map of the (threshold, slope) posterior (QUEST+/Psi), a curve for QUEST, a note otherwise."""
    hv = _hv()
    post = explorer.posterior()
    r = explorer.result()
    true_slope = explorer.true_slope
    if post is None:
        return hv.Text(0.5, 0.5, f"{explorer.procedure} keeps no posterior\n(non-parametric staircase)").opts(
            width=380, height=300, xaxis=None, yaxis=None, title="posterior")
    if post.ndim == 1:
        return (hv.Curve((post.threshold.values, post.values), "threshold", "posterior") *
                hv.VLine(r["truth"]).opts(color="black")).opts(width=380, height=300, title="posterior (QUEST)")
    img = hv.Image((post.threshold.values, np.log10(post.slope.values), post.values.T),
                   kdims=["threshold", "log10 slope"], vdims="posterior").opts(cmap="viridis", colorbar=True)
    star = hv.Points([(r["truth"], np.log10(true_slope))]).opts(color="red", marker="x", size=14)
    return (img * star).opts(width=420, height=300, title="posterior (x = truth)")


def fit_plot(explorer):
    """Fitted psychometric function (ML, this session's data) against the true one, with binned data."""
    hv = _hv()

    from augbench.cognition.psychometric import psychometric
    r = explorer.result()
    tr = r["track"]
    x = np.linspace(-2.5, 0.5, 200)
    obs = r["observer"]
    truth = hv.Curve((x, obs.p_correct(x, explorer.n_trials - 1)), "log10 contrast", "P(correct)",
                     label="true").opts(color="black")
    items = [truth]
    try:
        f = explorer.fit()
        items.append(hv.Curve((x, psychometric(x, f.threshold, f.slope, f.guess, f.lapse, "gumbel")),
                              "log10 contrast", "P(correct)", label=f"fit (alpha {f.threshold:.2f})").opts(
            color="#1f77b4"))
    except (ValueError, RuntimeError):
        pass
    g = tr.groupby(tr.stimulus.round(2)).correct.agg(["mean", "size"]).reset_index()
    items.append(hv.Scatter((g.stimulus, g["mean"], g["size"]), "log10 contrast", ["P(correct)", "n"],
                            label="data").opts(size=hv.dim("n").norm() * 10 + 4, color="grey", alpha=0.7))
    return hv.Overlay(items).opts(width=420, height=300, title="psychometric fit vs truth", ylim=(0.3, 1.02),
                                  legend_position="bottom_right")


def nback_plot(nexp):
    """Mean n-back level over blocks (band: 10-90 % of players)."""
    hv = _hv()
    ds = nexp.result()
    b = ds.block.values
    lv = ds.level.values
    mean, lo, hi = lv.mean(0), np.percentile(lv, 10, 0), np.percentile(lv, 90, 0)
    return (hv.Area((b, lo, hi), "block", ["level", "level_hi"]).opts(alpha=0.2, color="#1f77b4") *
            hv.Curve((b, mean), "block", "level", label="mean level").opts(color="#1f77b4") *
            hv.Curve((b, lv[0]), "block", "level", label="one player").opts(color="grey", line_dash="dotted")).opts(
        width=520, height=280, title="n-back level over blocks (Jaeggi et al. 2008 rule)")


def track_svg(track, truth=None, width: int = 560, height: int = 220, label: str = "log10 contrast") -> str:
    """A dependency-free inline SVG of a staircase track (used by the ipywidgets view, which must not
    depend on a plotting front-end, and by the live track of a person playing): grey line = stimulus,
    green/red dots = correct/wrong, black = truth (if given), blue dashed = running estimate (if the
    track has an ``estimate`` column)."""
    x = track["trial"].to_numpy(float)
    has_est = "estimate" in track
    parts = [track["stimulus"].to_numpy(float)] + ([track["estimate"].to_numpy(float)] if has_est else []) + \
        ([[truth]] if truth is not None else [])
    ys = np.concatenate(parts)
    lo, hi = float(np.nanmin(ys)), float(np.nanmax(ys))
    pad = 0.05 * (hi - lo or 1.0)
    lo, hi = lo - pad, hi + pad
    m = 30

    def px(v):
        return m + (v - x.min()) / max(x.max() - x.min(), 1) * (width - 2 * m)

    def py(v):
        return height - m - (v - lo) / (hi - lo) * (height - 2 * m)

    def path(v):
        return " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x, v))

    dots = "".join(f"<circle cx='{px(a):.1f}' cy='{py(b):.1f}' r='3' fill='{'#2ca02c' if c else '#d62728'}'/>"
                   for a, b, c in zip(x, track["stimulus"], track["correct"]))
    truth_line = (f"<line x1='{m}' x2='{width - m}' y1='{py(truth):.1f}' y2='{py(truth):.1f}' stroke='black'/>"
                  if truth is not None else "")
    est_line = (f"<polyline points='{path(track['estimate'])}' fill='none' stroke='#1f77b4' stroke-dasharray='5,3'/>"
                if has_est else "")
    legend = ", ".join(([] if truth is None else ["black = truth"]) + ([] if not has_est else ["dashed = estimate"])
                       + ["green = correct, red = wrong"])
    return (f"<svg class='augbench-track' width='{width}' height='{height}' xmlns='http://www.w3.org/2000/svg'>"
            f"{truth_line}<polyline points='{path(track['stimulus'])}' fill='none' stroke='grey'/>{est_line}"
            f"{dots}<text x='{m}' y='14' font-size='12'>{label} {hi:.2f} (top) to {lo:.2f} (bottom); "
            f"{legend}</text></svg>")


LEVEL_LABEL = {"2afc": "log10 contrast", "nback": "n", "digitspan": "digits"}


def session_track_svg(session, width: int = 420, height: int = 180) -> str:
    """Live track of a person's session (level per answered trial, green = correct, red = wrong)."""
    import pandas as pd
    if not session.history:
        return "<p class='augbench-play-track'><i>Your track appears here after the first answer.</i></p>"
    h = pd.DataFrame(session.history).rename(columns={"level": "stimulus"})
    return (f"<div class='augbench-play-track'>"
            f"{track_svg(h, None, width, height, label=LEVEL_LABEL.get(session.task, 'level'))}</div>")


# ---------------------------------------------------------------------------------------------- panel
class _Pad:
    """A freehand drawing area (HoloViews FreehandDraw on bokeh) whose strokes the digits CNN reads."""

    def __init__(self):
        import holoviews as hv
        import panel as pn
        from holoviews import streams
        _hv()
        self.path = hv.Path([]).opts(width=200, height=200, line_width=6, color="black", xlim=(0, 1), ylim=(0, 1),
                                     xaxis=None, yaxis=None, toolbar="above", title="draw a digit")
        self.stream = streams.FreehandDraw(source=self.path, num_objects=10)
        self.pane = pn.pane.HoloViews(self.path, css_classes=["augbench-drawing"])

    def strokes(self):
        d = self.stream.data or {}
        out = []
        for xs, ys in zip(d.get("xs", []), d.get("ys", [])):
            if len(xs):
                out.append(np.column_stack([np.asarray(xs, float), -np.asarray(ys, float)]))  # y up -> screen y down
        return out

    def clear(self):
        try:
            self.stream.event(data={"xs": [], "ys": []})
        except Exception:  # pragma: no cover - depends on a live bokeh session
            pass


def _drawing_pad():
    import panel as pn
    pad = _Pad()
    return (pad, pn.widgets.Button(label="Read drawing"), pn.widgets.Button(label="Clear"),
            pn.pane.Markdown("", css_classes=["augbench-drawing-read"]))


KEYMAP = {"2afc": {"1": "1", "2": "2", "f": "1", "j": "2"}, "nback": {"m": "match", "n": "nomatch"}}


def _play_panel(pexp):
    import panel as pn

    from augbench.cognition.guidance import instructions
    from augbench.cognition.tasks import image_to_png

    status = pn.pane.Markdown("", css_classes=["augbench-play-status"])
    fb = pn.pane.Markdown("", css_classes=["augbench-play-feedback"])
    instr = pn.pane.Markdown("")
    left = pn.pane.PNG(None, width=200, height=200)
    right = pn.pane.PNG(None, width=200, height=200)
    symbol = pn.pane.Markdown("", styles={"font-size": "48px"})
    digits_shown = pn.pane.Markdown("", styles={"font-size": "32px"})
    b1, b2 = pn.widgets.Button(label="1 (left)", color="primary"), pn.widgets.Button(label="2 (right)",
                                                                                          color="primary")
    bm, bn = pn.widgets.Button(label="match"), pn.widgets.Button(label="no match")
    entry = pn.widgets.TextInput(label="Digits (type, then press Enter)", placeholder="e.g. 4821")
    # keyboard responses: every keystroke in this box is one answer (no Enter needed)
    keybox = pn.widgets.TextInput(label="Keys", placeholder="click here, then press keys", width=300,
                                  css_classes=["augbench-keys"])
    pad, read_btn, clear_btn, read_out = _drawing_pad()

    def read_drawing(_):
        from augbench.cognition import digits
        strokes = pad.strokes()
        if not strokes:
            read_out.object = "Draw one digit first."
            return
        lab, proba = digits.predict(digits.strokes_to_image(strokes), return_proba=True)
        read_out.object = f"Read as **{int(lab[0])}** (p = {proba[0].max():.2f}); added to the answer box."
        entry.value_input = (entry.value_input or "") + str(int(lab[0]))
        pad.clear()

    read_btn.on_click(read_drawing)
    clear_btn.on_click(lambda e: pad.clear())
    submit = pn.widgets.Button(label="Submit digits")
    submit.on_click(lambda e: (answer(entry.value_input or ""), setattr(entry, "value_input", "")))
    stim_box = pn.Column()
    resp_box = pn.Row()
    live = pn.pane.HTML("", css_classes=["augbench-play-live"])

    def render():
        s = pexp.session
        instr.object = instructions(pexp.task, pexp.lang, n=int(s.level) if pexp.task != "2afc" else 2)
        status.object = f"Trial {s.state.n_done + (0 if s.done else 1)}/{s.n_trials} - level {s.level:.2f}"
        t = pexp.trial
        if pexp.task == "2afc":
            stim_box[:] = [pn.Row(left, right)]
            keybox.placeholder = "click here, then press 1 or 2 (F / J)"
            resp_box[:] = [b1, b2, keybox]
            if t is not None:
                li, ri = s.task_.render(t)
                left.object, right.object = image_to_png(li), image_to_png(ri)
        elif pexp.task == "nback":
            stim_box[:] = [symbol]
            keybox.placeholder = "click here, then press M (match) or N"
            resp_box[:] = [bm, bn, keybox]
            symbol.object = f"**{t.stimulus['symbol']}**" if t is not None else ""
        else:
            stim_box[:] = [digits_shown]
            resp_box[:] = [pn.Column(pn.Row(entry, submit), pn.Row(pad.pane, pn.Column(read_btn, clear_btn, read_out)))]
            digits_shown.object = f"`{t.stimulus['digits']}`" if t is not None else ""
        live.object = session_track_svg(s)
        if s.done:
            resp_box[:] = [pn.pane.Markdown("Session complete.")]

    def answer(code):
        if pexp.trial is None:
            return
        try:
            out = pexp.answer(code)
            fb.object = out["feedback"]
        except ValueError as exc:
            fb.object = f"{exc}"
        render()

    def on_key(e):
        key = (e.new or "")[-1:].lower()
        if not key:
            return
        keybox.value_input = ""
        code = KEYMAP.get(pexp.task, {}).get(key)
        if code is None:
            fb.object = f"Key {key!r} is not a response here; " + (
                "press 1 or 2 (F or J)." if pexp.task == "2afc" else "press M (match) or N (no match).")
            return
        answer(code)

    keybox.param.watch(on_key, "value_input")
    b1.on_click(lambda e: answer("1"))
    b2.on_click(lambda e: answer("2"))
    bm.on_click(lambda e: answer("match"))
    bn.on_click(lambda e: answer("nomatch"))
    entry.param.watch(lambda e: (answer(e.new), setattr(entry, "value", ""), setattr(entry, "value_input", ""))
                      if e.new else None, "value")
    pexp.param.watch(lambda e: (setattr(fb, "object", ""), render()), ["task", "lang", "n_trials", "log_path",
                                                                       "participant"])
    render()
    controls = pn.Param(pexp, parameters=["task", "lang", "n_trials", "participant", "log_path"],
                        widgets={"task": {"name": "Task"}, "lang": {"name": "Language"},
                                 "n_trials": {"name": "Planned trials"}}, show_name=False)
    return pn.Row(controls, pn.Column(instr, stim_box, resp_box, fb, status, live))


def _dashboard_class():
    import panel as pn

    from augbench.cognition.explorer import NBackExplorer, PlayExplorer, StaircaseExplorer

    class CognitionDashboard(pn.viewable.Viewer):
        """Staircase / n-back / Play tabs around the three explorers."""

        def __init__(self, explorer=None, nback=None, play=None, **params):
            super().__init__(**params)
            self.explorer = explorer or StaircaseExplorer()
            self.nback = nback or NBackExplorer()
            self.play = play or PlayExplorer()

        def __panel__(self):
            ex = self.explorer
            controls = pn.Param(ex, parameters=["procedure", "n_trials", "true_threshold", "true_slope", "true_lapse",
                                                "observer", "seed"],
                                widgets={"procedure": {"type": pn.widgets.Select, "name": "Procedure"},
                                         "n_trials": {"type": pn.widgets.IntSlider, "name": "Trials"},
                                         "true_threshold": {"name": "True threshold (log10 contrast)"},
                                         "true_slope": {"name": "True slope"}, "true_lapse": {"name": "True lapse"},
                                         "observer": {"name": "Observer"}, "seed": {"name": "Seed"}},
                                show_name=False)
            deps = [ex.param.procedure, ex.param.n_trials, ex.param.true_threshold, ex.param.true_slope,
                    ex.param.true_lapse, ex.param.observer, ex.param.seed]
            summary = pn.pane.Markdown(pn.bind(lambda *a: ex.summary(), *deps), css_classes=["augbench-summary"])
            track = pn.pane.HoloViews(pn.bind(lambda *a: track_plot(ex), *deps), css_classes=["augbench-track"])
            post = pn.pane.HoloViews(pn.bind(lambda *a: posterior_plot(ex), *deps), css_classes=["augbench-posterior"])
            fit = pn.pane.HoloViews(pn.bind(lambda *a: fit_plot(ex), *deps), css_classes=["augbench-fit"])
            stair = pn.Row(controls, pn.Column(summary, track, pn.Row(post, fit)))
            nb = self.nback
            nb_controls = pn.Param(nb, parameters=["n_blocks", "capacity", "capacity_start", "n_players", "seed"],
                                   widgets={"n_blocks": {"type": pn.widgets.IntSlider, "name": "Blocks"}},
                                   show_name=False)
            nb_deps = [nb.param.n_blocks, nb.param.capacity, nb.param.capacity_start, nb.param.n_players,
                       nb.param.seed]
            nb_sum = pn.pane.Markdown(pn.bind(lambda *a: nb.summary(), *nb_deps), css_classes=["augbench-nback-summary"])
            nb_plot = pn.pane.HoloViews(pn.bind(lambda *a: nback_plot(nb), *nb_deps), css_classes=["augbench-nback"])
            return pn.Tabs(("Staircase", stair), ("n-back", pn.Row(nb_controls, pn.Column(nb_sum, nb_plot))),
                           ("Play", _play_panel(self.play)), dynamic=True)

    return CognitionDashboard


def CognitionDashboard(*args, **kwargs):  # noqa: N802 - factory keeps panel out of import time
    """Build the dashboard Viewer (see module docstring)."""
    return _dashboard_class()(*args, **kwargs)


def dashboard(**kwargs):
    """The cognition Panel dashboard; kwargs set :class:`StaircaseExplorer` parameters (e.g. ``procedure="QUEST+"``)."""
    import holoviews as hv
    import panel as pn
    pn.extension()
    hv.extension("bokeh", logo=False)
    from augbench.cognition.explorer import StaircaseExplorer
    return CognitionDashboard(explorer=StaircaseExplorer(**kwargs))


# ---------------------------------------------------------------------------------------------- ipywidgets
def widgets(explorer=None, **kwargs):
    """ipywidgets controls synced both ways with a :class:`StaircaseExplorer`, plus an output with summary and plots."""
    import ipywidgets as W

    from augbench.cognition.explorer import PROCEDURES, StaircaseExplorer
    ex = explorer or StaircaseExplorer(**kwargs)
    ctrls = {
        "procedure": W.Dropdown(options=list(PROCEDURES), value=ex.procedure, description="Procedure"),
        "n_trials": W.IntSlider(value=ex.n_trials, min=10, max=400, step=10, description="Trials"),
        "true_threshold": W.FloatSlider(value=ex.true_threshold, min=-2.0, max=0.0, step=0.05,
                                        description="True threshold"),
        "observer": W.Dropdown(options=["static", "learning", "fatiguing"], value=ex.observer, description="Observer"),
        "seed": W.IntText(value=ex.seed, description="Seed"),
    }
    summary = W.HTML()
    plot = W.HTML()

    def redraw(*_):
        summary.value = f"<b class='augbench-summary'>{ex.summary()}</b>"
        r = ex.result()
        plot.value = track_svg(r["track"], r["truth"])

    syncing = {"on": False}

    def from_widget(change, name):
        if syncing["on"]:
            return
        setattr(ex, name, change["new"])

    def from_param(event):
        syncing["on"] = True
        try:
            if event.name in ctrls and ctrls[event.name].value != event.new:
                ctrls[event.name].value = event.new
        finally:
            syncing["on"] = False
        redraw()

    for name, w in ctrls.items():
        w.observe(lambda ch, n=name: from_widget(ch, n), names="value")
    ex.param.watch(from_param, list(ctrls))
    redraw()
    box = W.VBox([W.HBox([ctrls["procedure"], ctrls["observer"], ctrls["seed"]]),
                  W.HBox([ctrls["n_trials"], ctrls["true_threshold"]]), summary, plot])
    box.explorer = ex
    return box


def play_widget(task: str = "2afc", lang: str = "en", n_trials: int = 30, log_path: str = "", **kwargs):
    """A playable task in JupyterLab: stimulus, buttons, a key box (type 1/2, m/n, or digits + Enter), feedback.

    Response times are measured from the moment a trial is drawn to the click/keypress reaching
    the kernel (so they include widget round-trip latency, typically tens of ms).
    """
    import ipywidgets as W

    from augbench.cognition.explorer import PlayExplorer
    from augbench.cognition.tasks import image_to_png
    pexp = PlayExplorer(task=task, lang=lang, n_trials=n_trials, log_path=log_path, **kwargs)
    instr = W.HTML(f"<p>{pexp.session.instructions}</p>")
    left, right = W.Image(format="png", width=192), W.Image(format="png", width=192)
    big = W.HTML()
    fb = W.HTML()
    status = W.HTML()
    keys = W.Text(placeholder={"2afc": "type 1 or 2 (F / J), Enter", "nback": "type m (match) or n, Enter",
                               "digitspan": "type the digits, Enter"}[task], description="Key")
    buttons = {"2afc": [("1 (left)", "1"), ("2 (right)", "2")], "nback": [("match", "match"), ("no match", "nomatch")],
               "digitspan": []}[task]
    btns = [W.Button(description=label) for label, _ in buttons]

    live = W.HTML()

    def render():
        s, t = pexp.session, pexp.trial
        status.value = f"Trial {s.state.n_done + (0 if s.done else 1)}/{s.n_trials}, level {s.level:.2f}"
        live.value = session_track_svg(s)
        if t is None:
            big.value = "<b>Session complete.</b>"
            return
        if task == "2afc":
            li, ri = s.task_.render(t)
            left.value, right.value = image_to_png(li), image_to_png(ri)
        elif task == "nback":
            big.value = f"<span style='font-size:48px'>{t.stimulus['symbol']}</span>"
        else:
            big.value = f"<span style='font-size:32px'>{t.stimulus['digits']}</span>"

    def answer(code):
        if pexp.trial is None:
            return
        try:
            fb.value = pexp.answer(code)["feedback"]
        except ValueError as exc:
            fb.value = f"<span style='color:#d62728'>{exc}</span>"
        render()

    for b, (_, code) in zip(btns, buttons):
        b.on_click(lambda _b, c=code: answer(c))

    def on_key(change):
        v = change["new"].strip().lower()
        if not v:
            return
        v = KEYMAP.get(task, {}).get(v, v)          # the same keys as the Panel player
        keys.value = ""
        answer(v)

    keys.continuous_update = False
    keys.observe(on_key, names="value")
    render()
    stim = W.HBox([left, right]) if task == "2afc" else big
    box = W.VBox([instr, stim, W.HBox(btns + [keys]), fb, status, live])
    box.explorer = pexp
    return box
