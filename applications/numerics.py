"""Numerical guards: a NaN or infinite loss fails the run, NaN weights are refused.

Training stops at the first non-finite batch loss (Keras `TerminateOnNaN`
in `fit`, the epoch loss in `applications.training.custom_loop`); then
`check_losses` turns the history into a clear `applications.errors.JobFailed`
instead of a saved NaN model. `nonfinite_weights` finds weights a file
brought in that are NaN or infinite, so loaders can refuse them.
"""

import math

import keras
import numpy as np

from applications.errors import JobFailed, UsageError

__all__ = ["check_losses", "nonfinite_weights", "refuse_nonfinite", "is_finite"]


def is_finite(value):
    """Whether `value` (a number, numpy scalar or None) is a finite number; None counts as finite."""
    return value is None or math.isfinite(float(value))


def check_losses(history, what, learning_rate=None, hint=None):
    """Raise `JobFailed` if any training loss in `history` is NaN or infinite.

    Args:
        history: `{metric: [value per epoch]}` (a Keras `History.history`).
        what: names the training in the message, e.g. "Phase head".
        learning_rate: the learning rate, named in the message.
        hint: what to do about it (default: lower the learning rate).

    Raises:
        JobFailed: naming the first such epoch and its value.

    Example:
        >>> check_losses({"loss": [0.9, float("nan")]}, "Phase head", 1e3)
        Traceback (most recent call last):
        ...
        applications.errors.JobFailed: Phase head: the training loss became nan in epoch 2 ...
    """
    for epoch, loss in enumerate(history.get("loss", []), start=1):
        if not is_finite(loss):
            rate = "" if learning_rate is None else f" at learning rate {learning_rate:g}"
            raise JobFailed(
                f"{what}: the training loss became {float(loss)} in epoch {epoch}{rate}; "
                "training stopped and no model was saved.",
                hint=hint or "lower the learning rate, or check the inputs for NaN/inf values",
            )


def nonfinite_weights(model):
    """The paths of `model`'s variables that hold NaN or infinite values.

    Args:
        model: a Keras model (or layer).

    Returns:
        A list of variable paths, empty when every weight is finite.

    Example:
        >>> nonfinite_weights(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
        []
    """
    bad = []
    for variable in model.weights:
        value = keras.ops.convert_to_numpy(variable)
        if np.issubdtype(value.dtype, np.floating) and not np.isfinite(value).all():
            bad.append(variable.path)
    return bad


def refuse_nonfinite(model, source, consequence, hint):
    """Raise `UsageError` if `model` holds NaN/inf weights that `source` brought in.

    Args:
        model: the loaded or built model.
        source: what brought the weights, e.g. `"--model 'run/model.keras'"`.
        consequence: why that matters, e.g. "its outputs would be meaningless".
        hint: what to do instead.
    """
    bad = nonfinite_weights(model)
    if bad:
        raise UsageError(
            f"{source} holds NaN or infinite weights ({len(bad)} variable(s), e.g. "
            f"{bad[0]}); {consequence}.",
            hint=hint,
        )
