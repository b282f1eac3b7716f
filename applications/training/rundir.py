"""The `--out` folder of one run of any job: a lock, the stored settings, a clean start.

- An advisory lock (`fcntl.flock` on `OUT/.audiozoo.lock`, which holds the
  owner's PID) makes a second run into the same folder fail at once; the
  kernel drops the lock when its process dies, even by `kill -9`.
- `OUT/settings.json` stores the run's settings. A rerun with the same
  settings resumes; one with different settings is refused, naming the
  differences, unless `overwrite`, which discards the earlier run's files.
  A run that wrote nothing but its settings (it stopped at a data check)
  does not bind the folder.
- The `.tmp-*` files of writers that were killed are removed.
- A run whose outputs are all written leaves `OUT/.audiozoo.complete`
  (`mark_complete`); `completed` tells the CLI that a rerun with the same
  settings has nothing left to do.
"""

import contextlib
import fcntl
import json
import os
import shutil

from applications.atomic_io import remove_orphans, write_json
from applications.errors import UsageError

__all__ = ["claim_out", "release", "completed", "mark_complete", "LOCK", "SETTINGS", "RUN_FILES"]

LOCK, SETTINGS, COMPLETE = ".audiozoo.lock", "settings.json", ".audiozoo.complete"
# What a run writes into OUT, whatever the job; `overwrite` removes exactly
# these and a job's own `outputs`.
RUN_FILES = ("backup", "logs", "report.json", SETTINGS, COMPLETE)


def _lock(out):
    handle = open(os.path.join(out, LOCK), "a+", encoding="utf-8")  # noqa: SIM115 (held open)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "unknown"
        handle.close()
        raise UsageError(
            f"--out {out} is in use by PID {owner} (another audiozoo run writes there).",
            hint="wait for that run to finish, or pass another --out",
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _differences(stored, current):
    keys = list(current) + [k for k in stored if k not in current]
    changed = [k for k in keys if stored.get(k) != current.get(k)]
    return ", ".join(f"{k}: {stored.get(k)!r} -> {current.get(k)!r}" for k in changed)


def _discard_run(out, names):
    for name in names:
        path = os.path.join(out, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)


def _has_work(out, names):
    # Settings alone (a run that stopped at a data check) protect nothing.
    return any(os.path.exists(os.path.join(out, n)) for n in names if n != SETTINGS)


def claim_out(config, overwrite=False, log=print):
    """Lock `config.out`, clean it, and check or store the run's settings.

    Args:
        config: the run's `applications.settings.Settings` (`out` names the folder;
            its class's `OUTPUTS` are what the job writes there besides `RUN_FILES`).
        overwrite: discard an earlier run in `config.out` and start afresh.
        log: prints what was cleaned or discarded.

    Returns:
        The open lock file: keep it open for the run, close it to release.

    Raises:
        UsageError: `config.out` is a file, is in use by another run, or holds
            a run with other settings (without `overwrite`).
    """
    out = config.out
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out} is a file, not a folder.", hint="pass a folder for --out")
    os.makedirs(out, exist_ok=True)
    handle = _lock(out)
    try:
        removed = remove_orphans(out)
        if removed:
            log(f"Removed {len(removed)} temporary file(s) a killed run left in {out}.")
        names = RUN_FILES + tuple(getattr(type(config), "OUTPUTS", ()))
        current = config.comparable()
        path = os.path.join(out, SETTINGS)
        stored = None
        if os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as f:
                    stored = json.load(f)
            except (OSError, ValueError):
                stored = {"settings.json": "unreadable"}
        if overwrite:
            _discard_run(out, names)
            log(f"--overwrite: discarded the earlier run in {out}; starting afresh.")
        elif stored is not None and stored != current and _has_work(out, names):
            raise UsageError(
                f"--out {out} holds a run with other settings ({_differences(stored, current)}).",
                hint="rerun with the same settings to resume, pass another --out, or add "
                "--overwrite to discard the earlier run",
            )
        # This run rewrites the outputs: until it finishes, OUT is not complete.
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(out, COMPLETE))
        write_json(path, current)
    except BaseException:
        handle.close()
        raise
    return handle


def mark_complete(out):
    """Record that the run in `out` wrote all its outputs (a rerun has nothing to do)."""
    write_json(os.path.join(out, COMPLETE), {"complete": True})


def completed(config):
    """The line to print when `config.out` holds a finished run of exactly `config`, else None.

    Args:
        config: the run's `applications.settings.Settings`.

    Returns:
        One line naming the folder and its outputs, or None (no run there, a run
        with other settings, or one that has not finished: the job resumes it or
        refuses it as usual).
    """
    out = config.out
    try:
        with open(os.path.join(out, SETTINGS), encoding="utf-8") as f:
            stored = json.load(f)
    except (OSError, ValueError):
        return None
    if not os.path.exists(os.path.join(out, COMPLETE)) or stored != config.comparable():
        return None
    names = dict.fromkeys(("report.json", *getattr(type(config), "OUTPUTS", ())))
    present = [n for n in names if os.path.exists(os.path.join(out, n))]
    return (
        f"{out} already holds this run, complete: outputs in {out}/ ({', '.join(present)}). "
        "Nothing to do; pass --overwrite to train again, or another --out."
    )


def release(handle):
    """Release the lock `claim_out` returned (None is ignored)."""
    if handle is not None:
        with contextlib.suppress(OSError):
            handle.close()
