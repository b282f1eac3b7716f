"""Training backups that survive a kill at any instant, and notice when they are damaged.

A backup file is written to a temporary file and renamed into place
(`applications.atomic_io.atomic_path`); before the rename, the previous
backup becomes `prev-FILE` (suffixes kept, which Keras checks), so at every instant one complete backup exists.
On resume the newest readable one wins: a damaged file (truncated, bit
flips) is reported in one line and removed, the previous one is tried, and
without any the phase restarts from its starting weights.

`Backup` is the `fit` callback built on this (it replaces Keras
`BackupAndRestore`, whose first write is not atomic); the custom loop's
`state.npz` uses `save_rotating`/`load_rotating` directly.
"""

import contextlib
import os
import zipfile

import h5py
import keras
import numpy as np

from applications.atomic_io import atomic_path

__all__ = ["save_rotating", "load_rotating", "previous", "Backup", "DAMAGED"]

# What reading a damaged backup raises (h5py: OSError; np.load: BadZipFile, ...).
DAMAGED = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


def previous(path):
    """Where `save_rotating` keeps the backup before `path`'s: `prev-NAME` beside it."""
    return os.path.join(os.path.dirname(path), "prev-" + os.path.basename(path))


def save_rotating(path, write):
    """Write `path` through `write(tmp)`, keeping the old file as `previous(path)` until done.

    Args:
        path: the backup file.
        write: a function writing the complete new backup to the path it gets.
    """
    with atomic_path(path) as tmp:
        write(tmp)
        if os.path.exists(path):
            os.replace(path, previous(path))
    with contextlib.suppress(FileNotFoundError):
        os.remove(previous(path))


def load_rotating(path, read, log=print):
    """Read the newest readable of `path` and `previous(path)` with `read(file)`.

    Args:
        path: the backup file.
        read: reads one file; raises one of `DAMAGED` when it is damaged, and
            must leave its target unchanged in that case (restore it).
        log: prints the one-line report of a damaged file.

    Returns:
        What `read` returned, or None when no readable backup exists.
    """
    for candidate in (path, previous(path)):
        if not os.path.exists(candidate):
            continue
        try:
            return read(candidate)
        except DAMAGED as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            log(
                f"Backup {candidate} is damaged ({reason[:120]}); removed it, resuming from "
                "the previous backup if there is one, else restarting the phase."
            )
            with contextlib.suppress(FileNotFoundError):  # another worker removed it first
                os.remove(candidate)
    return None


class Backup(keras.callbacks.Callback):
    """Back up weights, optimizer and epoch after every epoch; resume from them in `fit`.

    One file, `backup_dir/latest.weights.h5` (`model.save_weights`, which
    holds the optimizer's variables too, plus the finished epochs as an HDF5
    attribute), rotated by `save_rotating`. An epoch whose loss is not finite
    is not backed up, so a NaN never becomes the state a rerun resumes from.

    Args:
        backup_dir: the phase's backup folder.
        log: prints the report of a damaged backup.
        writer: whether this process writes backups.

    Example:
        >>> model.fit(data, epochs=5, callbacks=[Backup("out/backup/head")])
    """

    def __init__(self, backup_dir, log=print, writer=True):
        super().__init__()
        self.path = os.path.join(backup_dir, "latest.weights.h5")
        self.log, self.writer = log, writer

    def _read(self, path):
        with h5py.File(path, "r") as f:
            epoch = int(f.attrs["audiozoo_epoch"])
        variables = list(self.model.variables) + list(self.model.optimizer.variables)
        before = [keras.ops.convert_to_numpy(v) for v in variables]
        try:
            self.model.load_weights(path)
        except DAMAGED:
            for variable, value in zip(variables, before):
                variable.assign(value)  # a half-read file must not leave half its weights
            raise
        return epoch

    def on_train_begin(self, logs=None):
        """Restore the newest readable backup and make `fit` start after its epoch."""
        if not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        epoch = load_rotating(self.path, self._read, self.log)
        if epoch:
            self.model._initial_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        """Back up the finished epoch (not one whose loss is NaN or infinite)."""
        loss = (logs or {}).get("loss")
        if not self.writer or (loss is not None and not np.isfinite(float(loss))):
            return

        def write(tmp):
            self.model.save_weights(tmp)
            with h5py.File(tmp, "a") as f:
                f.attrs["audiozoo_epoch"] = epoch + 1

        save_rotating(self.path, write)
