"""Callbacks and inference helpers shared by the fine-tuning phases.

- `EpochTimer` records each epoch's wall time (for throughput);
- `Validation` scores the validation split outside the replicas;
- `KeepBest` keeps the best-validation weights of a phase, resumably;
- `predict_batches` runs a model over a dataset once, in order.
"""

import json
import os
import time
import weakref

import keras
import numpy as np
import tensorflow as tf

from applications.atomic_io import atomic_path, write_json

__all__ = ["EpochTimer", "Validation", "KeepBest", "predict_batches", "val_scores"]


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of each epoch, in `seconds`."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


class Validation(keras.callbacks.Callback):
    """Add `val_loss`/`val_accuracy` to each epoch's logs, computed outside the replicas.

    Keras 3 `fit(validation_data=...)` under MirroredStrategy fails when the
    last validation batch does not split evenly over the replicas (an AddN
    shape error); one pass in the cross-replica context scores every example.
    Listed before the loggers, which then see the values.
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"], logs["val_accuracy"] = val_scores(self.model, self.dataset)


def val_scores(model, dataset):
    """`(val_loss, val_accuracy)` of `model` over `dataset`."""
    probs, labels, _ = predict_batches(model, dataset)
    picked = np.clip(probs[np.arange(len(labels)), labels], 1e-7, 1.0)
    return float(-np.mean(np.log(picked))), float(np.mean(probs.argmax(axis=1) == labels))


class KeepBest(keras.callbacks.Callback):
    """Keep the weights with the best validation accuracy, the phase's start included.

    The best weights live in memory on every worker (all see the same scores)
    and, written by the chief, under the phase's backup, so a resumed run knows
    the best so far. At the end the model gets the best weights back: a phase
    that only makes validation worse (e.g. a random backbone trained for a few
    epochs) leaves the model as it found it.
    """

    def __init__(self, path, start_accuracy, writer=True):
        super().__init__()
        self.path, self.meta = path + ".npz", path + ".json"
        self.start_accuracy, self.writer = start_accuracy, writer
        self.best, self.best_epoch, self.weights = None, None, None

    def _keep(self, accuracy, epoch, weights):
        self.best, self.best_epoch, self.weights = accuracy, epoch, weights
        if self.writer:
            # Model weights only (not the optimizer, which the phase discards).
            with atomic_path(self.path) as tmp:
                np.savez(tmp, *weights)
            write_json(self.meta, {"val_accuracy": accuracy, "epoch": epoch})

    def on_train_begin(self, logs=None):
        if os.path.exists(self.meta):
            with open(self.meta, encoding="utf-8") as f:
                meta = json.load(f)
            with np.load(self.path) as saved:
                weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
            self.best, self.best_epoch, self.weights = meta["val_accuracy"], meta["epoch"], weights
        else:
            self._keep(self.start_accuracy, -1, self.model.get_weights())  # -1: the phase's start

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_accuracy"] > self.best:
            self._keep(logs["val_accuracy"], epoch, self.model.get_weights())

    def on_train_end(self, logs=None):
        self.model.set_weights(self.weights)


_INFERENCE_STEPS = weakref.WeakKeyDictionary()  # one traced function per model


def predict_batches(model, dataset, keep_inputs=0):
    """Run `model` over `(x, y)` batches once, in order.

    Args:
        model: a Keras model.
        dataset: `(x, label)` batches.
        keep_inputs: also return up to this many inputs, one per class first
            (for example plots), with their positions.

    Returns:
        `(probs, labels, (inputs, positions))`; inputs is None when none are kept.
    """
    if model not in _INFERENCE_STEPS:
        _INFERENCE_STEPS[model] = tf.function(lambda x: model(x, training=False))
    step = _INFERENCE_STEPS[model]
    outputs, labels, kept, seen = [], [], [], 0
    for x, y in dataset:
        outputs.append(np.asarray(step(x), dtype=np.float32))
        y = y.numpy()
        labels.append(y)
        if len(kept) < keep_inputs:
            shown = {label for _, label, _ in kept}
            for i, label in enumerate(y):
                if label not in shown and len(kept) < keep_inputs:
                    kept.append((x[i].numpy(), label, seen + i))
                    shown.add(label)
        seen += len(y)
    if not outputs:
        raise ValueError("The split holds no examples to run the model on.")
    examples = (np.stack([k[0] for k in kept]), np.array([k[2] for k in kept])) if kept else (None, None)
    return np.concatenate(outputs), np.concatenate(labels), examples
