"""zoo.audio decoding, resampling, clips and the tf.data decode function."""

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.signal
import soundfile as sf
import tensorflow as tf

import zoo.audio as audio

RATE = 16000


def _tone(samples, rate, freq=440.0, channels=1):
    t = np.arange(samples) / rate
    wave = 0.5 * np.sin(2 * np.pi * freq * t)
    if channels == 1:
        return wave.astype("float32")
    return np.stack([wave * (c + 1) / channels for c in range(channels)], axis=1).astype("float32")


# (extension, format, subtype, tolerance): integer formats round to their step.
LOSSLESS = [
    ("wav", "WAV", "PCM_U8", 1 / 128),
    ("wav", "WAV", "PCM_16", 1 / 32768),
    ("wav", "WAV", "PCM_24", 1 / 2**23),
    ("wav", "WAV", "PCM_32", 1e-7),
    ("wav", "WAV", "FLOAT", 0.0),
    ("wav", "WAV", "DOUBLE", 1e-7),
    ("flac", "FLAC", "PCM_16", 1 / 32768),
    ("flac", "FLAC", "PCM_24", 1 / 2**23),
]


@pytest.mark.parametrize("ext,fmt,subtype,tol", LOSSLESS)
def test_load_lossless_formats(tmp_path, ext, fmt, subtype, tol):
    wave = _tone(1000, RATE, channels=2)
    path = tmp_path / f"x.{ext}"
    sf.write(path, wave, RATE, format=fmt, subtype=subtype)
    stereo, rate = audio.load(path, mono=False)
    assert rate == RATE and stereo.dtype == np.float32 and stereo.shape == (1000, 2)
    np.testing.assert_allclose(stereo, wave, atol=tol + 1e-7)
    mono, _ = audio.load(path)
    np.testing.assert_allclose(mono, wave.mean(axis=1), atol=tol + 1e-7)


@pytest.mark.parametrize("fmt,subtype", [("OGG", "VORBIS"), ("MP3", "MPEG_LAYER_III")])
def test_load_lossy_formats(tmp_path, fmt, subtype):
    if fmt not in sf.available_formats():
        pytest.skip(f"libsndfile {sf.__libsndfile_version__} has no {fmt}")
    wave = _tone(RATE, RATE)
    path = tmp_path / f"x.{fmt.lower()}"
    sf.write(path, wave, RATE, format=fmt, subtype=subtype)
    decoded, rate = audio.load(path)
    assert rate == RATE and decoded.dtype == np.float32 and np.abs(decoded).max() <= 1.0
    # Lossy codecs add delay/padding: compare spectra, not samples.
    spectrum = np.abs(np.fft.rfft(decoded[: RATE // 2]))
    assert abs(np.argmax(spectrum) * 2 - 440) <= 2


@pytest.mark.parametrize(
    "rate_in,rate_out",
    [(22050, 16000), (16000, 22050), (8000, 16000), (96000, 16000), (44100, 16000), (48000, 44100)],
)
def test_polyphase_resample_matches_scipy(rate_in, rate_out):
    x = np.random.default_rng(0).standard_normal((2001, 2))
    g = np.gcd(rate_in, rate_out)
    ref = scipy.signal.resample_poly(x, rate_out // g, rate_in // g, axis=0)
    ours = audio.resample(
        tf.constant(x, tf.float32), tf.constant(rate_in), tf.constant(rate_out), method="polyphase"
    ).numpy()
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=2e-5 * np.abs(ref).max())


def _db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.square(x))) + 1e-20)


@pytest.mark.parametrize("method", ["polyphase", "tensorflow-io"])
def test_resample_keeps_passband_and_suppresses_aliases(method):
    if method == "tensorflow-io" and audio.backend() != "tensorflow-io":
        with pytest.raises(ValueError, match="Received: method='tensorflow-io'"):
            audio.resample(np.zeros(8, "float32"), 16000, 8000, method=method)
        return
    rate_in, rate_out, n = 48000, 16000, 48000
    keep = _tone(n, rate_in, 1000.0)
    alias = _tone(n, rate_in, 12000.0)  # would fold to 4 kHz without filtering
    kept = audio.resample(keep, rate_in, rate_out, method=method).numpy()[2000:-2000]
    folded = audio.resample(alias, rate_in, rate_out, method=method).numpy()[2000:-2000]
    assert abs(_db(kept) - _db(keep)) < 0.1
    assert _db(folded) - _db(alias) < -40.0  # Kaiser(beta 5) stop band


def test_resample_runs_inside_tf_data_with_per_file_rates():
    rates = tf.constant([8000, 22050, 16000])
    ds = tf.data.Dataset.from_tensor_slices(rates).map(
        lambda r: audio.resample(tf.ones([r]), r, RATE, method="polyphase")
    )
    assert [int(w.shape[0]) for w in ds] == [RATE] * 3
    with pytest.raises(ValueError, match="Received: rate_out=0"):
        audio.resample(np.zeros(4, "float32"), 16000, 0)


def test_fix_length_centre_and_random():
    x = tf.range(10, dtype=tf.float32)
    np.testing.assert_array_equal(audio.fix_length(x, 4).numpy(), [3, 4, 5, 6])
    np.testing.assert_array_equal(audio.fix_length(x[:3], 6).numpy(), [0, 0, 1, 2, 0, 0])
    crops = {tuple(audio.fix_length(x, 4, "random", seed=[s, 0]).numpy()) for s in range(40)}
    assert len(crops) == 7 and all(c == tuple(range(int(c[0]), int(c[0]) + 4)) for c in crops)
    again = audio.fix_length(x, 4, "random", seed=[5, 0]).numpy()
    np.testing.assert_array_equal(again, audio.fix_length(x, 4, "random", seed=[5, 0]).numpy())
    assert audio.fix_length(tf.ones([3, 2]), 5).shape == (5, 2)
    np.testing.assert_array_equal(audio.to_mono(tf.constant([[1.0, 3.0]])).numpy(), [2.0])


@pytest.mark.parametrize(
    "fmt,subtype,rate",
    [
        ("WAV", "PCM_16", 22050),
        ("WAV", "PCM_24", 16000),
        ("FLAC", "PCM_16", 8000),
        ("WAV", "FLOAT", 16000),
    ],
)
def test_decode_file_in_tf_data_equals_load(tmp_path, fmt, subtype, rate):
    path = str(tmp_path / f"x.{fmt.lower()}")
    sf.write(path, _tone(rate // 2, rate, channels=2), rate, format=fmt, subtype=subtype)
    ds = tf.data.Dataset.from_tensor_slices([path]).map(lambda p: audio.decode_file(p, RATE))
    ((wave, out_rate),) = list(ds)
    expected, _ = audio.load(path, sample_rate=RATE)
    assert int(out_rate) == RATE and wave.shape == expected.shape == (RATE // 2,)
    np.testing.assert_allclose(wave.numpy(), expected, atol=1e-4)


def test_decode_file_error_names_the_file(tmp_path):
    path = tmp_path / "bad.flac"
    path.write_text("not audio")
    with pytest.raises(audio.AudioDecodeError, match="bad.flac: not a readable audio file"):
        audio.decode_file(tf.constant(str(path)))  # eager: the Python error itself
    ds = tf.data.Dataset.from_tensor_slices([str(path)]).map(lambda p: audio.decode_file(p)[0])
    with pytest.raises(tf.errors.OpError, match="bad.flac: not a readable audio file"):
        list(ds)  # in a pipeline TensorFlow wraps it, keeping the message


def _backend_in_subprocess(**env):
    code = "import zoo, zoo.audio; print(zoo.audio.backend())"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


def test_backend_is_named_and_import_is_silent():
    assert audio.backend() in ("tensorflow-io", "soundfile")
    run = _backend_in_subprocess()
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == audio.backend()
    assert "tensorflow_io" not in run.stderr and "libtensorflow_io" not in run.stderr


def test_backend_can_be_forced_to_soundfile(monkeypatch):
    backend_module = sys.modules[
        "zoo.audio.backend"
    ]  # the module; zoo.audio.backend is the function
    monkeypatch.setattr(backend_module, "_probed", {})  # forget this process's probe
    monkeypatch.setenv("AUDIOZOO_AUDIO_BACKEND", "soundfile")
    assert audio.backend() == "soundfile"
    monkeypatch.setattr(backend_module, "_probed", {})
    monkeypatch.setenv("AUDIOZOO_AUDIO_BACKEND", "sox")
    with pytest.raises(ValueError, match="Received: AUDIOZOO_AUDIO_BACKEND='sox'"):
        audio.backend()


@pytest.mark.parametrize("fmt,subtype", [("WAV", "FLOAT"), ("WAV", "PCM_24"), ("OGG", "VORBIS")])
def test_decode_file_keeps_trailing_zero_bytes(tmp_path, fmt, subtype):
    # NumPy's bytes scalars drop trailing NULs: a file ending in silence lost frames.
    path = str(tmp_path / f"x.{fmt.lower()}")
    wave = np.concatenate([_tone(800, 8000), np.zeros(200, "float32")])
    sf.write(path, wave, 8000, format=fmt, subtype=subtype)
    ds = tf.data.Dataset.from_tensor_slices([path]).map(lambda p: audio.decode_file(p)[0])
    (decoded,) = list(ds)
    expected, _ = audio.load(path)
    assert decoded.shape == expected.shape
    np.testing.assert_allclose(decoded.numpy(), expected, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, named",
    [
        ({"rate_in": "16000", "rate_out": 8000}, "Received: rate_in='16000'"),
        ({"rate_in": 16000, "rate_out": None}, "Received: rate_out=None"),
        ({"rate_in": 16000, "rate_out": 8000.5}, "Received: rate_out=8000.5"),
        ({"rate_in": True, "rate_out": 8000}, "Received: rate_in=True"),
        ({"rate_in": tf.constant(1.6e4), "rate_out": 8000}, "rate_in"),
    ],
)
def test_resample_non_numeric_rates_raise_value_error_naming_the_argument(kwargs, named):
    """As scipy.signal.resample_poly: a ValueError, not TensorFlow's UnimplementedError."""
    with pytest.raises(ValueError, match=named):
        audio.resample(np.zeros(100, "float32"), **kwargs)


def test_resample_takes_integer_rate_tensors_and_numpy_ints():
    y = audio.resample(np.zeros(160, "float32"), tf.constant(16000), np.int64(8000))
    assert y.shape == (80,)
