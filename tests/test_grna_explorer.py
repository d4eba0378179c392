"""Guide designer state, ranking, dashboard and widgets (no browser)."""
import numpy as np
import pytest

from augbench.grna.explorer import GuideDesigner, design_guides, summary_text


def test_design_guides_emx1_contains_published_guide_and_ranks():
    df = design_guides("EMX1", genome="HEK3_FANCF_smallgenome", max_mismatches=2)
    assert "GAGTCCGAGCAGAAGAAGAA" in set(df.spacer)
    assert list(df["rank"]) == list(range(1, len(df) + 1))
    assert df.rank_score.is_monotonic_decreasing
    for c in ("rs1", "cnn", "n_mm0", "n_mm2", "mit_specificity", "cfd_specificity"):
        assert c in df


def test_filters():
    all_ = design_guides("FANCF")
    f = design_guides("FANCF", gc_range=(0.4, 0.6), exclude_poly_t=True)
    assert len(f) < len(all_)
    assert f.gc.between(0.4, 0.6).all() and not f.poly_t.any()


def test_designer_params_and_errors():
    d = GuideDesigner()
    s1 = d.summary()
    assert s1.startswith("48 SpCas9 sites (25 on +, 23 on −)")
    d.locus = "FANCF"
    assert d.summary().startswith("37 SpCas9 sites") and "FANC_amplicon" in d.summary()
    d.nuclease = "AsCas12a"
    assert "AsCas12a" in d.summary()
    d.param.update(locus="custom", sequence="ACGTUACGT", nuclease="SpCas9")
    assert d.summary().startswith("Error:") and "'U'" in d.summary() and "position 4" in d.summary()
    d.sequence = ">r1\nACGTACGTACGTACGTACGTAGGTT"
    assert d.summary().startswith("1 SpCas9 sites (1 on +, 0 on −)")


def test_summary_for_nuclease_without_cfd():
    df = design_guides("HEK3", "SaCas9", genome="HEK3_FANCF_smallgenome", max_mismatches=1)
    assert "CFD/MIT not defined for SaCas9" in summary_text(df)
    assert df.cfd_specificity.isna().all()
    assert df.specificity_note.str.contains("SpCas9").all()


def test_dashboard_and_widgets_sync():
    pytest.importorskip("panel")
    from augbench.views.grna import dashboard, mismatch_map, score_distributions, sites_plot, widgets

    app = dashboard()
    app.__panel__()
    before = app.summary.object
    app.locus.value = "HEK3"
    assert app.summary.object != before and "HEK3_amplicon" in app.summary.object
    assert "augbench-summary" in app.summary.css_classes
    csv = app._csv().read()
    assert csv.startswith("record,start,end,strand,spacer")
    w = widgets()
    w.children[0].children[0].value = "FANCF"
    assert w.designer.locus == "FANCF"
    w.designer.locus = "EMX1"
    assert w.children[0].children[0].value == "EMX1"
    df, hits = design_guides("EMX1", genome="HEK3_FANCF_smallgenome", max_mismatches=3, return_hits=True)
    import holoviews as hv

    for p in (sites_plot(df), score_distributions(df), mismatch_map(hits)):
        hv.render(p)


def test_custom_nuclease_in_designer():
    d = GuideDesigner(locus="EMX1", nuclease="custom", custom_pam="NGG", custom_spacer_len=20)
    assert d.summary().startswith("48 custom sites")
    d.custom_pam = "NNGRRT"
    d.custom_spacer_len = 21
    from augbench.grna.sites import find_sites

    n_sa = len(find_sites("EMX1", "SaCas9"))
    assert n_sa > 0 and d.summary().startswith(f"{n_sa} custom sites")  # same as the shipped SaCas9 row
    d.custom_pam = "NQG"
    assert d.summary().startswith("Error:") and "IUPAC" in d.summary()


def test_offtarget_search_limited_to_best_guides():
    full = design_guides("FANCF", genome="HEK3_FANCF_smallgenome", max_mismatches=2)
    part, hits = design_guides("FANCF", genome="HEK3_FANCF_smallgenome", max_mismatches=2, max_offtarget_guides=5,
                               return_hits=True)
    assert part.n_mm0.notna().sum() == 5
    searched = part[part.n_mm0.notna()]
    assert searched.cnn.min() >= part[part.n_mm0.isna()].cnn.max()
    merged = searched.merge(full, on=["start", "strand"], suffixes=("", "_full"))
    assert (merged.n_mm0 == merged.n_mm0_full).all() and np.allclose(merged.cfd_specificity, merged.cfd_specificity_full)
    assert set(hits.guide) <= set(searched.spacer)
    assert (part.loc[hits.guide_index.to_numpy(), "spacer"].to_numpy() == hits.guide.to_numpy()).all()
