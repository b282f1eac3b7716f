"""Convolutional recurrent network (CRNN) for frame-wise labels: sound events and chords.

Cakir, Parascandolo, Heittola, Huttunen and Virtanen, "Convolutional Recurrent
Neural Networks for Polyphonic Sound Event Detection" (IEEE/ACM TASLP 2017), the
shape of the DCASE task 4 baselines: waveform -> in-graph log-mel -> conv blocks
(conv3x3-BN-ReLU, max-pool; time is pooled only in the first blocks, frequency
in every block) -> bidirectional GRU -> a dense layer per frame (sigmoid for
overlapping events, softmax for one label per frame such as a chord).
"""

import math

import keras

from zoo.audio import LogMelSpectrogram
from zoo.audio.presets import FRONT_ENDS
from zoo.registry import register_model
from zoo.validation import argument_error, check_choice, check_positive_int

__all__ = ["crnn", "crnn_sed", "CRNN_CONFIGS", "output_frames", "frame_seconds"]

# (filters, frequency pool, time pool) per conv block.
CRNN_CONFIGS = {
    "crnn_sed": ((32, 4, 2), (64, 4, 1), (64, 4, 1)),
}


def output_frames(samples, hop_length, blocks):
    """Frames the CRNN outputs for `samples` input samples.

    Args:
        samples: waveform length.
        hop_length: the log-mel hop.
        blocks: the `(filters, freq_pool, time_pool)` rows.

    Returns:
        int: `(1 + samples // hop_length) // prod(time pools)`.
    """
    return (1 + samples // hop_length) // math.prod(b[2] for b in blocks)


def frame_seconds(sample_rate, hop_length, blocks):
    """Seconds between two output frames."""
    return hop_length * math.prod(b[2] for b in blocks) / sample_rate


def crnn(
    num_classes,
    blocks=CRNN_CONFIGS["crnn_sed"],
    input_samples=None,
    sample_rate=FRONT_ENDS["events"]["sample_rate"],
    n_fft=FRONT_ENDS["events"]["n_fft"],
    hop_length=FRONT_ENDS["events"]["hop_length"],
    n_mels=FRONT_ENDS["events"]["n_mels"],
    gru_units=64,
    dropout=0.2,
    output_activation="sigmoid",
    name="crnn",
):
    """A CRNN: waveform `(batch, samples)` -> per-frame scores `(batch, frames, classes)`.

    Args:
        num_classes: event types (or chord classes).
        blocks: `(filters, freq_pool, time_pool)` per conv block; the product of
            the frequency pools must divide `n_mels`.
        input_samples: waveform length, or None for any length.
        sample_rate: Hz of the input.
        n_fft: log-mel FFT length.
        hop_length: log-mel hop; output frames are `hop_length * prod(time pools)`
            samples apart (`frame_seconds`).
        n_mels: mel bands.
        gru_units: units of each direction of the GRU.
        dropout: dropout after the conv blocks and the GRU.
        output_activation: `"sigmoid"` (overlapping events) or `"softmax"`.
        name: model name.

    Returns:
        A `keras.Model`; `output_frames(samples, hop_length, blocks)` frames.

    Example:
        >>> model = zoo.events.crnn(3, input_samples=16000)
        >>> model.output_shape
        (None, 25, 3)
    """
    check_positive_int("num_classes", num_classes)
    check_positive_int("gru_units", gru_units)
    check_choice("output_activation", output_activation, ("sigmoid", "softmax"))
    if input_samples is not None:
        check_positive_int("input_samples", input_samples, minimum=n_fft)
    if not 0.0 <= dropout < 1.0:
        raise argument_error("dropout", dropout, "Need 0 <= dropout < 1.")
    blocks = tuple(tuple(int(v) for v in b) for b in blocks)
    if not blocks or any(len(b) != 3 or min(b) < 1 for b in blocks):
        raise argument_error("blocks", blocks, "Need rows of three positive integers.")
    freq = n_mels // math.prod(b[1] for b in blocks)
    if freq < 1 or n_mels % math.prod(b[1] for b in blocks):
        raise argument_error("blocks", blocks, f"Frequency pools must divide n_mels={n_mels}.")

    inputs = keras.Input((input_samples,), name="waveform")
    x = LogMelSpectrogram(sample_rate, n_fft, hop_length, n_mels, name="logmel")(inputs)
    x = keras.layers.Permute((2, 1, 3), name="time_first")(x)  # (frames, mels, 1)
    x = keras.layers.BatchNormalization(axis=2, name="mel_norm")(x)
    for i, (filters, freq_pool, time_pool) in enumerate(blocks, start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"block{i}_conv")(
            x
        )
        x = keras.layers.BatchNormalization(name=f"block{i}_bn")(x)
        x = keras.layers.Activation("relu", name=f"block{i}_relu")(x)
        x = keras.layers.MaxPooling2D((time_pool, freq_pool), name=f"block{i}_pool")(x)
    x = keras.layers.Reshape((-1, freq * blocks[-1][0]), name="frames")(x)
    x = keras.layers.Dropout(dropout, name="conv_dropout")(x)
    x = keras.layers.Bidirectional(
        keras.layers.GRU(gru_units, return_sequences=True), name="bigru"
    )(x)
    x = keras.layers.Dropout(dropout, name="gru_dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation=output_activation, name="frame_scores")(x)
    return keras.Model(inputs, outputs, name=name)


@register_model(
    paper="Cakir et al. 2017 (CRNN); DCASE task 4 baseline",
    tiny=dict(
        num_classes=3,
        input_samples=4096,
        n_fft=256,
        hop_length=128,
        n_mels=16,
        blocks=((4, 2, 2), (4, 2, 1)),
        gru_units=4,
    ),
    loss="binary_crossentropy",
    example=lambda model, batch_size, seed: _example(model, batch_size, seed),
)
def crnn_sed(num_classes=10, input_samples=None, **kwargs):
    """The sound-event CRNN (3 blocks 32/64/64, time pool 2 then frequency-only, BiGRU 64).

    At 10 classes, 16 kHz, 64 mels: 107,690 parameters (448 of them non-trainable
    batch-norm statistics); one output frame per 40 ms.

    Args:
        num_classes: event types.
        input_samples: waveform length, or None for any length.
        **kwargs: other `crnn` arguments.

    Returns:
        A `keras.Model` with frame-wise sigmoid outputs.

    Example:
        >>> zoo.create_model("crnn_sed").count_params()
        107690
    """
    kwargs.setdefault("name", "crnn_sed")
    kwargs.setdefault("blocks", CRNN_CONFIGS["crnn_sed"])
    return crnn(num_classes, input_samples=input_samples, **kwargs)


def _example(model, batch_size, seed):
    """Random waveforms and 0/1 frame targets for the binary cross-entropy harness step."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, model.input_shape[1])).astype("float32")
    y = (rng.random(model(x[:1]).shape[1:]) > 0.5).astype("float32")
    return x, np.broadcast_to(y, (batch_size,) + y.shape).copy()
