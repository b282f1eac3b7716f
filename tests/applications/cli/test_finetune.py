"""`audiozoo finetune`, `evaluate` and `predict` end to end at a tiny size.

The data is a folder of generated tones (three pitches); the backbone is
VGG11 or VGG16 at 32x32 so each run takes seconds on a CPU.
"""

import json
import os

import h5py
import keras
import numpy as np
import pytest
import soundfile as sf

from applications import cli

# Flags every tiny run shares (8 kHz, 32 mels, 3 epochs, float32, one device, quiet).
TINY_COMMON = ["--epochs", "3", "--batch-size", "8", "--sample-rate", "8000", "--n-mels", "32"]
TINY_COMMON += ["--precision", "float32", "--strategy", "default", "--verbose", "0"]
TINY = ["--backbone", "vgg11", "--image-size", "32", "--finetune-epochs", "1", *TINY_COMMON]


def make_tones(root, per_class=10, rate=8000):
    """Write `per_class` half-second noisy tones for each of three pitches."""
    rng = np.random.default_rng(0)
    for name, freq in (("low", 220.0), ("mid", 660.0), ("high", 1760.0)):
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(per_class):
            t = np.arange(rate // 2) / rate
            x = 0.5 * np.sin(2 * np.pi * freq * (1 + 0.03 * rng.standard_normal()) * t)
            x += 0.05 * rng.standard_normal(t.size)
            sf.write(
                os.path.join(root, name, f"{i}.wav"), x.astype("float32"), rate, subtype="PCM_16"
            )
    return str(root)


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    return make_tones(tmp_path_factory.mktemp("tones") / "data")


@pytest.fixture(scope="module")
def trained(tones, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("run") / "out")
    assert (
        cli.main(
            ["finetune", "--data", tones, "--weights", "none", "--out", out, "--seed", "3"] + TINY
        )
        == 0
    )
    return out


def test_outputs_and_report_contents(trained):
    for name in (
        "model.keras",
        "report.json",
        "labels.json",
        "history.png",
        "confusion_matrix.png",
        "examples.png",
        "logs/head.csv",
        "logs/full.csv",
    ):
        assert os.path.exists(os.path.join(trained, name)), name
    assert os.listdir(os.path.join(trained, "logs", "tensorboard", "full"))
    assert not os.path.exists(os.path.join(trained, "backup"))  # removed once finished
    with open(os.path.join(trained, "report.json")) as f:
        rep = json.load(f)
    assert rep["class_names"] == ["high", "low", "mid"]
    assert rep["counts"] == {"train": 24, "val": 3, "test": 3}
    assert rep["weights_used"].startswith("none")
    assert (rep["strategy"], rep["num_replicas"], rep["precision"]) == ("default", 1, "float32")
    assert rep["epochs"] == {"head": 3, "full": 1}
    assert len(rep["history"]["head"]["loss"]) == 3 and len(rep["history"]["full"]["loss"]) == 1
    matrix = np.array(rep["confusion_matrix"])
    assert matrix.shape == (3, 3) and matrix.sum() == 3
    assert rep["test_accuracy"] == pytest.approx(np.trace(matrix) / 3)
    assert set(rep["per_class"]) == {"high", "low", "mid"}
    assert set(rep["per_class"]["low"]) == {"precision", "recall", "f1", "support"}
    assert {"data_s", "feature_cache_s", "head_s", "full_s", "evaluate_s", "total_s"} <= set(
        rep["timings"]
    )
    assert rep["throughput"]["full_train_examples_per_s"] > 0


def test_saved_model_takes_waveforms_and_loads_safely(trained, tones):
    import zoo.audio  # noqa: F401

    model = keras.saving.load_model(os.path.join(trained, "model.keras"), safe_mode=True)
    assert model.input_shape == (None, 8000)
    assert {"log_mel", "spec_augment", "to_image"} <= {layer.name for layer in model.layers}
    wave, _ = zoo.audio.load(os.path.join(tones, "low", "0.wav"), sample_rate=8000)
    probs = model.predict(np.pad(wave, (0, 8000 - wave.size))[None], verbose=0)
    assert probs.shape == (1, 3) and probs.sum() == pytest.approx(1.0, abs=1e-4)


def test_evaluate_matches_report(trained, tones, capsys):
    assert (
        cli.main(
            ["evaluate", "--model", os.path.join(trained, "model.keras"), "--data", tones, "--json"]
        )
        == 0
    )
    scores = json.loads(capsys.readouterr().out)
    with open(os.path.join(trained, "report.json")) as f:
        rep = json.load(f)
    assert scores["count"] == 3
    assert scores["confusion_matrix"] == rep["confusion_matrix"]
    assert scores["accuracy"] == pytest.approx(rep["test_accuracy"])


def test_predict_top_k_json(trained, tones, capsys):
    files = [os.path.join(tones, "low", "1.wav"), os.path.join(tones, "high", "2.wav")]
    assert (
        cli.main(
            [
                "predict",
                "--model",
                os.path.join(trained, "model.keras"),
                *files,
                "--top-k",
                "2",
                "--json",
            ]
        )
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in results] == files
    for r in results:
        probs = [t["probability"] for t in r["top"]]
        assert len(probs) == 2 and probs[0] >= probs[1]
        assert {t["label"] for t in r["top"]} <= {"high", "low", "mid"}


def test_predict_and_evaluate_errors(trained, tmp_path, capsys):
    model = os.path.join(trained, "model.keras")
    assert cli.main(["predict", "--model", model, str(tmp_path / "missing.wav")]) == 2
    assert "missing.wav" in capsys.readouterr().err
    assert cli.main(["evaluate", "--model", str(tmp_path / "none.keras"), "--data", "builtin"]) == 2
    assert "none.keras" in capsys.readouterr().err


def test_bad_data_path_is_a_clear_error(tmp_path, capsys):
    assert (
        cli.main(
            ["finetune", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")] + TINY
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "nowhere" in err and "sub-folder" in err
    assert not os.path.exists(tmp_path / "o" / "model.keras")


def test_empty_class_folder_is_a_clear_error(tmp_path, capsys):
    root = make_tones(tmp_path / "data", per_class=2)
    os.makedirs(os.path.join(root, "silent"))
    assert (
        cli.main(
            ["finetune", "--data", root, "--weights", "none", "--out", str(tmp_path / "o")] + TINY
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "silent" in err and "no audio files" in err


def _offline_imagenet(monkeypatch, tmp_path):
    """An empty Keras cache and a download that fails as it does without a network."""
    import keras

    def get_file(fname, origin, **kwargs):
        raise Exception(
            f"URL fetch failure on https://example.invalid/{fname}: name resolution failed"
        )

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(keras.utils, "get_file", get_file)


def _with_backbone(args, backbone):
    args = list(args)
    args[args.index("--backbone") + 1] = backbone
    return args


def test_offline_weights_notice_in_log_and_report(monkeypatch, tones, tmp_path, capsys):
    _offline_imagenet(monkeypatch, tmp_path)
    out = str(tmp_path / "out")
    # vgg16 has an ImageNet file, so `auto` really tries (and fails) to fetch it.
    assert (
        cli.main(
            ["finetune", "--data", tones, "--weights", "auto", "--out", out]
            + _with_backbone(TINY, "vgg16")
        )
        == 0
    )
    log = capsys.readouterr().out
    assert "RANDOM INITIALISATION" in log and "example.invalid" in log
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    assert rep["weights_used"] == "none (random initialisation; ImageNet unavailable)"
    assert "RANDOM INITIALISATION" in rep["weights_notice"]
    assert rep["epochs"] == {"head": 3, "full": 1}  # random backbone: phase 2 trains every layer


def test_auto_weights_for_a_backbone_without_imagenet_file_falls_back_loudly(
    tones, tmp_path, capsys
):
    out = str(tmp_path / "out")
    assert cli.main(["finetune", "--data", tones, "--weights", "auto", "--out", out] + TINY) == 0
    log = capsys.readouterr().out
    assert "RANDOM INITIALISATION" in log and "no ImageNet weights for 'vgg11'" in log
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    assert rep["weights_used"] == "none (random initialisation; ImageNet unavailable)"


def test_weights_imagenet_unavailable_is_an_error(monkeypatch, tones, tmp_path, capsys):
    _offline_imagenet(monkeypatch, tmp_path)
    out = str(tmp_path / "out")
    assert (
        cli.main(
            ["finetune", "--data", tones, "--weights", "imagenet", "--out", out]
            + _with_backbone(TINY, "vgg16")
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "example.invalid" in err and "\n" not in err.strip()
    assert not os.path.exists(os.path.join(out, "model.keras"))


def test_imagenet_layout_weights_from_local_file(tones, tmp_path):
    path = str(tmp_path / "vgg16_notop.weights.h5")
    reference = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    reference.save_weights(path)
    out = str(tmp_path / "out")
    args = ["finetune", "--data", tones, "--weights", path, "--out", out] + TINY
    args[args.index("vgg11")] = "vgg16"
    assert cli.main(args) == 0
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    assert rep["weights_used"] == path and rep["epochs"] == {"head": 3, "finetune": 1}
    import zoo.audio  # noqa: F401

    backbone = keras.saving.load_model(os.path.join(out, "model.keras"), safe_mode=True).get_layer(
        "vgg16"
    )
    # Frozen blocks keep the file's weights exactly. Block 5 trained; it differs
    # from the file unless the phase's best validation score was its start (epoch 0).
    np.testing.assert_array_equal(
        backbone.get_layer("block1_conv1").kernel.numpy(),
        reference.get_layer("block1_conv1").kernel.numpy(),
    )
    np.testing.assert_array_equal(
        backbone.get_layer("block4_conv3").kernel.numpy(),
        reference.get_layer("block4_conv3").kernel.numpy(),
    )
    assert len(rep["history"]["finetune"]["loss"]) == 1
    kept_trained = rep["history"]["finetune"]["best_epoch"] > 0
    assert kept_trained != np.array_equal(
        backbone.get_layer("block5_conv3").kernel.numpy(),
        reference.get_layer("block5_conv3").kernel.numpy(),
    )
    assert h5py.is_hdf5(path)
