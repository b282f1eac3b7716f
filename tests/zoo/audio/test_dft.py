"""The four-step matmul DFT against numpy's FFT, in Keras and in TFLite, and the export's switch."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo.audio as audio
from zoo.audio.dft import four_step_split, power_spectrum


def _frames(n, shape=(2, 3), seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((*shape, n)).astype("float32")


@pytest.mark.parametrize(
    "n, bins",
    [(2048, 513), (2048, 1025), (1024, 513), (400, 201), (512, 100), (7, 4), (2, 2), (64, 1)],
)
def test_matmul_power_equals_numpy_fft(n, bins):
    frames = _frames(n)
    want = np.abs(np.fft.rfft(frames.astype(np.float64), axis=-1)[..., :bins]) ** 2
    for method in audio.DFT_METHODS:
        got = power_spectrum(tf.constant(frames), n, bins, method).numpy()
        assert got.shape == (2, 3, bins)
        # float32 rounding of sums of n terms: about 1e-6 of the largest bin.
        np.testing.assert_allclose(got, want, rtol=0, atol=2e-6 * want.max())


def test_four_step_split_covers_the_bins_with_a_fraction_of_the_direct_work():
    for n, bins in [(2048, 513), (2048, 1025), (400, 201), (97, 49), (4096, 2049)]:
        n1, n2, k2 = four_step_split(n, bins)
        assert n1 * n2 == n and n1 * k2 >= bins and k2 <= n2
    # Multiply-adds per frame against the direct DFT's n x 2 bins.
    assert four_step_split(2048, 513) == (32, 64, 17)  # 2 n 32 + 4 n 17: 1/8 of n 2 513
    assert four_step_split(400, 201) == (16, 25, 13)
    assert four_step_split(97, 49) == (1, 97, 49)  # a prime length: the direct DFT


def test_power_spectrum_refuses_bad_arguments():
    frames = tf.zeros((1, 8))
    with pytest.raises(ValueError, match=r"Received: method='dct'"):
        power_spectrum(frames, 8, method="dct")
    with pytest.raises(ValueError, match=r"1\.\.n_fft // 2 \+ 1 = 5\. Received: bins=6"):
        power_spectrum(frames, 8, 6)
    with pytest.raises(ValueError, match=r"Received: dft='dct'"):
        audio.LogMelSpectrogram(dft="dct")
    with pytest.raises(ValueError, match=r"n_fft = 16 long\. Received: frames=\(1, 8\)"):
        power_spectrum(frames, 16, method="matmul")


def test_silence_stays_at_the_floor_and_symbolic_batches_work():
    layer = audio.LogMelSpectrogram(n_fft=512, hop_length=128, n_mels=32, dft="matmul")
    out = layer(np.zeros((3, 2000), "float32")).numpy()
    np.testing.assert_array_equal(out, -100.0)  # 10 log10(1e-10): no rounding noise above 0
    inputs = keras.Input((2000,))
    model = keras.Model(inputs, layer(inputs))
    assert model.predict(np.zeros((5, 2000), "float32"), verbose=0).shape == (5, 32, 16, 1)


def _tflite(layer, shape):
    fn = tf.function(layer, input_signature=[tf.TensorSpec(shape, tf.float32)])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_content=converter.convert())
    interpreter.allocate_tensors()
    return interpreter


def test_matmul_log_mel_in_tflite_has_no_rfft_and_equals_keras():
    kw = dict(sample_rate=16000, n_fft=2048, hop_length=512, n_mels=128, fmax=4000.0)
    y = (0.3 * _frames(16000, shape=(1,), seed=1)).astype("float32")
    fft = audio.LogMelSpectrogram(**kw)(y).numpy()
    for dft, kernel in (("matmul", "FULLY_CONNECTED"), ("fft", "RFFT2D")):
        interpreter = _tflite(audio.LogMelSpectrogram(**kw, dft=dft), y.shape)
        names = {op["op_name"] for op in interpreter._get_ops_details()}
        assert kernel in names
        if dft == "matmul":
            assert "RFFT2D" not in names
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], y)
        interpreter.invoke()
        got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
        np.testing.assert_allclose(got, fft, rtol=0, atol=1e-3)  # dB


def test_export_copy_switches_every_front_end_to_matmul_even_in_old_files():
    from applications.export.cast import float32_copy

    inputs = keras.Input((4000,))
    mel = audio.LogMelSpectrogram(n_fft=512, hop_length=256, n_mels=16, name="mel")
    outputs = keras.layers.Dense(3)(keras.layers.Flatten()(mel(inputs)))
    model = keras.Model(inputs, outputs)
    assert float32_copy(model)[0] is model  # not for TFLite: nothing to rebuild
    copy, cast = float32_copy(model, portable_features=True)
    assert not cast and copy.get_layer("mel").dft == "matmul" and mel.dft == "fft"
    clips = 0.1 * _frames(4000, shape=(4,))
    np.testing.assert_allclose(copy(clips), model(clips), rtol=1e-4, atol=1e-4)
    # A file saved before the `dft` argument existed has no such key in its config.
    config = keras.saving.serialize_keras_object(model)
    for layer in config["config"]["layers"]:
        layer["config"].pop("dft", None)
    old = keras.saving.deserialize_keras_object(config)
    old.set_weights(model.get_weights())
    assert old.get_layer("mel").dft == "fft"
    assert float32_copy(old, portable_features=True)[0].get_layer("mel").dft == "matmul"
