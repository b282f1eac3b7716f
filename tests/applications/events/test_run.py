"""`events train` as a `Run`: resumes after `kill -9`, holds OUT, checks settings and `--config`."""

import json
import os
import signal

import pytest

from applications.cli import main
from applications.events.config import EventsConfig
from applications.events.scenes import _scene
from applications.training.rundir import claim_out, release
from tests.applications.events.test_train import _data
from tests.applications.training.test_resume import ENV, start_cli

TINY = ["--epochs", "2", "--clip-seconds", "1", "--batch-size", "4", "--no-plots"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("events_run")
    return str(_data(root / "data", _scene, "event_label", files=(3, 1), seconds=2.0))


def _args(data, out, *flags):
    return ["events", "train", "--data", data, "--out", str(out), *TINY, *flags]


def test_a_run_killed_after_its_first_backup_resumes_from_it(data, tmp_path):
    out = tmp_path / "out"
    killed = start_cli(_args(data, out), env={**ENV, "AUDIOZOO_FAULT": "wrote:latest.weights.h5"})
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL  # right after epoch 1's backup was in place
    assert (out / "backup" / "train" / "latest.weights.h5").exists()
    assert not (out / "model.keras").exists()
    resumed = start_cli(_args(data, out))
    log = resumed.communicate(timeout=300)[0]
    assert resumed.returncode == 0, log[-3000:]
    assert "Resuming training from its last backup" in log
    assert "Epoch 2/2" in log and "Epoch 1/2" not in log  # only epoch 2 ran again
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == len(history["val_loss"]) == 2  # both epochs, from the log
    report = json.loads((out / "report.json").read_text())
    assert report["epochs_run"] == 2 and "timings" in report
    assert {"model.keras", "events.json", "settings.json"} <= set(os.listdir(out))
    assert not (out / "backup").exists()


def test_a_second_run_into_a_held_out_is_refused_at_once(data, tmp_path, capsys):
    out = tmp_path / "out"
    lock = claim_out(EventsConfig(data=data, out=str(out)))
    try:
        assert main(_args(data, out)) == 2
    finally:
        release(lock)
    err = capsys.readouterr().err
    assert f"is in use by PID {os.getpid()}" in err and "Traceback" not in err
    assert not (out / "model.keras").exists()


def test_other_settings_are_refused_without_overwrite_and_accepted_with_it(data, tmp_path, capsys):
    out = tmp_path / "out"
    # An earlier run with the default median filter that wrote a model.
    release(claim_out(EventsConfig.from_sources(dict(data=data, out=str(out), epochs=2))))
    (out / "model.keras").write_text("earlier run")
    assert main(_args(data, out, "--median-ms", "100")) == 2
    err = capsys.readouterr().err
    assert "holds a run with other settings" in err and "median_ms: 200.0 -> 100.0" in err
    assert "--overwrite" in err and (out / "model.keras").read_text() == "earlier run"
    assert main(_args(data, out, "--median-ms", "100", "--epochs", "1", "--overwrite")) == 0
    assert "--overwrite: discarded the earlier run" in capsys.readouterr().out
    stored = json.loads((out / "settings.json").read_text())
    assert stored["median_ms"] == 100.0 and stored["epochs"] == 1
    assert json.loads((out / "report.json").read_text())["epochs_run"] == 1


@pytest.mark.parametrize(
    "config, flags, message",
    [
        ({"epochs": 0}, [], "`epochs` must be an integer >= 1. Received: epochs=0"),
        ({"task": "beats"}, [], "`task` must be events or chords. Received: task='beats'"),
        ({"val_fraction": 0.5}, ["--val-fraction", "1"], "Received: val_fraction=1.0"),
        ({"epochs": 3}, ["--time-limit", "0"], "`time_limit_s` must be > 0 s."),
        (
            {"seed": 1},
            ["--seed", "-1"],
            "`seed` must be an integer in [0, 4294967295]. Received: seed=-1",
        ),
    ],
)
def test_config_values_and_flags_over_them_are_checked(tmp_path, capsys, config, flags, message):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(config))
    out = tmp_path / "out"
    args = ["events", "train", "--config", str(path), "--out", str(out), *flags]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert not out.exists()  # refused before OUT is touched


def test_config_values_reach_the_settings_and_flags_win(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"epochs": 7, "median-ms": 50, "plots": False, "task": "chords"}))
    config = EventsConfig.from_sources({"epochs": 3, "time_limit_s": 60.0}, str(path))
    assert (config.epochs, config.median_ms, config.plots, config.task) == (
        3,
        50.0,
        False,
        "chords",
    )
    assert config.time_limit_s == 60.0
