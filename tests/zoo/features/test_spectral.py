"""Frame features against librosa 0.11 (float64 on the same float32 samples) or a float64 formula.

Tolerances: relative 1e-4 (float32 sums over up to 2048 values carry about 1e-6);
zero-crossing rate exactly (it counts signs); roll-off in whole bins (a discrete
argmin over a cumulative sum); contrast 1e-3 dB absolute (a difference of logs).
"""

import librosa
import numpy as np
import pytest
import tensorflow as tf

import zoo.features as F
from tests.zoo.features.signals import KINDS, SETTINGS, make, stft_magnitude64


def _case(kind, setting):
    sr, n_fft, hop = setting
    y = make(kind, sr)
    return y, y.astype(np.float64), sr, n_fft, hop


def _spectrogram(y, n_fft, hop):
    return F.magnitude_spectrogram(tf.constant(y[None]), n_fft, hop)


@pytest.mark.parametrize("setting", SETTINGS)
def test_time_domain_features_match_librosa(setting):
    for kind in KINDS:
        y, y64, _sr, n_fft, hop = _case(kind, setting)
        ours = F.rms(y[None], n_fft, hop)[0].numpy()
        ref = librosa.feature.rms(y=y64, frame_length=n_fft, hop_length=hop)[0]
        assert ours.shape == ref.shape == (1 + y.size // hop,)
        np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-12, err_msg=kind)
        ours = F.zero_crossing_rate(y[None], n_fft, hop)[0].numpy()
        ref = librosa.feature.zero_crossing_rate(y64, frame_length=n_fft, hop_length=hop)[0]
        np.testing.assert_array_equal(ours, ref.astype(np.float32), err_msg=kind)


@pytest.mark.parametrize("setting", SETTINGS)
def test_spectral_shape_matches_librosa(setting):
    for kind in KINDS:
        y, y64, sr, n_fft, hop = _case(kind, setting)
        s = _spectrogram(y, n_fft, hop)
        kw = {"y": y64, "n_fft": n_fft, "hop_length": hop}
        centroid, spread, _, _ = (v[0].numpy() for v in F.spectral_moments(s, sr))
        ref = librosa.feature.spectral_centroid(sr=sr, **kw)[0]
        np.testing.assert_allclose(centroid, ref, rtol=1e-4, atol=1e-6, err_msg=kind)
        ref = librosa.feature.spectral_bandwidth(sr=sr, **kw)[0]
        np.testing.assert_allclose(spread, ref, rtol=1e-4, atol=1e-6, err_msg=kind)
        ref = librosa.feature.spectral_flatness(**kw)[0]
        np.testing.assert_allclose(F.spectral_flatness(s)[0], ref, rtol=1e-4, err_msg=kind)
        for percent in (0.85, 0.5):
            ours = F.spectral_rolloff(s, sr, roll_percent=percent)[0].numpy()
            ref = librosa.feature.spectral_rolloff(sr=sr, roll_percent=percent, **kw)[0]
            bins = np.abs(ours - ref) / (sr / n_fft)
            # A frame whose cumulative energy ties the threshold within float32 rounding
            # may land one bin away; none did on these signals, and never more than one.
            assert bins.max() <= 1.0 + 1e-6 and np.mean(bins < 1e-3) >= 0.98, kind


@pytest.mark.parametrize("setting, bands", [(SETTINGS[0], 6), (SETTINGS[1], 5), (SETTINGS[2], 3)])
def test_spectral_contrast_matches_librosa(setting, bands):
    for kind in KINDS:
        y, y64, sr, n_fft, hop = _case(kind, setting)
        ours = F.spectral_contrast(_spectrogram(y, n_fft, hop), sr, n_bands=bands)[0].numpy()
        ref = librosa.feature.spectral_contrast(
            y=y64, sr=sr, n_fft=n_fft, hop_length=hop, n_bands=bands
        ).T
        assert ours.shape == ref.shape
        np.testing.assert_allclose(ours, ref, atol=1e-3, err_msg=kind)


def _moments64(mag, sr, n_fft):
    freq = np.arange(mag.shape[-1]) * sr / n_fft
    total = mag.sum(-1, keepdims=True)
    p = mag / np.where(total > 0, total, 1.0)
    mu = (p * freq).sum(-1)
    dev = freq - mu[:, None]
    sigma = np.sqrt((p * dev**2).sum(-1))
    safe = np.where(sigma > 0, sigma, 1.0)
    skew = np.where(sigma > 0, (p * dev**3).sum(-1) / safe**3, 0.0)
    kurt = np.where(sigma > 0, (p * dev**4).sum(-1) / safe**4, 0.0)
    return skew, kurt


@pytest.mark.parametrize("setting", SETTINGS[:2])
def test_formula_features_match_float64_reference(setting):
    for kind in KINDS:
        y, _, sr, n_fft, hop = _case(kind, setting)
        s = _spectrogram(y, n_fft, hop)
        mag = stft_magnitude64(y, n_fft, hop)
        _, _, skew, kurt = (v[0].numpy() for v in F.spectral_moments(s, sr))
        ref_skew, ref_kurt = _moments64(mag, sr, n_fft)
        np.testing.assert_allclose(skew, ref_skew, rtol=1e-4, atol=1e-4, err_msg=kind)
        np.testing.assert_allclose(kurt, ref_kurt, rtol=1e-4, atol=1e-4, err_msg=kind)
        # Jensen's irregularity over the bins.
        energy = (mag**2).sum(-1)
        ref = ((mag[:, :-1] - mag[:, 1:]) ** 2).sum(-1) / np.where(energy > 0, energy, 1.0)
        np.testing.assert_allclose(
            F.spectral_irregularity(s)[0], ref, rtol=1e-4, atol=1e-7, err_msg=kind
        )
        # Flux: L2 of the rectified rise, first frame 0.
        rise = np.maximum(np.diff(mag, axis=0), 0.0)
        ref = np.concatenate([[0.0], np.sqrt((rise**2).sum(-1))])
        np.testing.assert_allclose(
            F.spectral_flux(s)[0], ref, rtol=1e-4, atol=1e-4 * mag.max(), err_msg=kind
        )


def test_moments_of_known_distributions():
    # Two equal bins: symmetric, kurtosis 1; a flat spectrum: skewness 0, kurtosis 1.8.
    two = np.zeros((1, 1, 9), np.float32)
    two[..., 2] = two[..., 6] = 1.0
    mu, sigma, skew, kurt = (v.numpy().item() for v in F.spectral_moments(two, sample_rate=16))
    assert (mu, sigma, skew, kurt) == pytest.approx((4.0, 2.0, 0.0, 1.0), abs=1e-6)
    flat = np.ones((1, 1, 1025), np.float32)
    _, _, skew, kurt = (v.numpy().item() for v in F.spectral_moments(flat, 22050))
    assert skew == pytest.approx(0.0, abs=1e-4) and kurt == pytest.approx(1.8, rel=1e-3)


def test_irregularity_and_flux_of_hand_made_spectra():
    alternating = np.tile([1.0, 0.0], 8)[None, None].astype(np.float32)
    # (K - 1) unit steps over K / 2 unit bins: 15 / 8.
    assert F.spectral_irregularity(alternating).numpy().item() == pytest.approx(15 / 8)
    frames = np.array([[[0.0, 1.0], [3.0, 0.0], [3.0, 4.0]]], np.float32)
    np.testing.assert_allclose(F.spectral_flux(frames)[0], [0.0, 3.0, 4.0])


@pytest.mark.parametrize("kind", ["silence", "dc"])
def test_silent_and_dc_frames_give_the_documented_values(kind):
    sr, n_fft, hop = SETTINGS[1]
    y = make(kind, sr)
    s = _spectrogram(y, n_fft, hop)
    values = {
        "rms": F.rms(y[None], n_fft, hop),
        "zcr": F.zero_crossing_rate(y[None], n_fft, hop),
        "flatness": F.spectral_flatness(s),
        "irregularity": F.spectral_irregularity(s),
        "rolloff": F.spectral_rolloff(s, sr),
        "flux": F.spectral_flux(s),
        "contrast": F.spectral_contrast(s, sr, n_bands=5),
        **dict(zip(["centroid", "spread", "skew", "kurt"], F.spectral_moments(s, sr))),
    }
    for name, v in values.items():
        assert np.isfinite(v.numpy()).all(), name
    if kind == "silence":
        for name in ("rms", "zcr", "irregularity", "rolloff", "flux", "contrast", "centroid"):
            assert np.all(values[name].numpy() == 0.0), name
        for name in ("spread", "skew", "kurt"):
            assert np.all(values[name].numpy() == 0.0), name
        np.testing.assert_allclose(values["flatness"], 1.0, rtol=1e-4)
    else:
        np.testing.assert_allclose(values["rms"][0, 2:-2], 0.25, rtol=1e-5)
        assert np.all(values["zcr"].numpy() == 0.0)
        # Full DC frames: Hann magnitudes N/2 and N/4 in bins 0 and 1 (see the docstrings).
        f1 = sr / n_fft
        expected = {
            "centroid": f1 / 3,
            "spread": np.sqrt(2) * f1 / 3,
            "skew": 1 / np.sqrt(2),
            "kurt": 1.5,
            "rolloff": f1,
            "irregularity": 0.4,
        }
        for name, value in expected.items():
            np.testing.assert_allclose(values[name][0, 3:-3], value, rtol=1e-4, err_msg=name)
        assert np.all(values["flatness"].numpy()[0, 3:-3] < 1e-6)
        # Steady DC: the middle frames do not change, so no flux.
        assert np.all(values["flux"][0, 3:-3].numpy() < 1e-3 * values["flux"].numpy().max())
