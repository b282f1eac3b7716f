"""The Keras musicnn models equal the official networks with the published checkpoints.

The reference is each checkpoint's own saved TF1 graph (`reference.py`), run in
inference mode; the checkpoints come from the real wheel (`musicnn_cache`, fetched
once). Log-mel in: 1e-4; waveforms through `MusicnnLogMel` against librosa's
`melspectrogram` + `log10(10000 x + 1)` into the official graph: 1e-3.
Measured on this machine: at most 4e-6 (logits) and 2e-7 (sigmoid) from log-mels,
3e-6 (logits) from waveforms.
"""

import os

import keras
import librosa
import numpy as np
import pytest

import zoo
from tests.zoo.musicnn.reference import official_outputs

SR, FRAMES = 16000, 187


def _music(seconds=6.5, seed=0):
    """A few seconds of gliding harmonic tones, tremolo and noise at 16 kHz."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(SR * seconds)) / SR
    y = sum(
        0.2 * np.sin(2 * np.pi * f * t * (1 + 0.01 * np.sin(np.pi * t)))
        for f in (110, 220, 660, 880)
    )
    y = y * (0.5 + 0.5 * np.sin(4 * np.pi * t)) + 0.05 * rng.standard_normal(len(t))
    return y.astype("float32")


def _official_log_mel(y):
    mel = librosa.feature.melspectrogram(y=y, sr=SR, hop_length=256, n_fft=512, n_mels=96).T
    return np.log10(10000 * mel.astype("float32") + 1)


CASES = [
    ("MTT_musicnn", zoo.musicnn.musicnn, "musicnn", {}),
    ("MSD_musicnn", zoo.musicnn.musicnn, "musicnn", {}),
    ("MTT_vgg", zoo.musicnn.musicnn_vgg, "vgg", {"pool_layout": "mtt"}),
    ("MSD_vgg", zoo.musicnn.musicnn_vgg, "vgg", {"pool_layout": "msd"}),
]


@pytest.mark.parametrize("name, builder, arch, kwargs", CASES, ids=[c[0] for c in CASES])
def test_log_mel_input_matches_the_official_graph(musicnn_cache, name, builder, arch, kwargs):
    prefix = os.path.join(musicnn_cache, name) + os.sep
    log_mel = _official_log_mel(_music())
    batch = np.stack([log_mel[:FRAMES], log_mel[FRAMES : 2 * FRAMES]])
    ref = official_outputs(prefix, batch, arch)
    model = builder(weights=prefix, classifier_activation=None, **kwargs)
    logits = np.asarray(model(batch, training=False))
    np.testing.assert_allclose(logits, ref["logits"], rtol=0, atol=1e-4)
    sigmoid = np.asarray(keras.ops.sigmoid(logits))
    np.testing.assert_allclose(sigmoid, ref["sigmoid"], rtol=0, atol=1e-4)
    if arch == "musicnn":
        features = builder(weights=prefix, include_top=False, pooling="penultimate")
        np.testing.assert_allclose(features(batch), ref["penultimate"], rtol=0, atol=1e-4)


@pytest.mark.parametrize("name, builder, arch, kwargs", CASES, ids=[c[0] for c in CASES])
def test_waveform_input_matches_librosa_and_the_official_graph(
    musicnn_cache, name, builder, arch, kwargs
):
    prefix = os.path.join(musicnn_cache, name) + os.sep
    samples = (FRAMES - 1) * 256  # 1 + samples // hop = 187 centred frames
    y = _music(seed=1)
    waves = np.stack([y[:samples], y[8000 : 8000 + samples]])
    ref = official_outputs(prefix, np.stack([_official_log_mel(w) for w in waves]), arch)
    model = builder(weights=prefix, include_preprocessing=True, input_shape=(samples,), **kwargs)
    np.testing.assert_allclose(model(waves), ref["sigmoid"], rtol=0, atol=1e-3)


def test_named_weights_load_from_the_cache(musicnn_cache, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", os.path.dirname(os.path.dirname(musicnn_cache)))
    model = zoo.create_model("musicnn", weights="msd")
    kernel = np.asarray(model.get_layer("conv2d").kernel)
    expected = zoo.musicnn.read_checkpoint(os.path.join(musicnn_cache, "MSD_musicnn", ""))
    np.testing.assert_array_equal(kernel, expected["conv2d/kernel"])
    vgg = zoo.create_model("musicnn_vgg", weights="msd", include_top=False)
    assert vgg.get_layer("pool1").pool_size == (4, 1) and vgg.get_layer("pool1").strides == (4, 1)
    report = zoo.musicnn.cached_weights()
    assert report["complete"] and report["licence"] == "ISC"
    assert sorted(report["checkpoints"]) == ["MSD_musicnn", "MSD_vgg", "MTT_musicnn", "MTT_vgg"]


@pytest.mark.network  # downloads the wheel a second time, to pass it by path
def test_a_passed_wheel_is_checked_and_used(musicnn_cache, tmp_path, monkeypatch):
    # The wheel pip downloads, passed by path into an empty KERAS_HOME.
    import subprocess

    from zoo.weights import musicnn_wheel

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    done = subprocess.run(
        musicnn_wheel.pip_command(str(tmp_path)), capture_output=True, timeout=300
    )
    if done.returncode:
        pytest.skip("the package index became unreachable")
    model = zoo.musicnn.musicnn(weights=str(tmp_path / musicnn_wheel.WHEEL))
    mtt = zoo.musicnn.read_checkpoint(os.path.join(musicnn_cache, "MTT_musicnn", ""))
    np.testing.assert_array_equal(model.get_layer("dense_1").kernel, mtt["dense_1/kernel"])
