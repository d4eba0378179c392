"""`augbench sweep`: a grid on a 2-worker LocalCluster; failed cells recorded; a rerun resumes."""
import pytest
import xarray as xr

from augbench import reports, sweep


def test_parse_grid_checks_names_and_types(fixtures_dir):
    g = sweep.parse_grid("metric_demo", [("SEED", "0, 1"), ("SCALE", "1,2.5")], notebook_dir=fixtures_dir)
    assert g == {"SEED": [0, 1], "SCALE": [1.0, 2.5]}
    with pytest.raises(reports.ParameterError, match="unknown parameter 'BOGUS'"):
        sweep.parse_grid("metric_demo", [("BOGUS", "1,2")], notebook_dir=fixtures_dir)
    with pytest.raises(reports.ParameterError, match="'SEED'.*expects int"):
        sweep.parse_grid("metric_demo", [("SEED", "0,x")], notebook_dir=fixtures_dir)


def test_sweep_runs_grid_records_failures_and_resumes(fixtures_dir, tmp_path, dask_client_2):
    grid = {"SEED": [0, 1, 2], "SCALE": [1.0, 10.0], "FAIL_AT": [2]}
    res = sweep.run_sweep("metric_demo", grid, out_dir=tmp_path, notebook_dir=fixtures_dir, progress=False,
                          client=dask_client_2)
    assert (res["n_cells"], res["n_ok"], res["n_failed"], res["n_skipped"]) == (6, 4, 2, 0)
    ds = xr.open_dataset(tmp_path / "sweep.nc")
    assert dict(ds.sizes) == {"SEED": 3, "SCALE": 2, "FAIL_AT": 1}
    v = ds["value"].sel(FAIL_AT=2)
    # the published value is SCALE * N(0,1) draw of SEED: the 10x column is 10 times the 1x column
    assert float(v.sel(SEED=1, SCALE=10.0)) == pytest.approx(10 * float(v.sel(SEED=1, SCALE=1.0)))
    assert bool(v.sel(SEED=2).isnull().all())
    assert set(ds["status"].sel(SEED=2).values.ravel()) == {"failed"}
    assert (tmp_path / "summary.html").read_text().count("<img") >= 1
    assert "planted failure" in (tmp_path / "sweep.csv").read_text()
    ds.close()
    again = sweep.run_sweep("metric_demo", grid, out_dir=tmp_path, notebook_dir=fixtures_dir, progress=False,
                            client=dask_client_2)
    assert again["n_skipped"] == 4 and again["n_failed"] == 2
