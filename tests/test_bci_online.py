"""Streams and the online decoder: chunk replay, causal consistency with offline windows, latency, accuracy."""
import time
import warnings

import numpy as np
import pytest

warnings.filterwarnings("ignore", category=FutureWarning)
pytest.importorskip("mne")

from augbench.bci import online  # noqa: E402
from augbench.bci.stream import ReplayStream  # noqa: E402
from augbench.bci.synthetic import make_motor_imagery  # noqa: E402

CLASSES = ["left", "right"]


@pytest.fixture(scope="module")
def trained():
    train, _ = make_motor_imagery(30, snr=2.0, random_state=10, blink_rate_hz=0.0)
    test, _ = make_motor_imagery(12, snr=2.0, random_state=11, blink_rate_hz=0.0)
    pipe = online.fit_online_pipeline(train, CLASSES)
    return pipe, test


def test_stream_reassembles_recording():
    data = np.arange(2 * 103, dtype=float).reshape(2, 103)
    s = ReplayStream(data, 100.0, ["a", "b"], chunk_size=10)
    parts = list(s)
    assert len(parts) == 11
    np.testing.assert_array_equal(np.hstack([p for p, _ in parts]), data)
    np.testing.assert_allclose(np.hstack([t for _, t in parts]), np.arange(103) / 100)


def test_stream_real_time_pacing():
    s = ReplayStream(np.zeros((1, 100)), 100.0, ["a"], chunk_size=10, speed=10.0)  # 1 s of data at 10x
    t0 = time.perf_counter()
    list(s)
    assert time.perf_counter() - t0 >= 0.09


def test_online_window_equals_offline_causal_window(trained):
    """The decoder's window at each hop is exactly the causally filtered recording: same objects offline and online."""
    pipe, test = trained
    dec = online.OnlineDecoder(pipe, 160.0, test.ch_names, CLASSES)
    data = test.get_data()[:, :800]
    for i in range(0, 800, 7):  # odd chunk size, not a multiple of the hop
        dec.push(data[:, i:i + 7])
    car = data - data.mean(0, keepdims=True)
    ref = online._causal(car, 160.0, (7.0, 30.0))
    np.testing.assert_allclose(dec.buf, ref[:, -dec.n_win:], rtol=1e-9, atol=1e-15)


def test_online_decoder_accuracy_latency_and_budget(trained):
    pipe, test = trained
    dec = online.OnlineDecoder(pipe, 160.0, test.ch_names, CLASSES, nf_channel="C3")
    tl = online.replay(dec, ReplayStream.from_raw(test, chunk_size=10))
    n_expected = (test.n_times - dec.n_win) // dec.n_hop + 1
    assert abs(len(tl) - n_expected) <= 1
    sc = online.online_scores(tl, CLASSES)
    assert sc["trial_accuracy"] >= 0.75 and sc["n_trials"] == 12
    assert sc["latency_median_ms"] > 0 and np.isfinite(sc["latency_p99_ms"])
    budget = online.latency_budget(dec, tl).set_index("stage")["ms"]
    assert budget["window (centroid)"] == 500.0 and budget["filter group delay"] > 0
    # neurofeedback: mu power at C3 drops during right-hand imagery (contralateral ERD)
    nf = tl.groupby("true")["nf_log_power"].mean()
    assert nf["right"] < nf["left"]


def test_online_decoder_bad_input(trained):
    pipe, test = trained
    with pytest.raises(ValueError, match="nf_channel 'C9' not in recording"):
        online.OnlineDecoder(pipe, 160.0, test.ch_names, CLASSES, nf_channel="C9")
    dec = online.OnlineDecoder(pipe, 160.0, test.ch_names, CLASSES)
    bad = np.zeros((len(test.ch_names), 10))
    bad[test.ch_names.index("Cz"), 3] = np.nan
    with pytest.raises(ValueError, match="channel 'Cz'"):
        dec.push(bad)
    with pytest.raises(ValueError, match="hop_s"):
        online.OnlineDecoder(pipe, 160.0, test.ch_names, CLASSES, hop_s=2.0)
