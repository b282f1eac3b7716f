"""Issue 28, item 10: `music train`'s messages for a too-long --length and another model's OUT."""

import pytest

from applications import cli
from applications.music.config import MusicConfig
from applications.training.rundir import claim_out, release

TINY = ["--limit", "3", "--epochs", "1", "--units", "8", "--batch-size", "8"]


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("AUDIOZOO_CACHE", str(tmp_path_factory.getbasetemp() / "music_cache"))


@pytest.mark.parametrize("model", ["harmonize", "duet", "key"])
def test_a_length_no_piece_reaches_says_so_and_how_long_they_are(tmp_path, capsys, model):
    out = tmp_path / "run"
    args = ["music", "train", "--model", model, "--out", str(out), *TINY, "--length", "100000"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("audiozoo music: error: --length 100000: no training piece is that")
    assert "(the longest has " in err[0] and "broadcast" not in err[0]
    assert err[1].startswith("  hint: pass --length ")
    assert not (out / "model.keras").exists()


def test_another_models_run_in_out_is_named_and_overwrite_offered(tmp_path, capsys):
    out = tmp_path / "run"
    release(claim_out(MusicConfig(model="harmonize", out=str(out), limit=3, units=8, epochs=1)))
    (out / "model.keras").write_text("the harmoniser")  # a run that wrote its model
    args = ["music", "train", "--model", "duet", "--out", str(out), "--limit", "3", "--units", "8"]
    args += ["--epochs", "1", "--batch-size", "32"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err.splitlines()
    assert "holds a run with other settings (model: 'harmonize' -> 'duet')" in err[0]
    assert "--overwrite" in err[1]
    assert (out / "model.keras").read_text() == "the harmoniser"
