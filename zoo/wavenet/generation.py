"""Autoregressive sampling from a `WaveNet`: the naive reference and `make_generator`.

`NaiveGenerator` runs the model on the last receptive field at every step;
`FastGenerator` (`zoo.wavenet.fast_generation`, Paine et al. 2016) keeps
per-layer queues in one compiled loop. Both draw step `t`'s noise from
`(seed, t)` and sample by inverse CDF (`zoo.wavenet.sampling`), so the same
seed gives the same samples from both.
"""

import numpy as np
import tensorflow as tf

from zoo.validation import check_positive_int
from zoo.wavenet.fast_generation import FastGenerator
from zoo.wavenet.sampling import Generator, sample_classes, uniform_noise

# `FastGenerator`, `sample_classes` and `uniform_noise` live in their own modules;
# they stay importable from here.
__all__ = ["FastGenerator", "NaiveGenerator", "make_generator", "sample_classes", "uniform_noise"]


class NaiveGenerator(Generator):
    """Reference sampler: runs the model on the last `receptive_field` samples at every step.

    Example:
        >>> gen = NaiveGenerator(zoo.get_entry("wavenet").build_tiny(), seed=0)
        >>> gen.generate_classes(10).shape
        (1, 10)
    """

    def __init__(self, model, *args, **kwargs):
        super().__init__(model, *args, **kwargs)
        self.classes = self.setup.prime_classes  # every sample so far; the last one is fed next
        self._step = tf.function(self._window_step, reduce_retracing=True)

    def _window_step(self, window, local_window, position):
        m = self.model
        x = m.get_layer("causal_conv")(m.get_layer("one_hot")(window))
        conditions = []
        if m.global_condition_classes:
            conditions.append(m.get_layer("global_embedding")(self.setup.global_ids))
        if m.local_condition_channels:
            conditions.append(local_window)
        skip = 0.0
        for i in range(len(m.dilations)):
            x, s = m.get_layer(f"block{i}")([x] + conditions)
            skip = skip + s
        h = m.get_layer("head_conv")(tf.nn.relu(skip))
        logits = m.get_layer("logits")(tf.nn.relu(h))[:, -1]
        return sample_classes(logits, self.setup.seed, position, self.setup.temperature)

    def generate_classes(self, num_samples):
        """Sample `num_samples` more classes per stream; returns int32 `[batch, num_samples]`."""
        check_positive_int("num_samples", num_samples)
        rf = self.model.receptive_field
        out = []
        for _ in range(num_samples):
            position = self.classes.shape[1] - 1
            self.setup.check_local_length(position)
            start = max(0, position + 1 - rf)
            local = (
                self.setup.local_up[:, start : position + 1]
                if self.setup.local_up is not None
                else tf.zeros((self.setup.batch_size, 0, 0))
            )
            new = self._step(
                tf.constant(self.classes[:, start:]), local, tf.constant(position, tf.int64)
            )
            new = new.numpy()[:, None].astype("int32")
            self.classes = np.concatenate([self.classes, new], axis=1)
            out.append(new)
        return np.concatenate(out, axis=1)


def make_generator(model, fast=True, jit_compile=True, **settings):
    """A `FastGenerator` (`fast=True`) or `NaiveGenerator` for `model`.

    Args:
        model: a `WaveNet`.
        fast: per-layer queues in a compiled loop; False is the reference.
        jit_compile: compile the fast loop with XLA (ignored when not `fast`).
        **settings: `batch_size`, `temperature`, `seed`, `global_condition`,
            `local_condition`, `prime`, as in `WaveNet.generate`.

    Example:
        >>> model = zoo.get_entry("wavenet").build_tiny()  # a small WaveNet
        >>> make_generator(model, fast=False, seed=0).generate(10).shape
        (1, 10)
    """
    if fast:
        return FastGenerator(model, jit_compile=jit_compile, **settings)
    return NaiveGenerator(model, **settings)
