"""The weighted geometric mean of classifiers' probabilities: a product of experts.

`GeometricMean` joins the probabilities of several classifiers of one input as
`softmax(sum_i w_i log p_i)`; `audiozoo finetune` saves its network joined to
a hand-crafted baseline this way, with weights chosen on held-out clips.
A class one model rules out stays unlikely, which an arithmetic mean
would not ensure.
"""

import keras
import numpy as np
from keras import ops

__all__ = ["GeometricMean", "EPSILON"]

EPSILON = 1e-7  # floor of a probability before its log: a confident 0 must not be -inf


@keras.saving.register_keras_serializable(package="zoo")
class GeometricMean(keras.layers.Layer):
    """Probabilities `[(batch, classes), ...]` -> their weighted, normalised geometric mean.

    `softmax(sum_i weights[i] * log max(p_i, 1e-7))`; by default every weight
    is `1 / len(inputs)` (a product of experts with equal weights). A class
    one model rules out stays unlikely, which an arithmetic mean would not
    ensure.

    Args:
        weights: one non-negative exponent per input, or None for equal ones.

    Example:
        >>> GeometricMean()([np.array([[0.9, 0.1]]), np.array([[0.5, 0.5]])]).numpy()
        array([[0.75, 0.25]], dtype=float32)
    """

    def __init__(self, weights=None, **kwargs):
        super().__init__(**kwargs)
        if weights is not None:
            weights = [float(w) for w in weights]
            if not weights or min(weights) < 0 or not np.isfinite(weights).all():
                raise ValueError(
                    f"`weights` must be finite and non-negative, one per input. "
                    f"Received: weights={weights}"
                )
        self.exponents = weights

    def call(self, inputs):
        weights = self.exponents
        if weights is None:
            weights = [1.0 / len(inputs)] * len(inputs)
        if len(weights) != len(inputs):
            raise ValueError(
                f"GeometricMean has {len(weights)} weights for {len(inputs)} inputs. "
                f"Received: weights={weights}"
            )
        logs = [
            w * ops.log(ops.maximum(ops.cast(p, "float32"), EPSILON))
            for w, p in zip(weights, inputs)
        ]
        return ops.softmax(sum(logs), axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "weights": self.exponents}
