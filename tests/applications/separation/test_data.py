"""Source folders, the builtin demo sources and the mixtures: layouts, checks, repeatability."""

import numpy as np
import pytest
import soundfile

from applications.errors import UsageError
from applications.separation.mixing import held_out_mixtures, training_batch
from applications.separation.sources import load_sources
from applications.separation.synthetic import builtin_sources


def _tone(path, rate=16000, seconds=0.5, freq=440.0):
    t = np.arange(int(rate * seconds)) / rate
    soundfile.write(path, 0.3 * np.sin(2 * np.pi * freq * t), rate)


def _folders(root, files_per_source=2, rate=16000):
    for source, freq in (("speech", 300.0), ("music", 900.0)):
        (root / source).mkdir(parents=True)
        for i in range(files_per_source):
            _tone(root / source / f"{i}.wav", rate, freq=freq + 10 * i)


def test_flat_folders_are_split_and_resampled_with_a_note(tmp_path):
    _folders(tmp_path, files_per_source=6)
    _tone(tmp_path / "music" / "odd_rate.wav", rate=22050)
    clips = load_sources(str(tmp_path), 16000)
    assert clips.names == ["music", "speech"]
    assert [len(clips.train[n]) for n in clips.names] == [5, 4]
    assert [len(clips.test[n]) for n in clips.names] == [2, 2]
    assert "Resampled 1 file(s) from 22050 Hz to 16000 Hz." in clips.notes
    assert all(len(c) == 8000 for c in clips.train["music"])


def test_train_and_test_folders_are_used_as_given(tmp_path):
    _folders(tmp_path / "train", files_per_source=1)
    _folders(tmp_path / "test", files_per_source=1)
    clips = load_sources(str(tmp_path), 16000)
    assert [len(clips.train[n]) for n in clips.names] == [1, 1]


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda root: [p.unlink() for p in (root / "music").iterdir()], "music' has 0 audio"),
        (lambda root: (root / "music" / "1.wav").unlink(), "music' has 1 audio file"),
        (
            lambda root: soundfile.write(root / "music" / "1.wav", np.zeros(8000), 16000),
            "1.wav' is silent",
        ),
        (lambda root: (root / "music" / "1.wav").write_bytes(b"not audio"), "1.wav"),
        (lambda root: _tone(root / "music" / "1.wav", seconds=0.01), "1.wav' is too short"),
    ],
    ids=["empty", "one-file", "silent", "unreadable", "too-short"],
)
def test_bad_source_folders_stop_with_one_line_naming_them(tmp_path, damage, message):
    _folders(tmp_path)
    damage(tmp_path)
    with pytest.raises(UsageError, match=message):
        load_sources(str(tmp_path), 16000)


def test_one_source_is_not_a_separation_task(tmp_path):
    (tmp_path / "only").mkdir()
    with pytest.raises(UsageError, match="need two or more"):
        load_sources(str(tmp_path), 16000)


def test_mixtures_are_sums_repeatable_by_seed_and_step():
    clips = builtin_sources(train_clips=2, test_clips=2, seconds=0.5)
    assert clips.names == ["bursts", "chirps", "tones"]
    x, y = training_batch(clips.train, clips.names, 4000, 3, seed=1, step=5)
    assert x.shape == (3, 4000) and y.shape == (3, 3, 4000)
    np.testing.assert_allclose(y.sum(axis=1), x, atol=1e-6)
    np.testing.assert_array_equal(x, training_batch(clips.train, clips.names, 4000, 3, 1, 5)[0])
    assert not np.array_equal(x, training_batch(clips.train, clips.names, 4000, 3, 1, 6)[0])
    a, b = (
        held_out_mixtures(clips.test, clips.names, 4000, 2),
        held_out_mixtures(clips.test, clips.names, 4000, 2),
    )
    np.testing.assert_array_equal(a[0], b[0])
