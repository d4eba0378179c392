"""Explorers drive the views; the dashboard builds quickly and its summary text follows the controls."""
import time

import pytest

from augbench.cognition.explorer import PROCEDURES, NBackExplorer, PlayExplorer, StaircaseExplorer


def test_explorer_summary_changes_with_params():
    ex = StaircaseExplorer(seed=1)
    s0 = ex.summary()
    assert s0.startswith("1-up-2-down, 60 trials") and "70.7% point" in s0
    ex.n_trials = 120
    assert "120 trials" in ex.summary()
    ex.procedure = "QUEST+"
    assert ex.summary().startswith("QUEST+") and "threshold estimate" in ex.summary()
    assert ex.posterior().dims == ("threshold", "slope")
    assert abs(float(ex.posterior().sum()) - 1) < 1e-9


@pytest.mark.parametrize("proc", PROCEDURES)
def test_every_procedure_estimates_near_truth_in_200_trials(proc):
    ex = StaircaseExplorer(procedure=proc, n_trials=200, seed=2)
    r = ex.result()
    assert abs(r["estimate"] - r["truth"]) < 0.25
    f = ex.fit()
    assert -2.5 < f.threshold < 0.5


def test_nback_and_play_explorers():
    nb = NBackExplorer(n_players=50, n_blocks=10)
    assert nb.summary().startswith("50 players, 10 blocks")
    pe = PlayExplorer(task="2afc", n_trials=5)
    out = pe.answer(pe.trial.answer)
    assert out["correct"] and "1/5" in out["feedback"]
    pe.lang = "zh"
    assert pe.session.state.n_done == 0 and "条纹" in pe.session.instructions


def test_play_views_draw_the_live_track():
    from augbench.views.cognition import play_widget, session_track_svg
    w = play_widget("2afc", n_trials=5)
    live = w.children[-1]
    assert "after the first answer" in live.value
    pe = w.explorer
    for right in (True, False):
        a = pe.trial.answer
        code = a if right else {"1": "2", "2": "1"}[a]
        w.children[2].children[-1].value = code            # the key box, as a person typing 1 or 2 + Enter
    assert live.value.count("<circle") == 2
    assert "#2ca02c" in live.value and "#d62728" in live.value   # one correct (green), one wrong (red)
    pe2 = PlayExplorer(task="nback", n_trials=5)
    pe2.answer(pe2.trial.answer)
    assert "n " in session_track_svg(pe2.session) and session_track_svg(pe2.session).count("<circle") == 1


def test_dashboard_builds_fast_and_summary_follows_controls():
    pytest.importorskip("panel")
    import holoviews  # noqa: F401  (library import time is not the dashboard's build time)
    import panel  # noqa: F401

    from augbench.views.cognition import dashboard
    t = time.time()
    d = dashboard()
    root = d.__panel__()
    root.get_root()
    assert time.time() - t < 10
    ex = d.explorer
    before = ex.summary()
    ex.procedure = "Psi"
    assert ex.summary() != before


def test_widgets_sync_both_ways():
    pytest.importorskip("ipywidgets")
    from augbench.views.cognition import play_widget, widgets
    w = widgets()
    ex = w.explorer
    ex.procedure = "QUEST"
    dd = w.children[0].children[0]
    assert dd.value == "QUEST"
    dd.value = "PEST"
    assert ex.procedure == "PEST"
    assert "PEST" in w.children[2].value
    pw = play_widget("digitspan", n_trials=5)
    keybox = pw.children[2].children[-1]
    keybox.value = pw.explorer.trial.answer
    assert pw.explorer.session.state.n_correct == 1


def test_drawing_pad_strokes_are_read_by_the_cnn():
    pytest.importorskip("panel")
    pytest.importorskip("torch")
    from augbench.cognition import digits
    from augbench.views.cognition import _drawing_pad
    pad, *_ = _drawing_pad()
    assert pad.strokes() == []
    pad.stream.event(data={"xs": [[0.5, 0.5]], "ys": [[1.0, 0.0]]})      # one vertical stroke
    assert digits.predict(digits.strokes_to_image(pad.strokes()))[0] == 1
