"""LogMelSpectrogram against librosa; SpecAugment; SpectrogramToImage; saved front ends."""

import keras
import librosa
import numpy as np
import pytest

import zoo.audio as audio


def _signal(samples, rate, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / rate
    chirp = np.sin(2 * np.pi * (200 + 1500 * t) * t)
    y = 0.3 * chirp + 0.2 * np.sin(2 * np.pi * 3000 * t) + 0.02 * rng.standard_normal(samples)
    return (y * np.linspace(0.05, 1.0, samples)).astype("float32")


@pytest.mark.parametrize(
    "kw",
    [
        dict(sample_rate=16000, n_fft=1024, hop_length=256, n_mels=64, fmin=0.0, fmax=None),
        dict(sample_rate=22050, n_fft=2048, hop_length=512, n_mels=128, fmin=30.0, fmax=8000.0),
        dict(sample_rate=8000, n_fft=400, hop_length=160, n_mels=40, fmin=20.0, fmax=3800.0),
    ],
)
@pytest.mark.parametrize("dft", audio.DFT_METHODS)
def test_log_mel_matches_librosa(kw, dft):
    y = _signal(kw["sample_rate"] + 123, kw["sample_rate"])
    ours = audio.LogMelSpectrogram(**kw, dft=dft)(y[None])[0, ..., 0].numpy()
    ref = librosa.power_to_db(
        librosa.feature.melspectrogram(
            y=y,
            sr=kw["sample_rate"],
            n_fft=kw["n_fft"],
            hop_length=kw["hop_length"],
            n_mels=kw["n_mels"],
            fmin=kw["fmin"],
            fmax=kw["fmax"],
            power=2.0,
        ),
        ref=1.0,
        top_db=None,
    )
    assert ours.shape == ref.shape == (kw["n_mels"], 1 + y.size // kw["hop_length"])
    loud = ref > -60.0
    assert loud.mean() > 0.5
    np.testing.assert_allclose(ours[loud], ref[loud], atol=0.1)


def test_log_mel_top_db_floors_each_example_at_its_peak():
    y = np.stack([_signal(4000, 16000), 0.01 * _signal(4000, 16000, seed=1)])
    out = audio.LogMelSpectrogram(top_db=40.0)(y).numpy()
    for example in out:
        assert example.min() >= example.max() - 40.0 - 1e-4
        assert np.isclose(example.min(), example.max() - 40.0, atol=1e-3)


def test_log_mel_batch_shape_and_symbolic_frames():
    layer = audio.LogMelSpectrogram(n_mels=32, hop_length=128)
    assert layer.compute_output_shape((None, 1000)) == (None, 32, 8, 1)
    assert tuple(layer(np.zeros((3, 1000), "float32")).shape) == (3, 32, 8, 1)
    assert layer.compute_output_shape((None, None)) == (None, 32, None, 1)


def test_log_mel_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Received: fmax=9000"):
        audio.LogMelSpectrogram(sample_rate=16000, fmax=9000)
    with pytest.raises(ValueError, match="Received: n_mels=0"):
        audio.LogMelSpectrogram(n_mels=0)
    with pytest.raises(ValueError, match="Received: top_db=-1"):
        audio.LogMelSpectrogram(top_db=-1)


def test_spec_augment_identity_at_inference_masks_in_training():
    x = np.random.default_rng(0).normal(-30, 10, (4, 40, 50, 1)).astype("float32")
    aug = audio.SpecAugment(
        freq_mask_param=10, time_mask_param=12, num_freq_masks=2, num_time_masks=2, seed=3
    )
    np.testing.assert_array_equal(aug(x).numpy(), x)
    np.testing.assert_array_equal(aug(x, training=False).numpy(), x)
    y = aug(x, training=True).numpy()
    assert not np.array_equal(y, x)
    for i in range(4):
        changed = y[i, ..., 0] != x[i, ..., 0]
        # Masks are whole mel rows or whole frame columns filled with the mean.
        rows = changed.all(axis=1)
        cols = changed.all(axis=0)
        assert np.array_equal(changed, rows[:, None] | cols[None, :])
        assert rows.sum() <= 20 and cols.sum() <= 24
        np.testing.assert_allclose(y[i, ..., 0][changed], x[i].mean(), rtol=1e-5)


def test_spec_augment_zero_masks_is_identity_and_seed_repeats():
    x = np.random.default_rng(1).normal(size=(2, 16, 20, 1)).astype("float32")
    none = audio.SpecAugment(num_freq_masks=0, num_time_masks=0)
    np.testing.assert_array_equal(none(x, training=True).numpy(), x)
    a = audio.SpecAugment(seed=7)(x, training=True).numpy()
    b = audio.SpecAugment(seed=7)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="Received: num_time_masks=-1"):
        audio.SpecAugment(num_time_masks=-1)


def test_spectrogram_to_image_matches_vgg_preprocess_input():
    rng = np.random.default_rng(2)
    x = rng.uniform(-120, 10, (2, 64, 40, 1)).astype("float32")
    layer = audio.SpectrogramToImage(size=(64, 40), channels=3, normalization="vgg", db_range=80.0)
    out = layer(x).numpy()
    assert out.shape == (2, 64, 40, 3)
    peak = x.max(axis=(1, 2, 3), keepdims=True)
    grey = 255.0 * np.clip((x - (peak - 80.0)) / 80.0, 0, 1)  # size unchanged: no resampling
    rgb = np.repeat(grey, 3, axis=-1)
    expected = keras.applications.vgg16.preprocess_input(rgb.copy())
    np.testing.assert_allclose(out, expected, atol=1e-3)
    one = audio.SpectrogramToImage(size=(32, 32), channels=1)(x).numpy()
    assert one.shape == (2, 32, 32, 1)
    assert one.max() <= 255.0 - 114.79 + 1e-3 and one.min() >= -114.8
    with pytest.raises(ValueError, match="Received: channels=2"):
        audio.SpectrogramToImage(channels=2)


def test_waveform_front_end_saves_and_loads_safely(tmp_path):
    inputs = keras.Input((8000,))
    x = audio.LogMelSpectrogram(sample_rate=8000, n_fft=256, hop_length=128, n_mels=32)(inputs)
    x = audio.SpecAugment(freq_mask_param=4, time_mask_param=4, seed=1)(x)
    x = audio.SpectrogramToImage(size=(32, 32), channels=3)(x)
    outputs = keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    wave = _signal(8000, 8000)[None].repeat(2, axis=0)
    path = tmp_path / "front.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded(wave).numpy(), model(wave).numpy(), atol=1e-5)
    for layer in model.layers[1:4]:
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()


def _front_end(clip_samples):
    inputs = keras.Input((clip_samples,))
    x = audio.LogMelSpectrogram(sample_rate=8000, n_fft=256, hop_length=128, n_mels=32)(inputs)
    x = audio.SpecAugment(freq_mask_param=4, time_mask_param=4, seed=1)(x)
    return keras.Model(inputs, audio.SpectrogramToImage(size=(32, 32))(x))


def test_front_end_stays_float32_under_a_mixed_precision_policy():
    """bfloat16 would round the waveform and the dB (up to 4.6 dB off on the builtin clips)."""
    rng = np.random.default_rng(3)
    wave = (_signal(8000, 8000) * rng.uniform(0.01, 1.0, (2, 1))).astype("float32")
    wave += 1e-4 * rng.standard_normal(wave.shape).astype("float32")  # quiet bins matter too
    reference = _front_end(8000)(wave).numpy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # the conftest fixture resets it
    model = _front_end(8000)
    assert [layer.compute_dtype for layer in model.layers[1:]] == ["float32"] * 3
    out = model(wave)
    assert out.dtype == "float32"
    np.testing.assert_allclose(out.numpy(), reference, rtol=1e-6, atol=1e-4)
    assert audio.LogMelSpectrogram(dtype="mixed_bfloat16").compute_dtype == "bfloat16"


def test_empty_mel_filters_warn_like_librosa():
    """44.1 kHz, n_fft 1024, fmax 2000 Hz, 128 mels: librosa warns, and so does the zoo."""
    import librosa

    settings = {"sr": 44100, "n_fft": 1024, "n_mels": 128, "fmax": 2000.0}
    with pytest.warns(UserWarning, match="Empty filters detected") as theirs:
        ref = librosa.filters.mel(**settings)
    with pytest.warns(UserWarning, match="Empty filters detected") as ours:
        filters = audio.mel_filterbank(44100, 1024, 128, 0.0, 2000.0)
    assert str(ours[0].message) == str(theirs[0].message)
    empty_ours, empty_ref = filters.max(axis=0) == 0, ref.max(axis=1) == 0
    np.testing.assert_array_equal(empty_ours, empty_ref)
    assert empty_ours.sum() == 39
    with pytest.warns(UserWarning, match="Empty filters"):
        audio.LogMelSpectrogram(sample_rate=44100, n_fft=1024, n_mels=128, fmax=2000.0)


def test_full_mel_filters_do_not_warn():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        audio.mel_filterbank(16000, 1024, 64)


def test_top_db_zero_is_accepted_as_librosa_does():
    import librosa

    y = _signal(4000, 16000)
    out = audio.LogMelSpectrogram(n_fft=512, hop_length=256, n_mels=32, top_db=0)(y[None]).numpy()
    mel = librosa.feature.melspectrogram(
        y=y, sr=16000, n_fft=512, hop_length=256, n_mels=32, pad_mode="constant"
    )
    ref = librosa.power_to_db(mel, ref=1.0, top_db=0)
    # top_db=0 floors everything at the peak: a constant image in both.
    assert np.ptp(ref) == 0 and np.ptp(out) == 0
    np.testing.assert_allclose(out[0, :, :, 0], ref, atol=1e-3)


@pytest.mark.parametrize(
    "settings",
    [(22050, 2048, 128, 0.0, None), (16000, 1024, 64, 0.0, None), (44100, 1024, 128, 0.0, 2000.0)],
)
def test_band_blocks_give_the_dense_filterbank_product(settings):
    """The block products (only the bins each block of bands touches) equal `power @ filters`."""
    import warnings

    from zoo.audio.features import band_blocks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the last setting has empty filters, on purpose
        filters = audio.mel_filterbank(*settings)
    power = np.random.default_rng(0).uniform(0, 10, (3, filters.shape[0])).astype("float32")
    blocks = band_blocks(filters)
    got = np.concatenate([power[:, lo:hi] @ w for lo, hi, w in blocks], axis=1)
    np.testing.assert_allclose(got, power @ filters, rtol=1e-5, atol=1e-6)
    touched = sum((hi - lo) * w.shape[1] for lo, hi, w in blocks)
    assert touched < filters.size / 3  # the point of the blocks: far fewer multiply-adds
