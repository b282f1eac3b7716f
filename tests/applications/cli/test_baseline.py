"""`audiozoo baseline` end to end on a tiny folder of tones, and its one-line errors."""

import json
import os
import shutil

import pytest

from applications import cli
from tests.applications.cli.test_finetune import make_tones

TINY = ["--sample-rate", "8000", "--n-mels", "32", "--n-components", "4", "--batch-size", "8"]


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    return make_tones(tmp_path_factory.mktemp("tones") / "data", per_class=6)


@pytest.mark.parametrize("features", ["pca", "mfcc", "auto"])
def test_writes_report_and_pictures(tones, tmp_path, features, capsys):
    out = tmp_path / "out"
    argv = ["baseline", "--data", tones, "--features", features, "--out", str(out)]
    assert cli.main(argv + TINY) == 0
    report = json.loads((out / "report.json").read_text())
    # auto names the set it chose on val (a tie: the hand-crafted one).
    chosen = "handcrafted" if features == "auto" else features
    assert report["features"] == chosen
    assert report["accuracy"] == 1.0 and report["test_count"] == 3
    assert report["dataset"]["counts"] == {"train": 12, "val": 3, "test": 3}
    assert report["dataset"]["sample_rate"] == 8000
    assert report["settings"]["n_mels"] == 32 and report["seconds"] > 0
    assert (out / "confusion_matrix.png").stat().st_size > 1000
    # Only learned features have bases to draw.
    assert (out / "bases.png").exists() == (features == "pca")
    assert not [name for name in os.listdir(out) if name.startswith(".tmp")]
    assert f"Baseline {chosen}: test accuracy 1.000" in capsys.readouterr().out


def test_same_test_split_as_finetune(tones, tmp_path):
    from applications.data import load_dataset

    out = tmp_path / "out"
    argv = ["baseline", "--data", tones, "--features", "mfcc", "--out", str(out), "--seed", "3"]
    assert cli.main(argv + TINY) == 0
    report = json.loads((out / "report.json").read_text())
    data = load_dataset(tones, sample_rate=8000, clip_seconds=1.0, seed=3)
    assert report["dataset"]["counts"] == data.counts
    assert report["dataset"]["clip_samples"] == data.clip_samples == 8000


def test_bad_data_path(tmp_path, capsys):
    argv = ["baseline", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("audiozoo baseline: error:") and "nowhere" in err
    assert not (tmp_path / "o").exists()


def test_one_class_and_empty_class(tones, tmp_path, capsys):
    one = tmp_path / "one"
    shutil.copytree(os.path.join(tones, "low"), one / "low")
    assert cli.main(["baseline", "--data", str(one), "--out", str(tmp_path / "o")] + TINY) == 2
    assert "at least two classes, found 1" in capsys.readouterr().err
    empty = tmp_path / "empty"
    shutil.copytree(tones, empty)
    os.makedirs(empty / "silent")
    assert cli.main(["baseline", "--data", str(empty), "--out", str(tmp_path / "o")] + TINY) == 2
    err = capsys.readouterr().err
    assert "silent" in err and "no audio files" in err
    assert not (tmp_path / "o" / "report.json").exists()


def test_bad_n_components(tones, tmp_path, capsys):
    argv = ["baseline", "--data", tones, "--out", str(tmp_path / "o"), "--n-components", "0"]
    assert cli.main(argv) == 2
    assert (
        "`n_components` must be an integer >= 1. Received: n_components=0"
        in capsys.readouterr().err
    )
