"""Value checks for the settings of `FinetuneConfig`: each takes `(name, value)`,
returns the normalised value, and raises a `ValueError` ending in `Received: name=value`."""

import numbers
import os

__all__ = ["require", "integer", "number", "text", "boolean", "image_size", "optional"]


def require(condition, name, value, problem):
    if not condition:
        # Importing zoo loads TensorFlow: only on failure, so `--help` stays fast.
        from zoo.validation import argument_error

        raise argument_error(name, value, problem)


def instance_of(kind, noun, convert):
    def check(name, value):
        # bool is an int to Python, never a count or a rate to a user.
        valid = isinstance(value, kind) and not isinstance(value, bool)
        require(valid, name, value, f"`{name}` must be {noun}.")
        return convert(value)

    return check


integer = instance_of(numbers.Integral, "an integer", int)
number = instance_of(numbers.Real, "a number", float)


def text(name, value):
    value = os.fspath(value) if isinstance(value, os.PathLike) else value
    require(isinstance(value, str), name, value, f"`{name}` must be a string.")
    return value


def boolean(name, value):
    require(isinstance(value, bool), name, value, f"`{name}` must be true or false.")
    return value


def image_size(name, value):
    sizes = tuple(value) if isinstance(value, (list, tuple)) and len(value) == 2 else (value,)
    valid = all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in sizes
    )
    require(valid, name, value, "image_size must be an int or [height, width].")
    return (int(sizes[0]), int(sizes[1])) if len(sizes) == 2 else int(sizes[0])


def optional(check):
    return lambda name, value: None if value is None else check(name, value)
