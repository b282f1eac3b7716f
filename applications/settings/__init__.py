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
  value is checked like any other; the file value it overrides is checked too (a
  wrong value in a `--config` file is an error even when a flag replaces it).

One module each: `fields` (a field and its checks), `flags` (the generated
command line), `config_file` (`--config`), `base` (`Settings`), and `data`
(`DataSettings`: the dataset, split and front end that classification jobs share).

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

from applications.settings.base import Settings
from applications.settings.config_file import load_config
from applications.settings.data import DataSettings
from applications.settings.fields import (
    MAX_RATE,
    MAX_SECONDS,
    SEED_MAX,
    flag_name,
    require,
    setting,
)

__all__ = [
    "Settings",
    "DataSettings",
    "MAX_RATE",
    "MAX_SECONDS",
    "SEED_MAX",
    "setting",
    "flag_name",
    "require",
    "load_config",
]
