"""`precision="float32"`: the hand-crafted set with TFLite's builtin ops, against float64.

Every column agrees with the float64 (librosa) path to float32 rounding, 1e-4 of the
column's largest value, on every test signal, silence included, but three groups on
tones, whose spectral valleys sit near the float32 FFT's noise floor (about 1e-7 of
the peak): spectral contrast (dB of those valleys) within 0.2 dB, the cepstrum (their
logarithm) within 1e-3 of the column's largest value (measured: 0.14 dB, 4e-4); LPC is
Burg's recursion in float32 (librosa's own loop): on noise and clipped tones it
agrees to 1e-4 as well; on tones, where the normal equations are ill-conditioned
(singular without noise), float32 and float64 coefficients differ (up to ~60 % of the
column's largest value here), as `librosa.lpc` on float32 and float64 input do, so
there the test checks what the coefficients promise: bounded, and predicting the tone.
"""

import warnings
from math import comb

import numpy as np
import pytest
import tensorflow as tf

import zoo.features as F
from tests.zoo.features.signals import KINDS, SETTINGS, make

ROUNDING = 1e-4  # relative to each column's largest value
CONTRAST_DB = 0.2
CEPSTRUM = 1e-3


def _settings(sr, n_fft, hop):
    return dict(
        sample_rate=sr,
        n_fft=n_fft,
        hop_length=hop,
        n_mels=40,
        contrast_bands=3 if sr < 16000 else 4,
        f0_min=max(65.4, sr / (n_fft - 2)),
        f0_max=min(2093.0, sr / 2),
    )


def _noisy(kind, sr):
    y = make(kind, sr)
    if kind in ("sine", "chirp"):  # a -50 dB noise floor, as any recording has
        y = y + 1e-3 * np.random.default_rng(1).standard_normal(y.size).astype(np.float32)
    return y


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"{s[0]}Hz")
def test_float32_columns_equal_float64_to_rounding(setting):
    kw = _settings(*setting)
    wide, narrow = F.FrameFeatures(**kw), F.FrameFeatures(precision="float32", **kw)
    names = np.array(wide.feature_names())
    tonal = {"lpc": np.inf, "spectral_contrast": np.inf, "cepstrum": CEPSTRUM}
    for kind in KINDS:
        y = _noisy(kind, setting[0])
        a, b = wide(y[None]).numpy()[0], narrow(y[None]).numpy()[0]
        assert np.isfinite(b).all(), kind
        gap = np.abs(a - b).max(axis=0)
        error = gap / (np.abs(a).max(axis=0) + 1e-6)
        limit = np.full(len(names), ROUNDING)
        if kind in ("sine", "chirp"):
            for group, bound in tonal.items():
                limit[np.char.startswith(names, group + "_")] = bound
            contrast = np.char.startswith(names, "spectral_contrast_")
            assert gap[contrast].max() < CONTRAST_DB, (kind, gap[contrast].max())
        worst = int(np.argmax(error - limit))
        assert np.all(error <= limit), (kind, names[worst], error[worst])


def test_float32_lpc_of_tones_is_bounded_and_predicts_the_tone():
    sr, n_fft, hop = SETTINGS[1]
    order = 12
    bound = np.array([comb(order, i) for i in range(order + 1)])
    for kind in ("sine", "chirp", "dc"):
        y = make(kind, sr)
        frames = F.frame(y[None], n_fft, hop)
        coeffs = F.lpc(frames, order, dtype=tf.float32)[0].numpy()
        assert np.isfinite(coeffs).all() and np.all(np.abs(coeffs) <= bound + 1e-6), kind
        full = frames[0].numpy()[4:-4].astype(np.float64)
        residual = np.array([np.convolve(f, c, "valid") for f, c in zip(full, coeffs[4:-4])])
        assert np.sqrt(np.mean(residual**2)) < 1e-3 * np.sqrt(np.mean(full**2)), kind


def test_float32_pieces_equal_their_float64_selves():
    x = np.random.default_rng(3).standard_normal((2, 5, 300)).astype(np.float32)
    for lags in (0, 7, 299):
        wide = F.autocorrelation(x, lags).numpy()
        narrow = F.autocorrelation(x, lags, dtype=tf.float32).numpy()
        np.testing.assert_allclose(narrow, wide, atol=1e-5 * np.abs(wide).max())
    power = np.abs(np.fft.rfft(x, 256)) ** 2
    np.testing.assert_allclose(
        F.even_inverse_rfft(power, 256, 256), np.fft.irfft(power, 256), atol=1e-9
    )


def test_float32_features_run_in_tflite_with_builtin_ops_only():
    kw = _settings(*SETTINGS[1])
    layer = F.HandcraftedFeatures(precision="float32", **kw)
    y = _noisy("noise", kw["sample_rate"])[None]
    fn = tf.function(layer, input_signature=[tf.TensorSpec(y.shape, tf.float32)])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    blob = converter.convert()  # raises naming any op without a builtin kernel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_content=blob)
    names = {op["op_name"] for op in interpreter._get_ops_details()}
    assert "RFFT2D" in names and not [n for n in names if "FLEX" in n.upper() or "CUSTOM" in n]
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], y)
    interpreter.invoke()
    got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    want = layer(y).numpy()
    np.testing.assert_allclose(got, want, rtol=ROUNDING, atol=ROUNDING * np.abs(want).max())


def test_precision_is_checked_and_saved():
    with pytest.raises(ValueError, match="precision"):
        F.FrameFeatures(precision="float16")
    layer = F.HandcraftedFeatures(precision="float32", features=["rms"])
    assert F.HandcraftedFeatures.from_config(layer.get_config()).precision == "float32"
    assert F.FrameFeatures().get_config()["precision"] == "float64"
