"""FrameFeatures / HandcraftedFeatures / ClipSummary: columns, summary, edge cases, saving."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo.features as F
from tests.zoo.features.signals import make

SMALL = {
    "sample_rate": 8000,
    "n_fft": 256,
    "hop_length": 100,
    "n_mels": 32,
    "n_mfcc": 13,
    "contrast_bands": 3,
    "f0_min": 70.0,
    "f0_max": 1500.0,
    "lpc_order": 8,
}


def _clips():
    clips = np.stack([make(k, 8000, seconds=0.3) for k in ("chirp", "noise", "clipped")])
    # A -50 dB floor keeps the chirp's LPC well posed (a pure tone's is rounding noise).
    return clips + 1e-3 * np.random.default_rng(2).standard_normal(clips.shape).astype("float32")


def test_frame_features_columns_are_the_documented_functions():
    layer = F.FrameFeatures(**SMALL)
    names = layer.feature_names()
    assert len(names) == 10 + 4 + 13 + 13 + 8 + 12 + 2 == 62
    assert names[:3] == ["rms", "zero_crossing_rate", "spectral_centroid"]
    assert names[-2:] == ["f0", "periodicity"] and "chroma_A" in names and "lpc_8" in names
    x = _clips()
    out = layer(x).numpy()
    assert out.shape == (3, 1 + x.shape[1] // 100, 62) and out.dtype == np.float32
    assert layer.compute_output_shape((None, x.shape[1])) == (None, out.shape[1], 62)
    col = {name: out[..., i] for i, name in enumerate(names)}
    s = F.magnitude_spectrogram(x, 256, 100)
    np.testing.assert_allclose(col["rms"], F.rms(x, 256, 100), rtol=1e-6)
    np.testing.assert_allclose(col["spectral_kurtosis"], F.spectral_moments(s, 8000)[3], rtol=1e-5)
    np.testing.assert_allclose(
        col["spectral_contrast_3"], F.spectral_contrast(s, 8000, n_bands=3)[..., 3], rtol=1e-5
    )
    mfcc = F.mfcc(F.log_mel_spectrogram(s, 8000, 32), 13)
    np.testing.assert_allclose(col["mfcc_12"], mfcc[..., 12], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(col["lpc_1"], F.lpc_frames(x, 8, 256, 100)[..., 1], rtol=1e-6)
    np.testing.assert_allclose(
        col["chroma_C"], F.chroma_stft(tf.square(s), 8000)[..., 0], rtol=1e-5
    )
    np.testing.assert_allclose(col["f0"], F.yin(x, 8000, 70.0, 1500.0, 256, 100)[0], rtol=1e-6)
    picked = F.FrameFeatures(**SMALL, features=["f0", "rms", "lpc"])
    assert picked.feature_names() == ["f0", "rms"] + [f"lpc_{i}" for i in range(1, 9)]
    np.testing.assert_allclose(picked(x)[..., 1], col["rms"], rtol=1e-6)


def test_clip_summary_is_mean_std_and_mean_absolute_delta():
    x = np.random.default_rng(0).standard_normal((2, 7, 3)).astype(np.float32)
    out = F.ClipSummary()(x).numpy()
    ref = np.concatenate([x.mean(1), x.std(1), np.abs(np.diff(x, axis=1)).mean(1)], axis=-1)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    assert F.summary_names(["a", "b"]) == [
        "a_mean",
        "b_mean",
        "a_std",
        "b_std",
        "a_absdelta",
        "b_absdelta",
    ]
    np.testing.assert_array_equal(F.ClipSummary()(x[:, :1]).numpy()[:, 3:], 0.0)  # one frame


def test_handcrafted_features_summarise_frame_features():
    layer = F.HandcraftedFeatures(**SMALL)
    x = _clips()
    out = layer(x).numpy()
    assert out.shape == (3, 3 * 62) and len(layer.feature_names()) == 186
    assert (
        layer.feature_names()[0] == "rms_mean"
        and layer.feature_names()[-1] == "periodicity_absdelta"
    )
    assert layer.frame_feature_names() == F.FrameFeatures(**SMALL).feature_names()
    np.testing.assert_allclose(
        out, F.ClipSummary()(F.FrameFeatures(**SMALL)(x)), rtol=1e-5, atol=1e-5
    )
    assert layer.compute_output_shape((None, None)) == (None, 186)


def test_silent_dc_and_one_frame_clips_give_finite_documented_values():
    layer = F.HandcraftedFeatures(**SMALL)
    clips = np.stack([np.zeros(2400), np.full(2400, 0.25)]).astype(np.float32)
    out = dict(zip(layer.feature_names(), layer(clips).numpy().T))
    assert all(np.isfinite(v).all() for v in out.values())
    silent = {k: v[0] for k, v in out.items()}
    for name in (
        "rms_mean",
        "spectral_centroid_mean",
        "spectral_kurtosis_mean",
        "lpc_1_mean",
        "chroma_A_mean",
        "periodicity_mean",
        "spectral_contrast_0_mean",
    ):
        assert silent[name] == 0.0, name
    assert silent["spectral_flatness_mean"] == pytest.approx(1.0, rel=1e-4)
    assert silent["cepstrum_0_mean"] == pytest.approx(np.log(1e-10) ** 2, rel=1e-5)
    assert silent["mfcc_0_mean"] == pytest.approx(-100.0 * np.sqrt(32), rel=1e-5)
    rest = max(abs(silent[f"mfcc_{i}_mean"]) for i in range(1, 13))
    assert rest < 1e-6 * abs(silent["mfcc_0_mean"])  # 0 up to float32 rounding
    assert silent["f0_mean"] == pytest.approx(8000 / 5)  # sr / floor(sr / f0_max)
    assert out["rms_mean"][1] > 0.2 and out["periodicity_mean"][1] == 0.0
    short = layer(np.zeros((1, 10), np.float32)).numpy()  # shorter than a frame: 1 frame
    assert np.isfinite(short).all() and np.all(short[0, 124:] == 0.0)


def test_get_config_round_trip_and_bad_arguments():
    layer = F.HandcraftedFeatures(**SMALL, tuning=0.1, features=["mfcc", "chroma"], name="hc")
    config = layer.get_config()
    constructor = set(inspect.signature(F.FrameFeatures.__init__).parameters) - {"self", "kwargs"}
    constructor |= {"deltas", "statistics"}  # HandcraftedFeatures' own
    assert set(config) - set(keras.layers.Layer().get_config()) == constructor
    assert {k: config[k] for k in SMALL} == SMALL
    assert (config["tuning"], config["features"], config["name"]) == (0.1, ["mfcc", "chroma"], "hc")
    clone = F.HandcraftedFeatures.from_config(config)
    x = _clips()
    np.testing.assert_allclose(clone(x), layer(x), rtol=1e-6)
    bad = [
        ("n_fft", 255),
        ("roll_percent", 1.0),
        ("n_mfcc", 200),
        ("tuning", 0.5),
        ("features", ["rms", "loudness"]),
        ("f0_min", 20.0),
        ("contrast_bands", 7),
    ]
    for arg, value in bad:
        with pytest.raises(ValueError, match=f"Received: {arg}="):
            F.FrameFeatures(**{**SMALL, arg: value})


def test_features_stay_float32_under_a_mixed_precision_policy():
    x = _clips()
    reference = F.HandcraftedFeatures(**SMALL)(x).numpy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # the conftest fixture resets it
    layer = F.HandcraftedFeatures(**SMALL)
    assert layer.compute_dtype == "float32"
    np.testing.assert_allclose(layer(x).numpy(), reference, rtol=1e-5, atol=1e-6)
    assert F.HandcraftedFeatures(**SMALL, dtype="mixed_bfloat16").compute_dtype == "bfloat16"


def test_keras_file_round_trip_in_a_model_with_safe_mode(tmp_path):
    inputs = keras.Input((None,))
    feats = F.HandcraftedFeatures(**SMALL, name="handcrafted")(inputs)
    outputs = keras.layers.Dense(2)(keras.layers.Normalization()(feats))
    model = keras.Model(inputs, outputs)
    x = _clips()
    path = tmp_path / "baseline.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(loaded.get_layer("handcrafted"), F.HandcraftedFeatures)
    assert (
        loaded.get_layer("handcrafted").get_config() == model.get_layer("handcrafted").get_config()
    )
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5)


def test_runs_inside_tf_data_and_under_xla():
    layer = F.HandcraftedFeatures(**SMALL)
    x = _clips()
    eager = layer(x).numpy()
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)
    np.testing.assert_allclose(
        np.concatenate(list(ds.as_numpy_iterator())), eager, rtol=1e-5, atol=1e-5
    )
    compiled = tf.function(layer, jit_compile=True)(tf.constant(x)).numpy()
    np.testing.assert_allclose(compiled, eager, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("frames", [9, 10, 57])
def test_delta_equals_librosa_feature_delta(frames):
    """`zoo.features.delta` vs `librosa.feature.delta` (width 9, mode interp), atol 1e-5."""
    import librosa

    x = np.random.default_rng(frames).standard_normal((2, frames, 3)).astype("float32")
    want = librosa.feature.delta(x, axis=1)
    np.testing.assert_allclose(F.delta(x).numpy(), want, rtol=1e-5, atol=1e-5)


def test_delta_of_a_clip_shorter_than_its_window_is_the_fitted_slope():
    # librosa refuses fewer frames than its window; the least-squares slope is its limit.
    line = 2.0 * np.arange(5, dtype="float32")[None, :, None] + 1.0
    np.testing.assert_allclose(F.delta(line).numpy(), np.full((1, 5, 1), 2.0), atol=1e-6)
    np.testing.assert_array_equal(F.delta(np.ones((1, 1, 2), "float32")).numpy(), 0.0)


def test_deltas_and_statistics_choose_the_summary():
    layer = F.HandcraftedFeatures(
        **SMALL, features=["rms"], deltas=True, statistics=("mean", "std"), name="mfcc_set"
    )
    assert layer.feature_names() == ["rms_mean", "rms_delta_mean", "rms_std", "rms_delta_std"]
    x = _clips()
    frames = F.FrameFeatures(**SMALL, features=["rms"])(x).numpy()
    both = np.concatenate([frames, F.delta(frames).numpy()], axis=2)
    want = np.concatenate([both.mean(axis=1), both.std(axis=1)], axis=1)
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-5, atol=1e-6)
    clone = F.HandcraftedFeatures.from_config(layer.get_config())
    np.testing.assert_allclose(clone(x).numpy(), layer(x).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="Received: statistics="):
        F.HandcraftedFeatures(**SMALL, statistics=("mean", "median"))
    summary = F.ClipSummary(statistics=("std",))
    np.testing.assert_allclose(summary(frames).numpy(), frames.std(axis=1), rtol=1e-5, atol=1e-7)
    assert F.ClipSummary.from_config(summary.get_config()).statistics == ("std",)
