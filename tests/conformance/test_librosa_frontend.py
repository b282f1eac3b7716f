"""The log-mel front end and the STFT against librosa 0.11 (float64 on the same float32 samples).

Each test names the librosa function it reproduces and its tolerance. Settings cover
even and odd n_fft, hops that do not divide the frame, `center=False` where the zoo
function has it, and signals shorter than n_fft.
"""

import librosa
import numpy as np
import pytest
import tensorflow as tf

import zoo
from tests.conformance.signals import IDS, SETTINGS, signal

# librosa warns when n_fft exceeds a short signal; those cases are deliberate here.
pytestmark = pytest.mark.filterwarnings("ignore:n_fft=.*is too large:UserWarning")


def _librosa_log_mel(y, sr, n_fft, hop, n_mels, top_db):
    power = librosa.feature.melspectrogram(
        y=y.astype(np.float64), sr=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels,
        pad_mode="constant",
    )  # fmt: skip
    return librosa.power_to_db(power, ref=1.0, top_db=top_db)


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_mel_filterbank_is_librosa_filters_mel(setting):
    """`zoo.audio.mel_filterbank` = `librosa.filters.mel` (Slaney), absolute 1e-8."""
    sr, n_fft, _ = setting
    ours = zoo.audio.mel_filterbank(sr, n_fft, 40).T
    np.testing.assert_allclose(ours, librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=40), atol=1e-8)


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
@pytest.mark.parametrize("samples", [None, 300], ids=["clip", "shorter-than-n_fft"])
def test_log_mel_layer_is_librosa_power_to_db_of_melspectrogram(setting, samples):
    """`LogMelSpectrogram(top_db=80)` = `librosa.power_to_db(melspectrogram(y), top_db=80)`.

    Tolerance: 0.01 dB absolute everywhere (measured: 6e-6 dB).
    """
    sr, n_fft, hop = setting
    y = signal(sr, samples)
    layer = zoo.audio.LogMelSpectrogram(sr, n_fft, hop, n_mels=40, top_db=80.0)
    ours = layer(y[None])[0, :, :, 0].numpy()
    ref = _librosa_log_mel(y, sr, n_fft, hop, 40, 80.0)
    assert ours.shape == ref.shape == (40, 1 + len(y) // hop)
    np.testing.assert_allclose(ours, ref, atol=0.01, rtol=0)


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_log_mel_without_a_floor_is_within_0_1_db_of_librosa_within_120_db_of_the_peak(setting):
    """`LogMelSpectrogram(top_db=None)` = `librosa.power_to_db(..., top_db=None)`.

    The README's claim and its condition: within 0.1 dB of librosa for every cell less
    than 120 dB below the clip's peak (measured: under 0.002 dB). Deeper cells sit at
    the float32 FFT's noise floor (about 1e-7 of the frame's peak amplitude), where
    float32 and float64 differ by tenths of a dB; `top_db=80` never reaches them.
    """
    sr, n_fft, hop = setting
    y = signal(sr)
    y[len(y) // 2 :] *= 1e-4  # an 80 dB step: quiet cells well below the peak
    layer = zoo.audio.LogMelSpectrogram(sr, n_fft, hop, n_mels=40, top_db=None)
    ours = layer(y[None])[0, :, :, 0].numpy()
    ref = _librosa_log_mel(y, sr, n_fft, hop, 40, None)
    near = ref > ref.max() - 120.0
    assert near.mean() > 0.5
    assert np.abs(ours - ref)[near].max() <= 0.1


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
@pytest.mark.parametrize(
    "center, samples",
    [(True, None), (True, 300), (False, None)],
    ids=["centred", "centred-shorter-than-n_fft", "not-centred"],
)
def test_magnitude_spectrogram_is_abs_librosa_stft(setting, center, samples):
    """`zoo.features.magnitude_spectrogram` = `np.abs(librosa.stft(y, pad_mode="constant"))`.

    Tolerance: 1e-6 of the largest magnitude (float32 output of a float64 FFT).
    """
    sr, n_fft, hop = setting
    y = signal(sr, samples)
    ours = zoo.features.magnitude_spectrogram(y[None], n_fft, hop, center=center)[0].numpy().T
    ref = np.abs(
        librosa.stft(y.astype(np.float64), n_fft=n_fft, hop_length=hop, center=center,
                     pad_mode="constant")
    )  # fmt: skip
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=1e-6 * ref.max(), rtol=0)


def test_separation_stft_is_librosa_stft_and_inverts_exactly():
    """`zoo.separation.layers.stft` = `librosa.stft` (complex, odd and even n_fft), 1e-5 of
    the peak; `istft` inverts it to 1e-5 (librosa's window-sum normalisation)."""
    from zoo.separation.layers import istft, stft

    y = signal(16000)
    for n_fft, hop in ((512, 128), (511, 127), (401, 100)):
        ours = stft(tf.constant(y[None]), n_fft, hop)[0].numpy().T
        ref = librosa.stft(y.astype(np.float64), n_fft=n_fft, hop_length=hop, pad_mode="constant")
        np.testing.assert_allclose(ours, ref, atol=1e-5 * np.abs(ref).max(), rtol=0)
        back = istft(stft(tf.constant(y[None]), n_fft, hop), n_fft, hop, len(y))[0].numpy()
        np.testing.assert_allclose(back, y, atol=1e-5)
