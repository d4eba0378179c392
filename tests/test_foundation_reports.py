"""`augbench report` / `list`: parameter checking, failing notebooks, never-overwrite, offline HTML, index."""
import json
import subprocess

import pytest

from augbench import reports
from conftest import augbench_cmd


@pytest.fixture(scope="module")
def ok_nb(fixtures_dir):
    return reports.resolve_notebook("ok_demo", fixtures_dir)


def test_parameters_read_with_types_defaults_and_help(ok_nb):
    p = ok_nb.parameters
    assert list(p) == ["QUICK", "SEED", "N", "LABEL"]
    assert p["N"] == {"type": "int", "default": "20", "help": "points"}
    assert p["QUICK"]["type"] == "bool" and p["LABEL"]["default"] == "'demo'"


@pytest.mark.parametrize("key,value,expected", [
    ("N", "7", 7), ("QUICK", "true", True), ("QUICK", "0", False), ("LABEL", "x y", "x y"), ("N", 3, 3)])
def test_coerce_accepts_declared_types(ok_nb, key, value, expected):
    assert reports.coerce_parameter(ok_nb, key, value) == expected


@pytest.mark.parametrize("key,value,msg", [
    ("N", "seven", r"'N'.*expects int.*'seven'"), ("QUICK", "maybe", r"'QUICK'.*expects bool"),
    ("N", "2.5", r"expects int"), ("nope", "1", r"unknown parameter 'nope'.*valid parameters: QUICK \(bool")])
def test_coerce_refuses_with_named_errors(ok_nb, key, value, msg):
    with pytest.raises(reports.ParameterError, match=msg):
        reports.coerce_parameter(ok_nb, key, value)


def test_unknown_notebook_lists_available(fixtures_dir):
    with pytest.raises(reports.NotebookNotFound, match="available: .*ok_demo"):
        reports.resolve_notebook("nonexistent", fixtures_dir)


def test_external_reference_detector():
    assert reports.external_references('<script src="https://cdn.x/y.js"></script>')
    assert reports.external_references("<link rel='stylesheet' href='//cdn.x/y.css'>")
    assert not reports.external_references('<script src="data:text/javascript;base64,AAAA"></script>')
    assert not reports.external_references('<a href="https://doi.org/10.1/x">doi</a>')


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, fixtures_dir):
    out = tmp_path_factory.mktemp("reports")
    r1 = reports.run_reports(["ok_demo", "fail_demo"], {"SEED": "3"}, out_dir=out, notebook_dir=fixtures_dir,
                             progress=False)
    r2 = reports.run_reports(["ok_demo"], {"N": "5"}, quick=True, out_dir=out, notebook_dir=fixtures_dir,
                             progress=False)
    return out, r1, r2


def test_failing_notebook_is_reported_and_others_still_run(two_runs):
    out, r1, _ = two_runs
    status = {e["notebook"]: e["status"] for e in r1["notebooks"]}
    assert status == {"ok_demo": "ok", "fail_demo": "failed"} and r1["ok"] is False
    fail = next(e for e in r1["notebooks"] if e["notebook"] == "fail_demo")
    assert "deliberate failure" in fail["error"]
    html = (out / r1["run_id"] / "fail_demo.html").read_text()
    assert "deliberate failure for the test suite" in html  # the error cell is in the report


def test_two_runs_leave_two_complete_folders_and_one_index(two_runs):
    out, r1, r2 = two_runs
    assert r1["run_id"] != r2["run_id"]
    for r in (r1, r2):
        d = out / r["run_id"]
        assert (d / "run.json").exists() and (d / "ok_demo.ipynb").exists() and (d / "ok_demo.html").exists()
    assert not list(out.glob(".*.partial"))
    index = json.loads((out / "index.json").read_text())
    assert [r["run_id"] for r in index["runs"]] == [r2["run_id"], r1["run_id"]]
    first = index["runs"][1]["notebooks"][0]
    for key in ("notebook", "parameters", "start", "duration_s", "status"):
        assert key in first
    assert index["runs"][0]["git_revision"] and index["runs"][0]["packages"]["numpy"]
    assert index["runs"][0]["notebooks"][0]["parameters"] == {"N": 5, "QUICK": True}
    assert index["runs"][0]["notebooks"][0]["metrics"]["n"] == 5
    assert r2["run_id"] in (out / "index.html").read_text()


def test_report_html_is_self_contained(two_runs):
    out, r1, _ = two_runs
    html = (out / r1["run_id"] / "ok_demo.html").read_text()
    assert reports.external_references(html) == []
    assert "Bokeh" in html and "data:text/javascript;base64" in html


def test_cli_unknown_parameter_exits_nonzero_listing_valid(fixtures_dir, tmp_path):
    res = subprocess.run(augbench_cmd("report", "ok_demo", "--notebook-dir", str(fixtures_dir), "-p",
                                      "no_such_param", "1", "--out", str(tmp_path)),
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "no_such_param" in res.stderr and "QUICK (bool" in res.stderr and "LABEL (str" in res.stderr
    assert not any(tmp_path.iterdir())  # nothing ran


def test_cli_wrong_type_refused_before_running(fixtures_dir, tmp_path):
    res = subprocess.run(augbench_cmd("report", "ok_demo", "--notebook-dir", str(fixtures_dir), "-p", "N", "abc",
                                      "--out", str(tmp_path)), capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "'N'" in res.stderr and "expects int" in res.stderr
    assert not any(tmp_path.iterdir())


def test_cli_failing_notebook_exits_nonzero(fixtures_dir, tmp_path):
    res = subprocess.run(augbench_cmd("report", "fail_demo", "--notebook-dir", str(fixtures_dir), "--out",
                                      str(tmp_path)), capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr[-2000:]
    assert "0 ok, 1 failed" in res.stdout


def test_cli_list_shows_parameters(fixtures_dir):
    res = subprocess.run(augbench_cmd("list", "--notebook-dir", str(fixtures_dir)), capture_output=True, text=True,
                         timeout=120, check=True)
    assert "ok_demo" in res.stdout and "-p N <int>  default 20  # points" in res.stdout


def test_cli_bad_parameter_on_real_bci_notebook(tmp_path):
    """The issue's acceptance check: `augbench report <bci notebook> -p no_such_param 1`."""
    res = subprocess.run(augbench_cmd("report", "bci", "-p", "no_such_param", "1", "--out", str(tmp_path)),
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "unknown parameter 'no_such_param'" in res.stderr
    assert "QUICK (bool" in res.stderr and "SEED (int" in res.stderr
    assert not any(tmp_path.iterdir())


def test_hung_run_is_killed_retried_and_reported(fixtures_dir, tmp_path):
    """A run past its wall-clock limit is killed with its kernel, retried once, then reported as timed out."""
    import time

    t0 = time.perf_counter()
    status, error = reports.execute_notebook(fixtures_dir / "hang_demo.ipynb", {"SLEEP_S": 120},
                                             tmp_path / "out.ipynb", timeout_s=600, wall_timeout_s=8,
                                             retries_on_hang=1)
    assert status == "failed" and error.startswith("timed out after 8 s") and "2 attempt(s)" in error
    assert time.perf_counter() - t0 < 60
    ok = reports.execute_notebook(fixtures_dir / "hang_demo.ipynb", {"SLEEP_S": 0.1}, tmp_path / "ok.ipynb",
                                  timeout_s=600)
    assert ok == ("ok", None)
