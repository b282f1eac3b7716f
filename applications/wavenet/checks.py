"""What both WaveNet jobs share: the `wavenet.json` beside `model.keras`, and argument checks.

`train` writes `wavenet.json` (sample rate, class names); `generate` reads it
back through `read_metadata`, which refuses a file whose values it cannot use.
Errors name the command-line flag, so `audiozoo wavenet` reports them as given.
"""

import os

from applications.errors import UsageError
from applications.trained import read_json

__all__ = ["METADATA", "require", "read_metadata"]

METADATA = "wavenet.json"


def require(condition, arg, value, problem):
    """Raise `ValueError` (`problem`, then `Received: arg=value`) unless `condition` holds.

    Args:
        condition: what must be true.
        arg: the flag named in the error, e.g. `--segment`.
        value: the value it was given.
        problem: what is wrong, as a sentence.
    """
    if not condition:
        from zoo.validation import argument_error  # importing zoo loads TensorFlow: only on failure

        raise argument_error(arg, value, problem)


def read_metadata(model_path, hint):
    """The checked `wavenet.json` beside `model_path`, or `{}` when there is none.

    Args:
        model_path: the `model.keras` file.
        hint: how to get a good one, for the errors.

    Returns:
        `(metadata, path)`: the dict (a positive int `sample_rate`, a list of
        `class_names` strings, where present) and the file it came from.
    """
    path = os.path.join(os.path.dirname(os.path.abspath(model_path)), METADATA)
    if not os.path.isfile(path):
        return {}, path
    metadata = read_json(path, "WaveNet metadata file", hint)
    rate = metadata.get("sample_rate", 16000)
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 1:
        raise UsageError(
            f"WaveNet metadata file {path!r}: 'sample_rate' must be a positive "
            f"integer. Received: sample_rate={rate!r}",
            hint="pass --sample-rate, or fix the file",
        )
    names = metadata.get("class_names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise UsageError(
            f"WaveNet metadata file {path!r}: 'class_names' must be a list of "
            f"names. Received: class_names={names!r}",
            hint=hint,
        )
    return metadata, path
