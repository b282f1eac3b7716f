import keras
import numpy as np
import pytest

import zoo
from zoo.recurrent.cells import CELLS
from zoo.recurrent.rnn import recommended_compile_kwargs, rnn_classifier, rnn_generator, rnn_tagger


def _x(batch=2, steps=6, features=3, seed=0):
    return np.random.default_rng(seed).standard_normal((batch, steps, features)).astype("float32")


# Parameters of one layer with n inputs and u units (Goodfellow et al. ch. 10):
# Elman u(n+u+1); LSTM 4u(n+u+1); GRU (Keras reset_after=True) 3u(n+u+2).
@pytest.mark.parametrize(
    "cell, recurrent", [("simple", 4 * 8), ("lstm", 4 * 4 * 8), ("gru", 3 * 4 * 9)]
)
def test_parameter_counts_follow_the_cell_equations(cell, recurrent):
    model = rnn_classifier(
        (None, 3), num_classes=2, cell=cell, units=4, num_layers=1, bidirectional=False
    )
    assert model.count_params() == recurrent + (4 * 2 + 2)
    bi = rnn_classifier(
        (None, 3), num_classes=2, cell=cell, units=4, num_layers=1, bidirectional=True
    )
    assert bi.count_params() == 2 * recurrent + (8 * 2 + 2)


@pytest.mark.parametrize("cell", list(CELLS))
def test_output_shapes(cell):
    x = _x()
    tagger = rnn_tagger((None, 3), num_classes=5, cell=cell, units=4, num_layers=3, dropout=0.2)
    assert tagger(x).shape == (2, 6, 5)
    assert [layer.name for layer in tagger.layers if "dropout" in layer.name] == [
        "dropout1",
        "dropout2",
    ]
    assert rnn_classifier((6, 3), num_classes=5, cell=cell, units=4)(x).shape == (2, 5)
    generator = rnn_generator(conditioning_dim=3, steps=7, output_dim=2, cell=cell, units=4)
    assert generator(np.ones((2, 3), "float32")).shape == (2, 7, 2)


def test_tagger_softmax_rows_sum_to_one():
    probs = np.asarray(rnn_tagger((None, 3), num_classes=4, units=4)(_x()))
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("build", [rnn_tagger, rnn_classifier])
def test_masking_makes_padding_invisible(build):
    model = build((None, 3), num_classes=3, cell="gru", units=4, num_layers=2, bidirectional=True)
    x = _x(batch=1, steps=4)
    padded = np.concatenate([x, np.zeros((1, 3, 3), "float32")], axis=1)
    short, long = np.asarray(model(x)), np.asarray(model(padded))
    if long.ndim == 3:
        long = long[:, :4]
    np.testing.assert_allclose(short, long, atol=1e-6)
    # The same weights without masking do see the padding (the test can fail).
    unmasked = build(
        (None, 3),
        num_classes=3,
        cell="gru",
        units=4,
        num_layers=2,
        bidirectional=True,
        masking=False,
    )
    unmasked.set_weights(model.get_weights())
    other = np.asarray(unmasked(padded))
    other = other[:, :4] if other.ndim == 3 else other
    assert np.abs(other - short).max() > 1e-4


@pytest.mark.parametrize(
    "conditioning, init_layers", [("input", 0), ("state", 2 * 2 * 2), ("both", 2 * 2 * 2)]
)
def test_generator_conditioning(conditioning, init_layers):
    # 2 layers x (h, c) x 2 directions initial-state maps for a bidirectional LSTM.
    model = rnn_generator(
        conditioning_dim=3,
        steps=5,
        output_dim=2,
        conditioning=conditioning,
        cell="lstm",
        units=4,
        num_layers=2,
        bidirectional=True,
    )
    assert len([layer for layer in model.layers if layer.name.startswith("init_")]) == init_layers
    a, b = (
        np.asarray(model(np.ones((1, 3), "float32"))),
        np.asarray(model(-np.ones((1, 3), "float32"))),
    )
    assert np.abs(a - b).max() > 1e-4  # the output depends on the conditioning vector
    assert not np.allclose(a[:, 0], a[:, -1])  # and varies over time


@pytest.mark.parametrize(
    "build, kwargs, arg",
    [
        (rnn_tagger, dict(cell="rnn"), "cell"),
        (rnn_tagger, dict(units=0), "units"),
        (rnn_tagger, dict(num_layers=0), "num_layers"),
        (rnn_tagger, dict(dropout=1.0), "dropout"),
        (rnn_tagger, dict(input_shape=(40,)), "input_shape"),
        (rnn_classifier, dict(input_shape=(None, 0)), "input_shape"),
        (rnn_classifier, dict(num_classes=0), "num_classes"),
        (rnn_generator, dict(conditioning="hidden"), "conditioning"),
        (rnn_generator, dict(steps=0), "steps"),
    ],
)
def test_bad_arguments_name_themselves(build, kwargs, arg):
    with pytest.raises(ValueError, match=rf"Received: {arg}="):
        build(**kwargs)


def test_clipping_bounds_the_update_of_an_exploding_rnn():
    """BPTT through 40 steps of h = tanh(W h + U x) with ||W|| = 1.5 explodes;
    `global_clipnorm` caps the SGD update at learning_rate * clipnorm."""
    keras.utils.set_random_seed(0)
    lr, clip = 0.1, 1.0

    def step_norm(**clipping):
        model = rnn_classifier(
            (40, 1),
            num_classes=1,
            cell="simple",
            units=8,
            num_layers=1,
            bidirectional=False,
            masking=False,
            output_activation=None,
        )
        layer = model.get_layer("simple1")
        kernel, recurrent, bias = layer.get_weights()
        layer.set_weights([kernel, 1.5 * np.eye(8, dtype="float32"), bias])
        x = np.zeros((4, 40, 1), "float32")
        x[:, 0] = 1e-3  # a small impulse at t=0 keeps tanh linear, so the gradient grows as 1.5^t
        y = np.full((4, 1), 100.0, "float32")
        before = [w.copy() for w in model.get_weights()]
        model.compile(optimizer=keras.optimizers.SGD(lr, **clipping), loss="mse")
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)
        return np.sqrt(sum(((a - b) ** 2).sum() for a, b in zip(model.get_weights(), before)))

    unclipped = step_norm()
    clipped = step_norm(global_clipnorm=clip)
    assert unclipped > 100 * lr * clip
    assert 0.5 * lr * clip < clipped <= lr * clip * (1 + 1e-5)


def test_recommended_compile_kwargs_clip_the_global_norm():
    kwargs = recommended_compile_kwargs(metrics=["accuracy"], global_clipnorm=0.5)
    assert kwargs["optimizer"].global_clipnorm == 0.5 and kwargs["metrics"] == ["accuracy"]
    model = zoo.create_model(
        "rnn_classifier", input_shape=(None, 3), num_classes=2, units=4, num_layers=1
    )
    model.compile(**kwargs)
    history = model.fit(_x(batch=4), np.array([0, 1, 0, 1]), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
