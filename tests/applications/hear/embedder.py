"""A tiny waveform classifier saved as a bare `.keras` file, at any sample rate, in a second."""

import keras

import zoo


def save_embedder(path, sample_rate, classes=3):
    """Save `waveform -> log-mel -> pooled -> fc (8) -> predictions` to `path`; return the model."""
    waveform = keras.Input((None,), name="waveform")
    x = zoo.audio.LogMelSpectrogram(sample_rate, n_fft=256, hop_length=128, n_mels=16)(waveform)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(8, activation="relu", name="fc")(x)
    out = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    model = keras.Model(waveform, out, name="tiny_embedder")
    model.save(path)
    return model
