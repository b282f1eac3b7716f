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
        return 2, [str(error) or type(error).__name__]
    return None
