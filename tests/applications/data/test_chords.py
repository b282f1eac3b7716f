"""The built-in chord set: reproducible, cached atomically, large and varied enough."""

import os

import numpy as np
import pytest
import soundfile as sf

from applications.data import chords


def _read_all(folder):
    return {
        os.path.relpath(os.path.join(d, f), folder): sf.read(os.path.join(d, f))[0]
        for d, _, files in os.walk(folder)
        for f in files
        if f.endswith(".wav")
    }


def test_same_seed_same_audio_other_seed_differs(tmp_path):
    a, b, c = (tmp_path / n for n in "abc")
    for path, seed in ((a, 1), (b, 1), (c, 2)):
        path.mkdir()
        assert chords.make_chords(str(path), clips_per_class=2, seed=seed) == 2 * len(
            chords.QUALITIES
        )
    ra, rb, rc = _read_all(str(a)), _read_all(str(b)), _read_all(str(c))
    assert ra.keys() == rb.keys() == rc.keys()
    assert all(np.array_equal(ra[k], rb[k]) for k in ra)
    assert not any(np.array_equal(ra[k], rc[k]) for k in ra)


def _transposition_class(intervals):
    """The pitch-class set up to transposition: what survives any root and inversion."""
    pcs = sorted({i % 12 for i in intervals})
    return min(tuple(sorted((p - r) % 12 for p in pcs)) for r in pcs)


def test_every_quality_is_decidable_whatever_the_root_and_inversion():
    classes = {name: _transposition_class(iv) for name, iv in chords.QUALITIES.items()}
    assert len(set(classes.values())) == len(classes), classes
    # The check can fail: sus2 is sus4 on another root (Csus2 = Gsus4/C).
    assert _transposition_class((0, 2, 7)) == classes["sus4"]


def test_clips_are_one_second_finite_and_vary(tmp_path):
    chords.make_chords(str(tmp_path), clips_per_class=3, seed=0)
    clips = _read_all(str(tmp_path))
    assert {k.split(os.sep)[0] for k in clips} == set(chords.QUALITIES)
    peaks = []
    for wave in clips.values():
        assert wave.shape == (16000,) and np.isfinite(wave).all()
        peaks.append(np.abs(wave).max())
    assert 0.25 < min(peaks) and max(peaks) <= 0.91 and np.std(peaks) > 0.02


def test_builtin_dir_default_size_cached_and_atomic(builtin_cache):
    path = chords.builtin_dir(root=builtin_cache)
    qualities = [d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d))]
    assert set(qualities) == set(chords.QUALITIES)
    n = sum(len(os.listdir(os.path.join(path, q))) for q in qualities)
    assert n >= 1200
    marker = os.path.join(path, "builtin.json")
    stamp = os.stat(marker).st_mtime_ns
    assert chords.builtin_dir(root=builtin_cache) == path  # second call reuses the cache
    assert os.stat(marker).st_mtime_ns == stamp
    assert not [d for d in os.listdir(builtin_cache) if d.startswith(".builtin-tmp-")]
    assert chords.builtin_dir(root=builtin_cache, seed=1, clips_per_class=1) != path


def test_builtin_dir_leaves_no_partial_folder_on_failure(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(chords, "make_chords", boom)
    with pytest.raises(OSError, match="disk full"):
        chords.builtin_dir(root=str(tmp_path), clips_per_class=1)
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_builtin_chords_are_learnable(builtin_cache, monkeypatch):
    """A small CNN on log-mels beats chance by a wide margin after a few epochs."""
    import keras

    import zoo.audio
    from applications.data import load_dataset

    monkeypatch.setenv("AUDIOZOO_CACHE", builtin_cache)
    data = load_dataset("builtin", batch_size=32)
    inputs = keras.Input((data.clip_samples,))
    x = zoo.audio.LogMelSpectrogram(sample_rate=data.sample_rate, n_mels=64)(inputs)
    x = keras.layers.BatchNormalization()(x)
    for filters in (16, 32, 64):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(len(data.class_names), activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(data.train, epochs=20, verbose=0)
    _, accuracy = model.evaluate(data.test, verbose=0)
    assert accuracy > 3.0 / len(data.class_names), accuracy  # chance is 1 / 8
