"""`--config` files: a JSON object of settings, read and checked key by key."""

import json
import os

from applications.errors import UsageError

__all__ = ["load_config"]


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
