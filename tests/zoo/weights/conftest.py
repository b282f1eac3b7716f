"""A keras.applications VGG16 and its weight files, made here: what the weights tests load.

Every file is made here; nothing is downloaded.
"""

import h5py
import keras
import numpy as np
import pytest
from keras.src.legacy.saving import legacy_h5_format

SHAPE = (32, 32, 3)  # VGG's smallest input keeps the files' conv weights only (59 MB).
X = np.random.default_rng(0).uniform(0, 255, size=(2,) + SHAPE).astype("float32")


def legacy_h5(model, path):
    """Write `model` in the Keras-2 layout keras.applications publishes."""
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path


@pytest.fixture(scope="session")
def reference(tmp_path_factory):
    """keras.applications VGG16 (no top, random weights), its outputs and its files."""
    keras.utils.set_random_seed(7)
    model = keras.applications.VGG16(weights=None, include_top=False, input_shape=SHAPE)
    folder = tmp_path_factory.mktemp("reference")
    legacy = legacy_h5(model, folder / "vgg16_notop.h5")
    keras3 = folder / "vgg16_notop.weights.h5"
    model.save_weights(keras3)
    return {"model": model, "out": np.asarray(model(X)), "legacy": legacy, "keras3": keras3}
