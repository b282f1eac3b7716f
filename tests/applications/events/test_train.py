"""`audiozoo events train` / `detect` end to end at a tiny size: the loss falls, the files
are written, detect writes DCASE rows, and bad folders stop with one line."""

import csv
import json
import os

import numpy as np
import pytest

from applications.cli import main
from applications.events.scenes import _progression, _scene, write_split


def _data(root, make, column, files=(6, 2), seconds=2.0):
    rng = np.random.default_rng(0)
    for split, count in zip(("train", "test"), files):
        write_split(str(root / split), make, count, rng, 16000, seconds, column)
    return root


@pytest.fixture(scope="module")
def events_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("events")
    data = _data(root / "data", _scene, "event_label")
    out = root / "out"
    args = ["events", "train", "--data", str(data), "--out", str(out), "--epochs", "4"]
    assert main([*args, "--clip-seconds", "1", "--batch-size", "4", "--val-fraction", "0.3"]) == 0
    return data, out


def test_training_lowers_the_loss_and_writes_the_run(events_run):
    _, out = events_run
    assert {"model.keras", "events.json", "report.json", "history.json", "plots"} <= set(
        os.listdir(out)
    )
    history = json.loads((out / "history.json").read_text())
    assert history["loss"][-1] < history["loss"][0]
    report = json.loads((out / "report.json").read_text())
    assert set(report["test"]["overall"]) >= {"segment_f1", "segment_error_rate", "event_f1"}
    assert report["test_files"] == 2 and len(os.listdir(out / "plots")) == 2
    sidecar = json.loads((out / "events.json").read_text())
    assert len(sidecar["thresholds"]) == len(sidecar["classes"]) == len(report["classes"])


def test_detect_writes_dcase_rows(events_run, tmp_path, capsys):
    data, out = events_run
    wavs = [str(data / "test" / n) for n in ("0000.wav", "0001.wav")]
    csv_path = tmp_path / "found.csv"
    assert (
        main(
            ["events", "detect", "--model", str(out / "model.keras"), *wavs, "--out", str(csv_path)]
        )
        == 0
    )
    rows = list(csv.reader(csv_path.open()))
    assert rows[0] == ["filename", "onset", "offset", "event_label"]
    classes = json.loads((out / "events.json").read_text())["classes"]
    for name, onset, offset, label in rows[1:]:
        assert name in wavs and label in classes and 0 <= float(onset) < float(offset) <= 2.0


def test_chords_task_trains_and_scores_with_mir_eval(tmp_path):
    data = _data(tmp_path / "data", _progression, "chord", files=(4, 1), seconds=3.0)
    out = tmp_path / "out"
    args = ["events", "train", "--task", "chords", "--data", str(data), "--out", str(out)]
    assert main([*args, "--epochs", "1", "--clip-seconds", "1.5", "--no-plots"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert 0.0 <= report["test"]["majmin"] <= 1.0 and report["test"]["seconds"] == 3.0
    assert len(report["classes"]) == 25


def test_a_row_naming_a_missing_file_is_one_line(tmp_path, capsys):
    data = _data(tmp_path / "data", _scene, "event_label", files=(2, 1))
    with open(data / "test" / "annotations.csv", "a") as f:
        f.write("gone.wav,0.1,0.5,tone\n")
    assert main(["events", "train", "--data", str(data), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "annotations.csv:" in err and "file 'gone.wav' is not an audio file" in err
    assert "Traceback" not in err


def test_detect_without_events_json_says_so(events_run, tmp_path, capsys):
    data, out = events_run
    (tmp_path / "model.keras").write_bytes((out / "model.keras").read_bytes())
    wav = str(data / "test" / "0000.wav")
    assert main(["events", "detect", "--model", str(tmp_path / "model.keras"), wav]) == 2
    assert "events.json' is missing" in capsys.readouterr().err
