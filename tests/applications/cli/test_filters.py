"""`audiozoo filters` and `plot_filters`: PNGs from weights files the test makes (no network)."""

import keras
import matplotlib.image
import numpy as np
import pytest

import zoo
from applications import cli
from applications.reporting.filters import _tile, plot_filters
from tests.zoo.weights.conftest import legacy_h5


def gratings(size=11, count=96):
    """`(size, size, 3, count)` oriented colour gratings: filter i at angle i * 180 / count."""
    y, x = np.mgrid[:size, :size] - size // 2
    kernel = np.zeros((size, size, 3, count), np.float32)
    for i in range(count):
        angle = np.pi * i / count
        wave = np.cos(2 * np.pi * (x * np.cos(angle) + y * np.sin(angle)) / 5.0)
        kernel[:, :, i % 3, i] = wave * np.exp(-(x**2 + y**2) / 18.0)
    return kernel


@pytest.fixture(scope="module")
def alexnet_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alexnet")
    model = zoo.create_model("alexnet", include_top=False, input_shape=(67, 67, 3))
    model.get_layer("conv1").kernel.assign(gratings())
    keras3 = str(folder / "alexnet.weights.h5")
    model.save_weights(keras3)
    return {"keras3": keras3, "legacy": str(legacy_h5(model, folder / "alexnet_notop.h5"))}


def _png(path):
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 300 and image.shape[1] > 500
    return image


def test_alexnet_first_layer_from_registry_and_from_files(alexnet_files, tmp_path, capsys):
    runs = {
        "registry": ["alexnet", "--weights", alexnet_files["keras3"]],
        "legacy": [alexnet_files["legacy"]],
        "keras3": [alexnet_files["keras3"], "--layer", "conv2d"],
    }
    images = {}
    for label, argv in runs.items():
        out = str(tmp_path / f"{label}.png")
        assert cli.main(["filters"] + argv + ["--out", out]) == 0
        assert "Drew 96 filters of conv" in capsys.readouterr().out
        images[label] = _png(out)
    # The three sources hold one kernel: the tiles (below the title) are the same picture.
    body = slice(images["legacy"].shape[0] // 5, None)
    assert images["legacy"].shape == images["keras3"].shape
    np.testing.assert_array_equal(images["legacy"][body], images["keras3"][body])


def test_rgb_tiles_are_min_max_scaled():
    kernel = gratings(count=3)
    image, style = _tile(kernel, 1, "height")
    assert image.shape == (11, 11, 3) and style == {}
    assert image.min() == 0 and image.max() == 1
    np.testing.assert_array_equal(image[:, :, 0], image[:, :, 2])  # green only varies


@pytest.mark.parametrize("axis", ["height", "width"])
def test_one_channel_tiles_put_frequency_up(axis):
    # Only the highest-frequency row (height) or column (width) is non-zero.
    kernel = np.zeros((4, 6, 1, 1))
    if axis == "height":
        kernel[-1, :, 0, 0] = 1.0
    else:
        kernel[:, -1, 0, 0] = 1.0
    image, style = _tile(kernel, 0, axis)
    assert style["origin"] == "lower" and style["vmin"] == -1 and style["vmax"] == 1
    assert image[-1].tolist() == [1.0] * image.shape[1] and not image[:-1].any()


def test_plot_filters_from_python_and_keras_file(tmp_path, capsys):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((32, 20, 1))
    x = keras.layers.Conv2D(6, (5, 3), name="c1")(inputs)
    x = keras.layers.Conv2D(4, 3, name="c2")(x)
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x), name="spec")
    assert plot_filters(model, path=tmp_path / "c1.png") == "c1"
    _png_small = matplotlib.image.imread(tmp_path / "c1.png")
    assert _png_small.std() > 0.05
    path = str(tmp_path / "spec.keras")
    model.save(path)
    assert cli.main(["filters", path, "--layer", "c2", "--out", str(tmp_path / "c2.png")]) == 0
    assert "Drew 4 filters of c2 (kernel (3, 3, 6, 4))" in capsys.readouterr().out
    with pytest.raises(ValueError, match="its conv layers: c1, c2"):
        plot_filters(model, layer="dense", path=tmp_path / "x.png")


def test_errors_are_one_line(alexnet_files, tmp_path, capsys):
    out = ["--out", str(tmp_path / "x.png")]
    assert cli.main(["filters", "alexnett"] + out) == 2
    assert "neither a registry name" in capsys.readouterr().err
    assert cli.main(["filters", alexnet_files["legacy"], "--weights", "w.h5"] + out) == 2
    assert "--weights goes with a registry MODEL" in capsys.readouterr().err
    assert cli.main(["filters", alexnet_files["legacy"], "--layer", "fc6"] + out) == 2
    assert "its conv layers: conv1, conv2" in capsys.readouterr().err
    text = tmp_path / "notes.txt"
    text.write_text("not weights")
    assert cli.main(["filters", str(text)] + out) == 2
    assert "not an HDF5 weights file" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
