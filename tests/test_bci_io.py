"""Acquisition: loading the shipped EDF files, xarray conversions, bad input, de-identified export."""
import datetime
import warnings

import numpy as np
import pytest

warnings.filterwarnings("ignore", category=FutureWarning)
mne = pytest.importorskip("mne")

from augbench.bci import io  # noqa: E402


@pytest.fixture(scope="module")
def raw4():
    return io.load_raw(1, (4,))


def test_load_raw_standard_names_montage_annotations(raw4):
    assert len(raw4.ch_names) == 64 and raw4.info["sfreq"] == 160
    assert "C3" in raw4.ch_names and "FC5" in raw4.ch_names
    assert not any(c.endswith(".") for c in raw4.ch_names)
    assert raw4.get_montage() is not None
    assert {"rest", "left", "right"} <= set(raw4.annotations.description)
    # EEG in volts: typical scalp EEG SD is tens of µV
    sd = raw4.get_data().std(axis=1)
    assert 1e-6 < np.median(sd) < 2e-4


def test_runs_of_different_tasks_refused():
    with pytest.raises(ValueError, match="mix tasks"):
        io.load_raw(1, (4, 6))


def test_unknown_subject_and_run():
    with pytest.raises(ValueError, match="subject=9 is not shipped"):
        io.edf_path(9, 4)
    with pytest.raises(ValueError, match="run"):
        io.edf_path(1, 5)


def test_raw_xarray_roundtrip(raw4):
    da = io.raw_to_xarray(raw4)
    assert da.dims == ("channel", "time") and da.attrs["units"] == "V"
    assert da["time"].attrs["units"] == "s"
    back = io.xarray_to_raw(da)
    np.testing.assert_array_equal(back.get_data(), raw4.get_data())
    assert back.ch_names == raw4.ch_names and back.info["sfreq"] == raw4.info["sfreq"]
    np.testing.assert_allclose(back.annotations.onset, raw4.annotations.onset - raw4.first_time)
    assert list(back.annotations.description) == list(raw4.annotations.description)


def test_xarray_units_checked(raw4):
    da = io.raw_to_xarray(raw4.copy().crop(0, 1))
    da.attrs["units"] = "uV"
    with pytest.raises(ValueError, match="units"):
        io.xarray_to_raw(da)


def test_epochs_xarray_roundtrip():
    ep = io.load_epochs(1, (4,), tmin=0.0, tmax=1.0)
    da = io.epochs_to_xarray(ep)
    assert da.dims == ("epoch", "channel", "time")
    assert set(da["label"].values) == {"left", "right"}
    back = io.xarray_to_epochs(da)
    np.testing.assert_allclose(back.get_data(), ep.get_data())
    assert list(ep.metadata["run"].unique()) == [4]


def test_truncated_edf_names_file(tmp_path):
    src = io.edf_path(1, 4).read_bytes()
    bad = tmp_path / "S001R04_truncated.edf"
    bad.write_bytes(src[: len(src) // 2])
    with pytest.raises(io.EEGFileError, match="S001R04_truncated.edf.*truncated"):
        io.read_edf(bad)
    tiny = tmp_path / "tiny.edf"
    tiny.write_bytes(src[:100])
    with pytest.raises(io.EEGFileError, match="tiny.edf: truncated EDF header"):
        io.read_edf(tiny)


def test_corrupt_edf_names_file(tmp_path):
    src = bytearray(io.edf_path(1, 4).read_bytes())
    src[252:256] = b"abcd"
    bad = tmp_path / "corrupt.edf"
    bad.write_bytes(bytes(src))
    with pytest.raises(io.EEGFileError, match="corrupt.edf: not a valid EDF"):
        io.read_edf(bad)


def test_missing_channel_and_sampling_rate_mismatch(tmp_path, raw4):
    dropped = raw4.copy().drop_channels(["C3"])
    f1 = io.export_edf(dropped, tmp_path / "no_c3.edf")
    with pytest.raises(io.EEGFileError, match="no_c3.edf: channel 'C3'"):
        io.load_raw(1, (4, 8), fnames=[io.edf_path(1, 4), f1])
    res = raw4.copy().resample(128, verbose="error")
    f2 = io.export_edf(res, tmp_path / "at128.edf")
    with pytest.raises(io.EEGFileError, match="at128.edf: sampling rate 128.0 Hz"):
        io.load_raw(1, (4, 8), fnames=[io.edf_path(1, 4), f2])


def test_export_strips_identification(tmp_path, raw4):
    raw = raw4.copy().crop(0, 20)
    raw.info["subject_info"] = {"his_id": "PATIENT007", "first_name": "Jane", "last_name": "Doe",
                                "birthday": datetime.date(1980, 5, 17), "sex": 2}
    raw.info["experimenter"] = "Dr Who"
    out = io.export_edf(raw, tmp_path / "anon.edf")
    header = out.read_bytes()[:256].decode("ascii")
    for secret in ("PATIENT007", "Jane", "Doe", "1980", "17-MAY", "Dr Who", "2009"):
        assert secret not in header
    assert header[8:88].strip() == "X X X X"
    assert header[88:168].strip() == "Startdate X X X X"
    back = io.read_edf(out)
    si = back.info["subject_info"] or {}
    assert "first_name" not in si and "birthday" not in si and si.get("his_id", "X") == "X"
    # data survive 16-bit quantisation: error below 1/65535 of each channel's range
    d0, d1 = raw.get_data(), back.get_data()[:, : raw.n_times]
    rng_ = np.ptp(d0, axis=1)
    assert np.all(np.abs(d0 - d1).max(axis=1) <= rng_ / 65535 + 1e-12)
    assert list(back.annotations.description) == list(raw.annotations.description)
    np.testing.assert_allclose(back.annotations.onset, raw.annotations.onset, atol=1e-3)


def test_export_refuses_overwrite(tmp_path, raw4):
    out = io.export_edf(raw4.copy().crop(0, 2), tmp_path / "a.edf")
    with pytest.raises(FileExistsError, match="a.edf exists"):
        io.export_edf(raw4.copy().crop(0, 2), out)
