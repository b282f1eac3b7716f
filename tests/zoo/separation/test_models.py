"""The separators: parameter counts, exact STFT round trip, mixture consistency, masks."""

import keras
import librosa
import numpy as np
import pytest

import zoo
from zoo.separation import MaskedInverseSTFT, PadFrames, SpectrogramMagnitude, istft, stft


def _lstm(inputs, units):
    return 4 * (units * (inputs + units) + units)


def test_unmix_parameter_count_follows_its_layers():
    bins, hidden, sources = 513, 256, 2
    expected = (
        4 * bins  # input batch norm (gamma, beta, moving mean, moving variance)
        + bins * hidden
        + 4 * hidden  # fc1 (no bias) + bn1
        + 3 * 2 * _lstm(hidden, hidden // 2)  # 3 bidirectional layers, input width `hidden`
        + 2 * hidden * hidden
        + 4 * hidden  # fc2 on [x, lstm] (no bias) + bn2
        + hidden * bins * sources
        + 4 * bins * sources  # fc3 (no bias) + bn3
    )
    model = zoo.create_model("unmix")
    assert model.count_params() == expected == 1_715_980


def test_unet_parameter_count_is_in_the_issue_range():
    model = zoo.create_model("unet")
    assert model.count_params() == 2_461_622
    assert 2_000_000 <= model.count_params() <= 6_000_000


def test_stft_matches_librosa_and_inverts_exactly():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 1003)).astype("float32")
    spectrum = stft(x, 64, 16).numpy()
    reference = librosa.stft(x[0], n_fft=64, hop_length=16, pad_mode="constant").T
    np.testing.assert_allclose(spectrum[0], reference, atol=1e-4)
    np.testing.assert_allclose(istft(stft(x, 64, 16), 64, 16, 1003).numpy(), x, atol=1e-5)


@pytest.mark.parametrize("name", ["unmix", "unet"])
def test_mixture_consistency_sums_to_the_mixture(name):
    model = zoo.get_entry(name).build_tiny(sources=("a", "b", "c"), mixture_consistency=True)
    x = np.random.default_rng(1).standard_normal((2, 777)).astype("float32")
    estimates = model(x).numpy()
    assert estimates.shape == (2, 3, 777)
    np.testing.assert_allclose(estimates.sum(axis=1), x, atol=1e-5)


def test_ideal_masks_recover_the_sources():
    rng = np.random.default_rng(2)
    sources = rng.standard_normal((1, 2, 640)).astype("float32")
    sources[0, 1] = np.sin(np.arange(640) * 0.3)  # a tone against noise
    mixture = sources.sum(axis=1)
    magnitudes = np.abs(stft(sources[0], 64, 16).numpy())  # (2, frames, bins)
    masks = (magnitudes / magnitudes.sum(axis=0, keepdims=True)).transpose(1, 2, 0)[None]
    estimates = MaskedInverseSTFT(("noise", "tone"), 64, 16)([mixture, masks]).numpy()
    # Ratio masks summing to one give back the mixture exactly; each estimate is close.
    np.testing.assert_allclose(estimates.sum(axis=1), mixture, atol=1e-5)
    error = np.sum((estimates - sources) ** 2) / np.sum(sources**2)
    assert error < 0.2


@pytest.mark.parametrize(
    "layer",
    [
        SpectrogramMagnitude(8000, 128, 32, log=False),
        MaskedInverseSTFT(("x", "y"), 128, 32, True),
        PadFrames(16),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_layers_round_trip_their_config(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    assert keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))


def test_magnitude_and_padding_shapes():
    assert SpectrogramMagnitude(16000, 512, 128)(np.zeros((1, 16000), "float32")).shape == (
        1,
        126,
        257,
    )
    assert PadFrames(8)(np.zeros((1, 13, 4), "float32")).shape == (1, 16, 4)


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        (dict(hop_length=600), "hop_length"),
        (dict(sources=("only",)), "sources"),
        (dict(sources=("a", "a")), "sources"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, arg):
    with pytest.raises(ValueError, match=f"Received: {arg}="):
        zoo.create_model("unmix", **{"hidden": 8, "lstm_layers": 1, **kwargs})


def test_unet_refuses_bins_its_levels_cannot_halve():
    with pytest.raises(ValueError, match="Received: channels="):
        zoo.separation.unet_separator(n_fft=96, channels=(4, 8, 16, 32, 64, 128))
