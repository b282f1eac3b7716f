"""What both WaveNet generators share: seeded noise, class sampling, argument checks,
and the `Generator` base class that holds them.

Step `t`'s noise is a pure function of `(seed, t)` computed with integer
hashing, which gives the same bits in plain TensorFlow and under XLA, and
classes are drawn by inverse CDF, so `zoo.wavenet.generation`'s fast and
naive generators give the same samples for the same seed.
"""

import numpy as np
import tensorflow as tf

from zoo.sampling import inverse_cdf, tempered_softmax
from zoo.validation import argument_error, check_positive_int
from zoo.wavenet.mu_law import mu_law_decode, mu_law_encode

__all__ = ["Generator", "GeneratorSetup", "sample_classes", "uniform_noise"]


def _mix32(x):
    """The lowbias32 integer hash (C. Wellons), on int64 holding 32-bit values.

    Integer arithmetic gives the same bits in plain TensorFlow and under XLA,
    which `tf.random.stateless_*` does not (XLA picks its own generator), so
    the compiled fast loop and the naive reference draw identical noise.
    """
    mask = 0xFFFFFFFF
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 16))
    x = (x * 0x7FEB352D) & mask
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 15))
    x = (x * 0x846CA68B) & mask
    return tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 16))


def uniform_noise(seed, position, batch_size):
    """`batch_size` uniforms in [0, 1), a pure function of `(seed, position, stream)`."""
    stream = tf.range(batch_size, dtype=tf.int64)
    seed, position = tf.cast(seed, tf.int64), tf.cast(position, tf.int64)
    x = _mix32((seed * 0x9E3779B1 + stream) & 0xFFFFFFFF)
    x = _mix32((x + position * 0x85EBCA77) & 0xFFFFFFFF)
    return tf.cast(tf.bitwise.right_shift(x, 8), tf.float32) / float(1 << 24)  # 24 exact bits


def sample_classes(logits, seed, position, temperature):
    """Draw one class per row of `logits` with noise fixed by `(seed, position)`.

    Inverse-CDF sampling with one uniform per stream: deterministic given the
    seed and the step, and independent of how the logits were computed.
    """
    probs = tempered_softmax(logits, temperature)
    return inverse_cdf(probs, uniform_noise(seed, position, tf.shape(logits)[0]))


class GeneratorSetup:
    """Checks and normalises the arguments both generators share."""

    def __init__(
        self, model, batch_size, temperature, seed, global_condition, local_condition, prime
    ):
        self.model = model
        self.batch_size = check_positive_int("batch_size", batch_size)
        if not temperature > 0:
            raise argument_error("temperature", temperature, "`temperature` must be > 0.")
        self.temperature = float(temperature)
        self.seed = int(np.random.default_rng().integers(2**31)) if seed is None else int(seed)
        q = model.quantization_channels

        self.global_ids = None
        if model.global_condition_classes:
            if global_condition is None:
                raise argument_error(
                    "global_condition",
                    None,
                    f"This model is globally conditioned; pass an id in 0..{model.global_condition_classes - 1}.",
                )
            ids = np.broadcast_to(
                np.asarray(global_condition, dtype="int32").reshape(-1), (batch_size,)
            )
            if ids.min() < 0 or ids.max() >= model.global_condition_classes:
                raise argument_error(
                    "global_condition",
                    global_condition,
                    f"Ids must be in 0..{model.global_condition_classes - 1}.",
                )
            self.global_ids = tf.constant(ids)
        elif global_condition is not None:
            raise argument_error(
                "global_condition", global_condition, "This model has no global conditioning."
            )

        self.local_up = None
        if model.local_condition_channels:
            if local_condition is None:
                raise argument_error(
                    "local_condition",
                    None,
                    f"This model is locally conditioned; pass features [frames, {model.local_condition_channels}].",
                )
            features = np.asarray(local_condition, dtype="float32")
            if features.ndim == 2:
                features = features[None]
            if features.ndim != 3 or features.shape[-1] != model.local_condition_channels:
                raise argument_error(
                    "local_condition",
                    f"<array of shape {features.shape}>",
                    f"Expected [frames, {model.local_condition_channels}] or [batch, frames, "
                    f"{model.local_condition_channels}].",
                )
            features = np.broadcast_to(features, (batch_size,) + features.shape[1:])
            # Upsample once; each step then reads one row.
            # float32 whatever the global dtype policy: the loop's weights are float32.
            self.local_up = tf.cast(
                model.get_layer("local_upsampler")(tf.constant(features)), tf.float32
            )
        elif local_condition is not None:
            raise argument_error(
                "local_condition", "<array>", "This model has no local conditioning."
            )

        if prime is None:
            classes = np.full((batch_size, 1), q // 2, dtype="int32")  # one sample of silence
        else:
            prime = np.asarray(prime)
            if prime.ndim == 1:
                prime = prime[None]
            if prime.ndim != 2 or prime.shape[1] < 1:
                raise argument_error(
                    "prime", f"<array of shape {prime.shape}>", "Expected [time] or [batch, time]."
                )
            if np.issubdtype(prime.dtype, np.integer):
                if prime.min() < 0 or prime.max() >= q:
                    raise argument_error(
                        "prime", "<int array>", f"Integer primes are mu-law classes in 0..{q - 1}."
                    )
                classes = prime.astype("int32")
            else:
                classes = np.asarray(mu_law_encode(prime, q))
            classes = np.broadcast_to(classes, (batch_size, classes.shape[1])).copy()
        self.prime_classes = classes

    def check_local_length(self, last_position):
        """Raise unless the local features cover the sample at `last_position`."""
        if self.local_up is not None and last_position >= self.local_up.shape[1]:
            raise argument_error(
                "local_condition",
                f"<{self.local_up.shape[1] // self.model.local_condition_hop} frames>",
                f"The features cover {self.local_up.shape[1]} samples but step {last_position} needs "
                f"one more frame; give frames covering the prime and all generated samples.",
            )


class Generator:
    """Base of the WaveNet generators: checked settings, and classes decoded to audio.

    Subclasses implement `generate_classes(num_samples)`.

    Args:
        model: a `WaveNet`.
        batch_size, temperature, seed, global_condition, local_condition, prime:
            as in `WaveNet.generate`.
    """

    def __init__(
        self,
        model,
        batch_size=1,
        temperature=1.0,
        seed=None,
        global_condition=None,
        local_condition=None,
        prime=None,
    ):
        self.setup = GeneratorSetup(
            model, batch_size, temperature, seed, global_condition, local_condition, prime
        )
        self.model = model

    def generate_classes(self, num_samples):
        """Sample `num_samples` more classes per stream; returns int32 `[batch, num_samples]`."""
        raise NotImplementedError

    def generate(self, num_samples):
        """Sample `num_samples` more samples per stream; float32 `[batch, num_samples]` in [-1, 1]."""
        return np.asarray(
            mu_law_decode(self.generate_classes(num_samples), self.model.quantization_channels)
        )
