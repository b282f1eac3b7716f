"""The one error path of the `audiozoo` jobs.

Jobs raise `UsageError` for input the user can fix (a flag, a file, a folder)
and `JobFailed` when a run starts correctly but cannot finish (NaN loss, a
peer that never joins). The CLI prints either as one line plus an optional
hint and exits 2 or 1; a traceback appears only with `--debug`.

Example:
    >>> raise UsageError("--epochs must be a positive integer", hint="e.g. --epochs 10")
    Traceback (most recent call last):
    ...
    applications.errors.UsageError: --epochs must be a positive integer
"""

import re
import sys

__all__ = ["AudiozooError", "UsageError", "JobFailed", "describe"]


class AudiozooError(Exception):
    """Base of the errors the CLI reports in one line.

    Args:
        message: what is wrong, naming the flag, file or row.
        hint: what to do about it (printed on a second line), or None.
    """

    exit_code = 1

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint


class UsageError(AudiozooError, ValueError):
    """Bad input the user can fix: exit code 2.

    A `ValueError` too, so library callers that catch `ValueError` keep working.
    """

    exit_code = 2


class JobFailed(AudiozooError, RuntimeError):
    """A run that started but cannot finish (NaN loss, missing peer): exit code 1."""

    exit_code = 1


def describe(error):
    """The (exit code, lines) the CLI prints for an expected error.

    Args:
        error: an exception raised by a job.

    Returns:
        `(code, lines)` for an `AudiozooError` or one of the standard errors
        the zoo raises for bad input (`ValueError`, `OSError`, weights that
        cannot be fetched); None for any
        other exception (a bug: the CLI says so and points to `--debug`).
    """
    if isinstance(error, AudiozooError):
        lines = [str(error)] + ([f"hint: {error.hint}"] if error.hint else [])
        return error.exit_code, lines
    # Looked up, not imported: this module must not pull in TensorFlow.
    sources = sys.modules.get("zoo.weights.sources")
    unavailable = (sources.WeightsUnavailableError,) if sources else ()
    if isinstance(error, (ValueError, OSError, *unavailable)):
        return 2, [_first_line(error)]
    decode = _decode_error_in_pipeline(error)
    if decode:
        return 2, [
            decode,
            "hint: the file changed since it was checked, or cannot be decoded; "
            "repair or remove it, or pass --skip-bad",
        ]
    return None


def _first_line(error):
    # Keras wraps layer errors in several lines of context and ANSI colour codes.
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        lines = lines[1:]  # the cause follows Keras' preamble
    return lines[0] if lines else type(error).__name__


def _decode_error_in_pipeline(error):
    """The `AudioDecodeError` text inside a TensorFlow error from `tf.data`, or None."""
    tf_errors = sys.modules.get("tensorflow.python.framework.errors_impl")
    if tf_errors is None or not isinstance(error, tf_errors.OpError):
        return None
    found = re.search(r"AudioDecodeError: (.+)", str(error))
    return found.group(1).strip() if found else None
