"""ibab/tensorflow-wavenet's global-conditioning recipe (`benchmarks/wavenet_gc_recipe.py`).

Three speakers, each ONE sine (155.56 / 196.00 / 233.08 Hz at 0.6 / 0.5 / 0.4)
after 10-128 samples of silence; SGD lr 0.01 momentum 0.95, 1000 steps. The fast
tests check the recipe's data and why SGD is slow to use the speaker id here;
the slow test runs the recipe at full size against ibab's loss criteria.
"""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "benchmarks"))

import wavenet_gc_recipe as recipe  # noqa: E402


def test_each_speaker_is_one_sine_after_a_short_silence():
    waves = recipe.speaker_waves(0)
    assert waves.shape == (3, 1000)
    silence = int(np.argmax(np.abs(waves[0]) > 0))
    assert 10 <= silence <= 129 and not waves[:, : silence - 1].any()
    freqs = np.fft.rfftfreq(1000, 1 / recipe.RATE)
    for k, (f, a) in enumerate(zip(recipe.FREQS, recipe.AMPS)):
        peak = freqs[np.abs(np.fft.rfft(waves[k])).argmax()]
        assert abs(peak - f) <= 2 and np.isclose(np.abs(waves[k]).max(), a, atol=0.01)


@pytest.mark.parametrize("embedding, low, high", [("keras", 0.0, 0.2), ("onehot", 0.5, 5.0)])
def test_how_loud_the_speaker_id_starts(embedding, low, high):
    """The id enters each block as `global_proj(embedding)`, a bias on the gated unit.

    With Keras' default embedding (uniform +-0.05) that bias starts ~8x weaker than
    the audio's pre-activation, so SGD first fits the speakers' marginal and takes
    hundreds of steps to use the id; ibab's one-hot table starts it at the audio's scale.
    """
    import keras

    keras.utils.set_random_seed(0)
    model = recipe.recipe_model(embedding, dilations=(1, 2), skip_channels=32)
    block = model.get_layer("block0")
    x = keras.ops.convert_to_numpy(
        model.get_layer("causal_conv")(
            model.get_layer("one_hot")(np.full((1, 200), 128, "int32") + np.arange(200) % 40)
        )
    )
    audio_part = np.std(keras.ops.convert_to_numpy(block.dilated(x)))
    ids = model.get_layer("global_embedding")(np.arange(3))
    id_part = np.std(keras.ops.convert_to_numpy(block.global_proj(ids)))
    assert low < id_part / audio_part < high


@pytest.mark.slow
def test_full_recipe_meets_ibabs_loss_criteria():
    result = recipe.run(0, 1000, "keras", False, generate=0)
    assert result["final_loss"] < 0.1
    assert result["final_loss"] < 0.02 * result["initial_loss"]
    assert result["loss_wrong_speaker"] > result["final_loss"]
