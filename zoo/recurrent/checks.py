"""Shape and vocabulary checks for sequence inputs, shared by the recurrent models.

Every message ends in `Received: arg=value` (see `zoo.validation`).
"""

import keras
import numpy as np
from keras import ops

from zoo.validation import check_positive_int, argument_error

__all__ = [
    "check_sequence",
    "check_start_frame",
    "check_token",
    "check_tokens_or_frames",
    "sequence_input",
]


def sequence_input(input_shape):
    """Check `(time_steps, features)` (`time_steps` may be None) and make the `inputs` tensor.

    Example:
        >>> sequence_input((None, 13)).shape
        (None, None, 13)
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise argument_error(
            "input_shape",
            input_shape,
            "`input_shape` must be (time_steps, features); time_steps may be None.",
        )
    steps, features = input_shape
    if steps is not None:
        check_positive_int("input_shape", steps)
    if isinstance(features, bool) or not isinstance(features, int) or features < 1:
        raise argument_error(
            "input_shape",
            input_shape,
            "The feature axis of `input_shape` must be a positive integer.",
        )
    return keras.Input((steps, features), name="inputs")


def check_tokens_or_frames(prefix, vocab_size, dim):
    """Check that one side (`"source"`/`"target"`) has a vocabulary (tokens) or a frame size.

    Example:
        >>> check_tokens_or_frames("source", 13, None)
    """
    if (vocab_size is None) == (dim is None):
        raise argument_error(
            f"{prefix}_vocab_size",
            vocab_size,
            f"Give exactly one of `{prefix}_vocab_size` (tokens) and `{prefix}_dim` "
            f"(frames); {prefix}_dim={dim!r}.",
        )
    if vocab_size is not None:
        check_positive_int(f"{prefix}_vocab_size", vocab_size, minimum=2)
    else:
        check_positive_int(f"{prefix}_dim", dim)


def check_token(arg, token, vocab_size):
    """Raise unless `token` is an integer id in `[0, vocab_size)`; return it.

    Example:
        >>> check_token("start_token", 11, vocab_size=13)
        11
    """
    if (
        isinstance(token, bool)
        or not isinstance(token, (int, np.integer))
        or not 0 <= token < vocab_size
    ):
        raise argument_error(arg, token, f"`{arg}` must be a token in [0, {vocab_size}).")
    return token


def check_sequence(arg, x, vocab_size=None, dim=None, dtype="float32"):
    """Check a token `(batch, time)` or frame `(batch, time, dim)` batch; return it as a tensor.

    Token values are range-checked against `vocab_size` when they are
    concrete (eager calls, `decode`, `generate`); inside a traced `fit` step
    the values are symbolic and only the shape and dtype are checked.

    Args:
        arg: argument name for the message.
        x: the batch.
        vocab_size: tokens must lie in `[0, vocab_size)`; `None` for frames.
        dim: features per frame (frames).
        dtype: dtype frames are cast to.

    Example:
        >>> check_sequence("sequence", np.array([[1, 2]]), vocab_size=3).shape
        TensorShape([1, 2])
    """
    x = ops.convert_to_tensor(x)
    if vocab_size is None:
        if len(x.shape) != 3 or x.shape[-1] != dim:
            raise argument_error(
                arg,
                f"shape {tuple(x.shape)}",
                f"`{arg}` must be frames of shape (batch, time, {dim}).",
            )
        return ops.cast(x, dtype)
    if len(x.shape) != 2 or "int" not in str(x.dtype):
        raise argument_error(
            arg,
            f"{x.dtype}{tuple(x.shape)}",
            f"`{arg}` must be integer tokens of shape (batch, time).",
        )
    try:
        values = np.asarray(x)
    except Exception:  # a symbolic tensor has no values to check
        values = None
    if values is not None and values.size and (values.min() < 0 or values.max() >= vocab_size):
        raise argument_error(
            arg,
            f"tokens in [{values.min()}, {values.max()}]",
            f"`{arg}` tokens must lie in [0, {vocab_size}) (vocab_size={vocab_size}).",
        )
    return x


def check_start_frame(start_token, dim):
    """The first frame a frame decoder is fed: a scalar filled in, or a frame of size `dim`.

    Example:
        >>> check_start_frame(0.0, dim=3).shape
        ()
    """
    start = np.asarray(start_token, dtype="float32")
    if start.shape not in ((), (dim,)):
        raise argument_error(
            "start_token",
            start_token,
            f"For frame targets `start_token` is a scalar or a frame of size {dim}.",
        )
    return start
