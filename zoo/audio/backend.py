"""Which audio decoder is in use: tensorflow-io's native kernels or soundfile.

tensorflow-io 0.37.1 ships native kernels built against TensorFlow 2.16; on
newer TensorFlow they fail to load with an undefined-symbol error, and merely
importing the package prints warnings. So we probe it once, lazily (never at
`import zoo`), with Python warnings and the process's stderr silenced, by
decoding a tiny in-memory WAV. Where the probe fails, `soundfile` (libsndfile)
decodes everything.
"""

import contextlib
import io
import os
import threading
import warnings

import numpy as np

from zoo.validation import argument_error

__all__ = ["backend", "tfio_module", "BACKENDS"]

BACKENDS = ("tensorflow-io", "soundfile")
# Set AUDIOZOO_AUDIO_BACKEND=soundfile to force the fallback (tests use it to
# cover both decoders in the TensorFlow 2.16 CI lane).
_ENV = "AUDIOZOO_AUDIO_BACKEND"
_lock = threading.Lock()
_probed = {}


@contextlib.contextmanager
def _quiet_stderr():
    """Silence file descriptor 2, where native libraries print their warnings."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _probe():
    """Return the tensorflow_io module if its native audio kernels work, else None."""
    import soundfile as sf
    import tensorflow as tf

    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(8, "int16"), 16000, format="WAV", subtype="PCM_16")
    with _quiet_stderr(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import tensorflow_io as tfio

            decoded = tfio.audio.decode_wav(tf.constant(buffer.getvalue()), dtype=tf.int16)
            if tuple(decoded.shape) != (8, 1):
                return None
            return tfio
        except Exception:  # ImportError, NotImplementedError (undefined symbol), ...
            return None


def tfio_module():
    """The `tensorflow_io` module when its native kernels load, else `None`."""
    with _lock:
        if "tfio" not in _probed:
            forced = os.environ.get(_ENV, "").strip()
            if forced and forced not in BACKENDS:
                raise argument_error(_ENV, forced, f"{_ENV} must be one of {BACKENDS} or unset.")
            _probed["tfio"] = None if forced == "soundfile" else _probe()
            if forced == "tensorflow-io" and _probed["tfio"] is None:
                raise RuntimeError(
                    f"{_ENV}=tensorflow-io, but tensorflow-io's native kernels do not load "
                    "with this TensorFlow (they need TensorFlow 2.16). Unset it to use soundfile."
                )
        return _probed["tfio"]


def backend():
    """Name the decoder in use: `"tensorflow-io"` or `"soundfile"`.

    Returns:
        `"tensorflow-io"` where its native kernels load (TensorFlow 2.16),
        otherwise `"soundfile"`.

    Example:
        >>> zoo.audio.backend()
        'soundfile'
    """
    return "tensorflow-io" if tfio_module() is not None else "soundfile"
