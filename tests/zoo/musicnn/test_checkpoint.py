"""Loading by name, offline: a fake checkpoint in the official key layout, random values."""

import os

import numpy as np
import pytest
import tensorflow as tf

import zoo


def _official_keys(model):
    """`{"conv2d/kernel": shape, ...}`: the official variable names of `model`'s weights."""
    keys = {}
    for layer in model.layers:
        names = ("gamma", "beta", "moving_mean", "moving_variance")
        if type(layer).__name__ != "BatchNormalization":
            names = ("kernel", "bias")
        for variable, short in zip(layer.weights, names):
            keys[f"{layer.name}/{short}"] = tuple(variable.shape)
    return keys


def _write_tf1_checkpoint(folder, values):
    """A TF1 checkpoint with prefix `folder/` (files `.index`, `.data-...`), as the wheel's."""
    os.makedirs(folder, exist_ok=True)
    graph = tf.Graph()
    with graph.as_default():
        variables = [tf.compat.v1.Variable(v, name=k) for k, v in values.items()]
        # What the official files also hold; the loader must ignore optimizer slots.
        variables.append(tf.compat.v1.Variable(np.zeros(3, "float32"), name="dense/kernel/Adam"))
        saver = tf.compat.v1.train.Saver(variables)
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver.save(session, os.path.join(folder, ""), write_meta_graph=False)
    return os.path.join(folder, "")


@pytest.fixture(scope="module")
def fake_musicnn(tmp_path_factory):
    """`(prefix, values)` of a full-size random MTT_musicnn-layout checkpoint (792k floats)."""
    rng = np.random.default_rng(0)
    keys = _official_keys(zoo.musicnn.musicnn())
    values = {k: rng.standard_normal(s).astype("float32") for k, s in keys.items()}
    for key in values:
        if key.endswith("moving_variance"):
            values[key] = np.abs(values[key]) + 0.5
    folder = tmp_path_factory.mktemp("ckpt") / "MTT_musicnn"
    return _write_tf1_checkpoint(str(folder), values), values


def test_every_variable_lands_where_its_name_says(fake_musicnn):
    prefix, values = fake_musicnn
    assert os.path.isfile(prefix + ".index")
    model = zoo.musicnn.musicnn(weights=prefix)
    assert len(values) == 4 * 11 + 2 * 10
    for key, value in values.items():
        scope, short = key.split("/")
        np.testing.assert_array_equal(getattr(model.get_layer(scope), short), value, err_msg=key)


def test_folder_forms_and_a_backbone_without_top(fake_musicnn):
    prefix, values = fake_musicnn
    parent = os.path.dirname(os.path.dirname(prefix))  # holds MTT_musicnn/: the musicnn/ folder
    model = zoo.musicnn.musicnn(weights=parent, include_top=False, pooling="max_mean")
    np.testing.assert_array_equal(model.get_layer("conv2d_7").bias, values["conv2d_7/bias"])
    model = zoo.musicnn.musicnn(weights=os.path.dirname(prefix), include_top=False)
    np.testing.assert_array_equal(model.get_layer("conv2d").kernel, values["conv2d/kernel"])


def test_mismatches_are_named(fake_musicnn):
    prefix, _ = fake_musicnn
    with pytest.raises(ValueError, match="dense_1/kernel.*50 classes"):
        zoo.musicnn.musicnn(weights=prefix, classes=10)
    with pytest.raises(ValueError, match="1CNN/kernel"):
        zoo.musicnn.musicnn_vgg(weights=prefix)


def test_a_truncated_checkpoint_is_named(fake_musicnn, tmp_path):
    prefix, _ = fake_musicnn
    folder = tmp_path / "MTT_musicnn"
    folder.mkdir()
    for name in (".index", ".data-00000-of-00001"):
        data = open(prefix + name, "rb").read()
        if name.startswith(".data"):
            data = data[: len(data) // 2]
        (folder / name).write_bytes(data)
    with pytest.raises(ValueError, match=r"MTT_musicnn.*truncated"):
        zoo.musicnn.musicnn(weights=str(folder))


def test_a_folder_without_a_checkpoint_is_named(tmp_path):
    with pytest.raises(ValueError, match="holds no musicnn checkpoint"):
        zoo.musicnn.musicnn(weights=str(tmp_path))
