"""VGG against keras.applications: the same layer names, and weight files that load both ways.

The weight files are written here from randomly initialised models (nothing is
downloaded); equality is exact (`assert_array_equal` on the outputs).
"""

import keras
import numpy as np
import pytest

import zoo
from tests.zoo.weights.conftest import legacy_h5

SHAPE = (32, 32, 3)  # VGG's smallest input: a 2 M-weight fc1 instead of 103 M at 224 x 224
X = np.random.default_rng(0).uniform(0, 255, (2, *SHAPE)).astype("float32")
MODELS = [("vgg16", keras.applications.VGG16), ("vgg19", keras.applications.VGG19)]


def _weighted_names(model):
    return [layer.name for layer in model.layers if layer.weights]


@pytest.mark.parametrize("name, reference", MODELS, ids=[m[0] for m in MODELS])
def test_layer_names_and_shapes_are_keras_applications(name, reference):
    """`zoo.vgg16/vgg19(include_top=True)` has `keras.applications.VGG16/VGG19`'s weighted
    layers, by name, in order, with the same weight shapes."""
    theirs = reference(weights=None, include_top=True, input_shape=SHAPE, classes=10)
    ours = getattr(zoo, name)(weights=None, include_top=True, input_shape=SHAPE, classes=10)
    assert _weighted_names(ours) == _weighted_names(theirs)
    for a, b in zip(ours.weights, theirs.weights):
        assert tuple(a.shape) == tuple(b.shape)


@pytest.mark.parametrize(
    "name, reference, layout",
    [(*MODELS[0], "keras3"), (*MODELS[0], "legacy"), (*MODELS[1], "legacy")],
    ids=["vgg16-keras3", "vgg16-legacy", "vgg19-legacy"],
)
def test_weight_files_round_trip_both_ways(tmp_path, name, reference, layout):
    """A keras.applications weights file (Keras 3 `.weights.h5`, or the Keras-2 layout
    keras.applications publishes) loads into the zoo model with identical outputs, and
    the zoo model's file loads back into keras.applications; exact."""
    keras.utils.set_random_seed(3)
    theirs = reference(weights=None, include_top=True, input_shape=SHAPE, classes=10)
    path = tmp_path / ("theirs.weights.h5" if layout == "keras3" else "theirs.h5")
    theirs.save_weights(path) if layout == "keras3" else legacy_h5(theirs, path)
    build = getattr(zoo, name)
    ours = build(weights=str(path), include_top=True, input_shape=SHAPE, classes=10)
    np.testing.assert_array_equal(np.asarray(ours(X)), np.asarray(theirs(X)))
    for layer in ours.layers:  # new values, so the way back cannot pass by accident
        for w in layer.weights:
            w.assign(w * 0.5 + 0.01)
    back = tmp_path / ("ours.weights.h5" if layout == "keras3" else "ours.h5")
    ours.save_weights(back) if layout == "keras3" else legacy_h5(ours, back)
    again = reference(weights=str(back), include_top=True, input_shape=SHAPE, classes=10)
    np.testing.assert_array_equal(np.asarray(again(X)), np.asarray(ours(X)))
