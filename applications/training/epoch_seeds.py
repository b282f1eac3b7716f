"""Randomness that is a function of (seed, epoch), so a resumed run repeats an uninterrupted one.

A run killed after epoch k and restarted restores weights and optimizer
state from its backup, but a fresh process would replay epoch 0's shuffle
order and dropout/SpecAugment masks at epoch k. Two fixes:

- Data order: a seeded `shuffle(..., reshuffle_each_iteration=True)` draws
  its n-th order when the n-th iterator is *created*, so `fast_forward`
  creates and drops k iterators (no data is read) before epoch k.
- Layer randomness: `reseed_layers` sets every Keras seed generator of a
  model to a state derived from its variable path, the run seed and the
  epoch, instead of carrying state from epoch to epoch.

`EpochSeeds` does both inside `fit`, which creates each epoch's iterator
after `on_epoch_begin`.
"""

import zlib

import keras
import numpy as np

__all__ = ["fast_forward", "reseed_layers", "EpochSeeds"]


def fast_forward(dataset, epochs):
    """Advance a reshuffling dataset's order by `epochs` iterations without reading data.

    Args:
        dataset: a `tf.data.Dataset` (or distributed dataset) that reshuffles
            each iteration.
        epochs: how many iterators to create and drop.
    """
    for _ in range(epochs):
        iterator = iter(dataset)
        del iterator


def reseed_layers(model, seed, epoch):
    """Set each seed generator of `model` to a state derived from (path, seed, epoch).

    Args:
        model: a Keras model; its dropout, SpecAugment, ... seed generators.
        seed: the run seed.
        epoch: the epoch about to start (0-based).
    """
    for variable in model.variables:
        if "seed_generator_state" not in variable.path:
            continue
        base = zlib.crc32(f"{seed}:{variable.path}".encode()) & 0x7FFFFFFF
        # The second word counts draws within an epoch; start each epoch far apart.
        state = np.array([base, (epoch * 1000003) % (2**31)], dtype=variable.dtype)
        variable.assign(state)


class EpochSeeds(keras.callbacks.Callback):
    """Reseed layer randomness each epoch and, on a resumed run, fast-forward the data.

    Args:
        seed: the run seed.
        dataset: the training dataset `fit` iterates (None: no fast-forward).
    """

    def __init__(self, seed, dataset=None):
        super().__init__()
        self.seed = seed
        self.dataset = dataset
        self._first = True

    def on_epoch_begin(self, epoch, logs=None):
        """Fast-forward the data on the first (possibly resumed) epoch; reseed the layers."""
        if self._first and self.dataset is not None:
            # `fit` starts at the restored epoch; replay the orders it skipped.
            fast_forward(self.dataset, epoch)
        self._first = False
        reseed_layers(self.model, self.seed, epoch)
