"""`log_mel_dataset` / `map_batches`: the parallel front end gives what the layer gives, in order."""

import numpy as np
import pytest
import soundfile as sf
import tensorflow as tf

import zoo.audio as audio

RATE = 8000


def _files(folder, lengths):
    rng = np.random.default_rng(0)
    paths = []
    for i, n in enumerate(lengths):
        path = str(folder / f"clip_{i}.wav")
        sf.write(path, (0.3 * rng.standard_normal(n)).astype("float32"), RATE, subtype="PCM_16")
        paths.append(path)
    return paths


def _layer():
    return audio.LogMelSpectrogram(sample_rate=RATE, n_fft=256, hop_length=64, n_mels=32)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_log_mels_equal_the_layer_on_the_decoded_files_in_order(tmp_path, jit_compile):
    paths = _files(tmp_path, [4000] * 7)
    layer = _layer()
    batches = list(audio.log_mel_dataset(paths, layer, batch_size=3, jit_compile=jit_compile))
    assert [b.shape[0] for b in batches] == [3, 3, 1]
    waves = np.stack([audio.load(p)[0] for p in paths])
    expected = layer(waves).numpy()
    got = np.concatenate([b.numpy() for b in batches])
    loud = expected > expected.max() - 60
    np.testing.assert_allclose(got[loud], expected[loud], atol=1e-3)


def test_samples_crops_and_pads_every_clip_centred(tmp_path):
    paths = _files(tmp_path, [3000, 5000])
    layer = _layer()
    got = np.concatenate(list(audio.log_mel_dataset(paths, layer, samples=4000, jit_compile=False)))
    waves = np.stack([audio.fix_length(audio.load(p)[0], 4000).numpy() for p in paths])
    np.testing.assert_allclose(got, layer(waves).numpy(), atol=1e-3)


def test_a_file_of_another_length_is_named(tmp_path):
    paths = _files(tmp_path, [4000, 4000, 3000])
    with pytest.raises(tf.errors.InvalidArgumentError, match="clip_2.wav.*pass samples=N"):
        list(audio.log_mel_dataset(paths, _layer(), jit_compile=False))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="non-empty list of paths"):
        audio.log_mel_dataset([], _layer())
    with pytest.raises(ValueError, match="batch_size"):
        audio.log_mel_dataset(["a.wav"], _layer(), batch_size=0)
    with pytest.raises(ValueError, match="parallel"):
        audio.map_batches(tf.data.Dataset.range(3).batch(2), tf.identity, parallel=0)


def test_map_batches_keeps_order_with_several_in_flight():
    data = tf.data.Dataset.range(40).map(lambda i: tf.cast(i, tf.float32)).batch(4)
    out = np.concatenate(list(audio.map_batches(data, lambda x: 2.0 * x, parallel=3)))
    np.testing.assert_array_equal(out, 2.0 * np.arange(40))
