"""Preprocessing: causal/zero-phase filters, CAR, normalisation, rejection, SNR definitions."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augbench.bci import preprocessing as pp

SF = 160.0


def _sines(freqs, n=1600, n_ch=3):
    t = np.arange(n) / SF
    return np.vstack([sum(np.sin(2 * np.pi * f * t + c) for f in freqs) for c in range(n_ch)])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 97), min_size=1, max_size=30), st.integers(0, 2**31 - 1))
def test_chunked_causal_filter_equals_one_shot(chunks, seed):
    from scipy.signal import sosfilt

    x = np.random.default_rng(seed).standard_normal((4, sum(chunks)))
    sos = pp.design_causal(SF, 7, 30, notch_freq=50)
    f = pp.CausalFilter(sos, 4)
    pieces, i = [], 0
    for c in chunks:
        pieces.append(f.process(x[:, i:i + c]))
        i += c
    np.testing.assert_allclose(np.hstack(pieces), sosfilt(sos, x, axis=1), rtol=1e-10, atol=1e-12)


def test_bandpass_passes_band_and_stops_outside():
    x = _sines([3.0])[:1] + 0 * _sines([10.0])[:1]
    inband = _sines([12.0])[:1]
    y_out = pp.bandpass(x, SF, 7, 30)
    y_in = pp.bandpass(inband, SF, 7, 30)
    mid = slice(400, 1200)
    assert y_out[:, mid].std() < 0.05 * x.std()
    assert abs(y_in[:, mid].std() / inband[:, mid].std() - 1) < 0.05
    # zero phase: the in-band sine is not shifted
    assert np.corrcoef(y_in[0, mid], inband[0, mid])[0, 1] > 0.99


def test_notch_removes_line():
    x = _sines([50.0, 11.0])[:1]
    y = pp.notch(x, SF, [50.0])
    spec = np.abs(np.fft.rfft(y[0, 200:1400]))
    f = np.fft.rfftfreq(1200, 1 / SF)
    assert spec[np.argmin(abs(f - 50))] < 0.05 * spec[np.argmin(abs(f - 11))]


def test_bad_band_messages():
    with pytest.raises(ValueError, match="empty"):
        pp.design_causal(SF, 30, 7)
    with pytest.raises(ValueError, match="h_freq=90"):
        pp.design_causal(SF, 7, 90)


def test_group_delay_is_positive_and_finite():
    gd = pp.group_delay_s(pp.design_causal(SF, 7, 30), SF, 14.5)
    assert 0.005 < gd < 0.2


def test_car_and_normalise():
    x = np.random.default_rng(0).standard_normal((2, 5, 100)) + 3
    c = pp.common_average_reference(x)
    np.testing.assert_allclose(c.mean(axis=1), 0, atol=1e-12)
    z = pp.normalise(x)
    np.testing.assert_allclose(z.std(-1), 1, rtol=1e-10)
    r = pp.normalise(x, "robust")
    np.testing.assert_allclose(np.median(r, -1), 0, atol=1e-12)
    with pytest.raises(ValueError, match="method="):
        pp.normalise(x, "minmax")


def test_reject_epochs_names_channel():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 3, 100)) * 10e-6
    X[1, 2, 50] = 500e-6
    X[3, 0] = 0.0
    keep, why = pp.reject_epochs(X, ["Fp1", "C3", "C4"])
    assert keep.tolist() == [True, False, True, False]
    assert why.set_index("epoch").loc[1, "channel"] == "C4" and why.set_index("epoch").loc[1, "reason"] == "amplitude"
    assert why.set_index("epoch").loc[3, "reason"] == "flat"
    assert pp.find_flat_channels(X[3:], ["Fp1", "C3", "C4"]) == ["Fp1"]


def test_seed_snr_is_not_an_snr():
    """σ_Y/σ_N >= 1 even with no signal at all; the component SNR is ~0 there."""
    rng = np.random.default_rng(2)
    noise = rng.standard_normal((1, 10000))
    signal = np.zeros_like(noise)
    assert pp.snr_seed(signal + noise, noise.std()) == pytest.approx(1.0, abs=1e-12)
    assert pp.snr_components(signal, noise)[0] == 0.0
    sig = 0.5 * np.sin(np.arange(10000) / 3)[None]
    assert pp.snr_components(sig, noise)[0] == pytest.approx(sig.std() / noise.std())


def test_snr_components_after_linear_filter_improves_for_narrowband_signal():
    rng = np.random.default_rng(3)
    noise = rng.standard_normal((1, 8000))
    sig = 0.3 * _sines([10.0], 8000, 1)
    before = pp.snr_components(sig, noise)[0]
    after = pp.snr_components(sig, noise, lambda a: pp.bandpass(a, SF, 8, 12))[0]
    assert after > 3 * before


def test_snr_plusminus_zero_for_noise_positive_for_locked_signal():
    rng = np.random.default_rng(4)
    noise = rng.standard_normal((60, 2, 200))
    locked = np.sin(np.arange(200) / 10)[None, None] * np.array([0.0, 0.5])[None, :, None]
    s = pp.snr_plusminus(noise + locked)
    assert s[0] < 0.5 < s[1]
    with pytest.raises(ValueError, match="at least 4 trials"):
        pp.snr_plusminus(noise[:3])


def test_ica_removes_planted_blinks():
    from augbench.bci.synthetic import make_motor_imagery

    raw, truth = make_motor_imagery(6, snr=1.0, blink_rate_hz=0.5, random_state=0)
    cleaned, excluded = pp.remove_blinks_ica(raw, n_components=8, random_state=0)
    assert excluded
    i = raw.ch_names.index("Fp1")
    before = np.abs(raw.get_data()[i] - truth["signal"][i]).max()
    after = np.abs(cleaned.get_data()[i] - truth["signal"][i]).max()
    assert after < 0.5 * before
    with pytest.raises(ValueError, match="eog_proxy channel 'EOG1'"):
        pp.remove_blinks_ica(raw, eog_proxy=("EOG1",))
