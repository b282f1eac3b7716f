"""`zoo.layers.GeometricMean`: the weighted, normalised product of classifiers' probabilities."""

import numpy as np
import pytest

from zoo.layers import GeometricMean


def test_geometric_mean_is_the_normalised_product_and_survives_a_zero():
    a = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5]], "float32")
    b = np.array([[0.5, 0.25, 0.25], [0.6, 0.2, 0.2]], "float32")
    product = np.sqrt(np.maximum(a, 1e-7) * b)
    out = GeometricMean()([a, b]).numpy()
    np.testing.assert_allclose(out, product / product.sum(axis=1, keepdims=True), rtol=1e-5)
    assert np.isfinite(out).all()


def test_weighted_geometric_mean_uses_its_exponents_and_round_trips_its_config():
    a = np.array([[0.8, 0.2], [0.3, 0.7]], "float32")
    b = np.array([[0.4, 0.6], [0.5, 0.5]], "float32")
    layer = GeometricMean([1.5, 0.5])
    logits = 1.5 * np.log(a) + 0.5 * np.log(b)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(layer([a, b]).numpy(), expected, rtol=1e-5)
    again = GeometricMean.from_config(layer.get_config())
    np.testing.assert_allclose(again([a, b]).numpy(), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="non-negative"):
        GeometricMean([1.0, -0.5])
