"""What training commands print into a pipe, and what a rerun of a finished run says.

A pipe or a log file gets whole lines (no `\\r` progress bars), every long phase
says what it does with a count, and rerunning a complete run says so in one line.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import zoo
from applications import cli
from applications.reporting.progress import Progress

REPO = Path(__file__).resolve().parents[3]
MUSIC = ["music", "train", "--model", "harmonize", "--limit", "3", "--units", "8"]
MUSIC += ["--length", "16", "--batch-size", "8", "--epochs", "2"]
SEPARATE = ["separate", "train", "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "1"]
SEPARATE += ["--segment-seconds", "0.1", "--test-mixtures", "2", "--test-seconds", "0.2"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty corpus cache, so `music train` parses (and counts) its files."""
    monkeypatch.setenv("AUDIOZOO_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("given, level", [(None, "3"), ("0", "0")])
def test_tensorflow_cpp_lines_are_silent_unless_asked_for(monkeypatch, capsys, given, level):
    if given is None:
        monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    else:
        monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", given)
    assert cli.main(["list", "cnn6"]) == 0
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == level  # 3 hides oneDNN's E-level notices


def test_progress_in_a_pipe_is_whole_lines_about_every_tenth():
    stream = io.StringIO()  # not a terminal
    progress = Progress(25, "Parsing 25 files", "file", stream=stream)
    for _ in range(25):
        progress.advance()
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and lines[0] == "Parsing 25 files ..."
    counts = [line.split()[0] for line in lines[1:]]
    assert counts == ["3/25", "6/25", "9/25", "12/25", "15/25", "18/25", "21/25", "24/25", "25/25"]


def test_music_train_counts_the_parsing_and_logs_epochs_as_lines(tmp_path, cache, capfd):
    out = tmp_path / "music"
    assert cli.main([*MUSIC, "--out", str(out)]) == 0
    captured = capfd.readouterr()
    log = captured.out + captured.err
    assert "\r" not in log
    assert "Parsing 3 files of the music21 Bach chorales (cached after) ..." in log
    assert "  3/3 files, " in log and "Epoch 2/2" in log
    # The rerun has nothing to do: one line, exit 0, the model untouched.
    stamp = (out / "model.keras").stat().st_mtime_ns
    assert cli.main([*MUSIC, "--out", str(out)]) == 0
    captured = capfd.readouterr()
    lines = captured.out.strip().splitlines()
    assert len(lines) == 1 and captured.err == "", captured
    assert lines[0].startswith(f"{out} already holds this run, complete: outputs in {out}/ (")
    assert "(report.json, model.keras)" in lines[0]  # each output named once
    assert (out / "model.keras").stat().st_mtime_ns == stamp
    # ... and says it at once, without importing TensorFlow.
    code = (
        "import sys\nfrom applications.cli import main\n"
        f"code = main({[*MUSIC, '--out', str(out)]!r})\n"
        "print(code, 'tensorflow' in sys.modules)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.stdout.strip().endswith("0 False") and "complete" in run.stdout, run
    # --overwrite trains again.
    assert cli.main([*MUSIC, "--out", str(out), "--overwrite"]) == 0
    assert "Epoch 2/2" in capfd.readouterr().out
    assert (out / "model.keras").stat().st_mtime_ns != stamp


def test_an_unfinished_run_is_not_called_complete(tmp_path, cache, capfd):
    out = tmp_path / "music"
    assert cli.main([*MUSIC, "--out", str(out)]) == 0
    (out / ".audiozoo.complete").unlink()  # as if killed before its last write
    capfd.readouterr()
    assert cli.main([*MUSIC, "--out", str(out)]) == 0
    assert "already holds this run" not in capfd.readouterr().out
    assert (out / ".audiozoo.complete").exists()


def test_separation_counts_its_scoring_and_wavenet_its_samples(tmp_path, monkeypatch, capfd):
    # The registered separators at their tiny size: the default U-Net compiles for minutes.
    monkeypatch.setattr(zoo, "create_model", lambda n, **kw: zoo.get_entry(n).build_tiny(**kw))
    assert cli.main([*SEPARATE, "--out", str(tmp_path / "sep")]) == 0
    log = capfd.readouterr().out
    assert "Scoring 2 test mixtures, the model's and the oracle mask's ..." in log
    assert "4/4 mixtures" in log and "\r" not in log
    monkeypatch.undo()

    data = tmp_path / "data"
    for name, hz in (("low", 220.0), ("high", 660.0)):
        (data / name).mkdir(parents=True)
        for i in range(3):
            wave = 0.5 * np.sin(2 * np.pi * hz * np.arange(1000) / 8000)
            sf.write(data / name / f"{i}.wav", wave, 8000, subtype="PCM_16")
    tiny = ["--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "2", "--segment", "200"]
    wavenet = ["wavenet", "train", "--data", str(data), "--out", str(tmp_path / "wn"), *tiny]
    assert cli.main([*wavenet, "--sample-rate", "8000"]) == 0
    model = str(tmp_path / "wn" / "model.keras")
    generate = ["--seconds", "0.1", "--out", str(tmp_path / "a.wav"), "--chunk", "100"]
    generate += ["--condition", "low"]
    assert cli.main(["wavenet", "generate", "--model", model, *generate]) == 0
    captured = capfd.readouterr()
    log = captured.out + captured.err
    assert "\r" not in log and "Generating 800 samples (0.1 s) ..." in log
    assert "800/800 samples" in log
