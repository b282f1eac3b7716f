"""A settings field: `setting(...)` and the checks its type and range imply."""

import dataclasses
import math
import numbers
import os
import types
import typing

from applications.errors import UsageError

__all__ = [
    "setting",
    "require",
    "flag_name",
    "checked",
    "base_type",
    "SEED_MAX",
    "MAX_SECONDS",
    "MAX_RATE",
]

# numpy and TensorFlow seeds are unsigned 32-bit integers.
SEED_MAX = 2**32 - 1
# The longest stretch of audio one example, window or generated file may span: a job
# holds a batch of them (and their spectrograms) in memory, and 10 minutes at the
# highest rate is 230 M float32 samples (0.9 GB) per example, well inside TensorFlow's
# int32 sizes; 1e9 s would overflow them mid-run. Longer recordings go in clips.
MAX_SECONDS = 600.0
MAX_RATE = 384000  # the highest rate audio interfaces record


def flag_name(name):
    """`learning_rate` -> `--learning-rate`."""
    return "--" + name.replace("_", "-")


def require(condition, name, value, problem):
    """Raise a `UsageError` with `problem` unless `condition`; the hint names flag and key."""
    if not condition:
        raise UsageError(
            f"{problem} Received: {name}={value!r}",
            hint=f"set {flag_name(name)} on the command line or {name!r} in the --config file",
        )


def setting(
    default,
    help,
    *,
    unit=None,
    minimum=None,
    above=None,
    maximum=None,
    below=None,
    choices=None,
    note="",
    check=None,
    parse=None,
    flag=True,
):
    """A settings field: its default, help line, unit and allowed range.

    Args:
        default: the value when nothing else sets it.
        help: one line for `--help` (the default and unit are appended).
        unit: e.g. `"s"`, `"Hz"`, shown after the default.
        minimum, maximum: inclusive bounds; `above`, `below`: exclusive ones.
        choices: the allowed values.
        note: text appended to a range error (why the range is what it is).
        check: `check(name, value) -> value` replacing the type check.
        parse: how the flag's text becomes a value (default: from the type).
        flag: the flag's name when it is not `--the-setting-name` (e.g.
            `"--time-limit"`); False keeps the setting out of the command line
            (`--config` only).

    Returns:
        A `dataclasses.field`.
    """
    meta = dict(help=help, unit=unit, minimum=minimum, above=above, maximum=maximum)
    meta.update(below=below, choices=choices, note=note, check=check, parse=parse, flag=flag)
    return dataclasses.field(default=default, metadata=meta)


def _instance(kind, noun, convert):
    def check(name, value):
        # bool is an int to Python, never a count or a rate to a user; inf and
        # NaN are floats, never a usable rate, length or size.
        valid = isinstance(value, kind) and not isinstance(value, bool)
        require(valid and math.isfinite(value), name, value, f"`{name}` must be {noun}.")
        return convert(value)

    return check


def _text(name, value):
    value = os.fspath(value) if isinstance(value, os.PathLike) else value
    require(isinstance(value, str), name, value, f"`{name}` must be a string.")
    return value


def _boolean(name, value):
    require(isinstance(value, bool), name, value, f"`{name}` must be true or false.")
    return value


TYPE_CHECKS = {
    int: _instance(numbers.Integral, "an integer", int),
    float: _instance(numbers.Real, "a finite number", float),
    str: _text,
    bool: _boolean,
}


def base_type(hint):
    """`int | None` -> `(int, True)`; `float` -> `(float, False)`."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0], len(args) < len(typing.get_args(hint))
    return hint, False


def _num(value):
    """A bound as people write it: 4294967295, not 4.29497e+09; 0.5 stays 0.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _words(values):
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def _range_problem(name, kind, meta):
    """The sentence that states a field's range, or None when it has none."""
    low, high = meta["minimum"], meta["maximum"]
    above, below = meta["above"], meta["below"]
    if meta["choices"] is not None:
        choices = meta["choices"]
        return (
            f"`{name}` must be {_words(choices)}."
            if len(choices) <= 3
            else f"`{name}` must be one of {', '.join(map(str, choices))}."
        )
    unit = f" {meta['unit']}" if meta["unit"] and meta["unit"] not in ("Hz", "dB") else ""
    if (low is not None or above is not None) and (high is not None or below is not None):
        left = f"[{_num(low)}" if low is not None else f"({_num(above)}"
        right = f"{_num(high)}]" if high is not None else f"{_num(below)})"
        noun = "an integer " if kind is int else ""
        return f"`{name}` must be {noun}in {left}, {right}{unit}.{meta['note']}"
    bounds = [(">=", low), (">", above), ("<=", high), ("<", below)]
    bounds = [(sign, value) for sign, value in bounds if value is not None]
    if not bounds:
        return None
    sign, value = bounds[0]
    noun = "an integer " if kind is int else ""
    return f"`{name}` must be {noun}{sign} {_num(value)}{unit}.{meta['note']}"


def _in_range(value, meta):
    if meta["choices"] is not None:
        return value in meta["choices"]
    return (
        (meta["minimum"] is None or value >= meta["minimum"])
        and (meta["above"] is None or value > meta["above"])
        and (meta["maximum"] is None or value <= meta["maximum"])
        and (meta["below"] is None or value < meta["below"])
    )


def checked(field, hint, value):
    """`value` of `field` (annotated `hint`) after its type and range checks, normalised."""
    meta, name = field.metadata, field.name
    kind, optional = base_type(hint)
    if value is None and optional:
        return None
    check = meta.get("check") or TYPE_CHECKS[kind]
    value = check(name, value)
    if meta and not _in_range(value, meta):
        require(False, name, value, _range_problem(name, kind, meta))
    return value
