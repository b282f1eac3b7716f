"""PANNs CNN6/CNN10/CNN14: exact official parameter counts, names, pooling, bn0, API."""

import keras
import numpy as np
import pytest

import zoo
from zoo.convnets.panns import PANNS_CONFIGS, PANNS_PARAMETERS, panns
from zoo.convnets.panns_checkpoint import torch_key
from zoo.convnets.panns_layers import PannsGlobalPooling, panns_log_mel

from . import panns_reference as ref

# name, network parameters (= Keras trainable), official model.parameters() total
# (+ the frozen STFT/mel front end), the paper's figure, BN running stats
# (torch buffers; Keras non-trainable weights). 527 classes, 64 mel bins.
COUNTS = [
    ("cnn6", 4_837_455, 5_920_911, "4.8M", 2_048),
    ("cnn10", 5_219_279, 6_302_735, "5.2M", 3_968),
    ("cnn14", 80_753_615, 81_837_071, "80.8M", 16_256),
]
TINY = {"width": 0.125, "classes": 3}


def _keras_as_torch_shapes(model):
    """Each weight of `model` under its official key, with the torch layout's shape."""
    names = {
        "Conv2D": ("weight",),
        "Dense": ("weight", "bias"),
        "BatchNormalization": ("weight", "bias", "running_mean", "running_var"),
    }
    shapes = {}
    for layer in (layer for layer in model.layers if layer.weights):
        for leaf, w in zip(names[type(layer).__name__], layer.weights):
            shape = tuple(w.shape)
            if len(shape) == 4:  # (kh, kw, in, out) -> (out, in, kh, kw)
                shape = (shape[3], shape[2], shape[0], shape[1])
            elif len(shape) == 2:  # (in, out) -> (out, in)
                shape = shape[::-1]
            shapes[f"{torch_key(layer.name)}.{leaf}"] = shape
    return shapes


def test_front_end_is_1_083_456_frozen_parameters():
    # 2 x Conv1d(1, 513, 1024) + melW (513, 64) at window_size=1024, mel_bins=64.
    assert ref.parameter_count(ref.front_end_shapes()) == 2 * 513 * 1024 + 513 * 64 == 1_083_456


@pytest.mark.parametrize("name, network, official, paper, buffers", COUNTS)
def test_official_counts_derived_from_models_py(name, network, official, paper, buffers):
    shapes = ref.state_shapes(name)
    assert ref.parameter_count(shapes) == network
    assert ref.parameter_count({**ref.front_end_shapes(), **shapes}) == official
    assert sum(int(np.prod(s)) for k, s in shapes.items() if "running" in k) == buffers
    assert PANNS_PARAMETERS[name] == (network, official, paper)


@pytest.mark.parametrize("name, network, official, paper, buffers", COUNTS)
def test_paper_table_rounds_the_network_count_not_the_official_total(
    name, network, official, paper, buffers
):
    assert f"{network / 1e6:.1f}M" == paper
    assert f"{official / 1e6:.1f}M" != paper


@pytest.mark.parametrize("name, network, official, paper, buffers", COUNTS)
def test_keras_model_has_the_official_weights_and_counts(name, network, official, paper, buffers):
    model = zoo.create_model(name)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == network
    assert model.count_params() == network + buffers
    # Same names (conv_block1_conv1 <-> conv_block1.conv1) and transposed shapes. (Order
    # differs: torch lists a ConvBlock's modules as registered, conv1, conv2, bn1, bn2.)
    official = {
        k: s for k, s in ref.state_shapes(name).items() if not k.endswith("num_batches_tracked")
    }
    assert _keras_as_torch_shapes(model) == official


def test_registered():
    assert zoo.list_models("cnn*") == ["cnn10", "cnn10_compact", "cnn14", "cnn6"]
    for name in ("cnn6", "cnn10", "cnn14", "cnn10_compact"):
        assert zoo.get_entry(name).family == "convnets"  # the folder (zoo.registry)
    assert PANNS_CONFIGS["cnn14"].pools == (2, 2, 2, 2, 2, 1)


def test_compact_is_cnn10_at_quarter_width_with_its_count():
    # By hand (527 classes, 64 mels): bn0 128; convs 9 * (1*16 + 16*16 + 16*32 + 32*32 + 32*64
    # + 64*64 + 64*128 + 128*128) = 292,752; block BNs 2 * 2 * (16+32+64+128) = 960;
    # fc1 128*128 + 128; fc_audioset 128*527 + 527.
    expected = 128 + 292_752 + 960 + 16_512 + 67_983
    model = zoo.create_model("cnn10_compact")
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == expected == 378_335
    assert PANNS_PARAMETERS["cnn10_compact"] == (expected, None, "0.4M")
    assert PANNS_CONFIGS["cnn10_compact"].widths == tuple(
        w // 4 for w in PANNS_CONFIGS["cnn10"].widths
    )
    assert "1/4 width" in zoo.get_entry("cnn10_compact").paper


def test_layer_names_follow_the_official_modules():
    model = zoo.cnn10(**TINY, input_shape=(32, 64, 1))
    names = [layer.name for layer in model.layers]
    assert names[:9] == [
        "log_mel",
        "bn0",
        "conv_block1_conv1",
        "conv_block1_bn1",
        "conv_block1_relu1",
        "conv_block1_conv2",
        "conv_block1_bn2",
        "conv_block1_relu2",
        "conv_block1_pool",
    ]
    assert names[-4:] == ["global_pool", "fc1_dropout", "fc1", "fc_audioset"]
    assert model.get_layer("fc_audioset").activation is keras.activations.sigmoid
    # CNN14's sixth block pools 1x1 in the official code: no pooling layer.
    names14 = [layer.name for layer in zoo.cnn14(**TINY).layers]
    assert "conv_block5_pool" in names14 and "conv_block6_pool" not in names14


@pytest.mark.parametrize(
    "pooling, shape, last",
    [
        (None, (None, 4, 4, 64), "conv_block4_dropout"),
        ("avg", (None, 64), "avg_pool"),
        ("max", (None, 64), "max_pool"),
        ("panns", (None, 64), "global_pool"),
        ("embedding", (None, 64), "embedding"),
    ],
)
def test_pooling_outputs(pooling, shape, last):
    model = zoo.cnn10(include_top=False, pooling=pooling, input_shape=(64, 64, 1), width=0.125)
    assert model.output.shape == shape
    assert model.layers[-1].name == last
    x = np.random.default_rng(0).normal(size=(2, 64, 64, 1)).astype("float32")
    assert model(x).shape[1:] == shape[1:]


def test_default_input_takes_any_length_of_64_mel_bins():
    model = zoo.cnn6(**TINY)
    assert model.input.shape == (None, None, 64, 1)
    for frames in (16, 101):
        assert model(np.zeros((1, frames, 64, 1), "float32")).shape == (1, 3)


def test_pooling_formula_on_a_known_tensor():
    # (batch 1, time 3, freq 2, channels 1): freq means 2, 6, -1 -> max 6 + mean 7/3.
    x = np.array([1.0, 3.0, 5.0, 7.0, -2.0, 0.0], "float32").reshape(1, 3, 2, 1)
    np.testing.assert_allclose(PannsGlobalPooling()(x), [[6.0 + 7.0 / 3.0]], rtol=1e-6)
    x = np.random.default_rng(1).normal(size=(2, 5, 4, 3)).astype("float32")
    freq_mean = x.mean(axis=2)
    want = freq_mean.max(axis=1) + freq_mean.mean(axis=1)
    np.testing.assert_allclose(PannsGlobalPooling()(x), want, rtol=1e-5, atol=1e-6)


def test_panns_pooling_is_the_formula_on_the_feature_map():
    features = zoo.cnn6(include_top=False, input_shape=(48, 32, 1), width=0.125)
    pooled = zoo.cnn6(include_top=False, pooling="panns", input_shape=(48, 32, 1), width=0.125)
    pooled.set_weights(features.get_weights())
    x = np.random.default_rng(2).normal(size=(2, 48, 32, 1)).astype("float32")
    fmap = np.asarray(features(x)).mean(axis=2)
    np.testing.assert_allclose(pooled(x), fmap.max(axis=1) + fmap.mean(axis=1), rtol=1e-5)


def test_bn0_normalises_each_mel_bin_with_torch_settings():
    model = zoo.cnn6(include_top=False, input_shape=(None, 40, 1), width=0.125)
    bn0 = model.get_layer("bn0")
    assert bn0.axis == 2 and bn0.epsilon == 1e-5 and bn0.momentum == 0.9
    assert bn0.moving_mean.shape == bn0.moving_variance.shape == bn0.gamma.shape == (40,)
    rng = np.random.default_rng(3)
    offset, scale = rng.normal(size=40) * 10, rng.uniform(1, 5, size=40)
    x = (rng.normal(size=(4, 50, 40, 1)) * scale[:, None] + offset[:, None]).astype("float32")
    y = np.asarray(bn0(x, training=True))
    np.testing.assert_allclose(y.mean(axis=(0, 1, 3)), 0.0, atol=1e-4)
    np.testing.assert_allclose(y.var(axis=(0, 1, 3)), 1.0, atol=1e-3)
    # torch momentum 0.1: the running mean moves a tenth of the way to the batch mean.
    np.testing.assert_allclose(bn0.moving_mean, 0.1 * x.mean(axis=(0, 1, 3)), rtol=1e-4)


def test_official_initialisation():
    model = zoo.cnn10(**TINY, input_shape=(32, 32, 1))
    conv = model.get_layer("conv_block2_conv1")
    assert not conv.use_bias
    assert isinstance(conv.kernel_initializer, keras.initializers.GlorotUniform)
    for name in ("fc1", "fc_audioset"):
        dense = model.get_layer(name)
        assert isinstance(dense.kernel_initializer, keras.initializers.GlorotUniform)
        np.testing.assert_array_equal(dense.bias, 0.0)
    bn = model.get_layer("conv_block2_bn2")
    np.testing.assert_array_equal(bn.gamma, 1.0)
    np.testing.assert_array_equal(bn.beta, 0.0)
    assert bn.epsilon == 1e-5 and bn.momentum == 0.9


@pytest.mark.parametrize("name", ["cnn6", "cnn10", "cnn14"])
def test_tiny_multilabel_model_trains_one_step(name):
    model = zoo.create_model(name, **TINY, input_shape=(32, 32, 1))
    rng = np.random.default_rng(4)
    x = rng.normal(size=(8, 32, 32, 1)).astype("float32")
    y = (rng.uniform(size=(8, 3)) < 0.3).astype("float32")
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


def test_two_dimensional_input_gets_a_channel():
    model = zoo.cnn6(**TINY, input_shape=(32, 64))
    assert model.get_layer("add_channel").output.shape == (None, 32, 64, 1)
    assert model(np.zeros((2, 32, 64), "float32")).shape == (2, 3)


def test_keras_weights_file_round_trip(tmp_path):
    model = zoo.cnn14(**TINY, input_shape=(32, 32, 1))
    path = tmp_path / "cnn14.weights.h5"
    model.save_weights(path)
    again = zoo.cnn14(**TINY, input_shape=(32, 32, 1), weights=str(path))
    x = np.random.default_rng(5).normal(size=(2, 32, 32, 1)).astype("float32")
    np.testing.assert_array_equal(model(x), again(x))


def test_front_end_gives_1001_frames_for_10_s_at_32_khz():
    front = panns_log_mel()
    mel = front(np.zeros((1, 320_000), "float32"))
    assert mel.shape == (1, 1001, 64, 1)
    assert zoo.cnn10(**TINY)(mel).shape == (1, 3)


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        ({"pooling": "avg"}, "pooling"),  # only without the top
        ({"include_top": False, "pooling": "attention"}, "pooling"),
        ({"input_shape": (None, None, 1)}, "input_shape"),
        ({"input_shape": (8, 64, 1)}, "input_shape"),
        ({"input_shape": (64, 64, 2), "in_channels": 1}, "in_channels"),
        ({"weights": "/no/such/file.pth"}, "weights"),
        ({"width": 0}, "width"),
        ({"classes": 0}, "classes"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, arg):
    with pytest.raises(ValueError, match=f"Received: {arg}="):
        zoo.cnn10(**{"width": 0.125, **kwargs})


def test_weights_file_of_another_kind(tmp_path):
    path = tmp_path / "cnn10.h5"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="Received: weights="):
        zoo.cnn10(width=0.125, weights=str(path))


def test_unknown_config():
    with pytest.raises(ValueError, match="Received: config='cnn12'"):
        panns("cnn12")
