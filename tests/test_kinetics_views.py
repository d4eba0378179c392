"""Tests of the kinetics explorer and its views (no browser)."""
import pytest

from augbench.grna.kinetics_explorer import KineticsExplorer


def test_explorer_summary_follows_dose():
    ex = KineticsExplorer()
    s0 = ex.summary()
    assert s0.startswith("fraction edited at 24 h:")
    ex.cas9 = 200
    s1 = ex.summary()
    assert s1 != s0
    e0 = float(s0.split(":")[1].split("(")[0])
    e1 = float(s1.split(":")[1].split("(")[0])
    assert e1 < e0
    ex.donor = False
    assert "HDR 0.00" in ex.summary()


def test_explorer_landscape_and_cells():
    ex = KineticsExplorer(n_cells=30, mismatches="3, 12")
    assert ex.mismatch_positions() == [3, 12]
    lan = ex.landscape()
    assert (lan.with_mismatches_kBT >= lan.on_target_kBT - 1e-12).all()
    assert ex.target_cleavage()["relative_rate"] < 0.01
    d = ex.outcome_distribution()
    assert d.n_cells.sum() == 30
    ex.mismatches = "0"
    with pytest.raises(ValueError, match="position 0"):
        ex.mismatch_positions()


def _walk(o):
    yield o
    for c in getattr(o, "objects", None) or []:
        yield from _walk(c)


def test_dashboard_summary_pane_updates():
    pytest.importorskip("panel")
    from augbench.views.kinetics import dashboard

    ex = KineticsExplorer(n_cells=30)
    objs = list(_walk(dashboard(ex).__panel__()))
    pane = [o for o in objs if "augbench-summary" in (getattr(o, "css_classes", None) or [])]
    assert len(pane) == 1
    before = pane[0].object
    ex.cas9 = 200
    assert pane[0].object != before and pane[0].object.startswith("fraction edited at 24 h: 0.09")
    land = [o for o in objs if "augbench-landscape-summary" in (getattr(o, "css_classes", None) or [])][0]
    b = land.object
    ex.mismatches = "3"
    assert land.object != b and "mismatches at 3" in land.object


def test_widgets_sync_both_ways():
    pytest.importorskip("ipywidgets")
    from augbench.views.kinetics import widgets

    box = widgets(n_cells=30)
    ex = box.explorer
    slider = box.children[0]
    slider.value = 400
    assert ex.cas9 == 400
    ex.cas9 = 1500
    assert slider.value == 1500
    assert "fraction edited" in box.children[-2].value
