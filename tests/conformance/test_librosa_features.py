"""Every `zoo.features` function against librosa 0.11, at even and odd n_fft and odd hops.

Spectrum features take a magnitude or power spectrogram, as librosa's `S=` path does,
and infer n_fft from its bins the same way (`2 * (bins - 1)`); the spectrogram itself
is `zoo.features.magnitude_spectrogram`, equal to `np.abs(librosa.stft)` (see
`test_librosa_frontend.py`). Each test names the reference and its tolerance.
"""

import warnings

import librosa
import numpy as np
import pytest
import tensorflow as tf

import zoo.features as F
from tests.conformance.signals import IDS, SETTINGS, signal

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _spectra(setting):
    sr, n_fft, hop = setting
    y = signal(sr)
    s = F.magnitude_spectrogram(y[None], n_fft, hop)
    ref = np.abs(
        librosa.stft(y.astype(np.float64), n_fft=n_fft, hop_length=hop, pad_mode="constant")
    )
    return y, sr, n_fft, hop, s, ref


def _close(ours, ref, fraction, atol=0.0):
    assert ours.shape == ref.shape
    scale = max(float(np.abs(ref).max()), 1e-12)
    assert np.abs(ours - ref).max() <= fraction * scale + atol, np.abs(ours - ref).max() / scale


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
@pytest.mark.parametrize("center", [True, False])
def test_rms_and_zero_crossing_rate(setting, center):
    """`rms` = `librosa.feature.rms` (relative 1e-4); `zero_crossing_rate` =
    `librosa.feature.zero_crossing_rate` exactly (it counts sign changes)."""
    sr, n_fft, hop = setting
    y = signal(sr)
    y64 = y.astype(np.float64)
    ours = F.rms(y[None], n_fft, hop, center=center)[0].numpy()
    ref = librosa.feature.rms(y=y64, frame_length=n_fft, hop_length=hop, center=center,
                              pad_mode="constant")[0]  # fmt: skip
    np.testing.assert_allclose(ours, ref, rtol=1e-4)
    ours = F.zero_crossing_rate(y[None], n_fft, hop, center=center)[0].numpy()
    ref = librosa.feature.zero_crossing_rate(y64, frame_length=n_fft, hop_length=hop, center=center)
    np.testing.assert_array_equal(ours, ref[0].astype(np.float32))


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_spectral_shape_features(setting):
    """`spectral_centroid`, `spectral_spread` = `librosa.feature.spectral_centroid`,
    `spectral_bandwidth` (relative 1e-4 of the largest); `spectral_flatness` =
    `librosa.feature.spectral_flatness` (relative 1e-4); `spectral_rolloff` =
    `librosa.feature.spectral_rolloff` to within one FFT bin (a discrete search on a
    cumulative sum), exact in 98 % of frames."""
    _, sr, n_fft, hop, s, ref_s = _spectra(setting)
    centroid, spread, _, _ = (v[0].numpy() for v in F.spectral_moments(s, sr))
    _close(centroid, librosa.feature.spectral_centroid(S=ref_s, sr=sr)[0], 1e-4)
    _close(spread, librosa.feature.spectral_bandwidth(S=ref_s, sr=sr)[0], 1e-4)
    _close(F.spectral_flatness(s)[0].numpy(), librosa.feature.spectral_flatness(S=ref_s)[0], 1e-4)
    ours = F.spectral_rolloff(s, sr)[0].numpy()
    bins = np.abs(ours - librosa.feature.spectral_rolloff(S=ref_s, sr=sr)[0]) / (sr / n_fft)
    assert bins.max() <= 1.0 + 1e-6 and np.mean(bins < 1e-3) >= 0.98


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_spectral_contrast(setting):
    """`spectral_contrast` = `librosa.feature.spectral_contrast(S=...)`, 1e-3 dB absolute."""
    _, sr, _, _, s, ref_s = _spectra(setting)
    bands = 4 if sr < 16000 else 6
    ours = F.spectral_contrast(s, sr, n_bands=bands)[0].numpy().T
    ref = librosa.feature.spectral_contrast(S=ref_s, sr=sr, n_bands=bands)
    np.testing.assert_allclose(ours, ref, atol=1e-3, rtol=0)


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_tuning_and_chroma(setting):
    """`estimate_tuning` = `librosa.estimate_tuning(S=...)` (1e-6 of a bin); `chroma_stft`
    = `librosa.feature.chroma_stft(S=...)` (absolute 1e-5, chroma is in [0, 1])."""
    _, sr, _, _, s, ref_s = _spectra(setting)
    power, ref_power = tf.square(s), ref_s**2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuning = librosa.estimate_tuning(S=ref_power, sr=sr)
        ref = librosa.feature.chroma_stft(S=ref_power, sr=sr)
    assert F.estimate_tuning(power, sr).numpy()[0] == pytest.approx(tuning, abs=1e-6)
    np.testing.assert_allclose(F.chroma_stft(power, sr)[0].numpy().T, ref, atol=1e-5)


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_log_mel_and_mfcc(setting):
    """`log_mel_spectrogram` = `librosa.power_to_db(melspectrogram(S=|S|^2), top_db=80)`
    (0.01 dB); `mfcc` = `librosa.feature.mfcc(S=that)` (1e-4 of the largest coefficient)."""
    _, sr, _, _, s, ref_s = _spectra(setting)
    log_mel = F.log_mel_spectrogram(s, sr, n_mels=40)
    ref = librosa.power_to_db(librosa.feature.melspectrogram(S=ref_s**2, sr=sr, n_mels=40),
                              ref=1.0, top_db=80.0)  # fmt: skip
    np.testing.assert_allclose(log_mel[0].numpy().T, ref, atol=0.01, rtol=0)
    _close(F.mfcc(log_mel, 13)[0].numpy().T, librosa.feature.mfcc(S=ref, n_mfcc=13), 1e-4)


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_yin(setting):
    """`yin` = `librosa.yin` (relative 1e-5 in Hz), odd frames and hops included."""
    sr, n_fft, hop = setting
    y = signal(sr)
    fmin, fmax = max(65.0, sr / (n_fft - 2)), min(1000.0, sr / 2)
    f0 = F.yin(y[None], sr, fmin, fmax, n_fft, hop)[0][0].numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = librosa.yin(y.astype(np.float64), fmin=fmin, fmax=fmax, sr=sr, frame_length=n_fft,
                          hop_length=hop)  # fmt: skip
    np.testing.assert_allclose(f0, ref, rtol=1e-5)


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_lpc(setting):
    """`lpc_frames` = `librosa.lpc` of librosa's centred frames (relative 1e-6, absolute 1e-5)."""
    sr, n_fft, hop = setting
    y = signal(sr)
    ours = F.lpc_frames(y[None], 10, n_fft, hop)[0].numpy()
    frames = librosa.util.frame(np.pad(y.astype(np.float64), n_fft // 2), frame_length=n_fft,
                                hop_length=hop)  # fmt: skip
    ref = librosa.lpc(frames, order=10, axis=-2).T
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-5)
