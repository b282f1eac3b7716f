"""The sound-event CRNN: its parameter count from the architecture, frame arithmetic,
time resolution kept by frequency-only pooling, and bad arguments."""

import keras
import numpy as np
import pytest

import zoo
from zoo.events import crnn, frame_seconds, output_frames


def _gru(inputs, units):
    # Keras' GRU (reset_after=True): three gates, each with an input kernel, a
    # recurrent kernel and two biases.
    return 3 * (inputs * units + units * units + 2 * units)


def test_crnn_sed_parameter_count_follows_the_architecture():
    model = zoo.create_model("crnn_sed")
    mel_norm = 4 * 64
    convs = 9 * 1 * 32 + 4 * 32 + 9 * 32 * 64 + 4 * 64 + 9 * 64 * 64 + 4 * 64
    gru = 2 * _gru(64, 64)  # 64 mels / (4 * 4 * 4) = 1 bin x 64 channels per frame
    dense = 2 * 64 * 10 + 10
    assert model.count_params() == mel_norm + convs + gru + dense == 107690
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert non_trainable == 2 * (64 + 32 + 64 + 64) == 448


def test_frames_and_frame_seconds():
    blocks = zoo.events.CRNN_CONFIGS["crnn_sed"]
    model = crnn(2, blocks, input_samples=16000)
    assert model.output_shape == (None, output_frames(16000, 320, blocks), 2) == (None, 25, 2)
    assert frame_seconds(16000, 320, blocks) == pytest.approx(0.04)


def test_any_length_input_and_softmax_rows():
    model = crnn(
        4,
        ((4, 2, 1), (4, 2, 1)),
        n_mels=8,
        n_fft=256,
        hop_length=64,
        gru_units=3,
        output_activation="softmax",
    )
    out = np.asarray(model(np.zeros((1, 1000), "float32")))
    assert out.shape == (1, 1 + 1000 // 64, 4)
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-5)


def test_save_load_safe_mode(tmp_path):
    model = zoo.get_entry("crnn_sed").build_tiny()
    x = np.random.default_rng(0).standard_normal((2, 4096)).astype("float32")
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(again(x), model(x), atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        (dict(blocks=((4, 3, 1),)), "blocks"),
        (dict(output_activation="relu"), "output_activation"),
        (dict(dropout=1.0), "dropout"),
        (dict(input_samples=10), "input_samples"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, arg):
    with pytest.raises(ValueError, match=f"Received: {arg}="):
        crnn(2, **kwargs)
