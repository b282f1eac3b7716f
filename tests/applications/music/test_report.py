"""Issue 28, item 9: `music train` by default is the measured run, and ends with held-out scores."""

import json

import pytest

from applications import cli
from applications.music.config import MusicConfig

# Ten pieces: pieces 9 and 10 are the validation and the test piece.
TINY = ["--limit", "10", "--epochs", "1", "--units", "8", "--length", "16", "--batch-size", "32"]


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("AUDIOZOO_CACHE", str(tmp_path_factory.getbasetemp() / "music_cache"))


def test_the_default_is_the_readmes_24_epochs(capsys):
    assert MusicConfig(model="harmonize").epochs == 24
    with pytest.raises(SystemExit):
        cli.main(["music", "train", "--help"])
    assert "passes, each over freshly drawn windows (default 24)" in capsys.readouterr().out


def test_train_writes_report_json_with_test_scores_beside_the_bigram(tmp_path):
    out = tmp_path / "harm"
    assert cli.main(["music", "train", "--model", "harmonize", "--out", str(out), *TINY]) == 0
    assert not (out / "music.json").exists()
    report = json.loads((out / "report.json").read_text())
    assert report["pieces"] == {"train": 8, "val": 1, "test": 1}
    test = report["test"]
    assert test["pieces"] == 1 and test["beats"] > 0
    for who in ("model", "baseline"):  # the bigram
        assert 0.0 <= test["scores"][who]["token_accuracy"] <= 1.0
        assert test["scores"][who]["nll_per_step"] > 0
    rules = test["rules_per_100_beats"]
    assert set(rules) == {"bach", "model", "baseline"}
    assert rules["model"]["parallel_fifths_and_octaves"] >= 0
    assert "example" not in test and "test_s" in report["timings"]
