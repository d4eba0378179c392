"""Explorer and views: parameters drive outputs; the dashboard and widgets build."""
import time
import warnings

import pytest

warnings.filterwarnings("ignore", category=FutureWarning)
pytest.importorskip("panel")

from augbench.bci.explorer import BCIExplorer  # noqa: E402


@pytest.fixture(scope="module")
def ex():
    return BCIExplorer()


def test_summary_changes_with_band_and_subject(ex):
    s1 = ex.summary()
    assert s1.startswith("S001, CSP+LDA, 7–30 Hz: accuracy")
    ex.band = (8.0, 13.0)
    s2 = ex.summary()
    assert "8–13 Hz" in s2 and s2 != s1
    ex.band = (7.0, 30.0)


def test_figure_data_have_units(ex):
    psd = ex.psd_by_class()
    assert psd.dims == ("label", "freq") and psd.attrs["units"].startswith("dB")
    erd = ex.erd_map()
    assert erd.dims == ("freq", "time") and erd.attrs["units"] == "%"
    # mu/beta desynchronisation after the cue: mean ERD 8–30 Hz, 0.5–3 s, is negative at C3 for subject 1
    assert float(erd.sel(freq=slice(8, 30), time=slice(0.5, 3)).mean()) < 0
    pats = ex.csp_patterns()
    assert set(pats["component"]) == {0, 1, 2, 3} and pats["pattern"].abs().max() == pytest.approx(1.0)


def test_dashboard_and_widgets_build(ex):
    import panel as pn

    from augbench.views import bci

    t0 = time.perf_counter()
    dash = bci.dashboard()
    root = pn.panel(dash).get_root()
    assert time.perf_counter() - t0 < 30
    assert root is not None
    box = bci.widgets(ex)
    box.children[0].children[0].value = 1
    box.children[1].children[0].value = (8.0, 12.0)
    assert ex.band == (8.0, 12.0)
    ex.band = (7.0, 30.0)
    assert tuple(box.children[1].children[0].value) == (7.0, 30.0)



def test_dashboard_summary_pane_follows_controls():
    """The browser-test hook: moving the 'Band (Hz)' slider changes the augbench-summary text."""
    import panel as pn

    from augbench.views import bci

    dash = bci.dashboard()
    view = dash.__panel__()
    (md,) = [p for p in view.select(pn.pane.Markdown) if "augbench-summary" in p.css_classes]
    assert "S001, CSP+LDA, 7–30 Hz: accuracy" in md.object
    (slider,) = [w for w in view.select(pn.widgets.RangeSlider) if w.name == "Band (Hz)"]
    slider.value = (9.0, 20.0)
    assert dash.explorer.band == (9.0, 20.0)
    assert "9–20 Hz" in md.object
    (subject,) = [w for w in view.select(pn.widgets.Select) if w.name == "Subject"]
    subject.value = 2
    assert md.object.startswith("S002")


def test_dashboard_replay_tab_player_moves_nf_bar():
    import panel as pn

    from augbench.views import bci

    dash = bci.dashboard()
    view = dash.__panel__()
    (tabs,) = view.select(pn.Tabs)
    tabs.active = 3
    tabs.get_root()
    (player,) = [w for w in view.select(pn.widgets.Player) if w.label == "Replay hop"]
    (bar,) = [w for w in view.select(pn.indicators.Progress) if "augbench-nf" in w.css_classes]
    (text,) = [p for p in view.select(pn.pane.Markdown) if "augbench-replay" in p.css_classes]
    before = (bar.value, text.object)
    player.value = player.value + 40
    assert text.object != before[1] and text.object.startswith("t = ")
    assert "p(feet)" in text.object
