"""The network x baseline fusion: the regression as Keras layers equals scikit-learn's."""

import keras
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from applications.baseline.features import FeatureOptions
from applications.finetune.fusion import baseline_layers, choose_weights, fuse_with_baseline
from zoo.layers import GeometricMean


def _fitted(num_classes, width=6, rows=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(rows) % num_classes
    x = rng.normal(size=(rows, width)) + y[:, None] * 0.7
    x[:, 2] = 5.0  # a constant column: the scaler gives it unit scale
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5)).fit(x, y), x


@pytest.mark.parametrize("num_classes", [2, 4])
def test_baseline_layers_predict_what_scikit_learn_predicts(num_classes):
    pipeline, x = _fitted(num_classes)
    normalisation, dense = baseline_layers(pipeline, num_classes)
    probs = dense(normalisation(x.astype("float32"))).numpy()
    np.testing.assert_allclose(probs, pipeline.predict_proba(x), rtol=1e-4, atol=1e-6)


def test_a_regression_that_missed_a_class_is_refused():
    pipeline, _ = _fitted(3)
    with pytest.raises(ValueError, match="fitted on classes \\[0, 1, 2\\], not all 4"):
        baseline_layers(pipeline, 4)


@pytest.mark.parametrize("feature_set", ["handcrafted", "mfcc"])
def test_fused_model_saves_and_loads_safely_with_the_same_output(tmp_path, feature_set):
    sample_rate, samples = 8000, 4000
    options = FeatureOptions(n_fft=256, hop_length=128, n_mels=32)
    waves = np.random.default_rng(1).normal(size=(12, samples)).astype("float32") * 0.1
    labels = np.arange(12) % 3
    from applications.baseline.features import feature_layer

    features = feature_layer(feature_set, sample_rate, options)(waves).numpy()
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(features, labels)
    inputs = keras.Input((samples,))
    network = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    fused = fuse_with_baseline(network, pipeline, options, sample_rate, features=feature_set)
    expected = GeometricMean()([network(waves), pipeline.predict_proba(features)]).numpy()
    np.testing.assert_allclose(fused(waves).numpy(), expected, rtol=1e-4, atol=1e-6)
    fused.save(tmp_path / "fused.keras")
    loaded = keras.saving.load_model(tmp_path / "fused.keras", safe_mode=True)
    np.testing.assert_allclose(loaded(waves).numpy(), fused(waves).numpy(), rtol=1e-5, atol=1e-7)


def _noisy_probs(labels, classes, signal, seed):
    """Softmax of `signal` on the true class plus independent unit noise per class."""
    rng = np.random.default_rng(seed)
    logits = signal * np.eye(classes)[labels] + rng.normal(size=(len(labels), classes))
    return np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


def test_choose_weights_follows_the_model_that_is_right_on_held_out_clips():
    labels = np.arange(200) % 5
    # `weak` guesses at random: it holds nothing `strong` lacks.
    strong, weak = _noisy_probs(labels, 5, 4.0, 1), _noisy_probs(labels, 5, 0.0, 2)
    assert choose_weights(strong, weak, labels)["network_share"] >= 0.9
    assert choose_weights(weak, strong, labels)["network_share"] <= 0.1
    chosen = choose_weights(strong, weak, labels)
    share, temperature = chosen["network_share"], chosen["temperature"]
    assert chosen["weights"] == pytest.approx([temperature * share, temperature * (1 - share)])
    # Its log loss is the smallest in its own table, and the table's accuracies are right.
    losses = chosen["val_log_loss_by_share"]
    assert losses[f"{share:.1f}"] == min(losses.values())
    assert chosen["val_accuracy_by_share"]["1.0"] == pytest.approx(
        np.mean(strong.argmax(axis=1) == labels), abs=1e-4
    )


def test_two_models_wrong_on_different_clips_are_joined():
    labels = np.arange(300) % 3
    a, b = _noisy_probs(labels, 3, 1.0, 3), _noisy_probs(labels, 3, 1.0, 4)
    chosen = choose_weights(a, b, labels)
    assert 0.2 <= chosen["network_share"] <= 0.8
    joined = chosen["val_accuracy_by_share"][f"{chosen['network_share']:.1f}"]
    assert joined > max(
        chosen["val_accuracy_by_share"]["1.0"], chosen["val_accuracy_by_share"]["0.0"]
    )
