"""Issue 28, item 11: libmpg123's own notes on a garbage .mp3 do not reach stderr."""

import os

import numpy as np
import pytest
import soundfile

import zoo


def test_a_garbage_mp3_gives_one_error_and_nothing_on_stderr(tmp_path, capfd):
    path = tmp_path / "song.mp3"
    path.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + np.random.default_rng(0).bytes(3000))
    with pytest.raises(zoo.audio.AudioDecodeError, match=r"song\.mp3: not a readable audio file"):
        zoo.audio.load(path)
    os.write(2, b"still here\n")  # stderr is back where it was
    err = capfd.readouterr().err
    assert "Note:" not in err and "mpg123" not in err and "ID3" not in err
    assert err.endswith("still here\n")


def test_a_good_mp3_still_loads(tmp_path):
    path = tmp_path / "tone.mp3"
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype("float32")
    soundfile.write(path, tone, 16000, format="MP3")
    wave, rate = zoo.audio.load(path)
    assert rate == 16000 and abs(len(wave) - 16000) < 2000 and np.abs(wave).max() > 0.3
