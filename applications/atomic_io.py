"""Where and how every job writes its outputs.

Each output goes to a temporary file in the destination folder first, is
flushed to disk, and is then renamed over the target (`os.replace` is atomic
on one file system), so a run killed mid-write never leaves a truncated
`model.keras`, `report.json`, backup or WAV file behind; a killed writer
leaves at most a `.tmp-*` file, which `remove_orphans` deletes. Under
multi-worker training only the chief writes to the output folder
(`writable_dir`).

`fault_point` is the test hook of the fault-injection suite: with
`AUDIOZOO_FAULT=NAME` (or `NAME#N`, the N-th time) in the environment the
process kills itself with SIGKILL (or, with `NAME#N=pause`, sleeps) when it
reaches that point, so tests hit an instant deterministically.
"""

import contextlib
import json
import math
import os
import shutil
import signal
import tempfile
import time

__all__ = [
    "atomic_path",
    "write_json",
    "writable_dir",
    "fault_point",
    "remove_orphans",
    "TMP_PREFIX",
]

TMP_PREFIX = ".tmp-"
FAULT_ENV = "AUDIOZOO_FAULT"
_reached = {}


def fault_point(name):
    """Test hook: die (SIGKILL) or pause here if `AUDIOZOO_FAULT` names this point.

    The value is `NAME[#N][=ACTION]`: the N-th time (default 1) this process
    reaches `NAME`, ACTION (`kill`, the default, or `pause`: sleep 120 s)
    happens. Points are named `write:FILE` (the temporary file is complete,
    not yet renamed), `wrote:FILE` (renamed), and a few steps of the jobs.

    Args:
        name: this point's name.

    Example:
        >>> fault_point("write:model.keras")  # no-op unless AUDIOZOO_FAULT says so
    """
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    _reached[name] = _reached.get(name, 0) + 1
    point, _, action = spec.partition("=")
    point, _, count = point.partition("#")
    if point != name or _reached[name] != int(count or 1):
        return
    if action == "pause":
        time.sleep(120)
    else:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(directory):
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; on success rename it to `path`.

    The temporary name keeps `path`'s suffixes (Keras checks `.keras`,
    `.weights.h5`). The file is flushed to disk before the rename, so the
    target is always the old file or the complete new one.

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
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=suffix, dir=directory)
    os.close(fd)
    os.remove(tmp)  # writers such as Keras refuse to overwrite without asking
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        fault_point(f"write:{base}")
        os.replace(tmp, path)
        _fsync_dir(directory)
        fault_point(f"wrote:{base}")
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _finite(value):
    """`value` with every NaN or infinite float replaced by None (JSON `null`)."""
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, without importing numpy
        return _finite(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path, data):
    """Write `data` as indented, strictly valid JSON to `path` atomically.

    NaN and infinite numbers, which `json` would write as the invalid
    `NaN`/`Infinity`, become `null`.

    Args:
        path: the JSON file.
        data: anything `json.dump` takes (numpy scalars and arrays too).
    """
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(_finite(data), f, indent=2, sort_keys=False, allow_nan=False)
            f.write("\n")


def remove_orphans(folder):
    """Delete the `.tmp-*` files and folders killed writers left anywhere under `folder`.

    Call it only while holding the folder's lock (no live writer's file goes).

    Args:
        folder: the run's output folder.

    Returns:
        The paths removed.
    """
    removed = []
    for root, dirs, files in os.walk(folder):
        for name in files + dirs:
            if name.startswith(TMP_PREFIX):
                path = os.path.join(root, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.remove(path)
                removed.append(path)
        dirs[:] = [d for d in dirs if not d.startswith(TMP_PREFIX)]
    return removed


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
