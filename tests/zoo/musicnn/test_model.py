"""musicnn and musicnn_vgg: exact parameter counts, layer names = checkpoint keys, shapes."""

import numpy as np
import pytest

import zoo
from zoo.musicnn import MusicnnLogMel

# Sums of the model variables (no Adam slots) of the published checkpoints, read with
# tf.compat.v1.train.NewCheckpointReader from musicnn 0.1.0's MTT_musicnn/ (the same for
# MSD_musicnn) and MTT_vgg/ (= MSD_vgg): conv, dense, BN gamma/beta/moving stats.
MUSICNN_PARAMETERS = 792_079
VGG_PARAMETERS = 607_030


def test_parameter_counts_equal_the_checkpoints():
    assert zoo.musicnn.musicnn().count_params() == MUSICNN_PARAMETERS
    assert zoo.musicnn.musicnn_vgg().count_params() == VGG_PARAMETERS
    assert zoo.musicnn.musicnn_vgg(pool_layout="msd").count_params() == VGG_PARAMETERS
    assert zoo.musicnn.PARAMETERS == {"musicnn": 792_079, "musicnn_vgg": 607_030}


def test_official_scopes_are_layer_names():
    model = zoo.musicnn.musicnn()
    assert model.get_layer("conv2d").kernel.shape == (7, 38, 1, 204)
    assert model.get_layer("conv2d_1").kernel.shape == (7, 67, 1, 204)
    assert model.get_layer("conv2d_2").kernel.shape == (128, 1, 1, 51)
    assert model.get_layer("conv2d_5").kernel.shape == (7, 561, 1, 64)
    assert model.get_layer("batch_normalization_9").gamma.shape == (1506,)
    assert model.get_layer("dense").kernel.shape == (1506, 200)
    assert model.get_layer("dense_1").kernel.shape == (200, 50)
    assert model.get_layer("batch_normalization").epsilon == 1e-3
    vgg = zoo.musicnn.musicnn_vgg()
    assert vgg.get_layer("5CNN").kernel.shape == (3, 3, 128, 128)
    assert vgg.get_layer("dense").kernel.shape == (256, 50)


@pytest.mark.parametrize(
    "pooling, shape",
    [(None, (2, 40, 753)), ("avg", (2, 753)), ("max", (2, 753)), ("max_mean", (2, 1506))]
    + [("penultimate", (2, 200))],
)
def test_musicnn_poolings(pooling, shape):
    model = zoo.musicnn.musicnn(include_top=False, pooling=pooling)
    x = np.random.default_rng(0).standard_normal((2, 40, 96)).astype("float32")
    assert tuple(model(x).shape) == shape


def test_max_mean_interleaves_max_and_mean_per_feature():
    trunk = zoo.musicnn.musicnn(include_top=False)
    pooled = zoo.musicnn.musicnn(include_top=False, pooling="max_mean")
    pooled.set_weights(trunk.get_weights())
    x = np.random.default_rng(1).standard_normal((1, 30, 96)).astype("float32")
    maps, vec = np.asarray(trunk(x)), np.asarray(pooled(x))
    np.testing.assert_allclose(vec[0, 0::2], maps[0].max(0), atol=1e-5)
    np.testing.assert_allclose(vec[0, 1::2], maps[0].mean(0), atol=1e-5)


def test_vgg_poolings_and_waveform_input():
    vgg = zoo.musicnn.musicnn_vgg(include_top=False, pooling="penultimate")
    assert vgg.output.shape == (None, 256)
    tagger = zoo.musicnn.musicnn_vgg(include_preprocessing=True)
    assert tagger.input.shape == (None, 186 * 256) and tagger.output.shape == (None, 50)
    waves = zoo.musicnn.musicnn(include_preprocessing=True, include_top=False, pooling="avg")
    assert waves(np.zeros((1, 16000), "float32")).shape == (1, 753)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"pooling": "avg"}, "pooling"),
        ({"include_top": False, "pooling": "mean"}, "pooling"),
        ({"input_shape": (187, 64)}, "input_shape"),
        ({"weights": "imagenet"}, "weights"),
        ({"weights": "/no/such/file.whl"}, "weights"),
        ({"classes": 0}, "classes"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        zoo.musicnn.musicnn(**kwargs)


def test_vgg_needs_a_fixed_long_enough_input():
    with pytest.raises(ValueError, match="input_shape"):
        zoo.musicnn.musicnn_vgg(input_shape=(None, 96))
    with pytest.raises(ValueError, match="66 frames"):
        zoo.musicnn.musicnn_vgg(input_shape=(40, 96))
    with pytest.raises(ValueError, match="pool_layout"):
        zoo.musicnn.musicnn_vgg(pool_layout="gtzan")


@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
def test_front_end_equals_librosa(pad_mode):
    librosa = pytest.importorskip("librosa")
    rng = np.random.default_rng(2)
    y = (0.3 * rng.standard_normal(16000 + 123)).astype("float32")
    mel = librosa.feature.melspectrogram(
        y=y, sr=16000, n_fft=512, hop_length=256, n_mels=96, pad_mode=pad_mode
    )
    expected = np.log10(10000 * mel.T + 1)
    for dft in ("fft", "matmul"):
        got = np.asarray(MusicnnLogMel(pad_mode=pad_mode, dft=dft)(y[None]))[0]
        assert got.shape == expected.shape == (1 + len(y) // 256, 96)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4)


def test_front_end_is_finite_on_loud_input():
    # The official float16 cast overflows here (mel power > 65504); float32 does not.
    y = np.full((1, 4096), 8.0, "float32") * np.sin(np.arange(4096) / 3.0, dtype="float32")
    assert np.all(np.isfinite(MusicnnLogMel()(y)))
