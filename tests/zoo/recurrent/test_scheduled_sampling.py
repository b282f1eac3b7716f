import keras
import numpy as np
import pytest

import zoo
from zoo.recurrent.scheduled_sampling import ScheduledSamplingRNN
from zoo.recurrent.schedules import Constant, InverseSigmoid, Linear


def _frames(batch=4, steps=12, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(steps)[None, :, None]
    phase = rng.uniform(0, 2 * np.pi, (batch, 1, 1))
    return np.concatenate([np.sin(0.6 * t + phase), np.cos(0.6 * t + phase)], -1).astype("float32")


def _model(schedule, **kwargs):
    kwargs = {"frame_dim": 2, "units": 8, "cell": "lstm", "seed": 0, **kwargs}
    return zoo.create_model("scheduled_sampling_rnn", schedule=schedule, **kwargs)


def test_constant_one_trains_exactly_like_teacher_forcing():
    x = _frames()
    model = _model(Constant(1.0))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    # Teacher-forced loss and gradient step, computed by the parallel keras.layers.RNN path.
    reference = _model(Constant(1.0))
    reference.set_weights(model.get_weights())
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(x, reference.teacher_forced(x))
    grads = tape.gradient(loss, reference.trainable_weights)
    expected = [w - 0.5 * g for w, g in zip(reference.trainable_weights, grads)]
    history = model.fit(x, x, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    assert history["loss"][0] == pytest.approx(float(loss), rel=1e-6)
    assert history["epsilon"] == [1.0]
    for got, want in zip(model.trainable_weights, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # With eps < 1 the same weights see their own predictions: a different loss.
    other = _model(Constant(0.5))
    other.set_weights(reference.get_weights())
    other.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    assert other.fit(x, x, batch_size=4, verbose=0).history["loss"][0] != pytest.approx(
        float(loss), rel=1e-3
    )


@pytest.mark.parametrize("context_dim", [None, 3])
def test_constant_zero_feeds_exactly_the_free_running_outputs(context_dim):
    x = _frames()
    model = _model(Constant(0.0), context_dim=context_dim, cell="gru")
    context = (
        np.random.default_rng(1).standard_normal((4, 3)).astype("float32") if context_dim else None
    )
    inputs = x if context is None else {"sequence": x, "context": context}
    _, fed, _ = model.rollout(x, context, epsilon=model.schedule(model.sampling_step))
    free = (
        model.generate(12, context=context)
        if context is not None
        else np.repeat(model.generate(12), 4, 0)
    )
    np.testing.assert_allclose(np.asarray(fed)[:, 1:], free[:, :-1], atol=1e-6)
    np.testing.assert_array_equal(np.asarray(fed)[:, 0], 0.0)  # step 0: the zero start frame
    # What fit trains on is exactly the free-running error.
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(inputs, x, batch_size=4, verbose=0).history
    assert history["loss"][0] == pytest.approx(float(np.mean((free - x) ** 2)), rel=1e-5)


def test_constant_zero_tokens_with_argmax_feed_the_generated_tokens():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 6, (3, 9)).astype("int32")
    model = zoo.create_model(
        "scheduled_sampling_rnn",
        vocab_size=6,
        units=8,
        embedding_dim=4,
        cell="simple",
        sampling="argmax",
        start_token=5,
        schedule=Constant(0.0),
        seed=0,
    )
    _, fed, own = model.rollout(tokens, epsilon=0.0)
    generated = model.generate(9)
    assert generated.dtype == np.int32 and generated.shape == (1, 9)
    for row in np.asarray(fed)[..., 0]:
        np.testing.assert_array_equal(row, np.concatenate([[5], generated[0, :-1]]))


def test_eps_is_drawn_per_example_and_per_step():
    x = _frames(batch=64, steps=40)
    model = _model(Constant(0.5))
    truth = np.concatenate([np.zeros_like(x[:, :1]), x[:, :-1]], axis=1)
    _, fed, own = model.rollout(x, epsilon=0.5)
    fed, own = np.asarray(fed), np.asarray(own)
    own_prev = np.concatenate([np.zeros_like(own[:, :1]), own[:, :-1]], axis=1)
    from_truth = np.all(np.isclose(fed, truth, atol=0), -1)[:, 1:]
    from_own = np.all(np.isclose(fed, own_prev, atol=0), -1)[:, 1:]
    assert np.all(from_truth | from_own)
    assert 0.45 < from_truth.mean() < 0.55
    # Not one coin per step nor one per sequence: every step and every
    # sequence mixes both sources (bounds ~6 sigma out for Binomial(64 or 39, 1/2)).
    assert 0.1 < from_truth.mean(0).min() and from_truth.mean(0).max() < 0.9
    assert 0.1 < from_truth.mean(1).min() and from_truth.mean(1).max() < 0.9


def test_teacher_steps_always_feed_the_ground_truth_first():
    x = _frames(batch=8, steps=10)
    model = _model(Constant(0.0), teacher_steps=4)
    _, fed, _ = model.rollout(x, epsilon=0.0)
    truth = np.concatenate([np.zeros_like(x[:, :1]), x[:, :-1]], axis=1)
    np.testing.assert_array_equal(np.asarray(fed)[:, :5], truth[:, :5])
    # After them, eps = 0 feeds the free-running continuation of that prime.
    np.testing.assert_allclose(
        np.asarray(fed)[:, 5:], model.generate(6, prime=x[:, :4])[:, :5], atol=1e-6
    )


def test_step_counter_counts_batches_and_eps_is_logged():
    x = _frames(batch=4)
    model = _model(Linear(k=1.0, c=0.25, epsilon=0.1))
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, x, batch_size=2, epochs=3, verbose=0).history
    # Epoch logs hold the last batch's eps: batches 1, 3, 5 (0-based).
    np.testing.assert_allclose(history["epsilon"], [0.75, 0.25, 0.1], rtol=1e-6)
    assert int(model.sampling_step.numpy()) == 6
    model.evaluate(x, x, verbose=0)
    assert int(model.sampling_step.numpy()) == 6  # evaluation is not training


def test_token_sampling_follows_the_softmax():
    model = zoo.create_model(
        "scheduled_sampling_rnn",
        vocab_size=4,
        units=4,
        embedding_dim=3,
        cell="gru",
        sampling="sample",
        seed=0,
    )
    model.readout.set_weights(
        [model.readout.get_weights()[0] * 0, np.log(np.array([0.1, 0.2, 0.3, 0.4]))]
    )
    prime = np.zeros((4000, 1), "int32")
    first = model.generate(1, prime=prime, seed=3)[:, 0]
    np.testing.assert_allclose(
        np.bincount(first, minlength=4) / 4000, [0.1, 0.2, 0.3, 0.4], atol=0.03
    )
    np.testing.assert_array_equal(
        model.generate(5, prime=prime[:8], seed=7), model.generate(5, prime=prime[:8], seed=7)
    )


def test_prime_is_teacher_forced_then_generation_runs_free():
    x = _frames(batch=2, steps=10)
    model = _model(InverseSigmoid(10.0))
    continuation = model.generate(4, prime=x[:, :6])
    # Step 0 of the continuation is the teacher-forced prediction after the prime.
    np.testing.assert_allclose(continuation[:, 0], np.asarray(model(x))[:, 6], atol=1e-6)
    assert continuation.shape == (2, 4, 2)


def test_keras_file_keeps_schedule_and_step(tmp_path):
    x = _frames()
    model = _model(Linear(k=1.0, c=0.1, epsilon=0.2), cell="simple")
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, x, batch_size=2, epochs=1, verbose=0)
    model.save(tmp_path / "ss.keras")
    loaded = keras.saving.load_model(tmp_path / "ss.keras", safe_mode=True)
    assert isinstance(loaded, ScheduledSamplingRNN)
    assert loaded.schedule == Linear(k=1.0, c=0.1, epsilon=0.2)
    assert int(loaded.sampling_step.numpy()) == 2
    np.testing.assert_array_equal(
        loaded.generate(5, prime=x[:, :3]), model.generate(5, prime=x[:, :3])
    )


@pytest.mark.parametrize(
    "build, call, arg",
    [
        (dict(frame_dim=None, vocab_size=1), None, "vocab_size"),
        (dict(vocab_size=4, start_token=4), None, "start_token"),
        (dict(frame_dim=2, sampling="beam"), None, "sampling"),
        (dict(frame_dim=2, schedule="linear"), None, "schedule"),
        (dict(frame_dim=0), None, "frame_dim"),
        (dict(frame_dim=2, teacher_steps=-1), None, "teacher_steps"),
        (dict(frame_dim=2), lambda m: m(np.zeros((1, 5, 3), "float32")), "sequence"),
        (dict(vocab_size=4), lambda m: m(np.array([[0, 1, 4]])), "sequence"),
        (dict(vocab_size=4), lambda m: m(np.zeros((1, 3), "float32")), "sequence"),
        (dict(frame_dim=2, context_dim=3), lambda m: m(np.zeros((1, 5, 2), "float32")), "context"),
        (
            dict(frame_dim=2, context_dim=3),
            lambda m: m({"sequence": np.zeros((1, 5, 2)), "context": np.zeros((1, 2))}),
            "context",
        ),
        (dict(frame_dim=2), lambda m: m.generate(0), "steps"),
    ],
)
def test_bad_shapes_vocabularies_and_lengths_name_themselves(build, call, arg):
    with pytest.raises(ValueError, match=rf"Received: {arg}="):
        model = zoo.create_model("scheduled_sampling_rnn", units=4, **build)
        if call is not None:
            call(model)


def test_frames_and_tokens_are_exclusive():
    with pytest.raises(ValueError, match=r"exactly one of `frame_dim`.*Received: frame_dim=2"):
        ScheduledSamplingRNN(frame_dim=2, vocab_size=3)


@pytest.mark.parametrize("mode", [{"frame_dim": 2}, {"vocab_size": 5, "context_dim": 2}])
def test_scheduled_sampling_trains_under_mixed_bfloat16(mode):
    # The sampling path mixes the fed ground truth, its own predictions and the
    # cell state: all of them must follow the compute dtype.
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = _model(Constant(0.5), units=4, embedding_dim=3, **mode)
        x, y = zoo.get_entry("scheduled_sampling_rnn").example(model, batch_size=4, seed=0)
        model.compile("sgd", "categorical_crossentropy" if "vocab_size" in mode else "mse")
        history = model.fit(x, y, batch_size=4, epochs=1, verbose=0).history
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert np.isfinite(history["loss"][0])
    assert model(x, training=True).dtype == "bfloat16"
