"""Argument checks shared by the builders.

Every message ends in `Received: arg=value`, the keras.applications style,
so a user sees which argument was wrong and what they passed.
"""

__all__ = [
    "argument_error",
    "check_choice",
    "check_positive_int",
    "check_rate",
    "check_input_shape",
]


def argument_error(arg, value, problem):
    """A `ValueError` for `arg` saying `problem`, ending in `Received: arg=value`."""
    return ValueError(f"{problem} Received: {arg}={value!r}")


def check_choice(arg, value, choices):
    """Raise unless `value` is one of `choices`; return it."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise argument_error(arg, value, f"`{arg}` must be one of {options}.")
    return value


def check_positive_int(arg, value, minimum=1):
    """Raise unless `value` is an int >= `minimum`; return it."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise argument_error(arg, value, f"`{arg}` must be an integer >= {minimum}.")
    return value


def check_rate(arg, value):
    """Raise unless `value` is a number in [0, 1) (a dropout rate); return it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise argument_error(arg, value, f"`{arg}` must be a number in [0, 1).")
    return value


def check_input_shape(arg, value, rank=None, min_size=None, channels=None):
    """Validate an input shape tuple (without the batch axis); return it as a tuple.

    Args:
        arg: argument name for the message.
        value: the shape.
        rank: required number of axes, or None.
        min_size: smallest allowed size of every axis but the last.
        channels: allowed sizes of the last axis, or None.
    """
    try:
        shape = tuple(int(d) for d in value)
    except (TypeError, ValueError):
        raise argument_error(arg, value, f"`{arg}` must be a tuple of positive integers.") from None
    if not shape or any(d < 1 for d in shape):
        raise argument_error(arg, value, f"`{arg}` must be a tuple of positive integers.")
    if rank is not None and len(shape) != rank:
        raise argument_error(arg, value, f"`{arg}` must have {rank} axes.")
    if min_size is not None and any(d < min_size for d in shape[:-1]):
        raise argument_error(
            arg, value, f"Every spatial axis of `{arg}` must be at least {min_size}."
        )
    if channels is not None and shape[-1] not in channels:
        raise argument_error(
            arg, value, f"The last axis of `{arg}` (channels) must be one of {tuple(channels)}."
        )
    return shape
