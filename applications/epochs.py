"""Randomness that is a function of (seed, epoch), so a resumed run repeats an uninterrupted one.

A run killed after epoch k and restarted restores weights and optimizer
state from its backup, but a fresh process would replay epoch 0's shuffle
order and dropout masks at epoch k. Here both are derived from the epoch
number instead of from state carried across epochs:

- `epoch_dataset` shuffles with seed `seed * 100003 + epoch`;
- `reseed_layers` resets every Keras seed generator in a model to a value
  derived from its variable path, the run seed and the epoch;
- `EpochSeeds` does both at the start of each `fit` epoch.
"""

import zlib

import keras
import numpy as np
import tensorflow as tf

__all__ = ["epoch_seed", "epoch_dataset", "variable_epoch_dataset", "reseed_layers", "EpochSeeds"]

_SHUFFLE_CAP = 4096  # examples held by the shuffle buffer; bounds memory on large datasets


def epoch_seed(seed, epoch):
    """The shuffle seed of `epoch` (int or int64 tensor)."""
    return seed * 100003 + epoch


def _shuffled(examples, seed, epoch, batch_size, size):
    buffer = max(1, min(int(size or _SHUFFLE_CAP), _SHUFFLE_CAP))
    return examples.shuffle(
        buffer, seed=epoch_seed(seed, epoch), reshuffle_each_iteration=False
    ).batch(batch_size)


def epoch_dataset(examples, *, seed, epoch, batch_size, size=None):
    """Batches of `examples` (an unbatched dataset) in the order of `epoch`.

    Args:
        examples: unbatched `tf.data.Dataset` in a fixed order.
        seed: the run seed.
        epoch: epoch number.
        batch_size: global batch size.
        size: number of examples (sets the shuffle buffer; capped).

    Returns:
        A batched, prefetched `tf.data.Dataset`.
    """
    return _shuffled(examples, seed, epoch, batch_size, size).prefetch(tf.data.AUTOTUNE)


def variable_epoch_dataset(examples, *, seed, epoch_variable, batch_size, size=None):
    """Like `epoch_dataset`, but the epoch is read from `epoch_variable` at each iteration.

    `fit` builds one iterator per epoch after `on_epoch_begin`, so `EpochSeeds`
    setting the variable there gives each epoch its own order.
    """
    seed = tf.constant(seed, tf.int64)

    def one_epoch(_):
        return _shuffled(examples, seed, epoch_variable.read_value(), batch_size, size)

    return tf.data.Dataset.from_tensors(0).flat_map(one_epoch).prefetch(tf.data.AUTOTUNE)


def reseed_layers(model, seed, epoch):
    """Set each seed generator of `model` to a state derived from (path, seed, epoch)."""
    for variable in model.variables:
        if "seed_generator_state" not in variable.path:
            continue
        base = zlib.crc32(f"{seed}:{variable.path}".encode()) & 0x7FFFFFFF
        # The second word counts draws within an epoch; start each epoch far apart.
        state = np.array([base, (epoch * 1000003) % (2**31)], dtype=variable.dtype)
        variable.assign(state)


class EpochSeeds(keras.callbacks.Callback):
    """Set the data-order epoch variable and reseed dropout/augmentation at each epoch."""

    def __init__(self, seed, epoch_variable=None):
        super().__init__()
        self.seed = seed
        self.epoch_variable = epoch_variable

    def on_epoch_begin(self, epoch, logs=None):
        if self.epoch_variable is not None:
            self.epoch_variable.assign(epoch)
        reseed_layers(self.model, self.seed, epoch)
