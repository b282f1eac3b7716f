import keras
import numpy as np
import pytest

from zoo.recurrent import schedules
from zoo.recurrent.schedules import Constant, Exponential, InverseSigmoid, Linear

STEPS = np.array([0, 1, 2, 10, 99, 500, 2_000, 100_000])


def _values(schedule, steps=STEPS):
    return np.array([float(schedule(int(i))) for i in steps])


def test_linear_is_max_of_floor_and_line():
    expected = np.maximum(0.1, 0.9 - 1e-3 * STEPS)
    np.testing.assert_allclose(_values(Linear(k=0.9, c=1e-3, epsilon=0.1)), expected, rtol=1e-6)
    assert float(Linear(k=1.0, c=0.01, epsilon=0.0)(50)) == pytest.approx(0.5)


def test_exponential_is_k_to_the_step():
    # float32: k = 0.99 is stored with relative error ~1e-8, which step 2000
    # amplifies to ~2e-5; a wrong formula is off by far more.
    expected = 0.99 ** STEPS.astype("float64")
    np.testing.assert_allclose(_values(Exponential(k=0.99)), expected, rtol=1e-4, atol=1e-30)


def test_inverse_sigmoid_matches_the_paper_formula_without_overflow():
    k = 50.0
    with np.errstate(over="ignore"):
        expected = k / (k + np.exp(STEPS / k))
    values = _values(InverseSigmoid(k=k))
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-30)
    assert np.all(np.isfinite(values)) and values[-1] == 0.0
    assert values[0] == pytest.approx(50 / 51)


def test_constant():
    np.testing.assert_array_equal(_values(Constant(0.3)), np.full(len(STEPS), np.float32(0.3)))


def test_schedules_accept_tensor_steps():
    step = keras.Variable(7, dtype="int64", trainable=False)
    assert float(Exponential(0.5)(step)) == pytest.approx(0.5**7)


@pytest.mark.parametrize(
    "schedule",
    [Linear(k=0.8, c=0.01, epsilon=0.2), Exponential(0.9), InverseSigmoid(20.0), Constant(0.5)],
)
def test_serialization_round_trip(schedule):
    config = keras.saving.serialize_keras_object(schedule)
    clone = keras.saving.deserialize_keras_object(config)
    assert type(clone) is type(schedule) and clone == schedule
    np.testing.assert_array_equal(_values(clone), _values(schedule))
    assert schedules.get(config) == schedule


@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: Linear(c=0.0), "c"),
        (lambda: Linear(k=1.5), "k"),
        (lambda: Linear(epsilon=-0.1), "epsilon"),
        (lambda: Exponential(k=1.5), "k"),
        (lambda: Exponential(k=0.0), "k"),
        (lambda: InverseSigmoid(k=0.5), "k"),
        (lambda: Constant(eps=2.0), "eps"),
        (lambda: schedules.get("linear"), "schedule"),
    ],
)
def test_bad_arguments_name_themselves(make, arg):
    with pytest.raises(ValueError, match=rf"Received: {arg}="):
        make()


def test_get_turns_numbers_into_constants():
    assert schedules.get(1) == Constant(1.0)
