"""Matrix-notation backprop (zoo.convnets.backprop) against tf.GradientTape, and XOR."""

import itertools

import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from zoo.convnets.backprop import (
    HIDDEN_ACTIVATIONS,
    OUTPUTS,
    backward,
    compute_loss,
    forward,
    init_params,
    train,
)

# (n, p, m, k): batch, inputs, hidden units, outputs; n = 1, p = 1 and all-ones included.
SHAPES = [(1, 1, 1, 1), (1, 3, 4, 2), (5, 1, 3, 3), (7, 4, 5, 3), (16, 8, 6, 4)]
TOLERANCE = 1e-10

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float64")
XOR_Y = np.array([[0], [1], [1], [0]], dtype="float64")


def _targets(rng, n, k, output):
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, size=n)]
    if output == "sigmoid":
        return rng.integers(0, 2, size=(n, k)).astype("float64")
    return rng.normal(size=(n, k))


def _tape_reference(params, X, Y, activation, output):
    """Loss and gradients written directly in TensorFlow ops, differentiated by the tape."""
    variables = {name: tf.Variable(value, dtype=tf.float64) for name, value in params.items()}
    sigma = {"sigmoid": tf.sigmoid, "tanh": tf.tanh, "relu": tf.nn.relu}[activation]
    with tf.GradientTape() as tape:
        h = sigma(tf.matmul(X, variables["W1"]) + variables["b1"])
        z = tf.matmul(h, variables["W2"]) + variables["b2"]
        if output == "softmax":
            per_example = tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=z)
        elif output == "sigmoid":
            per_example = tf.reduce_sum(
                tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=z), axis=-1
            )
        else:
            per_example = tf.reduce_sum(tf.square(z - Y), axis=-1)
        loss = tf.reduce_mean(per_example)
    grads = tape.gradient(loss, variables)
    return loss.numpy(), {name: g.numpy() for name, g in grads.items()}


# One test per output (not per case): conftest's per-test teardown costs ~0.5 s.
@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_backward_matches_gradient_tape_in_float64(output):
    rng = np.random.default_rng(7)
    worst, largest = 0.0, {}
    for activation, (seed, (n, p, m, k)) in itertools.product(
        HIDDEN_ACTIVATIONS, enumerate(SHAPES)
    ):
        if output == "softmax":
            k = max(k, 2)  # a softmax over one class is constant 1: every gradient is zero
        params = init_params(p, m, k, seed=seed)
        # Non-zero biases so db1/db2 are exercised away from the initial point.
        params["b1"] = ops.convert_to_tensor(rng.normal(size=(m,)), dtype="float64")
        params["b2"] = ops.convert_to_tensor(rng.normal(size=(k,)), dtype="float64")
        X = rng.normal(size=(n, p))
        Y = _targets(rng, n, k, output)

        _, cache = forward(params, X, activation=activation, output=output)
        grads = backward(params, cache, Y)
        ref_loss, ref_grads = _tape_reference(params, X, Y, activation, output)

        assert abs(float(compute_loss(cache["Z"], Y, output)) - ref_loss) < TOLERANCE
        for name, ref in ref_grads.items():
            got = ops.convert_to_numpy(grads[name])
            assert got.dtype == np.float64, name
            assert got.shape == ref.shape, (name, (n, p, m, k))
            deviation = np.max(np.abs(got - ref))
            assert deviation < TOLERANCE, (activation, name, (n, p, m, k), deviation)
            worst = max(worst, deviation)
            largest[name] = max(largest.get(name, 0.0), np.max(np.abs(ref)))
    assert worst < TOLERANCE
    print(f"{output}: max |backward - tape| = {worst:.2e}")
    # All-zero gradients would match trivially (a dead relu unit can give them for one shape).
    assert min(largest.values()) > 1e-3, largest


def test_outputs_are_the_lectures_nonlinearities():
    params = init_params(3, 4, 3, seed=1)
    X = np.random.default_rng(0).normal(size=(6, 3))
    P, cache = forward(params, X, activation="tanh", output="softmax")
    np.testing.assert_allclose(ops.convert_to_numpy(ops.sum(P, axis=-1)), np.ones(6), atol=1e-12)
    h = np.tanh(X @ ops.convert_to_numpy(params["W1"]))
    np.testing.assert_allclose(ops.convert_to_numpy(cache["H"]), h, atol=1e-12)
    P, cache = forward(params, X, activation="tanh", output="identity")
    np.testing.assert_array_equal(ops.convert_to_numpy(P), ops.convert_to_numpy(cache["Z"]))


def test_backward_runs_in_graph():
    params = init_params(2, 3, 2, seed=3)
    X = np.random.default_rng(1).normal(size=(4, 2))
    Y = np.eye(2)[[0, 1, 1, 0]]

    @tf.function
    def grads_in_graph(params):
        _, cache = forward(params, X, activation="sigmoid", output="softmax")
        return backward(params, cache, Y)

    eager = backward(params, forward(params, X, activation="sigmoid")[1], Y)
    graph = grads_in_graph(params)
    for name in eager:
        np.testing.assert_allclose(
            ops.convert_to_numpy(graph[name]), ops.convert_to_numpy(eager[name]), atol=1e-14
        )


@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_descent_learns_xor(seed):
    params, losses = train(XOR_X, XOR_Y, hidden=4, steps=500, learning_rate=1.0, seed=seed)
    P, _ = forward(params, XOR_X, activation="tanh", output="sigmoid")
    predicted = (ops.convert_to_numpy(P) > 0.5).astype("float64")
    np.testing.assert_array_equal(predicted, XOR_Y)
    assert len(losses) == 501
    assert losses[0] > 0.5  # started near chance (log 2 = 0.69)
    assert losses[-1] < 0.02  # seeds 0 and 1 reach 0.0077 and 0.0054


def test_bad_arguments_name_the_argument():
    params, cache = init_params(2, 3, 1), forward(init_params(2, 3, 1), XOR_X, output="sigmoid")[1]
    calls = {
        "activation": lambda: forward(params, XOR_X, activation="gelu"),
        "output": lambda: forward(params, XOR_X, output="linear"),
        "X.shape": lambda: forward(init_params(3, 3, 1), XOR_X),
        "Y.shape": lambda: backward(params, cache, XOR_Y.T),
        "hidden": lambda: train(XOR_X, XOR_Y, hidden=0),
        "learning_rate": lambda: train(XOR_X, XOR_Y, learning_rate=0.0),
        "steps": lambda: train(XOR_X, XOR_Y, steps=0),
    }
    for arg, call in calls.items():
        with pytest.raises(ValueError, match=f"Received: {arg}="):
            call()
    with pytest.raises(ValueError, match="Received: X.shape="):
        forward(params, np.ones(2))
    with pytest.raises(ValueError, match="Received: Y.shape="):
        train(XOR_X, XOR_Y[:3])


def test_init_params_is_seeded_and_float64():
    first, second = init_params(2, 4, 1, seed=5), init_params(2, 4, 1, seed=5)
    for name, value in first.items():
        assert ops.convert_to_numpy(value).dtype == np.float64
        np.testing.assert_array_equal(
            ops.convert_to_numpy(value), ops.convert_to_numpy(second[name])
        )
    assert not np.array_equal(
        ops.convert_to_numpy(first["W1"]), ops.convert_to_numpy(init_params(2, 4, 1, seed=6)["W1"])
    )
