"""`baseline_scores` on a tiny folder of tones: keys, accuracy, and its clear errors."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

import zoo.features

from applications.baseline import FEATURE_SETS, baseline_scores, scores
from applications.baseline.scores import C_GRID
from applications.data import load_dataset
from tests.applications.cli.test_finetune import make_tones

KEYS = {
    "features",
    "accuracy",
    "chance_accuracy",
    "per_class",
    "confusion_matrix",
    "seconds",
    "feature_dim",
    "train_count",
    "test_count",
}
SMALL = dict(n_mels=32, n_components=4)


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    root = make_tones(tmp_path_factory.mktemp("tones") / "data", per_class=6)
    return load_dataset(root, sample_rate=8000, batch_size=8)


@pytest.mark.parametrize("features", FEATURE_SETS)
def test_scores_every_feature_set(tones, features):
    result = baseline_scores(tones, features, log=lambda *_: None, **SMALL)
    assert KEYS <= set(result)
    assert result["features"] == features
    # Three well-separated pitches: every feature set gets them all.
    assert result["accuracy"] == 1.0
    assert result["chance_accuracy"] == pytest.approx(1 / 3)
    assert (result["train_count"], result["val_count"], result["test_count"]) == (12, 3, 3)
    assert np.sum(result["confusion_matrix"]) == result["test_count"]
    assert set(result["per_class"]) == {"high", "low", "mid"}
    assert result["feature_dim"] == len(result["feature_names"])
    assert result["C"] in C_GRID and set(result["val_accuracy_by_C"]) == {str(c) for c in C_GRID}
    if features in ("pca", "nmf"):
        assert result["feature_dim"] == 8 and result["learned"]["method"] == features
        # Fitted on the 12 train clips' frames only (8 frames each at hop 512).
        assert result["learned"]["fit_frames"] == 12 * 8


def test_mfcc_set_is_the_standard_mfcc_and_delta_mean_and_std(tones):
    """The 20-line librosa recipe: 20 MFCCs + librosa.feature.delta, mean and std (80)."""
    import librosa

    from applications.baseline.features import FeatureOptions, contrast_bands, feature_layer

    result = baseline_scores(tones, "mfcc", log=lambda *_: None, **SMALL)
    assert result["feature_dim"] == 4 * 20
    names = result["feature_names"]
    assert names[:2] == ["mfcc_0_mean", "mfcc_1_mean"] and names[20] == "mfcc_0_delta_mean"
    assert names[40] == "mfcc_0_std" and names[79] == "mfcc_19_delta_std"
    options = FeatureOptions(**SMALL)
    waves = np.concatenate([w.numpy() for w, _ in tones.test])[:2]
    got = feature_layer("mfcc", tones.sample_rate, options)(waves).numpy()
    frames = zoo.features.FrameFeatures(
        sample_rate=tones.sample_rate,
        n_fft=options.n_fft,
        hop_length=options.hop_length,
        n_mels=options.n_mels,
        contrast_bands=contrast_bands(tones.sample_rate),
        features=["mfcc"],
    )(waves).numpy()
    if frames.shape[1] >= 9:
        deltas = librosa.feature.delta(frames, axis=1)
    else:  # librosa refuses fewer frames than its window: the slope of the fitted line
        t = np.arange(frames.shape[1])
        slope = np.polyfit(t, frames.transpose(1, 0, 2).reshape(len(t), -1), 1)[0]
        deltas = np.broadcast_to(slope.reshape(frames.shape[0], 1, frames.shape[2]), frames.shape)
    both = np.concatenate([frames, deltas], axis=2)
    want = np.concatenate([both.mean(axis=1), both.std(axis=1)], axis=1)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


def _replace_test(data, waves, labels):
    test = tf.data.Dataset.from_tensor_slices((waves, labels)).batch(2)
    return dataclasses.replace(data, test=test)


def test_nan_samples_name_split_and_row(tones):
    waves = np.zeros((3, tones.clip_samples), np.float32)
    waves[2, 10] = np.nan
    data = _replace_test(tones, waves, np.array([0, 1, 2], np.int32))
    with pytest.raises(ValueError, match=r"test clip 2 has 1 NaN/inf samples"):
        baseline_scores(data, "mfcc", log=lambda *_: None, **SMALL)


def test_non_finite_features_are_an_error_not_a_silent_nan(tones, monkeypatch):
    real = scores.split_features

    def broken(*args, **kwargs):
        splits, names, learned = real(*args, **kwargs)
        x, y = splits["val"]
        x = x.copy()
        x[1, 3] = np.inf
        splits["val"] = (x, y)
        return splits, names, learned

    monkeypatch.setattr(scores, "split_features", broken)
    with pytest.raises(ValueError, match=r"val clip 1: non-finite features \['mfcc_3_mean'\]"):
        baseline_scores(tones, "mfcc", log=lambda *_: None, **SMALL)


def test_one_class_is_the_load_error(tones, tmp_path):
    root = make_tones(tmp_path / "one", per_class=3)
    for name in ("mid", "high"):
        for f in (tmp_path / "one" / name).iterdir():
            f.unlink()
        (tmp_path / "one" / name).rmdir()
    with pytest.raises(ValueError, match="at least two classes, found 1") as loading:
        load_dataset(root, sample_rate=8000)
    one = dataclasses.replace(tones, class_names=["low"])
    with pytest.raises(ValueError, match="at least two classes, found 1") as scoring:
        baseline_scores(one, "mfcc", log=lambda *_: None)
    # The same sentence after the source: finetune and baseline share load_dataset's check.
    assert str(loading.value).split(": ", 1)[1] == str(scoring.value).split(": ", 1)[1]


def test_unknown_feature_set(tones):
    with pytest.raises(ValueError, match=r"Received: features='lpc'"):
        baseline_scores(tones, "lpc", log=lambda *_: None)


def test_val_probabilities_are_held_out_rows_in_the_order_of_data_val(tones):
    run = scores.run_baseline(tones, "handcrafted", log=lambda *_: None)
    val_labels = np.concatenate([y.numpy() for _, y in tones.val])
    probs = run.val_probabilities
    assert probs.shape == (len(val_labels), len(tones.class_names))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    # The three pitches are easy: each val row's argmax is its own clip's class.
    np.testing.assert_array_equal(probs.argmax(axis=1), val_labels)
    assert run.scores["val_accuracy_by_C"][str(run.scores["C"])] == 1.0


def test_auto_picks_the_set_that_scores_better_on_val_and_names_it(tones, monkeypatch):
    result = baseline_scores(tones, "auto", log=lambda *_: None, **SMALL)
    choice = result["feature_choice"]
    assert set(choice["val_accuracy"]) == {"handcrafted", "mfcc"}
    assert result["features"] == choice["chosen"] == "handcrafted"  # a tie goes to the first
    mfcc = baseline_scores(tones, "mfcc", log=lambda *_: None, **SMALL)
    # When the MFCCs score better on val, they are chosen and scored on test.
    real_tune = scores._tune

    def tune(splits, seed, num_classes):
        c, by_c, probabilities = real_tune(splits, seed, num_classes)
        bonus = 0.5 if splits["train"][0].shape[1] == mfcc["feature_dim"] else 0.0
        return c, {k: v + bonus for k, v in by_c.items()}, probabilities

    monkeypatch.setattr(scores, "_tune", tune)
    result = baseline_scores(tones, "auto", log=lambda *_: None, **SMALL)
    assert result["features"] == "mfcc" and result["feature_dim"] == mfcc["feature_dim"]
    # Each pass over train shuffles it anew: the refit must pair the chosen set's
    # features with that same pass's labels (it once kept the first pass's labels
    # and scored near chance on test).
    assert result["C"] == mfcc["C"]
    assert result["accuracy"] == mfcc["accuracy"] == 1.0
    assert result["confusion_matrix"] == mfcc["confusion_matrix"]
