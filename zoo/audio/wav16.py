"""Canonical PCM16 WAV in `tf.data`: a header test and a decoder in a handful of ops.

Each op in a `tf.data` map costs microseconds of executor time per file; the
header test used to take about 70 scalar string ops, and `tf.audio.decode_wav`
converts sample by sample, which together made decoding cost twice librosa's
`load`. Here the 44-byte header is one `uint8` vector checked against a
template and read with one matrix product, and the samples are a `decode_raw`.
"""

import numpy as np
import tensorflow as tf

from zoo.audio.checks import MAX_RATE, MIN_RATE

__all__ = ["pcm16_header", "decode_pcm16"]

HEADER_BYTES = 44


def _template():
    """The bytes every canonical PCM16 WAV header has, and which of them are fixed."""
    fixed = {
        0: b"RIFF",
        8: b"WAVE",
        12: b"fmt \x10\x00\x00\x00",  # 16-byte fmt chunk: nothing between it and data
        20: b"\x01\x00",  # integer PCM
        34: b"\x10\x00",  # 16 bits per sample
        36: b"data",
    }
    value, mask = np.zeros(HEADER_BYTES, np.uint8), np.zeros(HEADER_BYTES, np.uint8)
    for start, text in fixed.items():
        value[start : start + len(text)] = np.frombuffer(text, np.uint8)
        mask[start : start + len(text)] = 0xFF
    return value, mask


_VALUE, _MASK = _template()
# Little-endian fields as one product: channels, rate, byte rate, block align, data size.
_FIELDS = ((22, 2), (24, 4), (28, 4), (32, 2), (40, 4))
_WEIGHTS = np.zeros((HEADER_BYTES, len(_FIELDS)), np.float64)  # float64: exact below 2**53
for _column, (_start, _length) in enumerate(_FIELDS):
    _WEIGHTS[_start : _start + _length, _column] = 256.0 ** np.arange(_length)


def pcm16_header(contents):
    """Graph test for a canonical, complete PCM16 WAV: 16-byte fmt chunk, then data.

    Anything else (extra chunks, other encodings, no frames, a data size that
    disagrees with the file length, i.e. truncation, fields that disagree or
    an implausible rate) should take the soundfile path, whose errors name the file.

    Args:
        contents: scalar string tensor, the whole file.

    Returns:
        `(ok, channels, rate)`: scalar bool, int32 and int32 tensors.

    Example:
        >>> import soundfile  # a half-second clip at 8 kHz, in the current folder
        >>> soundfile.write("clip.wav", np.zeros(4000, "float32"), 8000, "PCM_16")
        >>> ok, channels, rate = pcm16_header(tf.io.read_file("clip.wav"))
        >>> bool(ok), int(channels), int(rate)
        (True, 1, 8000)
    """
    head = tf.io.decode_raw(contents, tf.uint8, fixed_length=HEADER_BYTES)  # zero-padded
    fixed = tf.reduce_all(tf.equal(tf.bitwise.bitwise_and(head, _MASK), _VALUE))
    fields = tf.matmul(tf.cast(head, tf.float64)[None], _WEIGHTS)[0]
    channels, rate, byte_rate, align, size = tf.unstack(fields)
    length = tf.cast(tf.strings.length(contents), tf.float64)
    frame_bytes = 2.0 * channels
    # The fields a decoder trusts but a corrupt header can get wrong.
    consistent = tf.reduce_all(
        tf.stack(
            [
                channels > 0,
                size > 0,  # no frames: soundfile's error says so and names the file
                rate >= MIN_RATE,
                rate <= MAX_RATE,
                tf.equal(align, frame_bytes),
                tf.equal(byte_rate, frame_bytes * rate),
                tf.equal(size + HEADER_BYTES, length),  # complete, nothing after
                tf.equal(tf.math.floormod(size, tf.maximum(frame_bytes, 1.0)), 0.0),
            ]
        )
    )
    return fixed & consistent, tf.cast(channels, tf.int32), tf.cast(rate, tf.int32)


def decode_pcm16(contents, channels):
    """Samples of a file `pcm16_header` accepted, as float32 `(frames, channels)`.

    Bit-identical to `tf.audio.decode_wav` (`sample / 32768`).

    Example:
        >>> import soundfile  # a half-second clip at 8 kHz, in the current folder
        >>> soundfile.write("clip.wav", np.zeros(4000, "float32"), 8000, "PCM_16")
        >>> contents = tf.io.read_file("clip.wav")
        >>> decode_pcm16(contents, pcm16_header(contents)[1]).shape
        TensorShape([4000, 1])
    """
    samples = tf.io.decode_raw(contents, tf.int16, little_endian=True)[HEADER_BYTES // 2 :]
    wave = tf.cast(samples, tf.float32) * (1.0 / 32768.0)
    return tf.reshape(wave, [-1, channels])
