"""The network x baseline fusion: the regression as Keras layers equals scikit-learn's."""

import keras
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from applications.baseline.features import FeatureOptions
from applications.finetune.fusion import GeometricMean, baseline_layers, fuse_with_baseline


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


def test_geometric_mean_is_the_normalised_product_and_survives_a_zero():
    a = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5]], "float32")
    b = np.array([[0.5, 0.25, 0.25], [0.6, 0.2, 0.2]], "float32")
    product = np.sqrt(np.maximum(a, 1e-7) * b)
    out = GeometricMean()([a, b]).numpy()
    np.testing.assert_allclose(out, product / product.sum(axis=1, keepdims=True), rtol=1e-5)
    assert np.isfinite(out).all()


def test_fused_model_saves_and_loads_safely_with_the_same_output(tmp_path):
    sample_rate, samples = 8000, 4000
    options = FeatureOptions(n_fft=256, hop_length=128, n_mels=32)
    waves = np.random.default_rng(1).normal(size=(12, samples)).astype("float32") * 0.1
    labels = np.arange(12) % 3
    from applications.baseline.features import handcrafted_layer

    features = handcrafted_layer(sample_rate, options)(waves).numpy()
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(features, labels)
    inputs = keras.Input((samples,))
    network = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    fused = fuse_with_baseline(network, pipeline, options, sample_rate)
    expected = GeometricMean()([network(waves), pipeline.predict_proba(features)]).numpy()
    np.testing.assert_allclose(fused(waves).numpy(), expected, rtol=1e-4, atol=1e-6)
    fused.save(tmp_path / "fused.keras")
    loaded = keras.saving.load_model(tmp_path / "fused.keras", safe_mode=True)
    np.testing.assert_allclose(loaded(waves).numpy(), fused(waves).numpy(), rtol=1e-5, atol=1e-7)
