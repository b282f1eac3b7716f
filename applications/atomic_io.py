"""Where and how every job writes its outputs.

Each output goes to a temporary file in the destination folder first and is
then renamed over the target (`os.replace` is atomic on one file system), so a
run killed mid-write never leaves a truncated `model.keras`, `report.json` or
WAV file behind. Under multi-worker training only the chief writes to the
output folder (`writable_dir`).
"""

import contextlib
import json
import os
import tempfile

__all__ = ["atomic_path", "write_json", "writable_dir"]


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; on success rename it to `path`.

    The temporary name keeps `path`'s suffixes (Keras checks `.keras`,
    `.weights.h5`).

    Args:
        path: the file to write.

    Yields:
        The temporary path to write to; it is removed if the block fails.

    Example:
        >>> with atomic_path("out/model.keras") as tmp:
        ...     model.save(tmp)
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(directory, exist_ok=True)
    base = os.path.basename(path)
    suffix = base[base.index(".") :] if "." in base else ""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=directory)
    os.close(fd)
    os.remove(tmp)  # writers such as Keras refuse to overwrite without asking
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path, data):
    """Write `data` as indented JSON to `path` atomically.

    Args:
        path: the JSON file.
        data: anything `json.dump` takes.
    """
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=False)
            f.write("\n")


def writable_dir(out, is_chief=True):
    """The folder this process writes to: `out` on the chief, a fresh temp dir elsewhere.

    Non-chief workers still save checkpoints (multi-worker saving is
    collective), but into a throwaway directory so they never race the
    chief's files.

    Args:
        out: the run's output folder (created on the chief).
        is_chief: whether this process is the chief (`StrategyInfo.is_chief`).

    Returns:
        The folder's path.
    """
    if is_chief:
        os.makedirs(out, exist_ok=True)
        return out
    return tempfile.mkdtemp(prefix="audiozoo-worker-")
