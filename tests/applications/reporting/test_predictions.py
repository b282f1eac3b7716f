"""predict_batches: one pass over a split, in order, keeping example inputs."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from applications.reporting.predictions import predict_batches


def test_predict_batches_keeps_order_and_one_example_per_class():
    x = np.arange(10, dtype="float32").reshape(5, 2)
    y = np.array([0, 0, 1, 1, 2], dtype="int32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    probs, labels, (inputs, positions) = predict_batches(
        model, tf.data.Dataset.from_tensor_slices((x, y)).batch(2), keep_inputs=2
    )
    np.testing.assert_array_equal(labels, y)
    np.testing.assert_allclose(probs, model.predict(x, verbose=0), rtol=1e-5)
    np.testing.assert_array_equal(positions, [0, 2])  # first of class 0, first of class 1
    np.testing.assert_array_equal(inputs, x[[0, 2]])


def test_predict_batches_on_an_empty_split_is_an_error():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    empty = tf.data.Dataset.from_tensor_slices((np.zeros((0, 2), "float32"), np.zeros(0, "int32")))
    with pytest.raises(ValueError, match="holds no examples"):
        predict_batches(model, empty.batch(2))
