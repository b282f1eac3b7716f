"""Files -> batches of log-mels in `tf.data`, every CPU core busy.

Called on each batch from Python, a front end's small ops (framing, FFT,
power, mel product, dB) run one after another, each split over the cores,
and the cores wait on each other between ops: on 2 cores about 1.6 are busy
(`benchmarks/frontend.py`). Here each batch runs on one thread, compiled with
XLA (which fuses the element-wise ops around the FFT), and as many batches as
cores run at once, while other threads decode the next files.
"""

import os

import tensorflow as tf

from zoo.audio.clips import fix_length
from zoo.audio.io import decode_file
from zoo.validation import argument_error, check_positive_int

__all__ = ["map_batches", "log_mel_dataset"]


def map_batches(dataset, fn, jit_compile=True, parallel=None):
    """Map `fn` over a dataset's batches, one thread per batch, `parallel` batches at once.

    Args:
        dataset: a `tf.data.Dataset` of batches.
        fn: a function of one element (e.g. a front-end layer), traced once.
        jit_compile: compile `fn` with XLA.
        parallel: batches in flight; None for the CPU count.

    Returns:
        The mapped dataset, in order, prefetching.

    Example:
        >>> import tensorflow as tf
        >>> waves = tf.data.Dataset.from_tensors(np.zeros((4, 16000), "float32"))
        >>> mels = zoo.audio.map_batches(waves, zoo.audio.LogMelSpectrogram())
        >>> next(iter(mels)).shape
        TensorShape([4, 64, 63, 1])
    """
    parallel = (os.cpu_count() or 1) if parallel is None else parallel
    check_positive_int("parallel", parallel)
    compiled = tf.function(fn, jit_compile=jit_compile, reduce_retracing=True)
    options = tf.data.Options()
    # One thread per batch: the parallelism is across batches, not inside ops.
    options.threading.max_intra_op_parallelism = 1
    mapped = dataset.map(compiled, num_parallel_calls=parallel, deterministic=True)
    return mapped.with_options(options).prefetch(parallel)


def log_mel_dataset(files, layer, batch_size=32, sample_rate=None, samples=None, **kwargs):
    """Decode audio files and compute their log-mels in parallel, in order.

    Args:
        files: audio file paths (a list or a string tensor).
        layer: the front end applied to `(batch, samples)` waveforms, e.g. a
            `zoo.audio.LogMelSpectrogram`.
        batch_size: clips per batch (the last batch may be smaller).
        sample_rate: resample every file to this rate (Hz); None keeps each
            file's rate (then they must all share one, the layer's).
        samples: crop or zero-pad every clip to this length (centred); None
            requires every file to have the first file's length (iterating
            then raises `InvalidArgumentError` naming the first file that
            differs).
        **kwargs: `map_batches` arguments (`jit_compile`, `parallel`).

    Returns:
        A `tf.data.Dataset` of the layer's outputs, one batch per element, in
        the order of `files`.

    Raises:
        ValueError: no files, or a bad `batch_size`/`samples`.

    Example:
        >>> layer = zoo.audio.LogMelSpectrogram(sample_rate=16000, n_mels=64)
        >>> import soundfile  # a half-second clip at 8 kHz, in the current folder
        >>> soundfile.write("clip.wav", np.zeros(4000, "float32"), 8000)
        >>> for mels in zoo.audio.log_mel_dataset(["clip.wav"], layer, samples=16000):
        ...     print(mels.shape)
        (1, 64, 63, 1)
    """
    check_positive_int("batch_size", batch_size)
    if samples is not None:
        check_positive_int("samples", samples)
    files = tf.convert_to_tensor(files, tf.string)
    if files.shape.rank != 1 or files.shape[0] == 0:
        raise argument_error("files", files.shape, "`files` must be a non-empty list of paths.")

    first = None if samples is not None else tf.shape(decode_file(files[0], sample_rate)[0])[0]

    def decode(path):
        wave = decode_file(path, sample_rate)[0]
        if samples is not None:
            return fix_length(wave, samples)
        length = tf.shape(wave)[0]
        message = ["log_mel_dataset:", path, "has", length, "samples, the first file", first]
        message.append("; pass samples=N to crop or pad every clip to N.")
        with tf.control_dependencies([tf.debugging.Assert(tf.equal(length, first), message)]):
            return tf.identity(wave)

    waves = tf.data.Dataset.from_tensor_slices(files)
    waves = waves.map(decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return map_batches(waves.batch(batch_size), layer, **kwargs)
