"""Decoding audio files to float32 waveforms, eagerly or in `tf.data`.

Integer PCM decodes to [-1, 1]; float files keep their samples as written, above
full scale too (as librosa and soundfile read them). Every failure is an
`AudioDecodeError` that names the file and the problem; NaN/Inf samples are
errors, never silently cleaned, so they cannot reach a model.
"""

import dataclasses
import io
import os

import numpy as np
import soundfile as sf
import tensorflow as tf

from zoo.audio.backend import tfio_module
from zoo.audio.checks import (
    MAX_RATE,
    MIN_RATE,
    AudioDecodeError,
    check_path,
    check_samples,
    native_path,
    plain_wav,
    sf_call,
)
from zoo.audio.clips import to_mono
from zoo.audio.resample import resample
from zoo.audio.wav16 import decode_pcm16, pcm16_header

__all__ = ["AudioDecodeError", "AudioInfo", "info", "load", "decode_file"]

# Integer PCM in these containers is raw samples: any bytes decode, and libsndfile
# sizes a truncated body from the file length, so the header is enough. Every other
# encoding (FLAC, Vorbis, MP3, ADPCM, float) is decoded in full to be checked.
_RAW_CONTAINERS = ("WAV", "WAVEX", "AIFF", "W64", "RF64", "AU", "CAF")
_RAW_SUBTYPES = ("PCM_S8", "PCM_U8", "PCM_16", "PCM_24", "PCM_32")
# tensorflow-io 0.37.1 decodes only 8/16/24-bit integer WAV here. It reads 32-bit
# integer WAV as if it were float (garbage up to 1e38; found by test_bad_audio.py
# in the TF 2.16 lane); on corrupt FLAC it returns noise or loops forever, and
# corrupt Vorbis likewise (test_fuzz_decode.py): soundfile (libFLAC checks each
# frame's CRC) decodes every other file on every backend.
_TFIO_SUBTYPES = ("PCM_U8", "PCM_16", "PCM_24")
_INT_SCALE = {np.dtype("int16"): 32768.0, np.dtype("int32"): 2147483648.0}
# Frames per soundfile read: a corrupt header's frame count never sizes a buffer.
_BLOCK_SAMPLES = 1 << 20


@dataclasses.dataclass(frozen=True)
class AudioInfo:
    """Header facts about an audio file (see `info`)."""

    path: str
    sample_rate: int
    frames: int
    channels: int
    format: str
    subtype: str


def _header(path, target):
    meta = sf_call(path, sf.info, target)
    if meta.frames <= 0:
        raise AudioDecodeError(path, "has zero audio frames; remove it or re-export it.")
    if not (MIN_RATE <= meta.samplerate <= MAX_RATE and meta.channels > 0):
        raise AudioDecodeError(
            path,
            f"header says {meta.samplerate} Hz and {meta.channels} channel(s) (audio is "
            f"{MIN_RATE} to {MAX_RATE} Hz); the header is corrupt. Re-export or remove the file.",
        )
    return meta


def _read_blocks(target, channels):
    """All frames as float32 `(frames, channels)`, read block by block until the data ends."""
    blocks = []
    with sf.SoundFile(target) as f:
        while True:
            block = f.read(max(1, _BLOCK_SAMPLES // channels), dtype="float32", always_2d=True)
            if not len(block):
                break
            blocks.append(block)
    return np.concatenate(blocks) if blocks else np.zeros((0, channels), np.float32)


def _decode_all(path, target, meta):
    data = sf_call(path, _read_blocks, target, meta.channels)
    check_samples(path, data, meta.subtype)
    return data


def info(path, check_samples=True):
    """Read an audio file's header and check it is usable.

    Args:
        path: file path (str, bytes or os.PathLike; any bytes in the name).
        check_samples: decode the whole file, unless it is integer PCM in
            WAV/AIFF (raw samples: the header says all), and check the
            samples are there and finite, so a corrupt body is caught here.

    Returns:
        An `AudioInfo`; `frames` counts the decoded frames where the file was decoded.

    Raises:
        AudioDecodeError: naming the file and the problem.

    Example:
        >>> import soundfile  # a half-second clip at 8 kHz, in the current folder
        >>> soundfile.write("clip.wav", np.zeros(4000, "float32"), 8000)
        >>> zoo.audio.info("clip.wav").sample_rate
        8000
    """
    path = os.fsdecode(path)  # bytes too: non-UTF-8 names are kept as surrogates
    check_path(path)
    meta = _header(path, native_path(path))
    frames = meta.frames
    raw = meta.format in _RAW_CONTAINERS and meta.subtype in _RAW_SUBTYPES
    if check_samples and not raw:
        frames = len(_decode_all(path, native_path(path), meta))
    return AudioInfo(
        path, int(meta.samplerate), int(frames), int(meta.channels), meta.format, meta.subtype
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


def _utf8(path):
    try:
        path.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _read(path, source=None):
    """`(float32 (frames, channels), rate)` from a path or its bytes."""
    target = io.BytesIO(source) if source is not None else native_path(path)
    meta = _header(path, target)
    if source is not None:
        target.seek(0)
    # tensorflow-io takes text paths only; the rest (and its failures) go to soundfile.
    use_tfio = (
        source is None
        and meta.format in ("WAV", "WAVEX")
        and meta.subtype in _TFIO_SUBTYPES
        and _utf8(path)
        and plain_wav(path, meta.channels, meta.samplerate)
    )
    tfio = tfio_module() if use_tfio else None
    decoded = _read_tfio(tfio, path) if tfio is not None else None
    if decoded is not None:
        data, rate = decoded
        check_samples(path, data, meta.subtype)
    else:
        data, rate = _decode_all(path, target, meta), meta.samplerate
    return np.ascontiguousarray(data, dtype=np.float32), int(rate)


def load(path, sample_rate=None, mono=True):
    """Decode an audio file to a float32 waveform (integer PCM in [-1, 1], float as written).

    WAV (8/16/24/32-bit integer and 32/64-bit float), FLAC, OGG/Vorbis and
    MP3. Integer WAV is decoded by tensorflow-io where its kernels load (see
    `zoo.audio.backend()`), everything else by soundfile, whose decoders
    detect corrupt compressed data. The format comes from the content, not
    the extension.

    Args:
        path: file path (str, bytes or os.PathLike; any bytes in the name).
        sample_rate: resample to this rate (Hz); None keeps the file's rate.
        mono: average channels to a `(samples,)` array; False keeps
            `(samples, channels)`.

    Returns:
        `(waveform, rate)`: float32 NumPy array and int rate in Hz.

    Raises:
        AudioDecodeError: a missing, unreadable, empty, corrupt or non-audio
            file, zero frames, or NaN/Inf samples; the message names the file.

    Example:
        >>> import soundfile  # a half-second clip at 8 kHz, in the current folder
        >>> soundfile.write("clip.flac", np.zeros(4000, "float32"), 8000)
        >>> wave, rate = zoo.audio.load("clip.flac", sample_rate=16000)
        >>> wave.shape, rate
        ((8000,), 16000)
    """
    path = os.fsdecode(path)  # bytes too: non-UTF-8 names are kept as surrogates
    check_path(path)
    data, rate = _read(path)
    wave = tf.constant(data)
    if sample_rate is not None and int(sample_rate) != rate:
        wave, rate = resample(wave, rate, int(sample_rate)), int(sample_rate)
    if mono:
        wave = to_mono(wave)
    return wave.numpy().astype(np.float32), rate


def _decode_bytes(contents, path):
    # numpy_function hands over 0-d `S` arrays, whose .item() drops trailing NUL bytes
    # (a file ending in silence lost frames, an OGG failed): take the raw buffer.
    contents = np.asarray(contents)
    contents = contents.tobytes() if contents.dtype.kind == "S" else contents.item()
    path = np.asarray(path).item()
    path = os.fsdecode(path)  # the exact name (surrogates for non-UTF-8 bytes)
    data, rate = _read(path, source=contents)
    return data, np.int32(rate)


def decode_file(path, sample_rate=None, mono=True):
    """Decode an audio file inside a `tf.data` pipeline (graph mode).

    Canonical PCM16 WAV takes a native fast path (`zoo.audio.wav16`); every other
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
        >>> import soundfile  # a half-second clip at 8 kHz, in the current folder
        >>> soundfile.write("clip.wav", np.zeros(4000, "float32"), 8000)
        >>> ds = tf.data.Dataset.from_tensor_slices(["clip.wav"]).map(
        ...     lambda p: zoo.audio.decode_file(p, 16000)[0])
        >>> next(iter(ds)).shape
        TensorShape([8000])
    """
    path = tf.convert_to_tensor(path, tf.string)
    contents = tf.io.read_file(path)

    is_pcm16, channels, header_rate = pcm16_header(contents)

    def native():
        return decode_pcm16(contents, channels), header_rate

    def fallback():
        wave, rate = tf.numpy_function(
            _decode_bytes, [contents, path], (tf.float32, tf.int32), stateful=False
        )
        return tf.ensure_shape(wave, [None, None]), tf.ensure_shape(rate, [])

    # Neither path returns zero frames: the header test needs frames, soundfile's raises.
    wave, rate = tf.cond(is_pcm16, native, fallback)
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
