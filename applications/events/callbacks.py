"""The callbacks of `audiozoo events train`: the lowest validation loss kept, a time cap.

`LowestValLoss` keeps what `EarlyStopping("val_loss", restore_best_weights=True)`
kept before (the weights of the epoch with the lowest validation loss, the
first of equals), but resumably: it is `applications.training.callbacks.KeepBest`
on the negated loss, whose best so far is part of the run's backup.
"""

import math
import time

import keras

from applications.training.callbacks import KeepBest

__all__ = ["LowestValLoss", "TimeLimit"]


class LowestValLoss(KeepBest):
    """End training with the weights of the epoch whose `val_loss` was lowest.

    The starting weights are no candidate (their score is -inf), as with
    `EarlyStopping`; an epoch whose validation loss is NaN is never kept.
    The file's `val_accuracy` holds the negated validation loss.

    Args:
        path: where to keep the best weights (`path.npz`).
        writer: whether this process writes the file (the chief).
        log: prints the report of a damaged file.

    Example:
        >>> run.fit_phase("train", model, x, y=y, epochs=5, validation_data=(xv, yv),
        ...               callbacks=[LowestValLoss(os.path.join(run.backup, "train.best"))])
    """

    def __init__(self, path, writer=True, log=print):
        super().__init__(path, -math.inf, writer=writer, log=log)

    def on_epoch_end(self, epoch, logs=None):
        """Keep this epoch's weights if its validation loss is the lowest yet."""
        logs = logs or {}
        score = -float(logs.get("val_loss", math.nan))
        super().on_epoch_end(epoch, {**logs, "val_accuracy": score})


class TimeLimit(keras.callbacks.Callback):
    """Stop `fit` once `seconds` have passed (checked after each epoch; None: never).

    Args:
        seconds: the training seconds allowed in this process, or None.
    """

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        """Start the clock."""
        self.start = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        """Stop training when the time is up."""
        if self.seconds and time.monotonic() - self.start > self.seconds:
            self.model.stop_training = True
