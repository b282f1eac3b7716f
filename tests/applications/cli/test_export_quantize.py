"""`audiozoo export --quantize float16 | int8`, and which job's model goes where.

int8 is full-integer post-training quantisation: the network's convolutions and
dense layers run integer kernels, the spectrogram and its log stay float. No
export ever holds a Flex or custom op.
"""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

import zoo
from applications import cli
from applications.atomic_io import write_json
from applications.export import run_tflite
from applications.export.float16 import to_float16
from applications.export.ops import custom_ops, float_network_ops, op_types
from applications.export.tflite import unsupported_ops
from tests.applications.hear.tiny_models import RATE, tone_run, tones


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny from-scratch run, its `settings.json` pointing at a folder of tones."""
    out, data = tone_run(tmp_path_factory.mktemp("quantize"), 6)
    settings = {"data": data, "sample_rate": RATE, "clip_seconds": 0.5, "seed": 0}
    write_json(os.path.join(out, "settings.json"), settings)
    return out, data


def _export(capsys, *flags):
    assert cli.main(["export", *flags, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_int8_runs_the_network_in_integers_and_the_front_end_in_float(run, capsys):
    out, data = run
    report = _export(capsys, "--model", out, "--format", "tflite", "--quantize", "int8")
    assert report["calibration"].startswith("12 clips of the run's train split")  # 4 of 6 a class
    assert report["out"].endswith("model_int8.tflite") and report["custom_ops"] == []
    network, front = report["op_types"]["network"], report["op_types"]["front_end"]
    assert network.get("CONV_2D int8", 0) >= 8 and "FULLY_CONNECTED int8" in network
    assert float_network_ops(network) == []
    # The four-step DFT's matrix products stay float with the rest of the front end.
    assert "LOG float32" in front and "FULLY_CONNECTED float32" in front
    assert "DEQUANTIZE float16" in front  # the window, the DFT and mel matrices
    assert not [key for key in front if key.endswith(" int8")]
    # Random weights give near-tied classes, so top-1 agreement says little here.
    assert 0 < report["max_abs_diff"] < 0.1, report["max_abs_diff"]
    float32 = _export(capsys, "--model", out, "--format", "tflite")
    assert report["size_bytes"] < 0.5 * float32["size_bytes"]


def test_int8_with_calibration_data_reports_accuracy_before_and_after(run, capsys, tmp_path):
    out, data = run
    flags = ["--format", "tflite", "--quantize", "int8", "--calibration-data", data]
    flags += ["--check-data", data, "--out", str(tmp_path / "q.tflite")]
    report = _export(capsys, "--model", out, *flags)
    assert report["calibration"] == f"18 clips of --calibration-data {data}"
    assert report["clips"] == 18
    expected = report["accuracy_export"] - report["accuracy_keras"]
    assert report["accuracy_change"] == pytest.approx(expected)
    with open(tmp_path / "q.tflite", "rb") as f:
        blob = f.read()
    probs = run_tflite(blob, tones(4, seed=9))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=0.02)  # int8 softmax steps


def test_float16_halves_the_file_and_survives_silence(run, capsys, tmp_path):
    out, _ = run
    path = str(tmp_path / "h.tflite")
    report = _export(capsys, "--model", out, "--format", "tflite", "--quantize", "float16")
    float32 = _export(capsys, "--model", out, "--format", "tflite", "--out", path)
    assert report["size_bytes"] < 0.6 * float32["size_bytes"]
    assert report["max_abs_diff"] < 1e-2 and report["top1_agreement"] == 1.0
    # The log-mel's 1e-10 floor is below float16's range: it must stay float32.
    silence = np.zeros((2, 4000), np.float32)
    quiet = run_tflite(report["out"], silence)
    np.testing.assert_allclose(quiet, run_tflite(path, silence), atol=1e-2)


def test_to_float16_keeps_small_constants_and_halves_large_ones():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(64, 32)).astype(np.float32)
    small = rng.normal(size=(32, 8)).astype(np.float32)  # a matrix: float16 at any size
    scale = rng.uniform(1, 2, size=8).astype(np.float32)  # a short vector: float32

    @tf.function(input_signature=[tf.TensorSpec([None, 64], tf.float32)])
    def fn(x):
        y = tf.matmul(tf.matmul(x, weights), small) * scale
        return {"y": tf.math.log(tf.maximum(y**2, 1e-10))}

    blob = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()]).convert()
    half = to_float16(blob)
    assert len(half) < 0.6 * len(blob)
    assert op_types(half)["front_end"]["DEQUANTIZE float16"] == 2  # both matrices
    x = np.zeros((1, 64), np.float32)
    interpreter = tf.lite.Interpreter(model_content=half)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    y = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    np.testing.assert_allclose(y, np.log(1e-10), rtol=1e-5)  # not -inf


def test_a_converter_failure_names_the_ops_it_cannot_lower():
    @tf.function(input_signature=[tf.TensorSpec([None, 8], tf.float64)])
    def fn(x):
        return tf.signal.irfft(tf.complex(x, tf.zeros_like(x)))

    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()])
    with pytest.raises(Exception) as caught:
        converter.convert()
    ops, types = unsupported_ops(str(caught.value))
    assert "tf.IRFFT" in ops and "f64" in types


def test_float_network_ops_lists_weight_ops_left_in_float():
    found = {"CONV_2D int8": 4, "FULLY_CONNECTED float32": 1, "MEAN float32": 1}
    assert float_network_ops(found) == ["FULLY_CONNECTED float32"]


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--quantize", "dynamic", "--calibration-data", "."], "--calibration-data applies to"),
        (["--quantize", "int8", "--calibration-data", "nowhere"], "'nowhere' is not a folder"),
        (["--network-only"], "is not joined to a baseline"),
    ],
)
def test_bad_quantisation_flags_are_one_line_errors(run, flags, message, capsys):
    out, _ = run
    assert cli.main(["export", "--model", out, "--format", "tflite", *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "name, why",
    [("crnn_sed", "is a frame-wise event model"), ("unmix", "is a source separator")],
)
def test_event_and_separation_models_are_refused_naming_why(name, why, tmp_path, capsys):
    model = zoo.get_entry(name).build_tiny()
    model.save(tmp_path / "m.keras")
    assert cli.main(["export", "--model", str(tmp_path / "m.keras"), "--format", "tflite"]) == 2
    err = capsys.readouterr().err
    assert why in err and len(err.strip().splitlines()) == 1


def test_a_published_embedding_network_is_refused(capsys):
    assert cli.main(["export", "--model", "musicnn:mtt", "--format", "tflite"]) == 2
    assert "published embedding network" in capsys.readouterr().err


@pytest.mark.parametrize("quantize", [None, "dynamic", "float16"])
def test_a_multilabel_tagger_exports_with_builtin_ops_only(quantize, tmp_path):
    import keras

    from applications.export import serving_parts
    from applications.export.tflite import convert

    inputs = keras.Input((4000,))
    mel = zoo.audio.LogMelSpectrogram(sample_rate=RATE, n_fft=256, hop_length=64, n_mels=16)
    x = keras.layers.Rescaling(0.01)(keras.layers.Flatten()(mel(inputs)))  # dB -> ~1
    tagger = keras.Model(inputs, keras.layers.Dense(5, activation="sigmoid", name="predictions")(x))
    blob, types = convert(*serving_parts(tagger, {"sample_rate": RATE}), quantize=quantize)
    assert custom_ops(blob) == []
    probs = run_tflite(blob, tones(2))
    atol = 0.05 if quantize == "dynamic" else 0.01  # int8 weights in the network
    np.testing.assert_allclose(probs, np.asarray(tagger(tones(2))), atol=atol)
    front = types["front_end"]
    assert "LOG float32" in front and not [key for key in front if key.endswith(" int8")]
