"""Teacher-forcing schedules for scheduled sampling (Bengio et al. 2015).

Each schedule is a serialisable callable `schedule(step) -> eps`: the
probability of feeding the ground truth y(t-1) (rather than the model's own
prediction) at training batch `step`. They accept Python numbers and tensors.

Reference: S. Bengio, O. Vinyals, N. Jaitly, N. Shazeer, "Scheduled Sampling
for Sequence Prediction with Recurrent Neural Networks", NeurIPS 2015, sec. 2.4.

Example:
    >>> from zoo.recurrent.schedules import InverseSigmoid
    >>> schedule = InverseSigmoid(k=100.0)
    >>> round(float(schedule(0)), 4)
    0.9901
"""

import math

import keras
from keras import ops

from zoo.validation import argument_error

__all__ = ["Schedule", "Linear", "Exponential", "InverseSigmoid", "Constant", "get"]


def _check_number(arg, value, low=None, high=None, low_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise argument_error(arg, value, f"`{arg}` must be a finite number.")
    if low is not None and (value < low or (low_open and value == low)):
        raise argument_error(arg, value, f"`{arg}` must be {'>' if low_open else '>='} {low}.")
    if high is not None and value > high:
        raise argument_error(arg, value, f"`{arg}` must be <= {high}.")
    return float(value)


class Schedule:
    """Base class: `schedule(step)` returns eps as a float32 tensor."""

    def __call__(self, step):
        return self.epsilon_at(ops.cast(step, "float32"))

    def epsilon_at(self, step):  # pragma: no cover - abstract
        """eps at training batch `step` (a float32 tensor); what subclasses define."""
        raise NotImplementedError

    def get_config(self):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))


@keras.saving.register_keras_serializable(package="zoo")
class Linear(Schedule):
    """Linear decay: eps_i = max(epsilon, k - c * i).

    Args:
        k: eps at step 0 (at most 1).
        c: decrease per training batch (> 0).
        epsilon: floor on eps, the least ground truth the model keeps seeing.

    Example:
        >>> float(Linear(k=1.0, c=0.01, epsilon=0.1)(50))
        0.5
    """

    def __init__(self, k=1.0, c=1e-3, epsilon=0.0):
        self.k = _check_number("k", k, low=0.0, high=1.0)
        self.c = _check_number("c", c, low=0.0, low_open=True)
        self.epsilon = _check_number("epsilon", epsilon, low=0.0, high=1.0)

    def epsilon_at(self, step):
        return ops.maximum(self.epsilon, self.k - self.c * step)

    def get_config(self):
        return {"k": self.k, "c": self.c, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="zoo")
class Exponential(Schedule):
    """Exponential decay: eps_i = k ** i, with 0 < k < 1.

    Example:
        >>> round(float(Exponential(k=0.9)(2)), 4)
        0.81
    """

    def __init__(self, k=0.999):
        self.k = _check_number("k", k, low=0.0, low_open=True, high=1.0)

    def epsilon_at(self, step):
        return ops.power(self.k, step)

    def get_config(self):
        return {"k": self.k}


@keras.saving.register_keras_serializable(package="zoo")
class InverseSigmoid(Schedule):
    """Inverse sigmoid decay: eps_i = k / (k + exp(i / k)), with k >= 1.

    Larger `k` keeps eps near 1 for longer; eps crosses 1/2 at i = k ln k.

    Example:
        >>> round(float(InverseSigmoid(k=10.0)(0)), 4)
        0.9091
    """

    def __init__(self, k=1000.0):
        self.k = _check_number("k", k, low=1.0)

    def epsilon_at(self, step):
        # k / (k + exp(i/k)) == sigmoid(ln k - i/k): the sigmoid form does not
        # overflow to inf/inf = nan for large i.
        return ops.sigmoid(math.log(self.k) - step / self.k)

    def get_config(self):
        return {"k": self.k}


@keras.saving.register_keras_serializable(package="zoo")
class Constant(Schedule):
    """Constant eps: 1.0 is teacher forcing, 0.0 always feeds own predictions.

    Example:
        >>> float(Constant(0.25)(1000))
        0.25
    """

    def __init__(self, eps=1.0):
        self.eps = _check_number("eps", eps, low=0.0, high=1.0)

    def epsilon_at(self, step):
        return ops.zeros_like(step) + self.eps

    def get_config(self):
        return {"eps": self.eps}


def get(identifier):
    """Resolve a schedule from a `Schedule`, a number (`Constant`) or a config dict.

    Example:
        >>> get(1.0)
        Constant(eps=1.0)
    """
    if isinstance(identifier, Schedule):
        return identifier
    if isinstance(identifier, (int, float)) and not isinstance(identifier, bool):
        return Constant(identifier)
    if isinstance(identifier, dict):
        schedule = keras.saving.deserialize_keras_object(identifier)
        if isinstance(schedule, Schedule):
            return schedule
    raise argument_error(
        "schedule",
        identifier,
        "`schedule` must be a zoo.recurrent.schedules schedule (Linear, Exponential, "
        "InverseSigmoid, Constant), a number in [0, 1], or a serialized schedule.",
    )
