"""musicnn (Pons & Serra 2019, "musicnn: pre-trained convolutional neural networks for
music audio tagging"), as `musicnn/models.py` of the musicnn 0.1.0 package builds it.

Input: log-mel patches `(batch, frames, 96)` (`MusicnnLogMel`; the published
models saw 187 frames = 3 s, but any length >= 1 works), or 16 kHz waveforms
with `include_preprocessing=True`.

- front end: BN over the input (`batch_normalization`); timbral convs of 7 frames
  x 38 / 67 mel bands (40 % / 70 % of them; 204 filters, time padded 3+3,
  valid in frequency) and temporal convs of 128 / 64 / 32 frames x 1 band (51
  filters, "same"), each ReLU, BN, max over frequency; concatenated: 561 maps.
- mid end: three convs of 7 frames over all maps (64 filters, ReLU, BN), the
  second and third with residual connections; the front end and the three
  outputs concatenated: 753 features per frame.
- back end: max and mean over time (interleaved per feature, 1506), BN,
  dropout 0.5, `dense` (200, ReLU), BN (the official "penultimate"), dropout
  0.5, `dense_1` (classes).

Layer names are the official TF1 variable scopes, so the checkpoints load by
name (`zoo.musicnn.checkpoint`); BN keeps TF1's epsilon 1e-3, momentum 0.99.
792,079 parameters (MTT / MSD; `PARAMETERS`).
"""

import keras

from zoo.musicnn.checkpoint import load_checkpoint, resolve_weights
from zoo.musicnn.layers import MusicnnLogMel, check_samples
from zoo.registry import register_model
from zoo.validation import argument_error, check_choice, check_positive_int

__all__ = [
    "BN",
    "PAPER",
    "PARAMETERS",
    "POOLINGS",
    "build_input",
    "check_arguments",
    "finish",
    "musicnn",
]

BN = {"epsilon": 1e-3, "momentum": 0.99}  # tf.compat.v1.layers.batch_normalization
POOLINGS = (None, "avg", "max", "max_mean", "penultimate")
PAPER = "Pons & Serra 2019, musicnn"
# Sum of the checkpoint's model variables (NewCheckpointReader, no Adam slots).
PARAMETERS = {"musicnn": 792_079, "musicnn_vgg": 607_030}


def build_input(input_shape, n_mels, include_preprocessing, min_frames=1, pad_mode="constant"):
    """Return `(inputs, log_mel)`: the model input and the `(batch, frames, n_mels)` tensor."""
    if include_preprocessing:
        shape = (None,) if input_shape is None else tuple(input_shape)
        if len(shape) != 1:
            raise argument_error(
                "input_shape",
                input_shape,
                "With include_preprocessing, `input_shape` is (samples,).",
            )
        check_samples(shape[0], 512, pad_mode)
        inputs = keras.Input(shape, name="waveform")
        return inputs, MusicnnLogMel(n_mels=n_mels, pad_mode=pad_mode, name="log_mel")(inputs)
    shape = (None, n_mels) if input_shape is None else tuple(input_shape)
    if len(shape) == 3 and shape[2] == 1:
        shape = shape[:2]
    if len(shape) != 2 or shape[1] != n_mels or (shape[0] is not None and shape[0] < min_frames):
        raise argument_error(
            "input_shape",
            input_shape,
            f"`input_shape` must be (frames, {n_mels}) with frames >= {min_frames} (or None).",
        )
    return (inputs := keras.Input(shape, name="log_mel")), inputs


def check_arguments(include_top, pooling, classes, weights, arch):
    check_choice("pooling", pooling, POOLINGS)
    if include_top and pooling is not None:
        raise argument_error("pooling", pooling, "`pooling` applies only with include_top=False.")
    if include_top:
        check_positive_int("classes", classes)
    return resolve_weights(weights, arch)  # before building: bad paths fail at once


def finish(inputs, outputs, name, source):
    """The model, with `source` (from `resolve_weights`) loaded."""
    model = keras.Model(inputs, outputs, name=name)
    if source is not None:
        kind, path = source
        if kind == "h5":
            model.load_weights(path)
        else:
            load_checkpoint(model, path)
    return model


def _conv_bn(x, filters, kernel, conv, bn, padding):
    x = keras.layers.Conv2D(filters, kernel, padding=padding, activation="relu", name=conv)(x)
    return keras.layers.BatchNormalization(name=bn, **BN)(x)


def _freq_max(x, filters, tag):
    """Max over the frequency axis: `(b, t, f, c)` -> `(b, t, c)`."""
    x = keras.layers.MaxPooling2D((1, x.shape[2]), name=f"{tag}_freq_max")(x)
    return keras.layers.Reshape((-1, filters), name=f"{tag}_squeeze")(x)


def musicnn(
    include_top=True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes=50,
    classifier_activation="sigmoid",
    include_preprocessing=False,
    name="musicnn",
    n_mels=96,
    frontend_width=1.6,
    midend_filters=64,
    backend_units=200,
    pad_mode="constant",
):
    """Build musicnn (see the module docstring); MTT/MSD checkpoints load with `weights=`.

    Args:
        include_top: end in the back end's dense layers and `dense_1` (the tags).
        weights: `None`, `"mtt"` (MagnaTagATune), `"msd"` (Million Song Dataset),
            the `musicnn-0.1.0-py3-none-any.whl` wheel or a folder holding its
            checkpoints (MTT), one checkpoint folder, or a `.weights.h5` file.
        input_shape: `(frames, n_mels)` (default `(None, n_mels)`), or `(samples,)`
            with `include_preprocessing`.
        pooling: with include_top=False: `None` (the mid end's `(batch, frames, 753)`),
            `"avg"` / `"max"` (mean / max over time, 753), `"max_mean"` (both,
            interleaved as the official, 1506) or `"penultimate"` (the 200-unit
            layer after its BN, the official `penultimate` features).
        classes: tags (50 for the published models).
        classifier_activation: of `dense_1` (`None` gives the official logits).
        include_preprocessing: take 16 kHz waveforms `(batch, samples)` through
            `MusicnnLogMel`.
        name: model name.
        n_mels: mel bands (96 published); the timbral kernels span 40 % / 70 %.
        frontend_width: front-end filters per 128 (timbral) / 32 (temporal); 1.6
            published.
        midend_filters: mid-end conv filters (64 published).
        backend_units: units of the penultimate dense layer (200 published).
        pad_mode: `MusicnnLogMel`'s padding (`"constant"`: librosa >= 0.10).

    Returns:
        A `keras.Model`.

    Example:
        >>> model = musicnn(include_top=False, pooling="max_mean")
        >>> model.output.shape, model.count_params()
        ((None, 1506), 473805)
        >>> tagger = musicnn(weights="mtt")  # doctest: +SKIP
    """
    source = check_arguments(include_top, pooling, classes, weights, "musicnn")
    check_positive_int("n_mels", n_mels, minimum=2)
    inputs, x = build_input(input_shape, n_mels, include_preprocessing, pad_mode=pad_mode)
    x = keras.layers.Reshape((-1, n_mels, 1), name="expand_input")(x)
    x = keras.layers.BatchNormalization(name="batch_normalization", **BN)(x)
    padded = keras.layers.ZeroPadding2D(((3, 3), (0, 0)), name="input_pad_7")(x)
    timbral_filters, temporal_filters = int(frontend_width * 128), int(frontend_width * 32)
    front = []
    for i, share in enumerate((0.4, 0.7)):  # official int(0.4 * yInput), int(0.7 * yInput)
        kernel = (7, max(1, int(share * n_mels)))
        y = _conv_bn(padded, timbral_filters, kernel, _cv(i), _bn(i + 1), "valid")
        front.append(_freq_max(y, timbral_filters, f"timbral{i + 1}"))
    for i, frames in enumerate((128, 64, 32)):
        y = _conv_bn(x, temporal_filters, (frames, 1), _cv(i + 2), _bn(i + 3), "same")
        front.append(_freq_max(y, temporal_filters, f"temporal{i + 1}"))
    front = keras.layers.Concatenate(name="frontend")(front)  # (b, t, 561)

    width = front.shape[-1]
    y = keras.layers.Reshape((-1, width, 1), name="midend_expand")(front)
    features, previous = [front], None
    for i in range(3):
        y = keras.layers.ZeroPadding2D(((3, 3), (0, 0)), name=f"midend_pad{i + 1}")(y)
        y = _conv_bn(y, midend_filters, (7, y.shape[2]), _cv(i + 5), _bn(i + 6), "valid")
        y = keras.layers.Reshape((-1, midend_filters), name=f"cnn{i + 1}_t")(y)
        if previous is not None:
            y = keras.layers.Add(name=f"cnn{i + 1}")([y, previous])
        features.append(previous := y)
        y = keras.layers.Reshape((-1, midend_filters, 1), name=f"cnn{i + 1}_expand")(y)
    x = keras.layers.Concatenate(name="midend")(features)  # (b, t, 753)

    if not include_top and pooling is None:
        return finish(inputs, x, name, source)
    if pooling == "avg":
        return finish(
            inputs, keras.layers.GlobalAveragePooling1D(name="mean_pool")(x), name, source
        )
    if pooling == "max":
        return finish(inputs, keras.layers.GlobalMaxPooling1D(name="max_pool")(x), name, source)
    pools = [
        keras.layers.Reshape((-1, 1), name=f"{kind}_pool_expand")(
            keras.layers.GlobalMaxPooling1D(name="max_pool")(x)
            if kind == "max"
            else keras.layers.GlobalAveragePooling1D(name="mean_pool")(x)
        )
        for kind in ("max", "mean")
    ]
    x = keras.layers.Concatenate(name="max_mean_stack")(pools)
    x = keras.layers.Flatten(name="max_mean")(x)  # official order: max_0, mean_0, max_1, ...
    if pooling == "max_mean":
        return finish(inputs, x, name, source)
    x = keras.layers.BatchNormalization(name="batch_normalization_9", **BN)(x)
    x = keras.layers.Dropout(0.5, name="dropout")(x)
    x = keras.layers.Dense(backend_units, activation="relu", name="dense")(x)
    x = keras.layers.BatchNormalization(name="batch_normalization_10", **BN)(x)
    if include_top:
        x = keras.layers.Dropout(0.5, name="dropout_1")(x)
        x = keras.layers.Dense(classes, activation=classifier_activation, name="dense_1")(x)
    return finish(inputs, x, name, source)


def _cv(i):
    return "conv2d" if i == 0 else f"conv2d_{i}"


def _bn(i):
    return f"batch_normalization_{i}"


_TINY = {"input_shape": (24, 16), "classes": 3, "n_mels": 16, "frontend_width": 0.1}
_TINY.update(midend_filters=8, backend_units=8)
register_model(
    musicnn,
    paper=f"{PAPER} (792,079 parameters)",
    tiny=_TINY,
    default_cfg={"input": "log_mel", "weights": ("mtt", "msd")},
)
