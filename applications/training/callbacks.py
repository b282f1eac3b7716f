"""Callbacks shared by the fine-tuning phases.

- `EpochTimer` records each epoch's wall time (for throughput);
- `Validation` scores the validation split outside the replicas (`val_scores`);
- `KeepBest` keeps the best-validation weights of a phase, resumably.
"""

import json
import time

import keras
import numpy as np

from applications.reporting.predictions import predict_batches
from applications.training.backup import load_rotating, save_rotating
from applications.numerics import is_finite

__all__ = ["EpochTimer", "Validation", "KeepBest", "val_scores", "read_best"]


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of each epoch, in `seconds`, and of its steady steps.

    `steady` holds, per epoch, `(steps, seconds)` from the end of the first
    step to the end of the last: the rate once the step function is traced
    and the input pipeline is running, which does not depend on the epoch's
    length (the custom loop has no batch hooks, so it records none).
    """

    def __init__(self):
        super().__init__()
        self.seconds, self.steady = [], []

    def on_epoch_begin(self, epoch, logs=None):
        """Start the epoch's clock."""
        self._start = time.perf_counter()
        self._first = self._last = None
        self._steps = 0

    def on_train_batch_end(self, batch, logs=None):
        """Note the end of each step (the first one starts the steady clock)."""
        self._last = time.perf_counter()
        if self._first is None:
            self._first = self._last
        else:
            self._steps += 1

    def on_epoch_end(self, epoch, logs=None):
        """Record the epoch's seconds (and its steady steps, when it had two or more)."""
        self.seconds.append(time.perf_counter() - self._start)
        if self._steps:
            self.steady.append((self._steps, self._last - self._first))

    def steady_rate(self, batch):
        """Examples per second over every epoch's steady steps, or None."""
        steps = sum(n for n, _ in self.steady)
        seconds = sum(s for _, s in self.steady)
        return round(steps * batch / seconds, 1) if seconds > 0 else None


class Validation(keras.callbacks.Callback):
    """Add `val_loss`/`val_accuracy` to each epoch's logs, computed outside the replicas.

    Keras 3 `fit(validation_data=...)` under MirroredStrategy fails when the
    last validation batch does not split evenly over the replicas (an AddN
    shape error); one pass in the cross-replica context scores every example.
    Listed before the loggers, which then see the values.

    Args:
        dataset: the validation `(x, label)` batches.
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset

    def on_epoch_end(self, epoch, logs=None):
        """Score the validation split into `logs`."""
        logs["val_loss"], logs["val_accuracy"] = val_scores(self.model, self.dataset)


def val_scores(model, dataset):
    """Cross-entropy and accuracy of a softmax classifier over a split.

    With multi-hot labels (a multi-label tagger, sigmoid outputs), the binary
    cross-entropy and the macro mAP, which then stands in for the accuracy
    (`val_accuracy` in the logs, the score that selects the best epoch).

    Args:
        model: ends in softmax over the classes (or sigmoid per tag).
        dataset: `(x, label)` batches.

    Returns:
        `(val_loss, val_accuracy)` as floats.
    """
    probs, labels, _ = predict_batches(model, dataset)
    if labels.ndim == 2:
        from applications.reporting.tagging import tag_scores

        p = np.clip(probs, 1e-7, 1 - 1e-7)
        bce = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
        return float(bce), float(tag_scores(labels, probs, range(labels.shape[1]))["macro_map"])
    picked = np.clip(probs[np.arange(len(labels)), labels], 1e-7, 1.0)
    return float(-np.mean(np.log(picked))), float(np.mean(probs.argmax(axis=1) == labels))


def read_best(path):
    """The weights, epoch and score a `KeepBest` file holds.

    Args:
        path: the `path.npz` file `KeepBest(path)` writes.

    Returns:
        `(weights, meta)`: a list of arrays and `{"val_accuracy", "epoch"}`.

    Raises:
        One of `applications.training.backup.DAMAGED` if the file is damaged.
    """
    with np.load(path) as saved:
        meta = json.loads(bytes(saved["meta"]).decode())
        weights = [saved[f"arr_{i}"] for i in range(len(saved.files) - 1)]
    return weights, meta


class KeepBest(keras.callbacks.Callback):
    """Keep the weights with the best validation accuracy, the phase's start included.

    The best weights live in memory on every worker (all see the same scores)
    and, written by the chief, under the phase's backup, so a resumed run knows
    the best so far. At the end the model gets the best weights back: a phase
    that only makes validation worse (e.g. a random backbone trained for a few
    epochs) leaves the model as it found it. With `patience`, training stops
    once that many epochs passed without a better score (early stopping that
    resumes exactly: the best epoch is part of the backup). An epoch whose
    training loss is NaN or infinite is never kept.

    Args:
        path: where to keep the best weights with their epoch and score
            (`path.npz`, one file written atomically, the previous kept until
            the new one is complete).
        start_accuracy: validation accuracy of the phase's starting weights.
        writer: whether this process writes the files (the chief).
        patience: epochs without improvement before stopping; 0 never stops.
        log: prints the report of a damaged file.
        min_epochs: never stop before this many epochs: while a warm-up and
            cosine schedule still has a high rate, a small validation set's
            noise can look like a plateau (measured: a from-scratch run on 460
            clips with 20 val clips stopped at epoch 14 of 40 at test 0.275,
            where the full schedule reached 0.856).
        select: False keeps every finite epoch, so the phase ends with its last
            (for a phase that trains on the validation clips, whose scores then
            select nothing).
    """

    def __init__(
        self, path, start_accuracy, writer=True, patience=0, log=print, min_epochs=0, select=True
    ):
        super().__init__()
        self.path = path + ".npz"
        self.start_accuracy, self.writer, self.patience = start_accuracy, writer, patience
        self.min_epochs, self.select = min_epochs, select
        self.log = log
        self.best, self.best_epoch, self.weights = None, None, None

    def _keep(self, accuracy, epoch, weights):
        self.best, self.best_epoch, self.weights = accuracy, epoch, weights
        if self.writer:
            # Model weights only (not the optimizer, which the phase discards).
            meta = json.dumps({"val_accuracy": accuracy, "epoch": epoch}).encode()
            arrays = {f"arr_{i}": w for i, w in enumerate(weights)}
            arrays["meta"] = np.frombuffer(meta, dtype=np.uint8)
            save_rotating(self.path, lambda tmp: np.savez(tmp, **arrays))

    def on_train_begin(self, logs=None):
        """Load a resumed phase's best so far, or keep the starting weights as best."""
        saved = load_rotating(self.path, read_best, self.log)
        if saved is not None:
            weights, meta = saved
            self.best, self.best_epoch, self.weights = meta["val_accuracy"], meta["epoch"], weights
        else:
            self._keep(self.start_accuracy, -1, self.model.get_weights())  # -1: the phase's start

    def on_epoch_end(self, epoch, logs=None):
        """Keep the weights if this epoch beats the best; stop after `patience` without."""
        better = not self.select or logs["val_accuracy"] > self.best
        if is_finite(logs.get("loss")) and better:
            self._keep(logs["val_accuracy"], epoch, self.model.get_weights())
        elif (
            self.patience
            and epoch + 1 >= self.min_epochs
            and epoch - self.best_epoch >= self.patience
        ):
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        """Give the model the best weights back."""
        self.model.set_weights(self.weights)
