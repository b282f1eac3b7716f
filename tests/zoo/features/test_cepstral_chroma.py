"""MFCC and chroma against librosa 0.11, the real cepstrum against a float64 formula.

MFCCs are compared on the scale of the clip (|error| <= 1e-4 of the largest |MFCC|):
a DCT row sums 128 float32 dB values of either sign, so a coefficient near zero has
no meaningful relative error. Chroma values lie in [0, 1]: absolute 1e-5. The tuning
estimate must equal librosa's to the histogram bin.
"""

import warnings

import librosa
import numpy as np
import pytest
import tensorflow as tf

import zoo.audio
import zoo.features as F
from tests.zoo.features.signals import KINDS, SETTINGS, make, windowed_frames64


def _close_on_scale(ours, ref, fraction, msg):
    scale = max(np.abs(ref).max(), 1e-12)
    assert ours.shape == ref.shape, msg
    assert np.abs(ours - ref).max() <= fraction * scale, (msg, np.abs(ours - ref).max(), scale)


@pytest.mark.parametrize("setting, n_mels, n_mfcc", [(SETTINGS[0], 128, 20), (SETTINGS[1], 40, 13)])
def test_mfcc_matches_librosa(setting, n_mels, n_mfcc):
    sr, n_fft, hop = setting
    for kind in KINDS:
        y = make(kind, sr)
        s = F.magnitude_spectrogram(y[None], n_fft, hop)
        ours = F.mfcc(F.log_mel_spectrogram(s, sr, n_mels), n_mfcc)[0].numpy().T
        ref = librosa.feature.mfcc(
            y=y.astype(np.float64), sr=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels, n_mfcc=n_mfcc
        )
        _close_on_scale(ours, ref, 1e-4, kind)


def test_mfcc_on_zoo_audio_log_mel_matches_librosa():
    # The "existing log-mel": zoo.audio.LogMelSpectrogram with librosa's top_db of 80.
    sr, n_fft, hop = SETTINGS[1]
    y = make("chirp", sr)
    mel = zoo.audio.LogMelSpectrogram(sr, n_fft, hop, n_mels=40, top_db=80.0)(y[None])
    ours = F.mfcc(tf.transpose(mel[..., 0], [0, 2, 1]), 13)[0].numpy().T
    ref = librosa.feature.mfcc(
        y=y.astype(np.float64), sr=sr, n_fft=n_fft, hop_length=hop, n_mels=40, n_mfcc=13
    )
    _close_on_scale(ours, ref, 1e-4, "LogMelSpectrogram")


def test_dct_matrix_is_orthonormal_dct_ii():
    import scipy.fft

    d = F.dct_matrix(16, 16)
    np.testing.assert_allclose(d.T @ d, np.eye(16), atol=1e-6)
    x = np.random.default_rng(0).standard_normal((3, 16))
    np.testing.assert_allclose(x @ d, scipy.fft.dct(x, norm="ortho", axis=-1), atol=1e-5)


@pytest.mark.parametrize("setting", SETTINGS)
def test_real_cepstrum_matches_float64_formula(setting):
    sr, n_fft, hop = setting
    for kind in KINDS:
        y = make(kind, sr)
        ours = F.real_cepstrum(F.magnitude_spectrogram(y[None], n_fft, hop), 20)[0].numpy()
        # The lecture's formula literally: full complex FFT and IFFT of each frame.
        spectrum = np.fft.fft(windowed_frames64(y, n_fft, hop), axis=-1)
        c = np.fft.ifft(np.log(np.maximum(np.abs(spectrum) ** 2, 1e-10)), axis=-1)[:, :20]
        # float32 log powers carry absolute error on the scale of the largest |c|, so
        # compare |c| = sqrt(ours) on that scale; the square's error is that times 2|c|.
        scale = np.abs(c).max()
        np.testing.assert_allclose(
            np.sqrt(ours), np.abs(c), rtol=1e-4, atol=1e-4 * scale, err_msg=kind
        )
    silent = F.real_cepstrum(np.zeros((1, 2, 1 + n_fft // 2), np.float32), 4).numpy()
    np.testing.assert_allclose(silent[0, 0], [np.log(1e-10) ** 2, 0, 0, 0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("setting", SETTINGS[:2])
def test_chroma_and_tuning_match_librosa(setting):
    sr, n_fft, hop = setting
    for kind in KINDS:
        y = make(kind, sr)
        y64 = y.astype(np.float64)
        power = tf.square(F.magnitude_spectrogram(y[None], n_fft, hop))
        ref_power = np.abs(librosa.stft(y64, n_fft=n_fft, hop_length=hop)) ** 2
        with warnings.catch_warnings():  # silence: "empty frequency set", tuning 0
            warnings.simplefilter("ignore")
            tuning = librosa.estimate_tuning(S=ref_power, sr=sr)
        assert F.estimate_tuning(power, sr).numpy()[0] == pytest.approx(tuning, abs=1e-6), kind
        ours = F.chroma_stft(power, sr)[0].numpy().T
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = librosa.feature.chroma_stft(y=y64, sr=sr, n_fft=n_fft, hop_length=hop)
        np.testing.assert_allclose(ours, ref, atol=1e-5, err_msg=kind)
        fixed = F.chroma_stft(power, sr, tuning=0.25)[0].numpy().T
        ref = librosa.feature.chroma_stft(S=ref_power, sr=sr, tuning=0.25)
        np.testing.assert_allclose(fixed, ref, atol=1e-5, err_msg=kind)


def test_tuning_is_estimated_per_clip_in_a_batch():
    sr, n_fft, hop = SETTINGS[0]
    t = np.arange(sr // 2) / sr
    cents = (0.0, 0.3, -0.2)
    clips = np.stack([np.sin(2 * np.pi * 440 * 2 ** (c / 12) * t) for c in cents]).astype("float32")
    ours = F.estimate_tuning(tf.square(F.magnitude_spectrogram(clips, n_fft, hop)), sr).numpy()
    for clip, value in zip(clips, ours):
        ref_power = np.abs(librosa.stft(clip.astype(np.float64), n_fft=n_fft, hop_length=hop)) ** 2
        assert value == pytest.approx(librosa.estimate_tuning(S=ref_power, sr=sr), abs=1e-6)
    # librosa's estimator reads these detunings to within 0.05 of a semitone.
    np.testing.assert_allclose(ours, cents, atol=0.051)


def test_chroma_filterbank_matches_librosa():
    ours = F.chroma_filterbank(22050, 2048, tuning=[0.0, -0.3])
    for i, tuning in enumerate([0.0, -0.3]):
        ref = librosa.filters.chroma(sr=22050, n_fft=2048, tuning=tuning)
        np.testing.assert_allclose(ours[i].numpy().T, ref, atol=1e-6)
    a = np.argmax(F.chroma_stft(np.eye(1025, dtype=np.float32)[None, 40:41], 22050, 0.0)[0, 0])
    assert F.CHROMA_NAMES[a] == "A"  # bin 40 = 430.7 Hz, nearest A4
