"""`audiozoo predict --window/--hop` on a long file: one row per window with its times,
the same probabilities as the model on the window cut from the whole file."""

import csv
import io
import json

import keras
import numpy as np
import pytest
import soundfile as sf

import zoo.audio
from applications.cli import main

RATE, CLIP = 8000, 4000


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("windows")
    inputs = keras.Input((CLIP,))
    x = zoo.audio.LogMelSpectrogram(RATE, n_fft=256, hop_length=128, n_mels=8)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    model.save(root / "model.keras")
    labels = {"class_names": ["a", "b", "c"], "sample_rate": RATE, "clip_samples": CLIP}
    (root / "labels.json").write_text(json.dumps(labels))
    wave = np.random.default_rng(0).uniform(-0.5, 0.5, 9000).astype(np.float32)
    wave *= np.linspace(0, 1, 9000, dtype=np.float32)  # windows differ
    sf.write(root / "long.wav", wave, RATE, subtype="FLOAT")
    return root, model, wave


def test_csv_rows_have_window_times_and_match_whole_file_windows(run, capsys):
    root, model, wave = run
    args = ["predict", "--model", str(root / "model.keras"), str(root / "long.wav")]
    assert main([*args, "--window", "0.5", "--hop", "0.25", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # 9000 samples: starts 0, 2000, 4000 (ends 8000), then a padded tail window at 6000.
    assert [(r["start"], r["end"]) for r in rows] == [
        ("0.000", "0.500"),
        ("0.250", "0.750"),
        ("0.500", "1.000"),
        ("0.750", "1.125"),
    ]
    for row, start in zip(rows, (0, 2000, 4000, 6000)):
        clip = np.zeros(CLIP, np.float32)
        piece = wave[start : start + CLIP]
        clip[: len(piece)] = piece
        expected = np.asarray(model(clip[None]))[0]
        got = np.array([float(row[c]) for c in "abc"])
        np.testing.assert_allclose(got, expected, atol=2e-4)
        assert row["label"] == "abc"[int(np.argmax(expected))]


def test_json_windows_and_bad_flags(run, capsys):
    root, _, _ = run
    args = ["predict", "--model", str(root / "model.keras"), str(root / "long.wav")]
    assert main([*args, "--window", "1", "--json", "--top-k", "1"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["start"], i["end"]) for i in items] == [(0.0, 1.0), (1.0, 1.125)]
    assert len(items[0]["top"]) == 1
    assert main([*args, "--hop", "1"]) == 2
    assert "--hop and --csv go with --window" in capsys.readouterr().err
    assert main([*args, "--window", "0"]) == 2
    assert "--window must be > 0" in capsys.readouterr().err
