"""Burg LPC and YIN against librosa 0.11 run in float64 on the same float32 samples.

LPC: |error| <= 1e-5 (1e-6 relative to the largest coefficient, and float32 output
rounding), on frames where the problem is well posed. A noiseless pure tone makes the
normal equations singular beyond order 2: librosa's float64 and float32 answers then
disagree by 1e12, so there the test checks the bound |a_i| <= binomial(p, i) that the
guards promise, and that the model still predicts the tone.
YIN: computed in float64 as librosa is on float64 input, so f0 agrees to its float32
rounding; rtol 1e-5 leaves 100x margin. Only an exact tie between two troughs at the
0.1 threshold could flip a frame's choice, and no frame of these signals comes close.
"""

import warnings
from math import comb

import librosa
import numpy as np
import pytest
import tensorflow as tf

import zoo.features as F
from tests.zoo.features.signals import KINDS, SETTINGS, make

F0_RANGE = (65.40639, 2093.0045)


def _librosa_frames(y, n_fft, hop):
    return librosa.util.frame(
        np.pad(y.astype(np.float64), n_fft // 2), frame_length=n_fft, hop_length=hop
    )


def _with_noise_floor(kind, sr):
    """Tones get a -50 dB noise floor, as any recording has; the rest stay as they are."""
    y = make(kind, sr)
    if kind in ("sine", "chirp"):
        y = y + 1e-3 * np.random.default_rng(1).standard_normal(y.size).astype(np.float32)
    return y


@pytest.mark.parametrize("setting, order", [(SETTINGS[0], 16), (SETTINGS[1], 12), (SETTINGS[2], 8)])
def test_lpc_matches_librosa(setting, order):
    sr, n_fft, hop = setting
    for kind in KINDS:
        y = _with_noise_floor(kind, sr)
        ours = F.lpc_frames(y[None], order, n_fft, hop)[0].numpy()
        ref = librosa.lpc(_librosa_frames(y, n_fft, hop), order=order, axis=-2).T
        assert ours.shape == ref.shape == (1 + y.size // hop, order + 1)
        np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-5, err_msg=kind)


def test_lpc_recovers_a_known_all_pole_process():
    import scipy.signal

    a = np.array([1.0, -1.6, 0.95])  # poles at radius 0.97
    x = scipy.signal.lfilter([1.0], a, np.random.default_rng(0).standard_normal(40000))
    np.testing.assert_allclose(F.lpc(x[None].astype(np.float32), 2)[0], a, atol=0.01)
    # The shared autocorrelation: r[k] = sum_n x[n] x[n+k], any frame length.
    frames = np.random.default_rng(1).standard_normal((2, 3, 37)).astype(np.float32)
    acf = F.autocorrelation(frames, 9).numpy()
    ref = [[np.correlate(f, f, "full")[36:46] for f in row] for row in frames.astype(np.float64)]
    np.testing.assert_allclose(acf, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(F.lpc(frames, 5, acf=acf), F.lpc(frames, 5))


@pytest.mark.parametrize(
    "samples, frame_length, hop, max_lag",
    [
        (5000, 256, 64, 63),
        (300, 256, 64, 50),
        (1, 256, 64, 60),
        (5000, 256, 64, 64),
        (999, 250, 100, 40),
    ],
)
def test_framed_autocorrelation_equals_autocorrelation_of_frames(
    samples, frame_length, hop, max_lag
):
    # Block path (whole hops, lags < hop), short clips, and both fallbacks.
    x = np.random.default_rng(2).standard_normal((2, samples)).astype(np.float32)
    got = F.framed_autocorrelation(x, frame_length, hop, max_lag).numpy()
    want = F.autocorrelation(F.frame(x, frame_length, hop), max_lag).numpy()
    assert got.shape == want.shape == (2, 1 + samples // hop, max_lag + 1)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())


def test_lpc_of_pure_tones_is_bounded_and_predicts_the_tone():
    sr, n_fft, hop = SETTINGS[1]
    order = 12
    for kind in ("sine", "chirp", "dc"):
        y = make(kind, sr)
        coeffs = F.lpc_frames(y[None], order, n_fft, hop)[0].numpy()
        bound = np.array([comb(order, i) for i in range(order + 1)])
        assert np.isfinite(coeffs).all() and np.all(np.abs(coeffs) <= bound + 1e-6), kind
        frames = _librosa_frames(y, n_fft, hop).T[4:-4]  # full frames only
        residual = np.array([np.convolve(f, c, "valid") for f, c in zip(frames, coeffs[4:-4])])
        assert np.sqrt(np.mean(residual**2)) < 1e-3 * np.sqrt(np.mean(frames**2)), kind
    silent = F.lpc(np.zeros((1, 64), np.float32), 4).numpy()
    np.testing.assert_array_equal(silent, [[1, 0, 0, 0, 0]])


@pytest.mark.parametrize("setting", SETTINGS)
def test_yin_matches_librosa(setting):
    sr, n_fft, hop = setting
    fmin = max(F0_RANGE[0], sr / (n_fft - 2))  # librosa needs a period inside the frame
    fmax = min(F0_RANGE[1], sr / 2)
    for kind in [*KINDS, "dc"]:
        y = make(kind, sr)
        f0, periodicity = (v[0].numpy() for v in F.yin(y[None], sr, fmin, fmax, n_fft, hop))
        with warnings.catch_warnings():  # "less than two periods of fmin fit"
            warnings.simplefilter("ignore")
            ref = librosa.yin(
                y.astype(np.float64),
                fmin=fmin,
                fmax=fmax,
                sr=sr,
                frame_length=n_fft,
                hop_length=hop,
            )
        np.testing.assert_allclose(f0, ref, rtol=1e-5, err_msg=kind)
        assert np.all((periodicity >= 0) & (periodicity <= 1)), kind


def test_yin_periodicity_separates_tones_from_noise_and_silence():
    sr, n_fft, hop = SETTINGS[1]
    tone = F.yin(make("sine", sr)[None], sr, 70.0, 2000.0, n_fft, hop)
    noise = F.yin(make("noise", sr)[None], sr, 70.0, 2000.0, n_fft, hop)
    # Within 0.5 %: librosa's d(k) leaves out the frame's tail energy, a small bias.
    np.testing.assert_allclose(tone[0][0, 3:-3], 441.3, rtol=5e-3)
    assert tone[1].numpy()[0, 3:-3].min() > 0.9 and noise[1].numpy()[0].max() < 0.5
    for kind in ("silence", "dc"):
        f0, periodicity = F.yin(make(kind, sr)[None], sr, 70.0, 2000.0, n_fft, hop)
        assert np.isfinite(f0.numpy()).all() and np.all(periodicity.numpy() == 0.0), kind
    # Silence: librosa's global-minimum fallback at the shortest lag, sr / floor(sr / fmax).
    f0 = F.yin(make("silence", sr)[None], sr, 70.0, 2000.0, n_fft, hop)[0]
    np.testing.assert_allclose(f0, sr / 8, rtol=1e-6)


def test_yin_rejects_impossible_ranges():
    with pytest.raises(ValueError, match="Received: fmin=10"):
        F.yin(tf.zeros((1, 4000)), 16000, fmin=10.0, fmax=500.0, frame_length=512)
    with pytest.raises(ValueError, match="Received: fmax=9000"):
        F.yin(tf.zeros((1, 4000)), 16000, fmin=100.0, fmax=9000.0)
