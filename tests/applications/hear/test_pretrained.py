"""Published musicnn networks by name in `audiozoo embed` and the HEAR API."""

import os

import numpy as np
import pytest
import soundfile as sf

from applications import cli, hear
from applications.errors import UsageError


@pytest.fixture
def cached(musicnn_cache, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", os.path.dirname(os.path.dirname(musicnn_cache)))


def test_hear_api_serves_the_penultimate_layer_at_16k_over_3s_windows(cached):
    model = hear.load_model("musicnn:mtt")
    assert (model.sample_rate, model.scene_embedding_size) == (16000, 200)
    audio = np.random.default_rng(0).standard_normal((2, 16000 * 4)).astype(np.float32) * 0.1
    scene = np.asarray(hear.get_scene_embeddings(audio, model))
    assert scene.shape == (2, 200) and np.isfinite(scene).all()
    assert hear.load_model("musicnn:msd:pooled").scene_embedding_size == 1506


def test_embed_writes_pooled_embeddings_of_files(cached, tmp_path, capsys):
    path = str(tmp_path / "a.wav")
    tone = np.sin(2 * np.pi * 440 * np.arange(44100 * 2) / 44100).astype(np.float32) * 0.3
    sf.write(path, tone, 44100)
    out = str(tmp_path / "e.npz")
    assert cli.main(["embed", "--model", "musicnn:mtt:pooled", path, "--out", out]) == 0
    with np.load(out) as saved:
        assert saved["scene_embeddings"].shape == (1, 1506)
        assert int(saved["sample_rate"]) == 16000


def test_an_unknown_published_name_is_one_line():
    with pytest.raises(UsageError, match="names no published network"):
        hear.load_model("musicnn:gtzan")
    with pytest.raises(UsageError, match="only musicnn has a pooled"):
        hear.load_model("musicnn_vgg:mtt:pooled")
