"""`music train` on the shared run: resume after kill -9, the OUT lock, the settings check, --config."""

import json

import pytest

from applications import cli
from applications.music.config import MusicConfig
from applications.training.rundir import claim_out, release
from tests.applications.training.test_resume import ENV, start_cli

TINY = ["--limit", "3", "--units", "8", "--length", "16", "--batch-size", "8"]
TRAIN = ["music", "train", "--model", "harmonize"]


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    """One parsed-corpus cache for the module (in-process runs and subprocesses)."""
    folder = str(tmp_path_factory.getbasetemp() / "music_cache")
    monkeypatch.setenv("AUDIOZOO_CACHE", folder)
    return folder


def _report(out):
    return json.loads((out / "report.json").read_text())


def test_a_second_run_into_a_held_out_is_refused_at_once(tmp_path, capsys):
    out = tmp_path / "held"
    lock = claim_out(MusicConfig(model="harmonize", out=str(out)))
    try:
        assert cli.main([*TRAIN, "--out", str(out), *TINY, "--epochs", "1"]) == 2
    finally:
        release(lock)
    assert "is in use by PID" in capsys.readouterr().err
    assert not (out / "report.json").exists()


@pytest.mark.parametrize(
    "config, flags, message",
    [
        ({"epochs": 0}, [], "`epochs` must be an integer >= 1. Received: epochs=0"),
        ({"epochs": 2}, ["--epochs", "0"], "`epochs` must be an integer >= 1. Received: epochs=0"),
        ({"limit": 2}, [], "`limit` must be an integer >= 3."),
        ({"key_voices": "alto"}, [], "`key_voices` must be soprano or all."),
        ({"model": None}, [], "`model` is required."),
        ({"epochs": 1, "dropout": 0.5}, [], "unknown settings ['dropout']"),
    ],
)
def test_config_values_and_flags_over_them_are_checked(tmp_path, capsys, config, flags, message):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model": "harmonize", "out": str(tmp_path / "run"), **config}))
    assert cli.main(["music", "train", "--config", str(path), *flags]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert not (tmp_path / "run").exists()


def test_a_rerun_with_other_settings_needs_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    config = tmp_path / "config.json"
    # The flag wins over the file's value, and the file gives model and out.
    config.write_text(json.dumps({"model": "harmonize", "out": str(out), "epochs": 5}))
    tiny = ["music", "train", "--config", str(config), *TINY, "--epochs", "1"]
    assert cli.main(tiny) == 0
    assert _report(out)["settings"]["epochs"] == 1
    capsys.readouterr()
    assert cli.main([*tiny, "--learning-rate", "0.01"]) == 2
    err = capsys.readouterr().err
    assert "holds a run with other settings (learning_rate: 0.002 -> 0.01)" in err
    assert _report(out)["settings"]["learning_rate"] == 0.002
    assert cli.main([*tiny, "--learning-rate", "0.01", "--overwrite"]) == 0
    assert "--overwrite: discarded the earlier run" in capsys.readouterr().out
    report = _report(out)
    assert report["settings"]["learning_rate"] == 0.01 and len(report["history"]["loss"]) == 1


# Last: the in-process runs above have parsed the chorales into the shared cache.
def test_a_run_killed_after_an_epoch_resumes_to_the_unbroken_run(tmp_path, cache):
    out = tmp_path / "run"
    args = [*TRAIN, "--out", str(out), *TINY, "--epochs", "2"]
    env = {**ENV, "AUDIOZOO_CACHE": cache}
    # A real SIGKILL right after epoch 1's backup was renamed into place.
    killed = start_cli(args, env={**env, "AUDIOZOO_FAULT": "wrote:latest.weights.h5"})
    log = killed.communicate(timeout=300)[0]
    assert killed.returncode == -9, log
    assert (out / "backup" / "train" / "latest.weights.h5").exists()
    assert not (out / "model.keras").exists()
    resumed = start_cli(args, env=env)
    # Meanwhile, the same run uninterrupted, in this process.
    assert cli.main([*TRAIN, "--out", str(tmp_path / "clean"), *TINY, "--epochs", "2"]) == 0
    log = resumed.communicate(timeout=300)[0]
    assert resumed.returncode == 0, log
    assert "resuming after epoch 1 from" in log
    assert "Epoch 1/2" not in log and "Epoch 2/2" in log  # only epoch 2 ran in this process
    report = _report(out)
    assert len(report["history"]["loss"]) == 2  # the killed run's epoch too
    assert set(report) == {
        "model",
        "registered_name",
        "settings",
        "pieces",
        "skipped_pieces",
        "train_seconds",
        "history",
        "test",
        "timings",
    }
    assert not (out / "backup").exists()
    # Epoch 2 ran on the weights, optimizer, windows and dropout masks an unbroken run has.
    assert report["history"] == _report(tmp_path / "clean")["history"]
