"""`audiozoo finetune` from scratch: `--backbone auto` offline, TTA crops, reuse of a model.keras.

Tiny sizes (three tones, 8 kHz, 32 mels, cnn10_compact, 3 epochs) keep each run to seconds.
"""

import contextlib
import io
import json
import os
import shutil

import numpy as np
import pytest

from applications import cli
from applications.finetune.config import FinetuneConfig
from tests.applications.cli.test_finetune import TINY_COMMON, _offline_imagenet, make_tones

SCRATCH = [*TINY_COMMON, "--seed", "3"]


def _report(out):
    with open(os.path.join(out, "report.json")) as f:
        return json.load(f)


def _load(out):
    from applications.trained import load_trained

    return load_trained(os.path.join(out, "model.keras"))[0]


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    return make_tones(tmp_path_factory.mktemp("tones") / "data")


@pytest.fixture(scope="module")
def auto_run(tones, tmp_path_factory):
    """`--backbone auto --weights auto` with ImageNet unreachable, 0.5 s crops of 1 s clips."""
    tmp = tmp_path_factory.mktemp("auto")
    out = str(tmp / "out")
    capsys_log = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(capsys_log):
        _offline_imagenet(patch, tmp)
        args = ["finetune", "--data", tones, "--out", out, "--crop-seconds", "0.5"]
        assert cli.main(args + ["--tta-crops", "3"] + SCRATCH) == 0
    return out, capsys_log.getvalue()


def test_auto_offline_trains_the_compact_cnn_from_scratch_and_says_so(auto_run):
    out, log = auto_run
    rep = _report(out)
    assert "BACKBONE: cnn10_compact trained from scratch" in log
    assert (rep["backbone"], rep["backbone_requested"], rep["recipe"]) == (
        "cnn10_compact",
        "auto",
        "scratch",
    )
    assert "ImageNet weights for vgg16 did not load" in rep["backbone_reason"]
    assert "--backbone vgg16 --weights none" in rep["backbone_reason"]
    assert "example.invalid" in rep["weights_notice"]
    assert rep["epochs"] == {"scratch": 3} and len(rep["history"]["scratch"]["loss"]) == 3
    assert {"log_mel_cache_s", "scratch_s", "total_s"} <= set(rep["timings"])
    assert os.path.exists(os.path.join(out, "logs", "scratch.csv"))
    assert not os.path.exists(os.path.join(out, "backup"))


def test_every_run_scores_the_baseline_on_its_split(auto_run):
    out, log = auto_run
    rep = _report(out)
    baseline = rep["baseline"]
    assert baseline["features"] == "handcrafted" and baseline["test_count"] == rep["counts"]["test"]
    assert rep["beats_baseline"] == (rep["test_accuracy"] > baseline["accuracy"])
    assert rep["timings"]["baseline_s"] > 0
    lines = log.splitlines()
    test_line = next(i for i, line in enumerate(lines) if line.startswith("Test accuracy"))
    assert lines[test_line + 1].startswith(f"Baseline accuracy {baseline['accuracy']:.3f}")
    # The saved model is the network joined to that baseline, with the weights val chose
    # (here the baseline, perfect on the tones, gets a share); both accuracies are reported.
    fusion = rep["fusion"]
    assert rep["fused_with_baseline"] is True and fusion["network_share"] < 1.0
    share = f"{fusion['network_share']:.1f}"
    losses = fusion["val_log_loss_by_share"]
    assert losses[share] == min(losses.values()) and set(losses) == set(
        fusion["val_accuracy_by_share"]
    )
    assert f"Joining the network and the baseline: weights {share} / " in log
    alone = f"joined to the baseline; the network alone {rep['network_test_accuracy']:.3f}"
    assert alone in lines[test_line]


def test_scratch_model_takes_waveforms_averages_crops_and_loads_safely(auto_run, tones):
    model = _load(auto_run[0])
    assert model.input_shape == (None, 8000)
    classifier = model.get_layer("mel_classifier")
    crops = classifier.get_layer("time_crops")
    # 1 s at hop 256: 32 frames; 0.5 s crops: 16 frames; three of them at test.
    assert (crops.crop_frames, crops.num_crops) == (16, 3)
    assert classifier.get_layer("crop_mean").num_crops == 3
    norm = classifier.get_layer("mel_norm")
    assert norm.adapt_mean.shape == (32,) and float(np.min(norm.adapt_variance)) > 0
    waves = np.random.RandomState(0).randn(2, 8000).astype("float32") * 0.1
    probs = model.predict(waves, verbose=0)
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    # The network's output is the mean of the classifier over the three crops; the saved
    # model joins it to the baseline's regression by a weighted, normalised geometric mean.
    mels = np.transpose(model.get_layer("log_mel")(waves).numpy(), (0, 2, 1, 3))
    normed = norm(mels).numpy()
    backbone = classifier.get_layer("cnn10_compact")
    head = classifier.get_layer("predictions")
    per_crop = [head(backbone(normed[:, s : s + 16], training=False)).numpy() for s in (0, 8, 16)]
    network = np.mean(per_crop, axis=0)
    features = model.get_layer("baseline_features")(waves)
    baseline = model.get_layer("baseline_regression")(model.get_layer("baseline_scaler")(features))
    a, b = _report(auto_run[0])["fusion"]["weights"]
    logits = a * np.log(network) + b * np.log(baseline.numpy())
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, expected, rtol=1e-4, atol=1e-6)


def test_evaluate_on_a_scratch_model_matches_its_report(auto_run, tones, capsys):
    model = os.path.join(auto_run[0], "model.keras")
    assert cli.main(["evaluate", "--model", model, "--data", tones, "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["confusion_matrix"] == _report(auto_run[0])["confusion_matrix"]


def test_weights_from_an_earlier_model_keras_reuse_its_backbone(auto_run, tones, tmp_path):
    two = tmp_path / "two"
    for name in ("low", "high"):
        shutil.copytree(os.path.join(tones, name), two / name)
    out = str(tmp_path / "out")
    weights = os.path.join(auto_run[0], "model.keras")
    args = ["finetune", "--data", str(two), "--out", out, "--weights", weights, "--epochs", "1"]
    args.append("--no-baseline")
    assert cli.main(args + SCRATCH[2:]) == 0
    rep = _report(out)
    assert (rep["backbone"], rep["recipe"], rep["weights_used"]) == (
        "cnn10_compact",
        "scratch",
        weights,
    )
    assert rep["backbone_reason"].startswith("reusing the cnn10_compact backbone")
    assert rep["baseline"] is None and rep["beats_baseline"] is None
    old, new = _load(auto_run[0]), _load(out)
    old_c, new_c = old.get_layer("mel_classifier"), new.get_layer("mel_classifier")
    assert new_c.get_layer("predictions").units == 2 and old_c.get_layer("predictions").units == 3
    # The normaliser keeps the first run's statistics; the front end its settings.
    for a, b in zip(old_c.get_layer("mel_norm").weights, new_c.get_layer("mel_norm").weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert new.get_layer("log_mel").get_config() == old.get_layer("log_mel").get_config()
    # The backbone starts from the first run's weights: equal unless the one epoch was kept.
    same = all(
        np.array_equal(a.numpy(), b.numpy())
        for a, b in zip(
            old_c.get_layer("cnn10_compact").weights, new_c.get_layer("cnn10_compact").weights
        )
    )
    assert same == (rep["history"]["scratch"]["best_epoch"] == 0)


def test_reused_backbone_weights_are_the_saved_ones_before_training(auto_run, tmp_path):
    from applications.finetune.backbones import choose_plan
    from applications.finetune.recipes.scratch_model import build_scratch_parts

    weights = os.path.join(auto_run[0], "model.keras")
    config = FinetuneConfig(weights=weights, sample_rate=8000, n_mels=32, seed=3)
    plan = choose_plan(config, log=lambda _: None, scratch_dir=str(tmp_path))
    parts = build_scratch_parts(config, 5, 8000, plan.weights, plan.reuse)
    saved = _load(auto_run[0]).get_layer("mel_classifier").get_layer("cnn10_compact")
    for a, b in zip(saved.weights, parts.backbone.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert parts.classifier.output_shape == (None, 5)
    with pytest.raises(ValueError, match="--sample-rate 8000"):
        choose_plan(FinetuneConfig(weights=weights), log=lambda _: None)
    with pytest.raises(ValueError, match="holds a cnn10_compact backbone"):
        choose_plan(FinetuneConfig(weights=weights, sample_rate=8000, backbone="cnn6"))


def test_too_small_for_a_validation_split_is_a_clear_error(tmp_path, capsys):
    root = make_tones(tmp_path / "data", per_class=2)
    out = str(tmp_path / "out")
    assert cli.main(["finetune", "--data", root, "--weights", "none", "--out", out] + SCRATCH) == 2
    err = capsys.readouterr().err
    assert "val and test split(s) would hold no clips" in err
    assert "Each class needs at least 3 usable audio files" in err
    args = ["finetune", "--data", root, "--weights", "none", "--backbone", "vgg11", "--out", out]
    assert cli.main(args + SCRATCH) == 2
    assert "would hold no clips" in capsys.readouterr().err


def test_verbose_auto_is_bars_in_a_terminal_and_lines_in_a_log(monkeypatch):
    config = FinetuneConfig()
    assert config.verbose == "auto"
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert config.verbosity == 1
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert config.verbosity == 2
    assert FinetuneConfig(verbose=0).verbosity == 0


def test_weights_holding_nan_are_refused_before_training(auto_run, tones, tmp_path, capsys):
    model = _load(auto_run[0])
    kernel = model.get_layer("mel_classifier").get_layer("cnn10_compact").weights[0]
    kernel.assign(np.full(kernel.shape, np.nan, "float32"))
    bad = str(tmp_path / "nan" / "model.keras")
    os.makedirs(os.path.dirname(bad))
    model.save(bad)
    shutil.copy(os.path.join(auto_run[0], "labels.json"), os.path.dirname(bad))
    out = tmp_path / "out"
    args = ["finetune", "--data", tones, "--out", str(out), "--weights", bad, "--no-baseline"]
    assert cli.main(args + SCRATCH) == 2
    err = capsys.readouterr().err
    assert "NaN" in err and "Traceback" not in err and not (out / "model.keras").exists()
