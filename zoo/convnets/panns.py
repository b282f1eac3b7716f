"""PANNs CNN6, CNN10 and CNN14 (Kong et al. 2020, "PANNs: Large-Scale Pretrained Audio
Neural Networks for Audio Pattern Recognition"), as `pytorch/models.py` of
qiuqiangkong/audioset_tagging_cnn builds them, from the log-mel spectrogram on.

Architecture (eval-mode identical to the official forward pass):

- input: log-mel `(frames, mel_bins, 1)`, channels last (official: `(batch, 1,
  frames, mel_bins)`); `(frames, mel_bins)` also works. 10 s at 32 kHz with
  hop 320 is 1001 frames; the default `(None, 64, 1)` takes any length >= 16
  frames (32 for CNN14), since the pooling below removes the time axis.
- `bn0`: batch norm over the MEL axis (the official transposes so that
  `BatchNorm2d(64)` normalises each mel bin over batch and time); its moving
  statistics have shape `(mel_bins,)`.
- `conv_block{i}`: CNN10/CNN14 `ConvBlock` = 2 x (3x3 conv without bias, BN,
  ReLU) then 2x2 average pooling; CNN6 `ConvBlock5x5` = one 5x5 conv, BN,
  ReLU, pool. Dropout 0.2 after every block. CNN14's sixth block pools 1x1
  (the identity), so it has no pooling layer.
- `global_pool`: mean over frequency, then max + mean over time
  (`PannsGlobalPooling`); dropout 0.5; `fc1` (ReLU): the embedding.
- `fc_audioset`: the classifier, fed by `fc1` without dropout (as the official
  `clipwise_output`); sigmoid for AudioSet's 527 multi-label classes.

Torch semantics kept: BN `eps=1e-5`, momentum 0.1 (Keras 0.9); Glorot uniform
kernels, zero biases, BN gamma 1, beta 0 (`init_layer`, `init_bn`); `"same"`
padding; average pooling floors odd sizes.

Parameter counts (527 classes, 64 mel bins; `PANNS_PARAMETERS`): Keras's
trainable count is the network's. The official `sum(p.numel() for p in
model.parameters())` adds torchlibrosa's frozen front end (`conv_real`,
`conv_imag`: `Conv1d(1, 513, 1024)` each; `melW`: 513 x 64; 1,083,456 in all),
which this log-mel model leaves out. BN running statistics are torch buffers
(Keras: non-trainable weights). The paper's 4.8 M / 5.2 M / 80.8 M round the
network count, not the official total (5.9 M / 6.3 M / 81.8 M).

Layer names follow the official modules (`bn0`, `conv_block1_conv1`,
`conv_block1_bn1`, ..., `fc1`, `fc_audioset`) so a converted checkpoint loads by
name: torch `conv_block1.conv1.weight` is Keras layer `conv_block1_conv1`.
Layouts: Conv2d `(out, in, kh, kw)` -> Keras `(kh, kw, in, out)` (kh runs over
time in both); Linear `(out, in)` -> `(in, out)`; BN `weight, bias,
running_mean, running_var` -> `gamma, beta, moving_mean, moving_variance`.
`zoo.convnets.panns_checkpoint` does this for the official `.pth` files.
"""

import collections

import keras

from zoo.convnets.inputs import check_input_agreement, model_input
from zoo.convnets.panns_checkpoint import check_weights, load_torch_checkpoint
from zoo.convnets.panns_layers import PANNS_AUDIO, PannsGlobalPooling, panns_log_mel
from zoo.registry import register_model
from zoo.validation import check_choice, check_positive_int, argument_error

__all__ = [
    "PANNS_AUDIO",
    "PANNS_CONFIGS",
    "PANNS_PARAMETERS",
    "PannsConfig",
    "cnn6",
    "cnn10",
    "cnn14",
    "cnn10_compact",
    "panns",
    "panns_log_mel",
]

PannsConfig = collections.namedtuple("PannsConfig", "kernel_size convs widths pools")

# Architecture as data: kernel, convs per block, block widths, pool size per block.
PANNS_CONFIGS = {
    "cnn6": PannsConfig(5, 1, (64, 128, 256, 512), (2, 2, 2, 2)),
    "cnn10": PannsConfig(3, 2, (64, 128, 256, 512), (2, 2, 2, 2)),
    "cnn14": PannsConfig(3, 2, (64, 128, 256, 512, 1024, 2048), (2, 2, 2, 2, 2, 1)),
    # Not in the paper: CNN10's layout at 1/4 width, what `audiozoo finetune` trains
    # from scratch when no pretrained weights load (small data, 2 CPU cores).
    "cnn10_compact": PannsConfig(3, 2, (16, 32, 64, 128), (2, 2, 2, 2)),
}

# name -> (network parameters = Keras trainable, official model.parameters() total
# with the frozen STFT/mel front end, the paper's rounded figure).
PANNS_PARAMETERS = {
    "cnn6": (4_837_455, 5_920_911, "4.8M"),
    "cnn10": (5_219_279, 6_302_735, "5.2M"),
    "cnn14": (80_753_615, 81_837_071, "80.8M"),
    "cnn10_compact": (378_335, None, "0.4M"),  # no official model
}

POOLINGS = (None, "avg", "max", "panns", "embedding")
MEL_BINS = 64
BN = {"epsilon": 1e-5, "momentum": 0.9}  # torch eps, 1 - torch momentum 0.1
BLOCK_DROPOUT, HEAD_DROPOUT = 0.2, 0.5


def _log_mel_input(input_tensor, input_shape, in_channels, min_size):
    """Validate the input arguments; return `(inputs, x)` with `x` of rank 4."""
    if in_channels is not None:
        check_positive_int("in_channels", in_channels)
    if input_tensor is not None and not keras.backend.is_keras_tensor(input_tensor):
        raise argument_error(
            "input_tensor", input_tensor, "`input_tensor` must be a Keras tensor (keras.Input)."
        )
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    if input_shape is None:
        input_shape = (None, MEL_BINS, in_channels or 1)
    try:
        shape = tuple(None if d is None else int(d) for d in input_shape)
    except (TypeError, ValueError):
        shape = ()
    problem = "`input_shape` must be (frames, mel_bins[, channels]) with a fixed mel_bins"
    if len(shape) not in (2, 3) or shape[1] is None or (len(shape) == 3 and not shape[2]):
        raise argument_error("input_shape", input_shape, problem + ".")
    if any(d is not None and d < min_size for d in shape[:2]):
        raise argument_error(
            "input_shape",
            input_shape,
            f"{problem}; frames and mel_bins must be at least {min_size} (the poolings halve "
            "them).",
        )
    channels = shape[2] if len(shape) == 3 else 1
    check_input_agreement(input_shape, shape, channels, in_channels, input_tensor)
    inputs, x = model_input(input_tensor, shape, "log_mel")
    if len(shape) == 2:
        x = keras.layers.Reshape((-1, shape[1], 1), name="add_channel")(x)
    return inputs, x


def _conv_block(x, index, width, config, pool):
    prefix = f"conv_block{index}"
    for j in range(1, config.convs + 1):
        x = keras.layers.Conv2D(
            width,
            config.kernel_size,
            padding="same",
            use_bias=False,
            kernel_initializer="glorot_uniform",
            name=f"{prefix}_conv{j}",
        )(x)
        x = keras.layers.BatchNormalization(name=f"{prefix}_bn{j}", **BN)(x)
        x = keras.layers.ReLU(name=f"{prefix}_relu{j}")(x)
    if pool > 1:
        x = keras.layers.AveragePooling2D(pool, name=f"{prefix}_pool")(x)
    return keras.layers.Dropout(BLOCK_DROPOUT, name=f"{prefix}_dropout")(x)


def panns(
    config="cnn14",
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=527,
    classifier_activation="sigmoid",
    name=None,
    in_channels=None,
    width=1.0,
):
    """Build PANNs CNN6, CNN10 or CNN14 on log-mel input (see the module docstring).

    Args:
        config: `"cnn6"`, `"cnn10"`, `"cnn14"` or `"cnn10_compact"` (a key of
            `PANNS_CONFIGS`; the last is CNN10 at 1/4 width, not in the paper).
        include_top: end in `fc1` (embedding, ReLU) and `fc_audioset` (the classifier).
        weights: `None` (random, the official init), a Keras `.weights.h5` file saved
            from the same architecture, or an official `.pth` checkpoint
            (`Cnn14_mAP=0.431.pth`, ...; read without torch).
        input_tensor: optional Keras tensor to build on.
        input_shape: `(frames, mel_bins[, channels])`; default `(None, 64, 1)`.
            `mel_bins` must be fixed (`bn0` normalises each bin).
        pooling: only with `include_top=False`: `None` (the last block's feature
            map, `(batch, frames', mels', C)`), `"avg"`, `"max"` (Keras global
            pooling), `"panns"` (the official mean-over-frequency then max +
            mean over time, `(batch, C)`), or `"embedding"` (that, dropout 0.5,
            `fc1` and dropout 0.5: the official `embedding` output, layer name
            `embedding`; what the official fine-tuning template trains on).
        classes: outputs of `fc_audioset` (527 for AudioSet).
        classifier_activation: activation of `fc_audioset` (`None` for logits).
        name: model name (default: the config name).
        in_channels: input channels (taken from `input_shape` when given; default 1);
            a `.pth` checkpoint's mono `conv_block1_conv1` is repeated over them / C.
        width: multiplies every block width and the embedding size (not in the
            paper; 1.0 is the published network, smaller values make compact
            variants and the test harness's tiny models).

    Returns:
        A `keras.Model`.

    Example:
        >>> model = zoo.cnn10(include_top=False, pooling="embedding")
        >>> model.output.shape
        (None, 512)
    """
    arch = check_choice("config", config, tuple(PANNS_CONFIGS))
    spec = PANNS_CONFIGS[arch]
    check_choice("pooling", pooling, POOLINGS)
    if include_top and pooling is not None:
        raise argument_error("pooling", pooling, "`pooling` applies only with include_top=False.")
    if include_top:
        check_positive_int("classes", classes)
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not width > 0:
        raise argument_error("width", width, "`width` must be a positive number.")
    weights = check_weights(weights)  # before building: a bad path fails in milliseconds
    min_size = 1
    for pool in spec.pools:
        min_size *= pool
    inputs, x = _log_mel_input(input_tensor, input_shape, in_channels, min_size)
    widths = [max(1, round(w * width)) for w in spec.widths]

    # Official: transpose(1, 3), BatchNorm2d(mel_bins), transpose back.
    x = keras.layers.BatchNormalization(axis=2, name="bn0", **BN)(x)
    for index, (w, pool) in enumerate(zip(widths, spec.pools), start=1):
        x = _conv_block(x, index, w, spec, pool)
    if include_top or pooling in ("panns", "embedding"):
        x = PannsGlobalPooling(name="global_pool")(x)
    if include_top or pooling == "embedding":
        x = keras.layers.Dropout(HEAD_DROPOUT, name="fc1_dropout")(x)
        x = keras.layers.Dense(widths[-1], activation="relu", name="fc1")(x)
    if include_top:
        x = keras.layers.Dense(classes, activation=classifier_activation, name="fc_audioset")(x)
    elif pooling == "embedding":
        x = keras.layers.Dropout(HEAD_DROPOUT, name="embedding")(x)
    elif pooling == "avg":
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = keras.Model(inputs, x, name=name or arch)
    if weights is None:
        return model
    if weights.endswith((".pth", ".pt")):
        return load_torch_checkpoint(model, weights)
    model.load_weights(weights)
    return model


_TINY = {"input_shape": (32, 32, 1), "classes": 3, "width": 0.125}
_PAPER = "Kong et al. 2020, PANNs {}"


def _variant(config, title, paper=None):
    def builder(**kwargs):
        return panns(config, **kwargs)

    builder.__name__ = builder.__qualname__ = config
    builder.__doc__ = (
        f"PANNs {title} ({PANNS_PARAMETERS[config][2]} parameters); see `zoo.convnets.panns.panns`"
        " for the arguments.\n\n"
        f'Example:\n    >>> model = zoo.create_model("{config}", include_top=False, pooling="embedding")\n'
    )
    paper = f"{paper or _PAPER.format(title)} ({PANNS_PARAMETERS[config][2]} trainable)"
    # Log-mel frames in; official `.pth` checkpoints load by name (none offline).
    cfg = {"input": "log_mel", "weights": ()}
    return register_model(builder, paper=paper, tiny=_TINY, default_cfg=cfg)


cnn6 = _variant("cnn6", "CNN6")
cnn10 = _variant("cnn10", "CNN10")
cnn14 = _variant("cnn14", "CNN14")
cnn10_compact = _variant(
    "cnn10_compact", "CNN10 compact", paper="Kong et al. 2020 CNN10 layout at 1/4 width"
)
