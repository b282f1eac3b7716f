"""Decoding audio files to float32 waveforms in [-1, 1], eagerly or in `tf.data`.

Every failure is an `AudioDecodeError` that names the file and the problem;
NaN/Inf samples and float files peaking above full scale are errors, never
silently cleaned, so they cannot reach a model.
"""

import dataclasses
import io
import os

import numpy as np
import soundfile as sf
import tensorflow as tf

from zoo.audio.backend import tfio_module
from zoo.audio.clips import to_mono
from zoo.audio.resample import resample

__all__ = ["AudioDecodeError", "AudioInfo", "info", "load", "decode_file"]

_FLOAT_SUBTYPES = ("FLOAT", "DOUBLE")
# tensorflow-io 0.37.1 reads 32-bit integer WAV as if it were float (garbage up
# to 1e38; found by tests/test_bad_audio.py in the TF 2.16 lane) and cannot read
# 64-bit float WAV: soundfile decodes those on every backend.
_TFIO_UNSAFE_SUBTYPES = ("PCM_32", "DOUBLE")
_INT_SCALE = {np.dtype("int16"): 32768.0, np.dtype("int32"): 2147483648.0}


class AudioDecodeError(ValueError):
    """A file that cannot be used as audio; `str()` names the file and problem."""

    def __init__(self, path, problem):
        self.path, self.problem = str(path), problem
        super().__init__(f"{self.path}: {problem}")


@dataclasses.dataclass(frozen=True)
class AudioInfo:
    """Header facts about an audio file (see `info`)."""

    path: str
    sample_rate: int
    frames: int
    channels: int
    format: str
    subtype: str


def _check_path(path):
    if not os.path.exists(path):
        raise AudioDecodeError(path, "no such file; check the path.")
    if os.path.isdir(path):
        raise AudioDecodeError(path, "is a directory, not an audio file; rename or remove it.")
    if not os.access(path, os.R_OK):
        raise AudioDecodeError(path, "permission denied; make the file readable (chmod +r).")
    if os.path.getsize(path) == 0:
        raise AudioDecodeError(path, "empty file (0 bytes); re-export or remove it.")


def _sf_call(path, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except PermissionError as e:
        raise AudioDecodeError(path, f"permission denied ({e}); make the file readable.") from e
    except (sf.LibsndfileError, RuntimeError, EOFError, TypeError) as e:
        reason = getattr(e, "error_string", None) or str(e)  # libsndfile's words, no object reprs
        raise AudioDecodeError(
            path,
            f"not a readable audio file ({reason.rstrip('.')}); it may be truncated, corrupt, or not audio "
            "despite its extension. Re-export it as WAV/FLAC or remove it.",
        ) from e


def _check_samples(path, data, subtype):
    """Reject empty, non-finite and (for float files) over-range audio."""
    if data.shape[0] == 0:
        raise AudioDecodeError(path, "has zero audio frames; remove it or re-export it.")
    finite = np.isfinite(data)
    if not finite.all():
        raise AudioDecodeError(
            path,
            f"has {int(data.size - finite.sum())} NaN/Inf samples; repair or remove the file.",
        )
    if subtype in _FLOAT_SUBTYPES:
        peak = float(np.abs(data).max())
        if peak > 1.0:
            raise AudioDecodeError(
                path, f"float samples peak at {peak:.4g}, outside [-1, 1]; normalise it."
            )


def info(path, check_samples=True):
    """Read an audio file's header and check it is usable.

    Args:
        path: file path.
        check_samples: for float files (the only ones that can hold NaN/Inf
            or exceed full scale) also read the samples and check them.

    Returns:
        An `AudioInfo`.

    Raises:
        AudioDecodeError: naming the file and the problem.

    Example:
        >>> zoo.audio.info("clip.wav").sample_rate
        16000
    """
    path = os.fspath(path)
    _check_path(path)
    meta = _sf_call(path, sf.info, path)
    if meta.frames <= 0:
        raise AudioDecodeError(path, "has zero audio frames; remove it or re-export it.")
    if check_samples and meta.subtype in _FLOAT_SUBTYPES:
        data, _ = _sf_call(path, sf.read, path, dtype="float32", always_2d=True)
        _check_samples(path, data, meta.subtype)
    return AudioInfo(
        path, int(meta.samplerate), int(meta.frames), int(meta.channels), meta.format, meta.subtype
    )


def _read_tfio(tfio, path):
    """Decode with tensorflow-io; None when it cannot (soundfile then decides)."""
    try:
        audio = tfio.audio.AudioIOTensor(path)
        data = audio.to_tensor().numpy()
        rate = int(audio.rate.numpy())
    except Exception:
        return None
    if data.dtype == np.uint8:
        data = (data.astype("float32") - 128.0) / 128.0
    elif data.dtype in _INT_SCALE:
        data = data.astype("float32") / _INT_SCALE[data.dtype]
    elif data.dtype != np.float32:
        return None
    return (data[:, None] if data.ndim == 1 else data), rate


def _read(path, source=None):
    """`(float32 (frames, channels), rate, subtype)` from a path or its bytes."""
    target = io.BytesIO(source) if source is not None else path
    meta = _sf_call(path, sf.info, target)
    if meta.frames == 0:
        raise AudioDecodeError(path, "has zero audio frames; remove it or re-export it.")
    if source is not None:
        target.seek(0)
    tfio = tfio_module() if source is None and meta.subtype not in _TFIO_UNSAFE_SUBTYPES else None
    decoded = _read_tfio(tfio, path) if tfio is not None else None
    if decoded is None:
        decoded = _sf_call(path, sf.read, target, dtype="float32", always_2d=True)
    data, rate = decoded
    _check_samples(path, data, meta.subtype)
    return np.ascontiguousarray(data, dtype=np.float32), int(rate)


def load(path, sample_rate=None, mono=True):
    """Decode an audio file to a float32 waveform in [-1, 1].

    WAV (8/16/24/32-bit integer and 32/64-bit float), FLAC, OGG/Vorbis and
    MP3, decoded by tensorflow-io where its kernels load, else by soundfile
    (see `zoo.audio.backend()`). The format comes from the content, not the
    extension.

    Args:
        path: file path.
        sample_rate: resample to this rate (Hz); None keeps the file's rate.
        mono: average channels to a `(samples,)` array; False keeps
            `(samples, channels)`.

    Returns:
        `(waveform, rate)`: float32 NumPy array and int rate in Hz.

    Raises:
        AudioDecodeError: a missing, unreadable, empty, corrupt or non-audio
            file, zero frames, or NaN/Inf samples; the message names the file.

    Example:
        >>> wave, rate = zoo.audio.load("clip.flac", sample_rate=16000)
    """
    path = os.fspath(path)
    _check_path(path)
    data, rate = _read(path)
    wave = tf.constant(data)
    if sample_rate is not None and int(sample_rate) != rate:
        wave, rate = resample(wave, rate, int(sample_rate)), int(sample_rate)
    if mono:
        wave = to_mono(wave)
    return wave.numpy().astype(np.float32), rate


def _decode_bytes(contents, path):
    # numpy_function hands over 0-d object arrays holding `bytes`.
    contents, path = np.asarray(contents).item(), np.asarray(path).item()
    path = path.decode("utf-8", "replace") if isinstance(path, bytes) else str(path)
    data, rate = _read(path, source=contents)
    return data, np.int32(rate)


def _is_pcm16_wav(contents):
    """Graph test for a canonical, complete PCM16 WAV: 16-byte fmt chunk, then data.

    Anything else (extra chunks, other encodings, a data size that disagrees
    with the file length, i.e. truncation) takes the soundfile path, whose
    errors name the file.
    """
    head = tf.strings.join([tf.strings.substr(contents, 0, 44), "\0" * 44])

    def field(pos, length, value):
        return tf.equal(tf.strings.substr(head, pos, length), value)

    data_size = tf.io.decode_raw(tf.strings.substr(head, 40, 4), tf.int32, little_endian=True)[0]
    length = tf.cast(tf.strings.length(contents), tf.int64)
    complete = tf.equal(tf.cast(data_size, tf.int64) + 44, length)
    return (
        field(0, 4, "RIFF")
        & field(8, 4, "WAVE")
        & field(12, 8, "fmt \x10\x00\x00\x00")
        & field(20, 2, "\x01\x00")
        & field(34, 2, "\x10\x00")
        & field(36, 4, "data")
        & complete
    )


def decode_file(path, sample_rate=None, mono=True):
    """Decode an audio file inside a `tf.data` pipeline (graph mode).

    PCM16 WAV takes the native `tf.audio.decode_wav` fast path; every other
    format goes through soundfile in a `tf.numpy_function`, with the checks of
    `load` (errors name the file). Resampling is in TensorFlow ops.

    Args:
        path: scalar string tensor.
        sample_rate: resample to this rate (Hz); None keeps the file's rate.
        mono: average channels; False keeps `(samples, channels)`.

    Returns:
        `(waveform, rate)`: float32 tensor `(samples,)` or `(samples, channels)`
        and int32 scalar rate.

    Example:
        >>> ds = tf.data.Dataset.from_tensor_slices(paths).map(
        ...     lambda p: zoo.audio.decode_file(p, 16000)[0])
    """
    path = tf.convert_to_tensor(path, tf.string)
    contents = tf.io.read_file(path)

    def native():
        wave, rate = tf.audio.decode_wav(contents)
        return wave, tf.cast(rate, tf.int32)

    def fallback():
        wave, rate = tf.numpy_function(
            _decode_bytes, [contents, path], (tf.float32, tf.int32), stateful=False
        )
        return tf.ensure_shape(wave, [None, None]), tf.ensure_shape(rate, [])

    wave, rate = tf.cond(_is_pcm16_wav(contents), native, fallback)
    tf.debugging.Assert(
        tf.shape(wave)[0] > 0, ["zoo.audio.decode_file: zero audio frames in", path]
    )
    if sample_rate is not None:
        target = tf.constant(int(sample_rate), tf.int32)
        wave = tf.cond(
            tf.equal(rate, target),
            lambda: wave,
            lambda: resample(wave, rate, target, method="polyphase"),
        )
        rate = target
    if mono:
        wave = to_mono(wave)
    return wave, rate
