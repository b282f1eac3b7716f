"""Mixup, masks and test-time crops of the from-scratch recipe."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from applications.finetune.augment import (
    augment_batches,
    masks,
    mixup,
    random_gain,
    sample_mixup,
)
from zoo.layers import CropMean, TimeCrops, crop_offsets


def test_mixup_mixes_the_named_rows_and_labels_sum_to_one():
    x = tf.constant(np.arange(4 * 3, dtype="float32").reshape(4, 3))
    y = tf.one_hot([0, 1, 2, 0], 3)
    lam = tf.constant([1.0, 0.25, 0.5, 0.0])
    partner = tf.constant([1, 2, 0, 1])
    mixed_x, mixed_y = mixup(x, y, lam, partner)
    expected = (
        lam.numpy()[:, None] * x.numpy() + (1 - lam.numpy()[:, None]) * x.numpy()[[1, 2, 0, 1]]
    )
    np.testing.assert_allclose(mixed_x.numpy(), expected)
    np.testing.assert_allclose(mixed_y.numpy().sum(axis=1), 1.0)
    # Row 1 is 1/4 its own class 1 and 3/4 row 2's class 2; row 3 is all row 1 (class 1).
    np.testing.assert_allclose(mixed_y.numpy()[1], [0.0, 0.25, 0.75])
    np.testing.assert_allclose(mixed_y.numpy()[3], [0.0, 1.0, 0.0])


def test_sample_mixup_is_seeded_and_stays_a_convex_mix():
    x = tf.random.stateless_normal([16, 5, 4, 1], [1, 2])
    y = tf.one_hot(np.arange(16) % 4, 4)
    a = sample_mixup(x, y, 0.3, tf.constant([3, 4]))
    b = sample_mixup(x, y, 0.3, tf.constant([3, 4]))
    c = sample_mixup(x, y, 0.3, tf.constant([3, 5]))
    np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
    assert not np.array_equal(a[0].numpy(), c[0].numpy())
    labels = a[1].numpy()
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-6)
    assert labels.min() >= 0 and (labels.max(axis=1) < 1).any()  # some rows really mixed


def test_masks_fill_bands_with_the_given_value():
    x = tf.ones([8, 20, 6, 1])
    fill = tf.reshape(tf.range(6, dtype=tf.float32) + 10, [1, 1, 6, 1])
    out = masks(x, 1, 2, 4, fill, tf.constant([0, 1])).numpy()
    masked_frames = (out[..., 0] != 1).all(axis=2)  # a time mask covers every mel bin
    assert masked_frames.sum(axis=1).max() <= 8 and masked_frames.any()
    np.testing.assert_array_equal(
        out[masked_frames][:, :, 0], np.tile(np.arange(6) + 10, (masked_frames.sum(), 1))
    )
    out = masks(x, 2, 1, 2, 0.0, tf.constant([0, 1])).numpy()
    assert ((out == 0).sum(axis=2) <= 2 * 1).all() and (
        (out == 0).all(axis=1) | (out == 1).all(axis=1)
    ).all()
    np.testing.assert_array_equal(masks(x, 1, 2, 0, 0.0, tf.constant([0, 1])).numpy(), x.numpy())


def test_random_gain_shifts_each_example_by_one_bounded_offset():
    x = tf.random.stateless_normal([64, 5, 4, 1], [3, 4])
    shifted = random_gain(x, 10.0, tf.constant([7, 8]))
    offsets = (shifted - x).numpy().reshape(64, -1)
    # One offset per example, the same at every frame and mel bin, within the bound.
    np.testing.assert_allclose(offsets, offsets[:, :1] * np.ones_like(offsets), atol=1e-5)
    assert np.abs(offsets).max() <= 10.0 and np.ptp(offsets[:, 0]) > 5.0
    np.testing.assert_array_equal(random_gain(x, 10.0, tf.constant([7, 8])), shifted)
    assert random_gain(x, 0.0, tf.constant([7, 8])) is x


def test_augmented_batches_have_soft_labels_and_repeat_per_seed():
    x = np.random.RandomState(0).rand(12, 10, 4, 1).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((x, np.arange(12) % 3)).batch(4)
    kwargs = dict(
        num_classes=3, seed=7, mean=np.zeros(4), time_mask=3, freq_mask=1, mixup_alpha=0.3
    )
    first = [b for b in augment_batches(data, **kwargs)]
    again = [b for b in augment_batches(data, **kwargs)]
    assert first[0][1].shape == (4, 3)
    np.testing.assert_allclose(first[0][1].numpy().sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(first[1][0].numpy(), again[1][0].numpy())


def test_crop_offsets_are_evenly_spaced_and_one_is_centred():
    assert crop_offsets(10, 4, 3) == [0, 3, 6]
    assert crop_offsets(32, 16, 5) == [0, 4, 8, 12, 16]
    assert crop_offsets(11, 4, 1) == [3]
    assert crop_offsets(4, 4, 2) == [0, 0]
    with pytest.raises(ValueError, match="Received: crop_frames=5"):
        crop_offsets(4, 5, 1)


def test_time_crops_and_crop_mean_average_each_clips_crops():
    x = np.arange(2 * 10, dtype="float32").reshape(2, 10, 1, 1)
    crops = TimeCrops(4, num_crops=3, seed=0)
    out = crops(x).numpy()
    assert out.shape == (6, 4, 1, 1)
    np.testing.assert_array_equal(out[4, :, 0, 0], x[1, 3:7, 0, 0])  # clip 1, second crop
    trained = crops(x, training=True).numpy()
    assert trained.shape == (2, 4, 1, 1)
    for row, clip in zip(trained[..., 0, 0], x[..., 0, 0]):
        start = int(row[0] - clip[0])
        np.testing.assert_array_equal(row, clip[start : start + 4])
    probs = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [0, 1], [0, 1]], "float32")
    np.testing.assert_allclose(CropMean(3)(probs).numpy(), [[2 / 3, 1 / 3], [0, 1]])
    np.testing.assert_array_equal(CropMean(3)(probs, training=True).numpy(), probs)
    for layer in (crops, CropMean(3)):
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()


def test_a_model_with_crops_round_trips_safely(tmp_path):
    inputs = keras.Input((10, 2, 1))
    x = TimeCrops(4, 3, seed=1)(inputs)
    x = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, CropMean(3)(x))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    x = np.random.RandomState(0).rand(5, 10, 2, 1).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
