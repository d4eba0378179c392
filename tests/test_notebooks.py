"""The curated notebooks: committed stripped, one `parameters` cell with QUICK and SEED, each runs headless in
quick mode into an offline HTML report that renders in Chromium with every http(s) request blocked."""
import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from augbench import reports
from browser import browser, screenshot, watch_errors


NB_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(p for p in NB_DIR.glob("*.ipynb") if not p.name.startswith(("_", ".")))
NAMES = [p.stem for p in NOTEBOOKS]


def test_three_sections_present():
    assert {reports._alias_of(n) for n in NAMES} >= {"grna", "bci", "cognition"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, "strip outputs before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_parameters_cell_declares_quick_and_seed(path):
    nb = nbformat.read(str(path), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    params = pm.inspect_notebook(str(path))
    assert {"QUICK", "SEED"} <= set(params)
    declared = reports.notebook_parameters(path)
    assert declared["QUICK"]["type"] == "bool" and declared["SEED"]["type"] == "int"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_structure_widgets_dashboard_limits(path):
    nb = nbformat.read(str(path), as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "augbench.nb_setup()" in code, "nb_setup() loads inline JS for offline reports"
    assert "widgets(" in code or "ipywidgets" in code
    assert "dashboard(" in code
    assert "limits and responsible use" in md.lower()
    assert "references" in md.lower()


@pytest.fixture(scope="module")
def quick_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("nb-reports")
    record = reports.run_reports(NAMES, {}, quick=True, out_dir=out, progress=False, timeout_s=600)
    return out / record["run_id"], {e["notebook"]: e for e in record["notebooks"]}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_in_quick_mode(quick_reports, name):
    _, entries = quick_reports
    e = entries[name]
    assert e["status"] == "ok", e["error"]
    assert e["metrics"], "the notebook publishes its headline numbers with augbench.publish"


def _check_cognition(m):
    # Levitt (1971): 1-up-2-down converges to 70.7 % correct; the quick bench is small, so +-0.02
    assert abs(m["converged_pc_1up2down"] - 0.707) < 0.02
    assert m["digits_heldout_accuracy"] > 0.95
    assert m["questplus_same_choices"] > 0 or m["questplus_speed_ratio"] is None


def _check_grna(m):
    assert m["n_sites_locus"] > 0
    assert m["rs1_max_abs_diff_published"] < 1e-6   # Doench 2014 Rule Set 1, 4,195 published scores
    assert m["kin_bae_testvectors_exact"] == m["kin_bae_testvectors_total"] == 302   # Bae 2014 via CRISPOR
    assert m["kin_sweep_identical"] is True          # dask sweep == serial sweep


def _check_bci(m):
    # MNE's "Motor imagery decoding from EEG data using CSP" example documents 0.9333 / chance 0.5333 for
    # subject 1, runs 6/10/14, 7-30 Hz, ShuffleSplit(10, 0.2, random_state=42): reproduced in every run
    assert m["mne_example_accuracy"] == pytest.approx(0.9333, abs=1e-3)
    assert m["mne_example_chance"] == pytest.approx(0.5333, abs=1e-3)
    assert m["synthetic_acc_snr2"] > 0.9 and m["synthetic_acc_snr0"] < 0.75   # planted effect found / not invented


CHECKS = {"grna": _check_grna, "bci": _check_bci, "cognition": _check_cognition}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_published_figures(quick_reports, name):
    _, entries = quick_reports
    if entries[name]["status"] != "ok":
        pytest.fail(f"{name} failed: {entries[name]['error']}")
    CHECKS[reports._alias_of(name)](entries[name]["metrics"])


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("name", NAMES)
def test_report_renders_offline(quick_reports, name):
    folder, entries = quick_reports
    html_path = folder / entries[name]["html"]
    assert reports.external_references(html_path.read_text()) == []
    with browser() as b:
        page = b.new_page(viewport={"width": 1300, "height": 900})
        blocked = []
        page.route("**/*", lambda r: (blocked.append(r.request.url), r.abort())
                   if r.request.url.startswith(("http:", "https:")) else r.continue_())
        errors = watch_errors(page)
        page.goto(html_path.as_uri())
        page.locator("canvas").first.wait_for(state="attached", timeout=30000)      # bokeh plots drawn
        page.locator(".widget-box, .widget-slider, .widget-dropdown, .widget-text, .widget-button, "
                     ".widget-toggle-buttons, .widget-checkbox").first.wait_for(timeout=30000)  # ipywidgets
        src = nbformat.read(str(NB_DIR / f"{name}.ipynb"), as_version=4)
        if any("$" in c.source for c in src.cells if c.cell_type == "markdown"):
            page.locator("mjx-container").first.wait_for(state="attached", timeout=30000)  # equations typeset
        page.wait_for_timeout(1000)
        assert page.evaluate("window.Bokeh !== undefined && Bokeh.version.length > 0")
        assert page.locator("canvas").count() >= 2
        screenshot(page, f"report-{name}")
        assert blocked == [], blocked
        assert errors == [], errors
