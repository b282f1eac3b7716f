"""The musicnn package's VGG-like baseline (`vgg` in musicnn 0.1.0's `models.py`;
Pons & Serra 2019 compare musicnn with it).

Input: log-mel patches `(batch, 187, 96)` (3 s; the flatten before the classifier
fixes the length), or 16 kHz waveforms with `include_preprocessing=True`.
BN over the input, then five blocks of a 3x3 "same" conv (128 filters, ReLU;
layers `1CNN` ... `5CNN`, the official scopes), BN and max pooling: 4x1
frames x bands with strides 2x2 (valid) in the first block, 2x2 in the next
three, 4x4 in the last; dropout 0.25 between blocks, 0.5 before `dense`.
187 x 96 leaves a 2 x 1 x 128 map (256 features). 607,030 parameters.
"""

import keras

from zoo.musicnn.model import BN, PAPER, check_arguments, build_input, finish
from zoo.registry import register_model
from zoo.validation import argument_error, check_choice, check_positive_int

__all__ = ["POOLS", "musicnn_vgg"]

# (pool size, strides) per block (frames x bands). "mtt": models.py, the graph the
# package runs for both checkpoints and MTT_vgg's saved `.meta`; "msd": MSD_vgg's
# saved `.meta` (the network those weights were trained in; same shapes from 187 x 96).
POOLS = {
    "mtt": (((4, 1), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((4, 4),) * 2),
    "msd": (((4, 1), (4, 1)), ((1, 4), (1, 4)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((4, 4),) * 2),
}


def _pooled_size(size, axis, pools):
    for pool, stride in pools:
        size = (size - pool[axis]) // stride[axis] + 1
    return size


def musicnn_vgg(
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=50,
    classifier_activation="sigmoid",
    include_preprocessing=False,
    name="musicnn_vgg",
    n_mels=96,
    filters=128,
    frames=187,
    pad_mode="constant",
    pool_layout=None,
):
    """Build the musicnn package's VGG-like baseline (see the module docstring).

    Args:
        include_top: end in dropout and `dense` (the tags).
        weights: `None`, `"mtt"`, `"msd"`, the musicnn wheel or a folder holding
            its checkpoints (MTT), one checkpoint folder, or a `.weights.h5` file.
        input_shape: `(frames, n_mels)` (default `(frames, n_mels)`), or `(samples,)`
            with `include_preprocessing` (default: `frames` frames of audio).
        pooling: with include_top=False: `None` (the last pooled map), `"avg"`,
            `"max"` (global pooling, `filters` features) or `"penultimate"` (the
            flattened map `dense` reads).
        classes: tags (50 for the published models).
        classifier_activation: of `dense` (`None` gives the official logits).
        include_preprocessing: take 16 kHz waveforms through `MusicnnLogMel`.
        name: model name.
        n_mels: mel bands (96 published).
        filters: filters of every conv (128 published).
        frames: log-mel frames per patch when `input_shape` is None (187 = 3 s).
        pad_mode: `MusicnnLogMel`'s padding (`"constant"`: librosa >= 0.10).
        pool_layout: a key of `POOLS`; default `"msd"` with `weights="msd"` (the
            pooling MSD_vgg was trained with, per its saved graph), else `"mtt"`
            (models.py; the musicnn package also runs MSD_vgg so, which is not
            the network it trained).

    Returns:
        A `keras.Model`.

    Example:
        >>> model = musicnn_vgg()
        >>> model.output.shape, model.count_params()
        ((None, 50), 607030)
    """
    if pooling == "max_mean":
        raise argument_error("pooling", pooling, "musicnn_vgg has no max_mean pooling.")
    source = check_arguments(include_top, pooling, classes, weights, "vgg")
    check_positive_int("filters", filters)
    check_positive_int("frames", frames)
    if pool_layout is None:
        pool_layout = "msd" if isinstance(weights, str) and weights.lower() == "msd" else "mtt"
    pools = POOLS[check_choice("pool_layout", pool_layout, tuple(POOLS))]
    if input_shape is None and include_preprocessing:
        input_shape = ((frames - 1) * 256,)
    elif input_shape is None:
        input_shape = (frames, n_mels)
    inputs, x = build_input(input_shape, n_mels, include_preprocessing, pad_mode=pad_mode)
    t, f = x.shape[1], x.shape[2]
    if t is None or _pooled_size(t, 0, pools) < 1 or _pooled_size(f, 1, pools) < 1:
        raise argument_error(
            "input_shape",
            input_shape,
            "musicnn_vgg needs a fixed number of frames, enough for its five poolings "
            "(pool_layout 'mtt': 66 frames x 63 bands; 'msd': 64 x 64).",
        )
    x = keras.layers.Reshape((t, f, 1), name="expand_input")(x)
    x = keras.layers.BatchNormalization(name="batch_normalization", **BN)(x)
    for i, (pool, strides) in enumerate(pools, start=1):
        if i > 1:
            x = keras.layers.Dropout(0.25, name=f"dropout_{i - 2}" if i > 2 else "dropout")(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"{i}CNN")(x)
        x = keras.layers.BatchNormalization(name=f"batch_normalization_{i}", **BN)(x)
        x = keras.layers.MaxPooling2D(pool, strides, name=f"pool{i}")(x)
    if pooling == "avg":
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    elif include_top or pooling == "penultimate":
        x = keras.layers.Flatten(name="flatten")(x)
    if include_top:
        x = keras.layers.Dropout(0.5, name="dropout_4")(x)
        x = keras.layers.Dense(classes, activation=classifier_activation, name="dense")(x)
    return finish(inputs, x, name, source)


register_model(
    musicnn_vgg,
    paper=f"{PAPER}: the package's VGG-like baseline (607,030 parameters)",
    tiny={"input_shape": (72, 64), "classes": 3, "n_mels": 64, "filters": 4},
    default_cfg={"input": "log_mel", "weights": ("mtt", "msd")},
)
