"""What `audiozoo finetune` saves by default goes everywhere: a bfloat16 model joined to its baseline.

One tiny finetune run with `--precision mixed_bfloat16` (the demo's choice on CPUs
with AVX512_BF16) and the baseline fusion on; its `model.keras` loads with
`import zoo` alone, `filters`, `predict` and `embed` accept it, the SavedModel
keeps the whole joined model, and TFLite takes the joined model in float32 with
builtin ops only (its features rebuilt with `precision="float32"`), or its network.
"""

import json
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from applications import cli
from applications.export.cast import float32_copy, network_of
from applications.export.ops import custom_ops
from tests.applications.cli.test_finetune import make_tones

FLAGS = ["--epochs", "1", "--batch-size", "8", "--sample-rate", "8000", "--n-mels", "32"]
FLAGS += ["--precision", "mixed_bfloat16", "--strategy", "default", "--verbose", "0"]
FLAGS += ["--seed", "3", "--patience", "0", "--weights", "none", "--backbone", "cnn10_compact"]
EXACT = 1e-4  # the export against the float32 model it was made from
BFLOAT16 = 0.05  # against the trained model: bfloat16 keeps 8 bits of mantissa


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bf16")
    data = make_tones(root / "data", per_class=6)
    out = str(root / "run")
    assert cli.main(["finetune", "--data", data, "--out", out, *FLAGS]) == 0
    return out, data


def _clips(data):
    import zoo.audio

    paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(data) for f in fs)
    return np.stack([zoo.audio.fix_length(zoo.audio.load(p)[0], 8000).numpy() for p in paths])


def test_the_saved_model_is_bfloat16_fused_and_loads_with_import_zoo_alone(run):
    out, _ = run
    code = (
        "import keras, zoo; m = keras.saving.load_model(%r, safe_mode=True); "
        "print(sorted({l.dtype_policy.name for l in m.layers}), m.get_layer('fusion').name)"
    ) % os.path.join(out, "model.keras")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "mixed_bfloat16" in done.stdout and "fusion" in done.stdout


def test_filters_predict_and_embed_accept_it(run, tmp_path, capsys):
    out, data = run
    model = os.path.join(out, "model.keras")
    wav = os.path.join(data, "low", "0.wav")
    assert cli.main(["filters", model, "--out", str(tmp_path / "filters")]) == 0
    assert cli.main(["predict", "--model", model, "--json", wav]) == 0
    assert cli.main(["embed", "--model", out, "--out", str(tmp_path / "e.npz"), wav]) == 0
    assert np.load(tmp_path / "e.npz")["scene_embeddings"].shape[-1] > 0
    assert "low" in capsys.readouterr().out


def _builtin_only(path):
    with open(path, "rb") as f:
        assert custom_ops(f.read()) == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_path=path)
    names = {op["op_name"] for op in interpreter._get_ops_details()}
    assert not [n for n in names if n.startswith("Flex") or "CUSTOM" in n], names
    return interpreter, names


def test_the_joined_model_goes_to_tflite_whole_with_builtin_ops_only(run, capsys, tmp_path):
    out, data = run
    path = str(tmp_path / "whole.tflite")
    flags = ["--format", "tflite", "--out", path, "--json"]
    assert cli.main(["export", "--model", out, *flags]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cast"] is True and report["exported"].startswith("model (baseline features")
    interpreter, names = _builtin_only(path)
    assert {"CONV_2D", "RFFT2D", "FULLY_CONNECTED"} <= names
    trained = keras.saving.load_model(os.path.join(out, "model.keras"))
    portable = float32_copy(trained, portable_features=True)[0]
    assert "fusion" in {layer.name for layer in portable.layers}
    clips = _clips(data)
    probs = interpreter.get_signature_runner("serving_default")(waveform=clips)["probabilities"]
    np.testing.assert_allclose(probs, np.asarray(portable(clips)), atol=EXACT)
    # Against the trained model: bfloat16 network, float64 features.
    np.testing.assert_allclose(probs, np.asarray(trained(clips)), atol=BFLOAT16)
    # The report also compares with the trained model (on probe signals: noiseless
    # tones, whose LPC is singular, so no bound holds there; docs/export.md).
    assert {"max_abs_diff", "top1_agreement"} <= set(report["vs_trained"])


@pytest.mark.parametrize("quantize", ["int8", "dynamic"])
def test_integer_quantisation_refuses_the_joined_model_in_one_line(run, quantize, capsys):
    out, _ = run
    assert cli.main(["export", "--model", out, "--format", "tflite", "--quantize", quantize]) == 2
    err = capsys.readouterr().err
    assert "baseline" in err and "--network-only" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 2  # the error and its hint


def test_its_network_goes_to_tflite_in_float32_with_builtin_ops_only(run, capsys, tmp_path):
    out, data = run
    path = str(tmp_path / "net.tflite")
    flags = ["--format", "tflite", "--network-only", "--out", path, "--json"]
    assert cli.main(["export", "--model", out, *flags]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cast"] is True and report["exported"].startswith("network")
    interpreter, names = _builtin_only(path)
    # The front end is inside, its DFT as matrix products (TFLite's RFFT2D is slower).
    assert "CONV_2D" in names and "RFFT2D" not in names
    assert "RFFT2D float32" not in report["op_types"]["front_end"]
    assert "FULLY_CONNECTED float32" in report["op_types"]["front_end"]
    trained = keras.saving.load_model(os.path.join(out, "model.keras"))
    exact = network_of(float32_copy(trained)[0])
    clips = _clips(data)
    runner = interpreter.get_signature_runner("serving_default")
    probs = runner(waveform=clips)["probabilities"]
    np.testing.assert_allclose(probs, np.asarray(exact(clips)), atol=EXACT)
    np.testing.assert_allclose(probs, np.asarray(network_of(trained)(clips)), atol=BFLOAT16)


def test_saved_model_keeps_the_baseline_and_matches_the_trained_model(run, capsys, tmp_path):
    out, data = run
    folder = str(tmp_path / "sm")
    assert cli.main(["export", "--model", out, "--format", "saved_model", "--out", folder]) == 0
    capsys.readouterr()
    trained = keras.saving.load_model(os.path.join(out, "model.keras"))
    clips = _clips(data)
    serve = tf.saved_model.load(folder).signatures["serving_default"]
    probs = serve(waveform=tf.constant(clips))["probabilities"].numpy()
    np.testing.assert_allclose(probs, np.asarray(float32_copy(trained)[0](clips)), atol=EXACT)
    np.testing.assert_allclose(probs, np.asarray(trained(clips)), atol=BFLOAT16)
