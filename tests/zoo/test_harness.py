"""The shared harness: every registered model builds small, runs, trains a step,
round-trips its config, survives a `.keras` save/load with `safe_mode=True`,
and runs under the `mixed_bfloat16` policy.

New families join automatically by registering their builders.
"""

import copy

import keras
import numpy as np
import pytest
from keras import tree

import zoo

ALL_MODELS = zoo.list_models()


def _build(name):
    entry = zoo.get_entry(name)
    model = entry.build_tiny()
    x, y = entry.example(model, batch_size=4, seed=0)
    return entry, model, x, y


def _as_list(outputs):
    return (
        [np.asarray(o) for o in outputs]
        if isinstance(outputs, (list, tuple))
        else [np.asarray(outputs)]
    )


def test_registry_is_populated():
    assert len(ALL_MODELS) >= 3


@pytest.mark.parametrize("name", ALL_MODELS)
def test_forward_pass_is_finite(name):
    _, model, x, y = _build(name)
    assert isinstance(model, keras.Model)
    outputs = _as_list(model(x, training=False))
    targets = _as_list(y)
    assert [o.shape for o in outputs] == [t.shape for t in targets]
    for o in outputs:
        assert np.all(np.isfinite(o))


@pytest.mark.parametrize("name", ALL_MODELS)
def test_one_fit_step_lowers_the_loss(name):
    entry, model, x, y = _build(name)
    model.compile(optimizer=keras.optimizers.SGD(entry.learning_rate), loss=entry.loss)
    before = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)["loss"]
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    after = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)["loss"]
    assert np.isfinite(history.history["loss"][0])
    assert after < before, f"{name}: loss {before} -> {after} after one SGD step"


@pytest.mark.parametrize("name", ALL_MODELS)
def test_config_round_trip(name):
    _, model, x, _ = _build(name)
    config = model.get_config()
    # from_config consumes parts of the dict it is given, so hand it a copy.
    clone = model.__class__.from_config(copy.deepcopy(config))
    assert clone.get_config() == config
    clone.set_weights(model.get_weights())
    for a, b in zip(_as_list(model(x, training=False)), _as_list(clone(x, training=False))):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ALL_MODELS)
def test_keras_file_round_trip_in_safe_mode(name, tmp_path):
    _, model, x, _ = _build(name)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.__class__ is model.__class__
    for a, b in zip(_as_list(model(x, training=False)), _as_list(loaded(x, training=False))):
        np.testing.assert_array_equal(a, b)


FLOAT32_FRONT_END = (
    zoo.audio.LogMelSpectrogram,
    zoo.audio.SpecAugment,
    zoo.audio.SpectrogramToImage,
)


@pytest.mark.parametrize("name", ALL_MODELS)
def test_forward_pass_under_mixed_bfloat16(name):
    # keras-hub's run_precision_test: the policy reaches every layer (bfloat16
    # compute, float32 variables), outputs match the symbolic spec and are finite.
    policy = keras.mixed_precision.Policy("mixed_bfloat16")
    keras.mixed_precision.set_global_policy(policy)
    try:
        _, model, x, _ = _build(name)
        outputs = tree.flatten(model(x, training=False))
        symbolic = tree.map_structure(lambda a: keras.KerasTensor(a.shape, dtype=str(a.dtype)), x)
        specs = tree.flatten(model.compute_output_spec(symbolic))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert [(tuple(o.shape), keras.backend.standardize_dtype(o.dtype)) for o in outputs] == [
        (tuple(s.shape), keras.backend.standardize_dtype(s.dtype)) for s in specs
    ]
    for o in outputs:
        assert keras.backend.standardize_dtype(o.dtype) == policy.compute_dtype
        assert np.all(np.isfinite(np.asarray(o, dtype="float32")))
    for weight in model.weights:
        if keras.backend.is_float_dtype(weight.dtype):
            assert keras.backend.standardize_dtype(weight.dtype) == policy.variable_dtype, (
                weight.path
            )
    for layer in model._flatten_layers():
        if isinstance(layer, FLOAT32_FRONT_END):
            # By design: a bfloat16 STFT input moves dB levels by up to 4.6 dB.
            assert layer.compute_dtype == "float32", layer.name
        elif not isinstance(layer, keras.layers.InputLayer):
            assert layer.compute_dtype == policy.compute_dtype, layer.name
            assert layer.variable_dtype == policy.variable_dtype, layer.name
    assert keras.mixed_precision.global_policy().name == "float32"
