"""`audiozoo wavenet train` then `generate`: a tiny end-to-end run on WAV files written here."""

import json

import matplotlib.image
import numpy as np
import pytest
import soundfile as sf

from applications import cli


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("wavenet_cli")
    rng = np.random.default_rng(0)
    for name, f0 in (("low", 220.0), ("high", 660.0)):
        (root / "data" / name).mkdir(parents=True)
        for i in range(5):
            t = np.arange(2000) / 8000
            wave = 0.5 * np.sin(2 * np.pi * f0 * (1 + 0.03 * i) * t) + 0.01 * rng.standard_normal(
                t.size
            )
            sf.write(root / "data" / name / f"{i}.wav", wave, 8000, subtype="PCM_16")
    code = cli.main(
        [
            "wavenet",
            "train",
            "--data",
            str(root / "data"),
            "--out",
            str(root / "run"),
            "--epochs",
            "2",
            "--steps-per-epoch",
            "2",
            "--batch-size",
            "4",
            "--segment",
            "300",
            "--sample-rate",
            "8000",
        ]
    )
    assert code == 0
    return root


def test_train_writes_a_conditioned_model_and_its_metadata(trained):
    meta = json.loads((trained / "run" / "wavenet.json").read_text())
    assert meta["sample_rate"] == 8000 and meta["class_names"] == ["high", "low"]
    assert np.isfinite(meta["final_loss"])
    assert (trained / "run" / "model.keras").stat().st_size > 0
    assert not (trained / "run" / "backup").exists()  # a finished run leaves no backup


def test_generate_writes_a_wav_of_the_right_length_and_a_plot(trained, capsys):
    out = trained / "gen" / "low.wav"
    code = cli.main(
        [
            "wavenet",
            "generate",
            "--model",
            str(trained / "run" / "model.keras"),
            "--seconds",
            "0.1",
            "--out",
            str(out),
            "--condition",
            "low",
            "--chunk",
            "300",
            "--seed",
            "1",
        ]
    )
    assert code == 0
    audio, rate = sf.read(out, dtype="float32")
    assert rate == 8000 and audio.shape == (
        800,
    )  # 0.1 s at the trained rate, the last chunk trimmed
    assert np.abs(audio).max() <= 1.0 and audio.std() > 0
    image = matplotlib.image.imread(out.with_suffix(".png"))
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    stdout = capsys.readouterr().out
    assert "800/800" in stdout and "Wrote" in stdout  # the progress bar reached the end


def test_generate_rejects_an_unknown_condition_in_one_line(trained, capsys):
    code = cli.main(
        [
            "wavenet",
            "generate",
            "--model",
            str(trained / "run" / "model.keras"),
            "--seconds",
            "0.1",
            "--out",
            str(trained / "x.wav"),
            "--condition",
            "middle",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Received: --condition='middle'" in err and "high, low" in err
    assert not (trained / "x.wav").exists()


def test_generate_without_a_model_file_says_how_to_get_one(tmp_path, capsys):
    code = cli.main(
        [
            "wavenet",
            "generate",
            "--model",
            str(tmp_path / "none.keras"),
            "--seconds",
            "1",
            "--out",
            str(tmp_path / "x.wav"),
        ]
    )
    assert code == 2 and "audiozoo wavenet train" in capsys.readouterr().err
