"""WaveNet model: architecture facts, causality, receptive field, conditioning, serialisation."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.wavenet import (
    DEFAULT_DILATIONS,
    WaveNet,
    shifted_pairs,
    training_dataset,
    waveform_pairs,
)
from zoo.wavenet.layers import ConditionUpsampler, GatedResidualBlock, upsampling_factors

SMALL = dict(
    dilations=(1, 2, 4, 8, 1, 2, 4, 8),
    residual_channels=8,
    dilation_channels=8,
    skip_channels=16,
    quantization_channels=32,
)


def _classes(shape, q, seed=0):
    return np.random.default_rng(seed).integers(0, q, shape).astype("int32")


def test_default_wavenet_is_the_paper_configuration():
    model = zoo.create_model("wavenet")
    assert model.dilations == tuple(2**i for i in range(10)) * 3 == DEFAULT_DILATIONS
    assert len([layer for layer in model.layers if isinstance(layer, GatedResidualBlock)]) == 30
    block = model.get_layer("block29")
    assert (
        block.kernel_size,
        block.residual_channels,
        block.dilation_channels,
        block.skip_channels,
    ) == (2, 32, 32, 512)
    assert block.dilation == 512
    assert model.get_layer("causal_conv").kernel.shape == (2, 256, 32)
    assert model.output_shape == (None, None, 256)
    # initial width + (kernel - 1) * sum(dilations) = 2 + 3 * 1023
    assert model.receptive_field == 3071


def test_receptive_field_formula_follows_the_configuration():
    model = WaveNet(
        dilations=(1, 3, 9),
        kernel_size=3,
        initial_kernel_size=4,
        residual_channels=4,
        dilation_channels=4,
        skip_channels=4,
        quantization_channels=8,
    )
    assert model.receptive_field == 4 + 2 * 13
    assert zoo.create_model("wavenet_small").receptive_field == 2 + 2 * 255


def _prediction_change(model, length, position, t):
    """Max change of the output at step `t` when the input at `position` changes."""
    q = model.quantization_channels
    x = _classes((1, length), q)
    y = x.copy()
    y[0, position] = (y[0, position] + q // 2) % q
    a, b = np.asarray(model(x)), np.asarray(model(y))
    return np.abs(a[0, t] - b[0, t]).max(), np.abs(a - b)


def test_causality_future_inputs_never_change_earlier_predictions():
    model = WaveNet(**SMALL)
    length = 64
    for position in (5, 30, 63):
        _, diff = _prediction_change(model, length, position, 0)
        assert diff[0, :position].max() == 0.0  # nothing before the perturbed step moves
        assert diff[0, position].max() > 1e-5  # the perturbed step itself does


def _skip_change(model, length, position, t):
    """Change of the summed skip outputs at step `t` when only the input at `position` is non-silent.

    The one-hot row of class 0 is zeroed and biases start at zero, so an
    all-class-0 input gives exactly zero everywhere: any non-zero value at `t`
    is the perturbation's, however much the path through the layers shrinks
    it (float64, so it does not underflow over 30 layers). The skip sum is
    where the receptive field ends; the head after it is per-step.
    """
    kernel = model.get_layer("causal_conv").kernel
    kernel.assign(np.concatenate([np.zeros_like(kernel[:, :1]), kernel[:, 1:]], axis=1))
    probe = keras.Model(model.input, model.get_layer("skip_sum").output)
    x = np.zeros((1, length), "int32")
    x[0, position] = 1
    return np.abs(np.asarray(probe(x))[0, t]).max()


@pytest.mark.parametrize("kwargs", [SMALL, dict(SMALL, kernel_size=3, initial_kernel_size=3)])
def test_receptive_field_bounds_what_a_prediction_sees(kwargs):
    keras.mixed_precision.set_global_policy("float64")
    model = WaveNet(**kwargs)
    rf, t = model.receptive_field, 120
    assert _skip_change(model, t + 1, t - rf + 1, t) > 0.0  # just inside
    assert _skip_change(model, t + 1, t - rf, t) == 0.0  # just outside


def test_default_depth_receptive_field_is_3071_samples():
    # The paper's 30 dilations with narrow channels, so the check stays cheap.
    keras.mixed_precision.set_global_policy("float64")
    model = WaveNet(
        residual_channels=4, dilation_channels=4, skip_channels=8, quantization_channels=16
    )
    t = model.receptive_field + 10
    assert _skip_change(model, t + 1, t - 3070, t) > 0.0
    assert _skip_change(model, t + 1, t - 3071, t) == 0.0


def _conditioned(**extra):
    return WaveNet(
        **SMALL,
        global_condition_classes=3,
        global_condition_channels=4,
        local_condition_channels=5,
        local_condition_hop=4,
        **extra,
    )


@pytest.mark.parametrize("mode", ["transposed", "repeat"])
def test_global_and_local_conditions_change_the_output(mode):
    model = _conditioned(local_upsampling=mode)
    rng = np.random.default_rng(0)
    inputs = {
        "audio": _classes((2, 32), 32),
        "global_condition": np.array([0, 1], "int32"),
        "local_condition": rng.standard_normal((2, 8, 5)).astype("float32"),
    }
    base = np.asarray(model(inputs))
    other_global = np.asarray(model({**inputs, "global_condition": np.array([2, 1], "int32")}))
    assert np.abs(base[0] - other_global[0]).max() > 1e-5
    np.testing.assert_array_equal(base[1], other_global[1])  # stream 1 kept its id
    frames = inputs["local_condition"].copy()
    frames[0, 3] += 1.0  # frame 3 covers samples 12..15
    other_local = np.asarray(model({**inputs, "local_condition": frames}))
    diff = np.abs(base - other_local)[0].max(axis=-1)
    assert diff[:12].max() == 0.0  # earlier samples never see a later frame
    assert diff[12:16].min() > 0.0


def test_transposed_upsampling_keeps_each_frame_in_its_own_samples():
    assert upsampling_factors(256) == [16, 16] and upsampling_factors(80) == [10, 8]
    assert upsampling_factors(17) == [17] and upsampling_factors(1) == [1]
    up = ConditionUpsampler(hop=12, mode="transposed", channels=3)
    frames = np.zeros((1, 4, 2), "float32")
    base = np.asarray(up(frames))
    frames[0, 2] = 1.0
    diff = np.abs(np.asarray(up(frames)) - base).max(axis=-1)[0]
    assert base.shape == (1, 48, 3)
    assert diff[:24].max() == 0.0 and diff[36:].max() == 0.0 and diff[24:36].min() > 0.0


def test_conditioned_model_round_trips_through_a_keras_file_in_safe_mode(tmp_path):
    model = _conditioned()
    inputs = {
        "audio": _classes((2, 16), 32),
        "global_condition": np.array([2, 0], "int32"),
        "local_condition": np.random.default_rng(1).standard_normal((2, 4, 5)).astype("float32"),
    }
    model.save(tmp_path / "wavenet.keras")
    loaded = keras.saving.load_model(tmp_path / "wavenet.keras", safe_mode=True)
    assert type(loaded) is WaveNet and loaded.get_config() == model.get_config()
    assert loaded.receptive_field == model.receptive_field
    np.testing.assert_array_equal(loaded(inputs), model(inputs))
    # The loaded model generates, too (weights, not just the graph, came back).
    lc = inputs["local_condition"][0]
    a = model.generate(12, seed=5, global_condition=1, local_condition=lc)
    b = loaded.generate(12, seed=5, global_condition=1, local_condition=lc)
    np.testing.assert_array_equal(a, b)


def test_shifted_pairs_predict_the_next_sample():
    wave = np.sin(np.arange(11) / 3.0)[None].astype("float32")
    x, y = waveform_pairs(wave)
    assert x.shape == y.shape == (1, 10)
    np.testing.assert_array_equal(np.asarray(x)[0, 1:], np.asarray(y)[0, :-1])
    x, y = shifted_pairs(np.arange(5))
    assert list(x) == [0, 1, 2, 3] and list(y) == [1, 2, 3, 4]


def test_training_dataset_trains_a_conditioned_model_with_fit():
    rng = np.random.default_rng(0)
    waves = (0.5 * np.sin(np.arange(300)[None] / rng.uniform(2, 8, (8, 1)))).astype("float32")
    labels = rng.integers(0, 3, 8).astype("int32")
    ds = training_dataset(
        tf.data.Dataset.from_tensor_slices((waves, labels)).batch(4),
        quantization_channels=32,
        segment_length=64,
        use_labels=True,
    )
    x, y = next(iter(ds))
    assert (
        x["audio"].shape == (4, 64) and y.shape == (4, 64) and x["global_condition"].shape == (4,)
    )
    model = WaveNet(**SMALL, global_condition_classes=3, global_condition_channels=4)
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    history = model.fit(
        ds.repeat(), steps_per_epoch=10, epochs=3, shuffle=False, verbose=0
    ).history["loss"]
    assert history[-1] < history[0]


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        (dict(dilations=()), "dilations"),
        (dict(dilations=(1, 0)), "dilations"),
        (dict(kernel_size=1), "kernel_size"),
        (dict(quantization_channels=1), "quantization_channels"),
        (dict(local_upsampling="linear"), "local_upsampling"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, arg):
    with pytest.raises(ValueError, match=f"Received: {arg}="):
        WaveNet(**{**SMALL, **kwargs})


def test_default_parameter_count_follows_the_architecture():
    # Counted from the layer shapes, so a missing or extra layer shows up.
    q, r, d, s, layers = 256, 32, 32, 512, 30
    initial = 2 * q * r + r
    block = (2 * r * 2 * d + 2 * d) + (
        d * (r + s) + r + s
    )  # dilated conv + fused residual/skip 1x1
    head = (s * s + s) + (s * q + q)
    assert zoo.create_model("wavenet").count_params() == initial + layers * block + head
