"""Atomic file writes for every job output.

Each output goes to a temporary file in the destination folder first and is
then renamed over the target (`os.replace` is atomic on one file system), so a
run killed mid-write never leaves a truncated `model.keras`, `report.json` or
WAV file behind.
"""

import contextlib
import json
import os
import tempfile

__all__ = ["atomic_path", "write_json"]


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; on success rename it to `path`.

    The temporary name keeps `path`'s suffixes (Keras checks `.keras`,
    `.weights.h5`).
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(directory, exist_ok=True)
    base = os.path.basename(path)
    suffix = base[base.index("."):] if "." in base else ""
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
    """Write `data` as indented JSON to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=False)
            f.write("\n")
