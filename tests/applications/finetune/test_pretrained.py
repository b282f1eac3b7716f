"""The audio-pretrained recipe (musicnn probe, then fine-tuned) and `--backbone auto` choosing it.

No download: "the published weights" are a narrow musicnn's weights file the test
writes (`pretrained_model.BUILD_OPTIONS` narrows the recipe's builder the same
way, `pretrained.builder_weights` points `mtt` at the file), and the cache is
`zoo.musicnn.cached_weights` monkeypatched. Tiny: three tones, 1 fine-tune epoch.
"""

import contextlib
import io
import json
import os

import keras
import numpy as np
import pytest

import zoo
from applications import cli
from applications.finetune import backbones
from applications.finetune.config import FinetuneConfig
from applications.finetune.recipes import pretrained, pretrained_model, recipe_for
from tests.applications.cli.test_finetune import _offline_imagenet, make_tones

NARROW = {"frontend_width": 0.1, "midend_filters": 8}
QUIET = ["--batch-size", "8", "--precision", "float32", "--strategy", "default", "--verbose", "0"]


def _narrow_weights(patch, folder):
    """A narrow musicnn's weights file, and the recipe pointed at it for `mtt`."""
    patch.setattr(pretrained_model, "BUILD_OPTIONS", dict(NARROW))
    model = zoo.musicnn.musicnn(
        include_top=False, pooling="max_mean", input_shape=(187, 96, 1), **NARROW
    )
    path = os.path.join(folder, "narrow_mtt.weights.h5")
    model.save_weights(path)
    patch.setattr(pretrained, "builder_weights", lambda name: path if name == "mtt" else name)
    return path


def _cached(patch, complete):
    patch.setattr(zoo.musicnn, "cached_weights", lambda root=None: {"complete": complete})


def _run(tmp_path_factory, name, flags):
    tmp = tmp_path_factory.mktemp(name)
    tones = make_tones(tmp / "data", per_class=6)
    out, log = str(tmp / "out"), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(log):
        _narrow_weights(patch, str(tmp))
        _cached(patch, True)
        args = ["finetune", "--data", tones, "--out", out, "--sample-rate", "8000"]
        args += [*flags, "--seed", "3", *QUIET]
        assert cli.main(args) == 0
    with open(os.path.join(out, "report.json")) as f:
        return out, json.load(f), log.getvalue()


@pytest.fixture(scope="module")
def auto_run(tmp_path_factory):
    """`audiozoo finetune` (backbone and weights auto) with musicnn's weights "cached"."""
    # --epochs 1 --refit off: the from-scratch companion's shortest run.
    return _run(tmp_path_factory, "auto", ["--epochs", "1", "--refit", "off"])


@pytest.fixture(scope="module")
def musicnn_run(tmp_path_factory):
    """`audiozoo finetune --backbone musicnn`: the probe, then fine-tuned."""
    return _run(tmp_path_factory, "musicnn", ["--backbone", "musicnn", "--finetune-epochs", "1"])


def test_auto_picks_cached_musicnn_and_says_why(auto_run):
    _, rep, log = auto_run
    assert (rep["backbone"], rep["backbone_requested"], rep["recipe"]) == (
        "musicnn",
        "auto",
        "pretrained",
    )
    assert "audio-pretrained weights (mtt, MagnaTagATune) are cached" in rep["backbone_reason"]
    assert "BACKBONE: musicnn with its mtt weights" in log
    # The published models take 16 kHz: the rate is set (and said) before the run starts.
    assert "--sample-rate 8000 replaced by 16000" in log
    assert rep["settings"]["sample_rate"] == 16000 == rep["dataset"]["sample_rate"]


def test_report_has_the_transfer_block(musicnn_run):
    _, rep, log = musicnn_run
    transfer = rep["transfer"]
    assert transfer["weights"] == "mtt" and transfer["kept"] in ("probe", "finetuned")
    refit = {"test_accuracy_train_only", "refit"} if transfer["kept"] == "probe" else set()
    assert set(transfer["probe"]) == {"val_accuracy", "test_accuracy"} | refit
    assert set(transfer["finetuned"]) == {"val_accuracy", "test_accuracy"}
    for kind in ("probe", "finetuned"):
        scores = [v for k, v in transfer[kind].items() if k != "refit"]
        assert all(0.0 <= v <= 1.0 for v in scores)
    if refit:  # a kept probe is refitted on train + val (--refit auto)
        assert transfer["probe"]["refit"] == "train + val"
        assert "Probe refitted on train + val (12 + 3 windows" in log  # 1 window a clip
    # A tie keeps the probe; the fine-tuned network is kept only when better on val.
    better = transfer["finetuned"]["val_accuracy"] > transfer["probe"]["val_accuracy"]
    assert transfer["kept"] == ("finetuned" if better else "probe")
    assert transfer["probe_fit"]["features"] == 2 * (2 * 12 + 3 * 3 + 3 * 8)  # max and mean
    assert transfer["finetune_best_epoch"] in (0, 1)
    assert rep["epochs"] == {"finetune": 1} and len(rep["history"]["finetune"]["loss"]) == 1
    assert {"log_mel_cache_s", "probe_s", "finetune_s"} <= set(rep["timings"])
    assert "Linear probe on frozen musicnn (mtt)" in log and f"Kept the {transfer['kept']}" in log
    # Today's fusion with the baseline still follows.
    assert rep["baseline"]["test_count"] == rep["counts"]["test"]
    assert "companion" not in transfer and "companion_share" not in (rep["fusion"] or {})


def test_auto_joins_the_probe_a_network_from_scratch_and_the_baseline(auto_run):
    out, rep, log = auto_run
    transfer, fusion = rep["transfer"], rep["fusion"]
    # The probe only (no fine-tuning), then cnn10_compact from scratch beside it.
    assert transfer["finetuned"] == {"val_accuracy": None, "test_accuracy": None}
    assert "refit" not in transfer["probe"] and "Probe refitted" not in log  # --refit off
    assert rep["epochs"] == {"finetune": 0, "scratch": 1} and "finetune" not in rep["history"]
    assert len(rep["history"]["scratch"]["loss"]) == 1
    companion = transfer["companion"]
    assert companion["backbone"] == "cnn10_compact"
    assert 0.0 <= companion["val_accuracy"] <= 1.0 and 0.0 <= companion["test_accuracy"] <= 1.0
    assert "Training cnn10_compact from scratch beside the probe" in log
    # Shares of probe, companion and baseline: tenths summing to 1, weights = shares x s.
    assert fusion["members"] == ["network", "cnn10_compact", "baseline"]
    shares = fusion["shares"]
    assert len(shares) == 3 and abs(sum(shares) - 1.0) < 1e-9
    assert all(round(10 * w) == 10 * w for w in [round(x, 6) for x in shares])
    assert fusion["weights"] == [round(fusion["temperature"] * w, 6) for w in shares]
    assert len(fusion["val_log_loss_by_share"]) == 66  # every split of 1 in tenths
    best = min(fusion["val_log_loss_by_share"].values())
    key = "/".join(f"{w:.1f}" for w in shares)
    assert fusion["val_log_loss_by_share"][key] == best
    assert "Joining the probe, cnn10_compact and the baseline" in log
    # The saved model holds the members of non-zero share.
    model = keras.saving.load_model(os.path.join(out, "model.keras"), safe_mode=True)
    names = [layer.name for layer in model.layers]
    networks = [w for w in shares[:2] if w > 0]
    if len(networks) == 1 and shares[2] == 0:
        assert "fusion" not in names  # one member alone is the model
    else:
        assert len(model.get_layer("fusion").input) == max(len(networks), 1) + 1
    assert rep["fused_with_baseline"] == ("fusion" in names and shares[2] > 0)
    clip = rep["dataset"]["clip_samples"]
    probs = np.asarray(model.predict(np.zeros((2, clip), "float32"), verbose=0))
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_join_keeps_only_members_of_nonzero_share_and_the_first_kept_leads():
    from applications.finetune import ensemble

    def net(k):
        x = keras.Input((4,))
        return keras.Model(x, keras.layers.Dense(3, activation="softmax", name=f"d{k}")(x))

    probe, companion, calls = net(0), net(1), []

    def fuse(primary, weights, others):
        calls.append((primary, weights, others))
        return "joined"

    fusion = {"weights": [0.0, 1.4, 0.0]}
    assert ensemble.join_members(probe, companion, fusion, fuse) is companion and not calls
    fusion = {"weights": [0.0, 1.4, 0.7]}
    assert ensemble.join_members(probe, companion, fusion, fuse) == "joined"
    assert calls[-1] == (companion, [1.4, 0.7], [])
    fusion = {"weights": [0.7, 0.7, 0.0]}
    ensemble.join_members(probe, companion, fusion, fuse)
    assert calls[-1] == (probe, [0.7, 0.7, 0.0], [companion])
    ensemble.join_members(probe, companion, {"weights": [0.0, 0.0, 2.0]}, fuse)
    assert calls[-1] == (probe, [0.0, 2.0], [])
    assert ensemble.describe({"shares": [0.6, 0.4, 0.0]}) == "the musicnn probe + cnn10_compact"


def test_choose_shares_follows_the_member_that_is_right_on_held_out_clips():
    from applications.finetune.fusion import choose_shares

    labels = np.arange(60) % 3
    right = np.eye(3)[labels] * 0.9 + 0.1 / 3
    noise = np.random.default_rng(0).dirichlet(np.ones(3), size=60)
    chosen = choose_shares([noise, right, noise[::-1]], labels)
    assert chosen["shares"][1] >= 0.8 and abs(sum(chosen["shares"]) - 1.0) < 1e-9
    assert chosen["val_accuracy_by_share"]["0.0/1.0/0.0"] == 1.0


def test_saved_model_loads_with_import_zoo_and_predicts(auto_run):
    out, rep, _ = auto_run
    model = keras.saving.load_model(os.path.join(out, "model.keras"), safe_mode=True)
    clip = rep["dataset"]["clip_samples"]
    probs = np.asarray(model.predict(np.zeros((2, clip), "float32"), verbose=0))
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_auto_without_cached_weights_keeps_todays_choice(tmp_path):
    log = []
    with pytest.MonkeyPatch.context() as patch:
        _offline_imagenet(patch, tmp_path)
        _cached(patch, False)
        plan = backbones.choose_plan(FinetuneConfig(), log.append)
    assert (plan.recipe, plan.backbone) == ("scratch", "cnn10_compact")
    assert "musicnn's audio weights are not cached" in plan.reason


def test_auto_with_cached_weights_but_explicit_none_or_multilabel_stays_off(tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        _cached(patch, True)
        assert backbones.pretrained_choice(FinetuneConfig(weights="none")) is None
        assert backbones.pretrained_choice(FinetuneConfig(multilabel=True)) is None


def test_named_audio_weights_route_to_the_pretrained_recipe(tmp_path):
    assert recipe_for("musicnn", "mtt") == recipe_for("musicnn_vgg", "msd") == "pretrained"
    assert recipe_for("musicnn") == "scratch" and recipe_for("vgg16", "mtt") == "transfer"
    plan = backbones.choose_plan(FinetuneConfig(backbone="musicnn_vgg", weights="msd"), print)
    assert (plan.recipe, plan.backbone, plan.weights_name) == ("pretrained", "musicnn_vgg", "msd")
    plan = backbones.choose_plan(FinetuneConfig(weights="mtt"), print)  # --backbone auto
    assert (plan.recipe, plan.backbone) == ("pretrained", "musicnn")


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--backbone", "vgg16", "--weights", "mtt"], "audio weights of musicnn, musicnn_vgg"),
        (["--backbone", "musicnn", "--weights", "none"], "only from its audio weights"),
    ],
)
def test_bad_weights_for_a_backbone_are_one_line(tmp_path, capsys, flags, message):
    args = ["finetune", "--data", str(tmp_path), "--out", str(tmp_path / "o"), *flags, *QUIET]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_short_clips_are_repeat_padded_and_long_ones_windowed():
    config = FinetuneConfig(backbone="musicnn", weights="mtt")
    rng = np.random.default_rng(0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pretrained_model, "BUILD_OPTIONS", dict(NARROW))
        short = pretrained_model.build_pretrained_parts(config, 3, 16000, None)
        x = rng.standard_normal((2, 16000)).astype("float32")
        tiled = np.tile(x, (1, 3))[:, : pretrained_model.WINDOW_SAMPLES]
        mel = zoo.musicnn.MusicnnLogMel()(tiled).numpy()[..., None]
        assert short.windows == 1
        np.testing.assert_allclose(short.full(x), short.classifier(mel), atol=1e-5)
        long = pretrained_model.build_pretrained_parts(config, 3, 4 * 16000, None)
    assert long.windows == 2  # 251 frames: two evenly spaced 3 s windows, averaged
    y = rng.standard_normal((1, 4 * 16000)).astype("float32")
    assert long.full(y).shape == (1, 3)
    assert long.embedder(long.mel_frames(y)).shape[0] == 2


def test_group_adamw_steps_earlier_groups_at_lower_rates():
    layers = [keras.layers.Dense(4, name=n) for n in ("front", "mid", "back")]
    model = keras.Sequential([keras.Input((4,)), *layers])
    before = [layer.kernel.numpy() for layer in layers]
    groups = [(layers[0].trainable_weights, 0.1), (layers[1].trainable_weights, 0.3)]
    optimizer = pretrained_model.GroupAdamW(1e-2, groups=groups, weight_decay=0.0)
    model.compile(optimizer, "mse")
    model.train_on_batch(np.ones((8, 4), "float32"), np.zeros((8, 4), "float32"))
    # Adam's first step moves every weight by about its rate, whatever the gradient's size.
    steps = [np.abs(layer.kernel.numpy() - b).max() for layer, b in zip(layers, before)]
    np.testing.assert_allclose(steps, [1e-3, 3e-3, 1e-2], rtol=0.05)


def test_auto_keeps_the_from_scratch_recipe_on_the_builtin_chord_demo(tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        _cached(patch, True)
        assert backbones.pretrained_choice(FinetuneConfig(data="builtin")) is None
        folder = str(tmp_path)
        assert backbones.pretrained_choice(FinetuneConfig(data=folder))[:2] == ("musicnn", "mtt")


def test_refit_probe_writes_the_regression_fitted_on_train_and_val():
    from types import SimpleNamespace

    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    x = {split: rng.normal(size=(n, 5)) for split, n in (("train", 30), ("val", 12))}
    y = {split: np.arange(len(x[split])) % 3 for split in x}
    embeddings = {split: (x[split], y[split]) for split in x}
    scaler = keras.layers.Normalization(axis=-1)
    scaler.build((None, 5))
    dense = keras.layers.Dense(3, activation="softmax")
    dense.build((None, 5))
    parts = SimpleNamespace(scaler=scaler, dense=dense)
    pretrained.refit_probe(parts, embeddings, 0.3, 3, seed=0)
    both = np.concatenate([x["train"], x["val"]])
    want = make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=1000))
    want.fit(both, np.concatenate([y["train"], y["val"]]))
    got = np.asarray(dense(scaler(both.astype(np.float32))))
    np.testing.assert_allclose(got, want.predict_proba(both), atol=1e-4)
