"""Backpropagation in matrix notation for the lecture's two-layer network.

The whole batch moves through the network as matrices (one row per example):

    Z1 = X W1 + b1          X: (n, p), W1: (p, m), b1: (m,)
    H  = sigma(Z1)          hidden layer, sigma in HIDDEN_ACTIVATIONS
    Z  = H W2 + b2          W2: (m, k), b2: (k,)   (logits)
    P  = g(Z)               g = softmax | sigmoid | identity
    L  = (1/n) sum_i loss(P_i, Y_i)

The backward pass is the chain rule written once for the whole batch, with
delta^(l) = dL/dZ^(l) the error signal of layer l:

    delta2 = dL/dZ = c (P - Y) / n    c = 1 for the cross-entropies, 2 for squared error
    dW2    = H^T delta2         db2 = sum of the rows of delta2
    delta1 = (delta2 W2^T) ⊙ sigma'(Z1)
    dW1    = X^T delta1         db1 = sum of the rows of delta1

LWLS (Lindholm et al. 2022, ch. 6) writes the same network per example with
weight matrices of shape (out, in), q = h(W^(1) x + b^(1)); its batched form
has Q^(1) = H, W^(1) = W1^T, W^(2) = W2^T, and its dZ^(l) is our delta^(l).
Each output/loss pair is the canonical one, so g's Jacobian cancels against the
loss derivative and delta2 is P - Y up to a constant.

In `keras.ops`: runs eagerly, inside `tf.function`, and in float64 (the dtype of `params`).
"""

import keras
import numpy as np
from keras import ops

from zoo.validation import check_choice, check_positive_int, argument_error

__all__ = [
    "HIDDEN_ACTIVATIONS",
    "OUTPUTS",
    "backward",
    "compute_loss",
    "forward",
    "init_params",
    "train",
]

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
# Output nonlinearity g -> the loss it is paired with.
OUTPUTS = {
    "softmax": "categorical_crossentropy",
    "sigmoid": "binary_crossentropy",
    "identity": "squared_error",
}


def init_params(p, hidden, k, seed=0, dtype="float64"):
    """Random weights W1, W2 (Glorot-normal) and zero biases b1, b2.

    Args:
        p: input features (columns of X).
        hidden: hidden units m.
        k: outputs (classes, or regression targets).
        seed: NumPy seed; the same seed gives the same weights.
        dtype: float dtype of every parameter.

    Returns:
        A dict `{"W1": (p, m), "b1": (m,), "W2": (m, k), "b2": (k,)}` of tensors.

    Example:
        >>> params = init_params(2, 4, 1, seed=0)
        >>> tuple(params["W1"].shape), tuple(params["W2"].shape)
        ((2, 4), (4, 1))
    """
    for arg, value in (("p", p), ("hidden", hidden), ("k", k)):
        check_positive_int(arg, value)
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0.0, np.sqrt(2.0 / (p + hidden)), size=(p, hidden))
    w2 = rng.normal(0.0, np.sqrt(2.0 / (hidden + k)), size=(hidden, k))
    return {
        "W1": ops.convert_to_tensor(w1, dtype=dtype),
        "b1": ops.zeros((hidden,), dtype=dtype),
        "W2": ops.convert_to_tensor(w2, dtype=dtype),
        "b2": ops.zeros((k,), dtype=dtype),
    }


def _sigma(z1, activation):
    if activation == "sigmoid":
        return ops.sigmoid(z1)
    if activation == "tanh":
        return ops.tanh(z1)
    return ops.relu(z1)


def _sigma_prime(z1, h, activation):
    """sigma'(Z1), written with H = sigma(Z1) where that is cheaper."""
    if activation == "sigmoid":
        return h * (1.0 - h)  # sigma' = sigma (1 - sigma)
    if activation == "tanh":
        return 1.0 - h * h  # tanh' = 1 - tanh^2
    return ops.cast(z1 > 0, h.dtype)  # relu' = 1[Z1 > 0] (0 at 0, as TensorFlow)


def _as_matrix(arg, value, dtype):
    value = ops.convert_to_tensor(value, dtype=dtype)
    if len(value.shape) != 2:
        raise argument_error(
            f"{arg}.shape", tuple(value.shape), f"`{arg}` must be a matrix (rows, cols)."
        )
    return value


def forward(params, X, activation="sigmoid", output="softmax"):
    """Forward pass P = g(sigma(X W1 + b1) W2 + b2) for a whole batch.

    Args:
        params: dict with `W1 (p, m)`, `b1 (m,)`, `W2 (m, k)`, `b2 (k,)`
            (see `init_params`); their dtype is the computation's dtype.
        X: inputs, shape `(n, p)`.
        activation: hidden nonlinearity sigma, one of `HIDDEN_ACTIVATIONS`.
        output: output nonlinearity g, a key of `OUTPUTS`.

    Returns:
        `(P, cache)`: the outputs `(n, k)` and a dict holding `X, Z1, H, Z, P`
        and the two choices, everything `backward` needs.

    Example:
        >>> params = init_params(2, 4, 3)
        >>> P, cache = forward(params, np.ones((5, 2)), activation="tanh")
        >>> tuple(P.shape)
        (5, 3)
    """
    check_choice("activation", activation, HIDDEN_ACTIVATIONS)
    check_choice("output", output, tuple(OUTPUTS))
    X = _as_matrix("X", X, params["W1"].dtype)
    if X.shape[1] != params["W1"].shape[0]:
        raise argument_error(
            "X.shape", tuple(X.shape), f"`X` must have {params['W1'].shape[0]} columns."
        )
    z1 = ops.matmul(X, params["W1"]) + params["b1"]  # Z1 = X W1 + b1, (n, m)
    h = _sigma(z1, activation)  # H = sigma(Z1)
    z = ops.matmul(h, params["W2"]) + params["b2"]  # Z = H W2 + b2, (n, k)
    if output == "softmax":
        p = ops.softmax(z, axis=-1)
    elif output == "sigmoid":
        p = ops.sigmoid(z)
    else:
        p = z
    cache = {"X": X, "Z1": z1, "H": h, "Z": z, "P": p, "activation": activation, "output": output}
    return p, cache


def compute_loss(Z, Y, output="softmax"):
    """Batch-mean loss L of the logits Z against targets Y, for the output g.

    Computed from the logits (log-softmax, log-sigmoid), so it stays finite
    where P rounds to 0 or 1.

    - `"softmax"`: categorical cross-entropy, `-(1/n) sum_i sum_j Y_ij log P_ij`
      (rows of Y one-hot or probability vectors).
    - `"sigmoid"`: binary cross-entropy summed over the k outputs,
      `-(1/n) sum_ij [Y_ij log P_ij + (1 - Y_ij) log(1 - P_ij)]`.
    - `"identity"`: squared error summed over the k outputs,
      `(1/n) sum_ij (Z_ij - Y_ij)^2` (no factor 1/2, as LWLS).

    Args:
        Z: logits `(n, k)` (`cache["Z"]` from `forward`).
        Y: targets `(n, k)`.
        output: a key of `OUTPUTS`.

    Returns:
        A scalar tensor.

    Example:
        >>> float(compute_loss(np.zeros((1, 2)), np.array([[0.0, 1.0]])))  # log 2
        0.6931471805599453
    """
    check_choice("output", output, tuple(OUTPUTS))
    Z = _as_matrix("Z", Z, getattr(Z, "dtype", "float64"))
    Y = _as_matrix("Y", Y, Z.dtype)
    n = ops.cast(ops.shape(Z)[0], Z.dtype)
    if output == "softmax":
        per_entry = -Y * ops.log_softmax(Z, axis=-1)
    elif output == "sigmoid":
        # log(1 - sigmoid(z)) = log_sigmoid(-z)
        per_entry = -(Y * ops.log_sigmoid(Z) + (1.0 - Y) * ops.log_sigmoid(-Z))
    else:
        per_entry = ops.square(Z - Y)
    return ops.sum(per_entry) / n


def backward(params, cache, Y):
    """Gradients of the batch-mean loss with respect to W1, b1, W2, b2.

    Args:
        params: the dict given to `forward`.
        cache: the cache `forward` returned (it records activation and output).
        Y: targets `(n, k)`: one-hot rows for softmax, 0/1 (or probabilities)
            for sigmoid, real values for identity.

    Returns:
        A dict `{"W1": dL/dW1, "b1": dL/db1, "W2": dL/dW2, "b2": dL/db2}`, each
        the shape of its parameter.

    Example:
        >>> params = init_params(2, 3, 1)
        >>> X, Y = np.array([[0.0, 1.0]]), np.array([[1.0]])
        >>> _, cache = forward(params, X, activation="relu", output="sigmoid")
        >>> grads = backward(params, cache, Y)
        >>> tuple(grads["W1"].shape)
        (2, 3)
    """
    P, H = cache["P"], cache["H"]
    Y = _as_matrix("Y", Y, P.dtype)
    if tuple(Y.shape) != tuple(P.shape):
        raise argument_error(
            "Y.shape", tuple(Y.shape), f"`Y` must have the shape of P, {tuple(P.shape)}."
        )
    n = ops.cast(ops.shape(P)[0], P.dtype)
    # delta^(2) = dL/dZ. Softmax + CE and sigmoid + BCE: (P - Y)/n; identity + SE: 2(Z - Y)/n.
    scale = 2.0 if cache["output"] == "identity" else 1.0
    delta2 = scale * (P - Y) / n  # (n, k)
    grad_w2 = ops.matmul(ops.transpose(H), delta2)  # dW2 = H^T delta2, (m, k)
    grad_b2 = ops.sum(delta2, axis=0)  # db2 = 1^T delta2, (k,)
    # delta^(1) = dL/dZ1 = (delta2 W2^T) ⊙ sigma'(Z1): back through W2, then through sigma.
    delta1 = ops.matmul(delta2, ops.transpose(params["W2"])) * _sigma_prime(
        cache["Z1"], H, cache["activation"]
    )  # (n, m)
    grad_w1 = ops.matmul(ops.transpose(cache["X"]), delta1)  # dW1 = X^T delta1, (p, m)
    grad_b1 = ops.sum(delta1, axis=0)  # db1 = 1^T delta1, (m,)
    return {"W1": grad_w1, "b1": grad_b1, "W2": grad_w2, "b2": grad_b2}


def train(
    X,
    Y,
    hidden=4,
    steps=500,
    learning_rate=1.0,
    seed=0,
    activation="tanh",
    output="sigmoid",
    dtype="float64",
):
    """Full-batch gradient descent with `forward` and `backward`.

    Each step: theta <- theta - learning_rate * dL/dtheta over the whole batch.

    Args:
        X: inputs `(n, p)`.
        Y: targets `(n, k)` (see `backward`).
        hidden: hidden units m.
        steps: gradient-descent steps.
        learning_rate: step size gamma (> 0).
        seed: seed of `init_params`.
        activation: hidden nonlinearity, one of `HIDDEN_ACTIVATIONS`.
        output: output nonlinearity and loss, a key of `OUTPUTS`.
        dtype: float dtype of the parameters.

    Returns:
        `(params, losses)`: trained parameters; NumPy losses before each step, then final.

    Example:
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float64")
        >>> Y = np.array([[0], [1], [1], [0]], dtype="float64")
        >>> params, losses = train(X, Y, hidden=4, steps=500, seed=0)
        >>> P, _ = forward(params, X, activation="tanh", output="sigmoid")
        >>> (ops.convert_to_numpy(P) > 0.5).astype(int).ravel().tolist()
        [0, 1, 1, 0]
    """
    check_positive_int("hidden", hidden)
    check_positive_int("steps", steps)
    if not learning_rate > 0:
        raise argument_error("learning_rate", learning_rate, "`learning_rate` must be > 0.")
    X = _as_matrix("X", X, dtype)
    Y = _as_matrix("Y", Y, dtype)
    if Y.shape[0] != X.shape[0]:
        raise argument_error("Y.shape", tuple(Y.shape), f"`Y` must have {X.shape[0]} rows, as `X`.")
    params = init_params(X.shape[1], hidden, Y.shape[1], seed=seed, dtype=dtype)

    def step(params):
        _, cache = forward(params, X, activation=activation, output=output)
        grads = backward(params, cache, Y)
        updated = {name: value - learning_rate * grads[name] for name, value in params.items()}
        return updated, compute_loss(cache["Z"], Y, output)

    step = _in_graph(step)
    losses = []
    for _ in range(steps):
        params, loss = step(params)
        losses.append(loss)
    _, cache = forward(params, X, activation=activation, output=output)
    losses.append(compute_loss(cache["Z"], Y, output))
    return params, np.asarray([float(ops.convert_to_numpy(loss)) for loss in losses])


def _in_graph(fn):
    """Trace `fn` once as a graph on the TensorFlow backend (eager steps cost ~2 ms each)."""
    if keras.backend.backend() != "tensorflow":
        return fn
    import tensorflow as tf

    return tf.function(fn)
