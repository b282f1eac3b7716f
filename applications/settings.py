"""One base for every job's settings: a frozen, typed dataclass whose fields say it all.

A job declares its settings as a `Settings` subclass whose fields are made with
`setting(default, help, unit=..., minimum=..., ...)`. From those fields alone:

- every value is checked on construction (type from the annotation, range
  from the field), with one error line ending in `Received: name=value`;
- `add_arguments(parser)` generates the command-line flags (`--learning-rate`,
  `--no-baseline`, ...), each help showing its default and unit, plus
  `--config` (and `--overwrite` for jobs that own an `--out` folder);
- `from_sources` builds the settings from weakest to strongest: the field
  defaults, the job's preset (`presets()`), a `--config` JSON file, then the
  flags given, and checks the result whole, so a flag that overrides a file
  value is checked like any other.

Example:
    >>> import dataclasses
    >>> @dataclasses.dataclass(frozen=True)
    ... class Toy(Settings):
    ...     epochs: int = setting(3, "passes over the data", minimum=1)
    >>> Toy(epochs=5).epochs
    5
    >>> Toy(epochs=0)
    Traceback (most recent call last):
    ...
    applications.errors.UsageError: `epochs` must be an integer >= 1. Received: epochs=0
"""

import argparse
import dataclasses
import json
import math
import numbers
import os
import types
import typing

from applications.errors import UsageError

__all__ = ["Settings", "setting", "flag_name", "require", "load_config"]


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


def _base_type(hint):
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
        return f"`{name}` must be in {left}, {right}{unit}.{meta['note']}"
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


@dataclasses.dataclass(frozen=True)
class Settings:
    """Base of every job's settings (see the module docstring).

    Subclasses are frozen dataclasses whose fields are `setting(...)`s. They
    may override `presets` (values a named dataset brings), `validate` (checks
    that tie several fields together), `IGNORED` (settings that do not
    change what a run computes, so a rerun may change them) and `PATHS`.
    """

    IGNORED: typing.ClassVar[tuple] = ("out", "verbose")
    # Settings that may name a file or folder: stored absolute, so a rerun from
    # another working directory still matches.
    PATHS: typing.ClassVar[tuple] = ("data",)

    def __post_init__(self):
        hints = typing.get_type_hints(type(self))
        for field in dataclasses.fields(self):
            value = self._checked(field, hints[field.name], getattr(self, field.name))
            # Frozen: normalised values (1 -> 1.0, [h, w] -> (h, w)) go in this way.
            object.__setattr__(self, field.name, value)
        self.validate()

    @staticmethod
    def _checked(field, hint, value):
        meta, name = field.metadata, field.name
        kind, optional = _base_type(hint)
        if value is None and optional:
            return None
        check = meta.get("check") or TYPE_CHECKS[kind]
        value = check(name, value)
        if meta and not _in_range(value, meta):
            require(False, name, value, _range_problem(name, kind, meta))
        return value

    def validate(self):
        """Checks across fields; a subclass raises `UsageError` (via `require`)."""

    @classmethod
    def presets(cls, values):
        """Values a named preset brings for these `values` (weaker than file and flags)."""
        return {}

    @classmethod
    def field_names(cls):
        """The settings' names, in field order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_sources(cls, flags=None, config_path=None):
        """Combine the defaults, the preset, a `--config` file and the flags.

        Args:
            flags: dict of settings given on the command line; None values
                (flags not given) and keys that are not settings are ignored.
            config_path: optional `--config` JSON file (see `load_config`).

        Returns:
            An instance of `cls`, checked whole.
        """
        names = cls.field_names()
        from_file = load_config(config_path, names) if config_path else {}
        given = {k: v for k, v in (flags or {}).items() if v is not None and k in names}
        return cls(**{**cls.presets({**from_file, **given}), **from_file, **given})

    @classmethod
    def from_args(cls, args):
        """The settings of a parsed command line made by `add_arguments`."""
        return cls.from_sources(vars(args), getattr(args, "config", None))

    @classmethod
    def add_arguments(cls, parser, *, overwrite=False, skip=()):
        """Add one flag per setting (defaults None: unset flags leave the value to others).

        Args:
            parser: an `argparse` parser.
            overwrite: also add `--overwrite` (jobs that own an `--out` folder).
            skip: settings to leave out (the command adds them its own way).
        """
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            if field.name in skip or not field.metadata.get("flag", True):
                continue
            _add_flag(parser, field, hints[field.name])
        if overwrite:
            parser.add_argument(
                "--overwrite",
                action="store_true",
                help="discard an earlier run in --out and start afresh (a rerun with other "
                "settings is refused without it)",
            )
        parser.add_argument(
            "--config", help="JSON file of settings (keys as the flags, e.g. learning_rate)"
        )

    def to_dict(self):
        """The settings as a JSON-ready dict, in field order (a report's `settings`)."""
        return dataclasses.asdict(self)

    def comparable(self):
        """The settings a rerun must repeat, as JSON values; existing paths made absolute."""
        values = json.loads(json.dumps(self.to_dict()))
        for key in self.PATHS:
            value = values.get(key)
            if isinstance(value, str) and os.path.exists(value):
                values[key] = os.path.abspath(value)
        return {k: v for k, v in values.items() if k not in self.IGNORED}


def _default_text(field):
    default = field.default
    if isinstance(default, bool) or default is None:
        return None
    unit = field.metadata.get("unit")
    if isinstance(default, (tuple, list)):
        default = "x".join(map(str, default))
    return f"default {default}{' ' + unit if unit else ''}"


def _add_flag(parser, field, hint):
    meta, name = field.metadata, field.name
    kind, _ = _base_type(hint)
    text = meta.get("help", "")
    named = meta.get("flag") if isinstance(meta.get("flag"), str) else None
    if kind is bool:
        # A switch that flips the default; the setting is True/False in --config.
        flag = f"--no-{name.replace('_', '-')}" if field.default else flag_name(name)
        flag = named or flag
        parser.add_argument(
            flag, dest=name, action="store_const", const=not field.default, help=text
        )
        return
    default = _default_text(field)
    choices = meta.get("choices")
    parse = meta.get("parse") or (kind if kind in (int, float, str) else str)
    parser.add_argument(
        named or flag_name(name),
        dest=name,
        type=parse,
        choices=choices,
        metavar=None if choices else {int: "N", float: "X"}.get(kind, name.upper()),
        help=f"{text} ({default})" if default else text or argparse.SUPPRESS,
    )


def load_config(path, names):
    """Read a `--config` JSON object whose keys are settings (dashes allowed).

    Args:
        path: the JSON file.
        names: the known settings.

    Returns:
        A dict of the settings it holds, keys with underscores.

    Raises:
        FileNotFoundError: `path` does not exist.
        UsageError: not a JSON object, or a key that is no setting.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--config file {path!r} does not exist.")
    with open(path, encoding="utf-8") as f:
        try:
            raw = json.load(f)
        except json.JSONDecodeError as error:
            raise UsageError(
                f"--config file {path!r} is not valid JSON: {error}",
                hint='fix the file, e.g. {"epochs": 10, "learning_rate": 0.001}',
            ) from None
        except UnicodeDecodeError as error:
            raise UsageError(f"--config file {path!r} is not UTF-8 text ({error}).") from None
    if not isinstance(raw, dict):
        raise UsageError(f"--config file {path!r} must hold a JSON object of settings.")
    config = {key.replace("-", "_"): value for key, value in raw.items()}
    unknown = sorted(set(config) - set(names))
    if unknown:
        raise UsageError(
            f"--config file {path!r} has unknown settings {unknown}; known: {sorted(names)}."
        )
    return config
