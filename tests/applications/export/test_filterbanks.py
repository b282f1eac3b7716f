"""`int8_filterbanks`: a front end's mel filterbank stored as int8, its DFT left alone."""

import warnings

import numpy as np
import tensorflow as tf

import zoo.audio
from applications.export.float16 import int8_filterbanks
from applications.export.ops import op_types


def _run(blob, x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_content=blob)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def test_mel_weights_become_int8_and_the_log_mel_moves_by_a_fraction_of_a_db():
    layer = zoo.audio.LogMelSpectrogram(
        sample_rate=16000, n_fft=1024, hop_length=256, n_mels=64, dft="matmul"
    )
    fn = tf.function(layer, input_signature=[tf.TensorSpec([1, 8000], tf.float32)])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()], fn)
    blob = converter.convert()
    small = int8_filterbanks(blob)
    front = op_types(small)["front_end"]
    # The 4 blocks of 16 bands are read through DEQUANTIZE; the DFT's matrices
    # (negative values) stay float32.
    assert front.get("DEQUANTIZE int8") == 4
    assert front.get("FULLY_CONNECTED float32") == 4 + 2
    assert len(small) < len(blob) - 3 * 64 * 40  # 1 byte a weight, not 4
    rng = np.random.default_rng(0)
    t = np.arange(8000) / 16000
    quiet_and_loud = np.sin(2 * np.pi * 440 * t) * np.linspace(1e-3, 1.0, 8000)
    for x in (0.1 * rng.standard_normal(8000), quiet_and_loud):
        x = x[None].astype(np.float32)
        want, got = _run(blob, x), _run(small, x)
        loud = want > want.max() - 80.0  # what a network sees above its floor
        # A tone at a band's edge meets its coarsest weights: 0.11 dB measured, a
        # quarter of the step of an int8 network's input (0.85 dB in the demo's file).
        assert np.abs(got - want)[loud].max() < 0.2  # dB
