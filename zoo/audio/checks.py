"""The checks every decoded file passes, and the one error they raise.

Paths may hold bytes that are not UTF-8 (Python keeps them as surrogates in a
`str`); they are passed to native code as bytes and shown as `\\xff` escapes,
so a strange name never turns into an encoding traceback.
"""

import contextlib
import os
import sys
import threading

import numpy as np
import soundfile as sf

__all__ = ["AudioDecodeError", "printable_path", "native_path"]

# Sample rates outside these come from corrupt headers (resampling 1 Hz to 16 kHz
# would also need 16000x the memory).
MIN_RATE, MAX_RATE = 1000, 1_000_000

# libsndfile answers "not a regular file (possibly a pipe?)" for any data its
# format probes reject (e.g. a garbage .mp3); the file exists, so say what is meant.
_MISLEADING = ("possibly a pipe", "File does not exist")


def printable_path(path):
    """`path` as text that can always be printed, with non-UTF-8 bytes as `\\xNN`.

    Args:
        path: a `str`, `bytes` or `os.PathLike` path.

    Returns:
        A `str` without surrogates.

    Example:
        >>> printable_path(b"clips/\\xff.wav")
        'clips/\\\\xff.wav'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def native_path(path):
    """`path` as bytes for native libraries (soundfile, tf.io), exact for any name."""
    return os.fsencode(path)


class AudioDecodeError(ValueError):
    """A file that cannot be used as audio; `str()` names the file and problem.

    Attributes:
        path: the path as given (usable to open, move or delete the file).
        problem: what is wrong and what to do.
    """

    def __init__(self, path, problem):
        self.path = os.fsdecode(path) if isinstance(path, bytes) else str(path)
        self.problem = problem
        super().__init__(f"{printable_path(self.path)}: {problem}")


def check_path(path):
    """Raise unless `path` is a readable, non-empty regular file."""
    if not os.path.exists(path):
        raise AudioDecodeError(path, "no such file; check the path.")
    if os.path.isdir(path):
        raise AudioDecodeError(path, "is a directory, not an audio file; rename or remove it.")
    if not os.access(path, os.R_OK):
        raise AudioDecodeError(path, "permission denied; make the file readable (chmod +r).")
    if os.path.getsize(path) == 0:
        raise AudioDecodeError(path, "empty file (0 bytes); re-export or remove it.")


_QUIET_LOCK = threading.Lock()
_QUIET = {"depth": 0, "saved": None}


@contextlib.contextmanager
def quiet_native_stderr():
    """Point file descriptor 2 at /dev/null meanwhile (re-entrant across threads).

    libsndfile's MP3 decoder (libmpg123) prints its own "Note: Illegal Audio-MPEG-Header
    ..." lines straight to the C stderr for damaged data; the `AudioDecodeError`
    already says what is wrong, in one line. The first thread in redirects and
    the last one out restores.
    """
    with _QUIET_LOCK:
        if _QUIET["depth"] == 0:
            sys.stderr.flush()
            _QUIET["saved"] = os.dup(2)
            sink = os.open(os.devnull, os.O_WRONLY)
            os.dup2(sink, 2)
            os.close(sink)
        _QUIET["depth"] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _QUIET["depth"] -= 1
            if _QUIET["depth"] == 0:
                os.dup2(_QUIET["saved"], 2)
                os.close(_QUIET["saved"])


def sf_call(path, fn, *args, **kwargs):
    """Call a soundfile function; its failures become an `AudioDecodeError` naming `path`.

    For `.mp3` files libmpg123's own notes on stderr are silenced (see `quiet_native_stderr`).
    """
    quiet = printable_path(path).lower().endswith(".mp3")
    try:
        with quiet_native_stderr() if quiet else contextlib.nullcontext():
            return fn(*args, **kwargs)
    except PermissionError as e:
        raise AudioDecodeError(path, f"permission denied ({e}); make the file readable.") from e
    except (sf.LibsndfileError, RuntimeError, EOFError, TypeError, ValueError) as e:
        reason = getattr(e, "error_string", None) or str(e)  # libsndfile's words, no object reprs
        if any(words in reason for words in _MISLEADING):
            ext = os.path.splitext(printable_path(path))[1].lstrip(".").upper()
            reason = f"its contents are not {ext or 'audio'} or any other format soundfile reads"
        raise AudioDecodeError(
            path,
            f"not a readable audio file ({reason.rstrip('.')}); it may be truncated, corrupt, or "
            "not audio despite its extension. Re-export it as WAV/FLAC or remove it.",
        ) from e


def check_samples(path, data, subtype=None):
    """Reject empty audio and non-finite samples.

    Float WAV/FLAC may hold samples beyond [-1, 1] (mixes, exports with headroom,
    augmented data); librosa, soundfile and Keras read them as they are, and so does
    this package: any finite level is kept. `subtype` is accepted for callers that
    pass it and is not used.
    """
    if data.shape[0] == 0:
        raise AudioDecodeError(path, "has zero audio frames; remove it or re-export it.")
    finite = np.isfinite(data)
    if not finite.all():
        raise AudioDecodeError(
            path,
            f"has {int(data.size - finite.sum())} NaN/Inf samples; repair or remove the file.",
        )


def plain_wav(path, channels, rate):
    """Whether `path` is an integer-PCM WAV whose header fields all agree.

    tensorflow-io's WAV reader trusts these fields (a block align of 0 kills
    the process with SIGFPE), so only such files are handed to it.

    Args:
        path: the file.
        channels, rate: what libsndfile read from the header.

    Returns:
        True for a RIFF/WAVE file whose `fmt ` chunk matches `channels` and
        `rate`, with consistent block align and byte rate, and whose `data`
        chunk starts in the first 4 KiB, fits the file and holds whole frames.
    """
    with open(native_path(path), "rb") as f:
        head = f.read(4096)
    size = os.path.getsize(path)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return False
    pos, fmt = 12, None
    while pos + 8 <= len(head):
        chunk, length = head[pos : pos + 4], int.from_bytes(head[pos + 4 : pos + 8], "little")
        body = pos + 8
        if chunk == b"fmt " and length >= 16 and body + 16 <= len(head):
            fmt = [int.from_bytes(head[body + a : body + b], "little") for a, b in _FMT_FIELDS]
        elif chunk == b"data":
            if fmt is None:
                return False
            tag, n_channels, n_rate, byte_rate, align, bits = fmt
            return (
                tag in (1, 0xFFFE)
                and (n_channels, n_rate) == (channels, rate)
                and bits in (8, 16, 24)
                and align == channels * bits // 8
                and byte_rate == rate * align
                and body + length <= size
                and length % align == 0
            )
        pos = body + length + (length & 1)  # chunks are padded to even sizes
    return False


# (start, end) of format tag, channels, rate, byte rate, block align, bits per sample.
_FMT_FIELDS = ((0, 2), (2, 4), (4, 8), (8, 12), (12, 14), (14, 16))
