"""Tests of dose x time sweeps (augbench.grna.kinetics_sweep): dask equals serial."""
import numpy as np

from augbench.grna import kinetics_sweep as W


def test_dask_equals_serial():
    kw = dict(cas9_doses=[200, 2000], grna_doses=[500, 3000], times_h=[0, 6, 24], progress=False)
    serial = W.sweep(parallel=False, **kw)
    par = W.sweep(parallel=True, n_workers=2, **kw)
    assert par.attrs["backend"].startswith("dask")
    assert np.array_equal(serial.allele_fraction.values, par.allele_fraction.values)
    assert serial.fraction_edited.dims == ("cas9", "grna", "time")
    for v in list(serial.data_vars) + list(serial.coords):
        assert "units" in serial[v].attrs
    fe = serial.fraction_edited.sel(time=24)
    assert float(fe.sel(cas9=2000, grna=3000)) > float(fe.sel(cas9=200, grna=3000))
    assert np.all(serial.fraction_edited.sel(time=0).values == 0)


def test_existing_scheduler_address():
    from augbench._dask import dask_client

    kw = dict(cas9_doses=[500], grna_doses=[500, 1500], times_h=[0, 12], progress=False)
    serial = W.sweep(parallel=False, **kw)
    with dask_client(n_workers=1) as client:
        addr = client.scheduler.address
        par = W.sweep(parallel=True, scheduler=addr, **kw)
    assert addr in par.attrs["backend"]
    assert np.array_equal(serial.allele_fraction.values, par.allele_fraction.values)


def test_bad_doses():
    import pytest

    with pytest.raises(ValueError, match="cas9_doses"):
        W.sweep([-1], [100], [0, 1], parallel=False, progress=False)
