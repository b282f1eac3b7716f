"""`applications.hear`: the HEAR API's shapes, dtypes, timestamps and batch independence."""

import importlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from applications.errors import UsageError
from tests.applications.hear.tiny_models import CLIP, RATE, save_run, tones


@pytest.fixture(scope="module")
def scratch_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("scratch") / "run"
    save_run(str(out), "scratch")
    return str(out)


@pytest.fixture(scope="module")
def hear():
    # The HEAR kit imports the module by name.
    return importlib.import_module("applications.hear")


def test_load_model_exposes_the_spec_attributes(hear, scratch_dir):
    model = hear.load_model(scratch_dir)
    assert isinstance(model, tf.Module)
    assert model.sample_rate == RATE
    assert model.scene_embedding_size == model.timestamp_embedding_size == 128
    assert model.window == CLIP and model.hop_ms <= 50


def test_timestamp_embeddings_shapes_dtypes_and_spacing(hear, scratch_dir):
    model = hear.load_model(scratch_dir, hop_ms=25)
    audio = tones(2, samples=RATE)  # 1 s: timestamps 0, 25, ..., 1000 ms
    emb, ts = hear.get_timestamp_embeddings(tf.constant(audio), model)
    assert emb.dtype == tf.float32 and ts.dtype == tf.float32
    assert emb.shape == (2, 41, 128) and ts.shape == (2, 41)
    np.testing.assert_allclose(np.diff(ts.numpy(), axis=1), 25.0, rtol=1e-6)
    assert ts.numpy()[0, 0] == 0.0 and ts.numpy()[0, -1] == 1000.0
    assert np.all(np.isfinite(emb.numpy())) and np.ptp(emb.numpy()) > 0


def test_scene_embeddings_shape_and_equal_to_the_classifier_view(hear, scratch_dir):
    model = hear.load_model(scratch_dir)
    audio = tones(3)
    scene = hear.get_scene_embeddings(audio, model)
    assert scene.dtype == tf.float32 and scene.shape == (3, 128)
    # A clip of the model's own length is one window: the classifier's pooled features.
    direct = model.network(audio, training=False)
    np.testing.assert_allclose(scene.numpy(), np.asarray(direct), atol=1e-5)


def test_same_clip_same_embedding_alone_and_in_a_batch(hear, scratch_dir):
    model = hear.load_model(scratch_dir)
    audio = tones(4, samples=6000, seed=2)
    batch_ts, _ = hear.get_timestamp_embeddings(audio, model)
    alone_ts, _ = hear.get_timestamp_embeddings(audio[2:3], model)
    np.testing.assert_allclose(batch_ts.numpy()[2], alone_ts.numpy()[0], atol=1e-5)
    batch = hear.get_scene_embeddings(audio, model).numpy()
    alone = hear.get_scene_embeddings(audio[1:2], model).numpy()
    np.testing.assert_allclose(batch[1], alone[0], atol=1e-5)
    assert not np.allclose(batch[0], batch[1])


def test_a_model_joined_to_its_baseline_embeds_with_the_network_alone(hear, tmp_path):
    save_run(str(tmp_path / "fused"), "fused")
    saved = keras.saving.load_model(str(tmp_path / "fused" / "model.keras"), safe_mode=True)
    # The same network without the baseline, saved on its own.
    network = keras.Model(saved.input, saved.get_layer("fusion").input[0])
    network.save(tmp_path / "network.keras")
    audio = tones(2)
    fused = hear.get_scene_embeddings(audio, hear.load_model(str(tmp_path / "fused"))).numpy()
    alone = hear.get_scene_embeddings(audio, hear.load_model(str(tmp_path / "network.keras")))
    assert fused.shape == (2, 128)  # the CNN's embedding, not the baseline's features
    np.testing.assert_allclose(fused, alone.numpy(), rtol=1e-5, atol=1e-6)


def test_transfer_model_and_bare_keras_file(hear, tmp_path):
    save_run(str(tmp_path / "vgg"), "transfer")
    (tmp_path / "vgg" / "labels.json").unlink()  # a bare .keras: the rate comes from log_mel
    model = hear.load_model(str(tmp_path / "vgg" / "model.keras"))
    assert model.sample_rate == RATE and model.scene_embedding_size == 512
    # The embedding is what the last dense layer sees: softmax(dense(embedding)) = prediction.
    saved = keras.saving.load_model(str(tmp_path / "vgg" / "model.keras"))
    kernel, bias = saved.get_layer("head").get_layer("predictions").get_weights()
    audio = tones(2, seed=5)
    scene = hear.get_scene_embeddings(audio, model).numpy()
    probs = keras.ops.convert_to_numpy(keras.ops.softmax(scene @ kernel + bias))
    np.testing.assert_allclose(probs, saved.predict(audio, verbose=0), atol=1e-5)
    emb, ts = hear.get_timestamp_embeddings(tones(1, samples=2000), model)
    assert emb.shape == (1, 6, 512) and ts.shape == (1, 6)


def test_panns_network_on_log_mels_gets_the_panns_front_end(hear, tmp_path):
    import zoo

    net = zoo.create_model("cnn6", classes=4, width=0.125)
    net.save(tmp_path / "cnn6.keras")
    model = hear.load_model(str(tmp_path / "cnn6.keras"), window_seconds=0.5)
    assert model.sample_rate == 32000 and model.window == 16000
    assert model.scene_embedding_size == net.get_layer("fc1").units
    scene = hear.get_scene_embeddings(np.zeros((2, 20000), np.float32), model)
    assert scene.shape == (2, model.scene_embedding_size)


def test_bad_inputs_are_usage_errors_naming_the_problem(hear, scratch_dir, tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        hear.load_model(str(tmp_path / "missing"))
    (tmp_path / "bad.keras").write_text("not a zip")
    with pytest.raises(UsageError, match="bad.keras.*not a .keras archive"):
        hear.load_model(str(tmp_path / "bad.keras"))
    with pytest.raises(UsageError, match="hop_ms"):
        hear.load_model(scratch_dir, hop_ms=60)
    model = hear.load_model(scratch_dir)
    with pytest.raises(UsageError, match="n_sounds, n_samples"):
        hear.get_scene_embeddings(np.zeros(100, np.float32), model)
