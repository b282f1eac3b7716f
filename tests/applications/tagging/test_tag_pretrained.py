"""`audiozoo tag` and `audiozoo weights list` end to end with the published weights."""

import json
import os

import numpy as np
import soundfile as sf

from applications import cli


def test_tag_prints_one_json_object_of_50_probabilities(
    musicnn_cache, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("KERAS_HOME", os.path.dirname(os.path.dirname(musicnn_cache)))
    # 4 s of a bowed-string-like tone at 44.1 kHz: harmonics of 440 Hz with vibrato.
    t = np.arange(int(4 * 44100)) / 44100
    phase = 2 * np.pi * 440 * t + 3 * np.sin(2 * np.pi * 5 * t)
    tone = sum(np.sin(k * phase) / k for k in range(1, 12)).astype(np.float32) * 0.1
    path = str(tmp_path / "tone.wav")
    sf.write(path, tone, 44100)
    out = tmp_path / "taggrams"
    argv = ["tag", path, "--json", "--window", "3", "--hop", "1", "--out", str(out)]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    parsed = json.loads(captured.out)  # "wrote" lines go to stderr with --json
    (entry,) = parsed["files"]
    assert parsed["model"] == "musicnn (mtt)" and entry["file"] == path
    probabilities = entry["probabilities"]
    assert len(probabilities) == 50 and "violin" in probabilities
    assert all(0.0 <= p <= 1.0 for p in probabilities.values())
    taggram = json.loads((out / "tone.taggram.json").read_text())
    assert taggram["starts_s"] == [0.0, 1.0]  # 4 s: whole 3 s windows at 0 and 1 s
    assert "tone.taggram.csv" in captured.err


def test_weights_list_shows_the_cached_checkpoints(musicnn_cache, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", os.path.dirname(os.path.dirname(musicnn_cache)))
    assert cli.main(["weights", "list"]) == 0
    out = capsys.readouterr().out
    assert "ISC" in out and "MTT_musicnn" in out and "DAMAGED" not in out
