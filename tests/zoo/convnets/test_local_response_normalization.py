import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.convnets.alexnet import LocalResponseNormalization


def paper_lrn(a, n=5, k=2.0, alpha=1e-4, beta=0.75):
    """Krizhevsky et al. 2012, sec. 3.3, written out channel by channel."""
    channels = a.shape[-1]
    b = np.empty_like(a, dtype="float64")
    for i in range(channels):
        lo, hi = max(0, i - n // 2), min(channels - 1, i + n // 2)
        total = np.sum(a[..., lo : hi + 1].astype("float64") ** 2, axis=-1)
        b[..., i] = a[..., i] / (k + alpha * total) ** beta
    return b


@pytest.mark.parametrize("kwargs", [{}, dict(size=3, k=1.0, alpha=0.5, beta=0.5)])
def test_matches_the_paper_formula(kwargs):
    # Large activations so that the alpha term matters (with the paper's
    # alpha=1e-4 it is visible only once sum a^2 reaches ~1e3).
    x = np.random.default_rng(0).normal(scale=30.0, size=(2, 3, 4, 11)).astype("float32")
    layer = LocalResponseNormalization(**kwargs)
    expected = paper_lrn(
        x, **{("n" if key == "size" else key): value for key, value in kwargs.items()}
    )
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-6)
    # The normalisation is not the identity divided by a constant.
    assert not np.allclose(expected, x / 2.0**0.75, rtol=1e-3)


def test_equals_tf_lrn_with_the_same_alpha():
    # tf.nn.local_response_normalization does not divide alpha by the window
    # (Caffe does): the paper's parameters carry over unchanged.
    x = np.random.default_rng(1).normal(scale=30.0, size=(1, 5, 5, 96)).astype("float32")
    ours = LocalResponseNormalization()(x)
    theirs = tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
    np.testing.assert_allclose(np.asarray(ours), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_config_holds_exactly_the_constructor_arguments():
    layer = LocalResponseNormalization(size=3, k=1.0, alpha=2e-4, beta=0.5, name="norm")
    config = layer.get_config()
    assert {key: config[key] for key in ("size", "k", "alpha", "beta")} == dict(
        size=3, k=1.0, alpha=2e-4, beta=0.5
    )
    assert set(config) == {"size", "k", "alpha", "beta", "name", "trainable", "dtype"}
    clone = LocalResponseNormalization.from_config(config)
    assert clone.get_config() == config


def test_round_trips_through_a_keras_file_in_safe_mode(tmp_path):
    inputs = keras.Input((4, 4, 8))
    model = keras.Model(inputs, LocalResponseNormalization(alpha=0.1)(inputs))
    path = tmp_path / "lrn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    x = np.random.default_rng(2).normal(size=(2, 4, 4, 8)).astype("float32")
    np.testing.assert_array_equal(np.asarray(model(x)), np.asarray(loaded(x)))
    assert isinstance(loaded.layers[-1], LocalResponseNormalization)


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        (dict(size=4), "size"),
        (dict(size=0), "size"),
        (dict(alpha=-1.0), "alpha"),
        (dict(k="2"), "k"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, arg):
    with pytest.raises(ValueError, match=f"Received: {arg}="):
        LocalResponseNormalization(**kwargs)
