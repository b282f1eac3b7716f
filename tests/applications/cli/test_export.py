"""`audiozoo export`: SavedModel and TFLite parity with the Keras model, metadata, int8 report.

The TFLite files are run in the TFLite interpreter here, at batch 1 and 3.
"""

import json
import os
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.lite.tools import flatbuffer_utils

import zoo.audio
from applications import cli, hear
from applications.export import read_tflite_metadata
from tests.applications.hear.tiny_models import CLIP, NAMES, RATE, save_run, tone_folder, tones

TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "run"
    save_run(str(out), "scratch")
    return str(out)


def _export(run, capsys, *flags):
    assert cli.main(["export", "--model", run, *flags, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _keras(run):
    return keras.saving.load_model(os.path.join(run, "model.keras"))


def _interpreter(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the interpreter's deprecation notice
        return tf.lite.Interpreter(model_path=path)


def test_saved_model_any_batch_any_length_matches_keras(run, capsys):
    report = _export(run, capsys, "--format", "saved_model")
    assert report["out"] == os.path.join(run, "saved_model") and report["max_abs_diff"] <= TOLERANCE
    loaded = tf.saved_model.load(report["out"])
    model = _keras(run)
    for samples in (CLIP, 2500, 7000):  # shorter clips are padded, longer cropped, as predict
        audio = tones(3, samples=samples, seed=samples)
        fitted = np.stack([zoo.audio.fix_length(a, CLIP).numpy() for a in audio])
        probs = loaded.signatures["serving_default"](waveform=tf.constant(audio))
        np.testing.assert_allclose(
            probs["probabilities"].numpy(),
            np.asarray(model(fitted, training=False)),
            atol=TOLERANCE,
        )
    emb = loaded.signatures["embed"](waveform=tf.constant(tones(2)))["embedding"].numpy()
    expected = hear.get_scene_embeddings(tones(2), hear.load_model(run)).numpy()
    np.testing.assert_allclose(emb, expected, atol=TOLERANCE)
    meta = loaded.signatures["metadata"]()
    assert [n.decode() for n in meta["class_names"].numpy()] == NAMES
    assert int(meta["sample_rate"]) == RATE
    with open(os.path.join(report["out"], "assets.extra", "audiozoo.json")) as f:
        assert json.load(f)["clip_samples"] == CLIP


def test_tflite_runs_in_the_interpreter_within_1e4_of_keras(run, capsys, tmp_path):
    out = str(tmp_path / "tiny.tflite")
    report = _export(run, capsys, "--format", "tflite", "--out", out)
    assert report["max_abs_diff"] <= TOLERANCE and report["top1_agreement"] == 1.0
    meta = read_tflite_metadata(out)
    assert meta["class_names"] == NAMES and meta["sample_rate"] == RATE
    interpreter = _interpreter(out)
    assert interpreter.get_signature_list() == {
        "serving_default": {"inputs": ["waveform"], "outputs": ["probabilities"]},
        "embed": {"inputs": ["waveform"], "outputs": ["embedding"]},
    }
    with open(out, "rb") as f:  # the two signatures share the file's one graph
        flat = flatbuffer_utils.convert_bytearray_to_object(bytearray(f.read()))
    assert len(flat.subgraphs) == 1
    # Fused-op name lists are cut to their first name; every tensor keeps one.
    names = [
        t.name.decode() if isinstance(t.name, bytes) else t.name for t in flat.subgraphs[0].tensors
    ]
    assert all(names) and not [n for n in names if ";" in n]
    model = _keras(run)
    for batch in (1, 3):  # the batch axis stays free
        audio = tones(batch, seed=batch)
        runner = interpreter.get_signature_runner("serving_default")
        probs = runner(waveform=audio)["probabilities"]
        np.testing.assert_allclose(probs, np.asarray(model(audio, training=False)), atol=TOLERANCE)
    emb = interpreter.get_signature_runner("embed")(waveform=tones(2))["embedding"]
    net = hear.load_model(run).network
    np.testing.assert_allclose(emb, np.asarray(net(tones(2))), atol=TOLERANCE)


def test_dynamic_int8_reports_the_accuracy_change_on_labelled_data(run, capsys, tmp_path):
    tone_folder(tmp_path / "data", 3)
    flags = ["--format", "tflite", "--quantize", "dynamic", "--check-data", str(tmp_path / "data")]
    report = _export(run, capsys, *flags)
    assert report["out"].endswith("model_dynamic.tflite") and report["clips"] == 9
    assert {"accuracy_keras", "accuracy_export", "accuracy_change"} <= set(report)
    change = report["accuracy_export"] - report["accuracy_keras"]
    assert report["accuracy_change"] == pytest.approx(change)
    # int8 weights move the probabilities a little, not a lot, and shrink the file.
    assert 0 < report["max_abs_diff"] < 0.1
    assert report["size_bytes"] < 0.6 * os.path.getsize(os.path.join(run, "model.keras"))


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--format", "saved_model", "--quantize", "dynamic"], "--quantize applies to --format"),
        (["--format", "tflite", "--out", "m.bin"], "--out 'm.bin' must end in .tflite"),
        (["--format", "tflite", "--check-data", "nowhere"], "--check-data 'nowhere' is not a"),
        (["--format", "saved_model", "--out", "."], "--out '.' is a non-empty folder that is not"),
    ],
)
def test_bad_flags_are_one_line_errors(run, flags, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("keep me")  # `--out .` must not replace this folder
    assert cli.main(["export", "--model", run, *flags]) == 2
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_log_mel_network_is_refused_naming_the_model(tmp_path, capsys):
    net = zoo.create_model("cnn6", classes=3, width=0.125)
    net.save(tmp_path / "cnn6.keras")
    assert cli.main(["export", "--model", str(tmp_path / "cnn6.keras"), "--format", "tflite"]) == 2
    assert "export needs a classifier on raw waveforms" in capsys.readouterr().err


def test_a_saved_sequential_classifier_exports(capsys, tmp_path):
    """Keras restores a `Sequential` uncalled (no `output`): jobs read it as a functional model."""
    import zoo

    model = keras.Sequential(
        [
            keras.Input((CLIP,)),
            zoo.audio.LogMelSpectrogram(sample_rate=RATE, n_fft=256, hop_length=64, n_mels=32),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.save(tmp_path / "model.keras")
    report = _export(str(tmp_path / "model.keras"), capsys, "--format", "tflite")
    assert report["max_abs_diff"] <= 1e-4 and report["top1_agreement"] == 1.0
