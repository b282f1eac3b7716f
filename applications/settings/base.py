"""`Settings`: the base of every job's settings (see `applications.settings`)."""

import dataclasses
import json
import os
import typing

from applications.errors import UsageError
from applications.settings.config_file import load_config
from applications.settings.fields import SEED_MAX, checked, setting
from applications.settings.flags import add_flag

__all__ = ["Settings"]


@dataclasses.dataclass(frozen=True)
class Settings:
    """Base of every job's settings (see the module docstring).

    Subclasses are frozen dataclasses whose fields are `setting(...)`s. They
    may override `presets` (values a named dataset brings), `validate` (checks
    that tie several fields together), `IGNORED` (settings that do not
    change what a run computes, so a rerun may change them) and `PATHS`.
    """

    # Every run is repeatable (`applications.training.run.Run` seeds from it).
    seed: int = setting(
        0, "makes the run repeatable: the same seed, the same result", minimum=0, maximum=SEED_MAX
    )

    IGNORED: typing.ClassVar[tuple] = ("out", "verbose")
    # Settings that may name a file or folder: stored absolute, so a rerun from
    # another working directory still matches.
    PATHS: typing.ClassVar[tuple] = ("data",)

    def __post_init__(self):
        hints = typing.get_type_hints(type(self))
        for field in dataclasses.fields(self):
            value = checked(field, hints[field.name], getattr(self, field.name))
            # Frozen: normalised values (1 -> 1.0, [h, w] -> (h, w)) go in this way.
            object.__setattr__(self, field.name, value)
        self.validate()

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
        cls._check_overridden(config_path, {k: from_file[k] for k in from_file if k in given})
        # A dataset preset may carry settings of other jobs (finetune's image size
        # for `audiozoo baseline`): each job takes its own.
        preset = {k: v for k, v in cls.presets({**from_file, **given}).items() if k in names}
        return cls(**{**preset, **from_file, **given})

    @classmethod
    def _check_overridden(cls, config_path, values):
        """Check `--config` values that flags override: a wrong one is still the file's error."""
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for name, value in values.items():
            try:
                checked(fields[name], hints[name], value)
            except UsageError as error:
                raise UsageError(
                    f"--config file {config_path!r}: {error} (a flag overrides it, but the "
                    "file is wrong)",
                    hint=f"fix or remove {name!r} in the --config file",
                ) from None

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
            add_flag(parser, field, hints[field.name])
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
