"""Slow: a small globally conditioned WaveNet learns two tones and generates the one asked for."""

import keras
import numpy as np
import pytest

from zoo.wavenet import WaveNet, waveform_pairs

RATE, TONES = 8000, (400.0, 1000.0)


@pytest.mark.slow
def test_conditioned_wavenet_generates_the_tone_of_its_condition():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 256).astype("int32")
    phase = rng.uniform(0, 2 * np.pi, (256, 1))
    t = np.arange(601)[None] / RATE
    waves = 0.6 * np.sin(2 * np.pi * np.array(TONES)[labels][:, None] * t + phase)
    x, y = waveform_pairs(waves.astype("float32"))
    model = WaveNet(
        dilations=(1, 2, 4, 8, 16, 32),
        residual_channels=16,
        dilation_channels=16,
        skip_channels=32,
        global_condition_classes=2,
        global_condition_channels=8,
    )
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    model.fit(
        {"audio": np.asarray(x), "global_condition": labels},
        np.asarray(y),
        batch_size=16,
        epochs=20,
        verbose=0,
    )

    audio = model.generate(3000, batch_size=2, seed=0, global_condition=[0, 1])
    freqs = np.fft.rfftfreq(2000, 1 / RATE)
    for stream, tone in enumerate(TONES):
        power = np.abs(np.fft.rfft(audio[stream, 1000:] * np.hanning(2000))) ** 2
        assert abs(freqs[power.argmax()] - tone) <= 25, (
            f"stream {stream}: peak {freqs[power.argmax()]} Hz"
        )
        assert power[np.abs(freqs - tone) < 50].sum() / power.sum() > 0.5

    # On a trained (peaked) model too, the naive reference draws the same samples.
    np.testing.assert_array_equal(
        model.generate(300, batch_size=2, seed=1, global_condition=[0, 1], fast=False),
        model.generate(300, batch_size=2, seed=1, global_condition=[0, 1]),
    )
