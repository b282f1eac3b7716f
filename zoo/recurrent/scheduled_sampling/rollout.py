"""Step-by-step running of a `ScheduledSamplingRNN`: scheduled-sampling rollouts and generation.

`ScheduledSamplingRNN.rollout` and `.generate` call these functions; they read
the model's cell, readout, embedding and input helpers.

Each step feeds y(t-1), the ground truth or the model's own previous output,
into the recurrent cell; which one is drawn per example and per step with
probability eps (training), or fixed by a prime (generation). Tokens are fed
back as draws from the softmax (Gumbel-max) or its argmax.

Reference: S. Bengio, O. Vinyals, N. Jaitly, N. Shazeer, "Scheduled Sampling
for Sequence Prediction with Recurrent Neural Networks", NeurIPS 2015.
"""

import keras
import numpy as np
from keras import ops

from zoo.recurrent.cells import state_sizes
from zoo.validation import check_positive_int, argument_error

__all__ = ["rollout", "generate"]


def rollout(model, sequence, context=None, epsilon=1.0, seed=None, ground_truth_steps=None):
    """Run `model` step by step, feeding y(t-1) with probability `epsilon`, else its own prediction.

    Args:
        model: a `ScheduledSamplingRNN`.
        sequence: the ground truth (see `ScheduledSamplingRNN`).
        context: the conditioning vector, if the model has one.
        epsilon: probability of feeding the ground truth (scalar).
        seed: seed for the draws; `None` uses the model's seed generator.
        ground_truth_steps: if given, instead of random draws feed the
            ground truth exactly at steps `t <= ground_truth_steps`
            (generation after a prime).

    Returns:
        `(outputs, fed, own)`: outputs (logits for tokens) `(batch, T, D)`,
        the fed y(t-1) `(batch, T, d)` (token ids as floats) and the own
        predictions `(batch, T, d)`.

    Example:
        >>> model = zoo.create_model("scheduled_sampling_rnn", frame_dim=2, units=4)
        >>> outputs, fed, own = rollout(model, np.zeros((8, 30, 2), "float32"), epsilon=0.5, seed=0)
        >>> outputs.shape
        TensorShape([8, 30, 2])
    """
    previous = model._previous(sequence)
    batch, steps = ops.shape(previous)[0], ops.shape(previous)[1]
    draw_seed = model.seed_generator if seed is None else seed
    if ground_truth_steps is None:
        coin = ops.cast(keras.random.uniform((batch, steps), seed=draw_seed) < epsilon, "float32")
        if model.teacher_steps:
            # y(t-1) for t <= teacher_steps is ground truth.
            coin = ops.maximum(coin, ops.cast(ops.arange(steps) <= model.teacher_steps, "float32"))
    else:
        coin = ops.cast(ops.arange(steps) <= ground_truth_steps, "float32")
        coin = ops.broadcast_to(ops.expand_dims(coin, 0), (batch, steps))
    # Step 0 always sees the start symbol: there is no prediction to feed yet.
    coin = ops.concatenate([ops.ones_like(coin[:, :1]), coin[:, 1:]], axis=1)
    # Frames are fed in the compute dtype (bfloat16 under mixed precision);
    # token ids stay float32, which holds every id exactly.
    fed_dtype = "float32" if model.tokens else model.compute_dtype
    coin = ops.cast(coin, fed_dtype)
    if model.tokens:
        previous = ops.expand_dims(ops.cast(previous, "float32"), -1)
        if model.sampling == "sample":
            # Gumbel-max: argmax(logits + g), g ~ Gumbel(0, 1), is a draw from softmax(logits).
            u = keras.random.uniform(
                (batch, steps, model.vocab_size), minval=1e-20, maxval=1.0, seed=draw_seed
            )
            noise = -ops.log(-ops.log(u))
        else:
            noise = ops.zeros((batch, steps, model.vocab_size))
    else:
        noise = ops.zeros((batch, steps, 1))
    cell = model.recurrent.cell
    feed_dim = 1 if model.tokens else model.frame_dim
    states = [ops.zeros((batch, size), dtype=model.compute_dtype) for size in state_sizes(cell)]
    # keras.ops.scan on TensorFlow stacks per-step outputs into arrays shaped
    # like the carry, so the carry holds everything a step emits.
    carry = (
        states,
        ops.zeros((batch, feed_dim), dtype=fed_dtype),
        ops.zeros((batch, model.out_dim), dtype=model.compute_dtype),
        ops.zeros((batch, feed_dim), dtype=fed_dtype),
    )

    def step(carry, xs):
        states, own, _, _ = carry
        truth, use_truth, gumbel = xs
        use_truth = ops.expand_dims(use_truth, -1)
        fed = use_truth * truth + (1.0 - use_truth) * own
        x = model._hidden_input(ops.cast(fed[:, 0], "int32") if model.tokens else fed, context)
        h, new_states = cell(x, states)
        out = model.readout(h)
        if model.tokens:
            logits = ops.cast(out, "float32") + gumbel
            new_own = ops.expand_dims(ops.cast(ops.argmax(logits, axis=-1), "float32"), -1)
        else:
            new_own = ops.stop_gradient(out)
        new_carry = (list(new_states), new_own, out, fed)
        return new_carry, new_carry

    time_major = lambda t: ops.moveaxis(t, 1, 0)  # noqa: E731
    _, (_, own_outputs, outputs, fed) = ops.scan(
        step, carry, (time_major(previous), time_major(coin), time_major(noise))
    )
    batch_major = lambda t: ops.moveaxis(t, 0, 1)  # noqa: E731
    return batch_major(outputs), batch_major(fed), batch_major(own_outputs)


def generate(model, steps, context=None, prime=None, seed=None):
    """Free-running generation from `model` (eps = 0): every step feeds the previous prediction.

    Args:
        model: a `ScheduledSamplingRNN`.
        steps: number of steps to generate.
        context: conditioning vectors `(batch, context_dim)`, if the model has them.
        prime: ground truth to continue, `(batch, P)` tokens or
            `(batch, P, frame_dim)` frames; fed with teacher forcing first.
        seed: seed for token sampling (`sampling="sample"`).

    Returns:
        NumPy `(batch, steps)` int tokens or `(batch, steps, frame_dim)` frames.

    Example:
        >>> model = zoo.create_model("scheduled_sampling_rnn", frame_dim=2, units=4)
        >>> x = np.zeros((8, 30, 2), "float32")
        >>> generate(model, 50, prime=x[:, :10], seed=0).shape
        (8, 50, 2)
    """
    check_positive_int("steps", steps)
    batch = None
    if prime is not None:
        prime = model._check_sequence("prime", prime)
        batch = int(prime.shape[0])
    if context is not None:
        batch = batch or int(ops.shape(context)[0])
    context = model._check_context(context, batch)
    if context is not None and int(ops.shape(context)[0]) != batch:
        raise argument_error(
            "context",
            f"{int(ops.shape(context)[0])} rows",
            f"`context` must have one row per primed sequence ({batch}).",
        )
    batch = batch or 1
    primed = 0 if prime is None else int(prime.shape[1])
    total = primed + steps
    if model.tokens:
        sequence = ops.zeros((batch, total), dtype="int32")
    else:
        sequence = ops.zeros((batch, total, model.frame_dim))
    if primed:
        sequence = ops.concatenate([ops.cast(prime, sequence.dtype), sequence[:, primed:]], axis=1)
    _, _, own = rollout(model, sequence, context, seed=seed, ground_truth_steps=primed)
    own = np.asarray(own[:, primed:])
    return own[..., 0].astype("int32") if model.tokens else own
