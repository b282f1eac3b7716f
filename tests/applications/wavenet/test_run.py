"""`wavenet train` on the shared run: resume after kill -9, the OUT lock, the settings check, --config."""

import json
import os
import signal

import numpy as np
import pytest
import soundfile as sf

from applications import cli
from applications.training.rundir import claim_out, release
from applications.wavenet import WaveNetConfig
from tests.applications.training.test_resume import ENV, start_cli

TINY = ["--steps-per-epoch", "2", "--batch-size", "4", "--segment", "300"]
TINY += ["--sample-rate", "8000", "--unconditioned"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Two classes of three 0.25 s tones at 8 kHz."""
    root = tmp_path_factory.mktemp("wavenet_run") / "data"
    for name, f0 in (("low", 220.0), ("high", 660.0)):
        (root / name).mkdir(parents=True)
        for i in range(3):
            t = np.arange(2000) / 8000
            sf.write(
                root / name / f"{i}.wav", 0.5 * np.sin(2 * np.pi * f0 * (1 + i / 30) * t), 8000
            )
    return str(root)


def _args(data, out, *flags):
    return ["wavenet", "train", "--data", data, "--out", str(out), *TINY, *flags]


def _metadata(out):
    return json.loads((out / "wavenet.json").read_text())


def test_a_run_killed_after_its_first_backup_resumes_and_completes(data, tmp_path):
    out = tmp_path / "out"
    args = _args(data, out, "--epochs", "2")
    # A real SIGKILL right after epoch 1's backup was renamed into place.
    killed = start_cli(args, env={**ENV, "AUDIOZOO_FAULT": "wrote:latest.weights.h5"})
    log = killed.communicate(timeout=120)[0]
    assert killed.returncode == -signal.SIGKILL, log[-3000:]
    assert (out / "backup" / "train" / "latest.weights.h5").exists()
    assert not (out / "model.keras").exists()
    assert cli.main(args) == 0  # the same command again, in this process
    lines = (out / "logs" / "train.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch", "0", "1"]  # epoch 1 ran once
    assert np.isfinite(_metadata(out)["final_loss"])
    assert {"model.keras", "wavenet.json", "settings.json"} <= set(os.listdir(out))
    assert not (out / "backup").exists()


def test_a_second_run_into_a_held_out_is_refused_at_once(data, tmp_path, capsys):
    out = tmp_path / "held"
    lock = claim_out(WaveNetConfig(data=data, out=str(out)))
    try:
        assert cli.main(_args(data, out, "--epochs", "1")) == 2
    finally:
        release(lock)
    err = capsys.readouterr().err
    assert f"is in use by PID {os.getpid()}" in err and "Traceback" not in err
    assert not (out / "model.keras").exists()


def test_a_rerun_with_other_settings_needs_overwrite(data, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(_args(data, out, "--epochs", "1")) == 0
    first = _metadata(out)
    capsys.readouterr()
    assert cli.main(_args(data, out, "--epochs", "1", "--learning-rate", "0.01")) == 2
    err = capsys.readouterr().err
    assert "holds a run with other settings (learning_rate: 0.001 -> 0.01)" in err
    assert _metadata(out) == first  # the earlier run is untouched
    assert (
        cli.main(_args(data, out, "--epochs", "1", "--learning-rate", "0.01", "--overwrite")) == 0
    )
    assert "--overwrite: discarded the earlier run" in capsys.readouterr().out
    assert json.loads((out / "settings.json").read_text())["learning_rate"] == 0.01


@pytest.mark.parametrize(
    "config, flags, message",
    [
        ({"epochs": 0}, [], "`epochs` must be an integer >= 1. Received: epochs=0"),
        ({"epochs": 2}, ["--epochs", "0"], "`epochs` must be an integer >= 1. Received: epochs=0"),
        ({"segment": "long"}, [], "`segment` must be an integer. Received: segment='long'"),
        ({"model": "wavenet_big"}, [], "`model` must be wavenet_small or wavenet."),
        ({"conditioned": "yes"}, [], "`conditioned` must be true or false."),
        ({"data": None}, [], "`data` is required."),
        ({"unconditioned": True}, [], "unknown settings ['unconditioned']"),
    ],
)
def test_config_values_and_flags_over_them_are_checked(
    data, tmp_path, capsys, config, flags, message
):
    path = tmp_path / "wavenet.json"
    path.write_text(json.dumps({"data": data, "out": str(tmp_path / "run"), **config}))
    assert cli.main(["wavenet", "train", "--config", str(path), *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert not (tmp_path / "run").exists()


def test_a_good_config_file_gives_data_and_out_and_the_flags_win(data, tmp_path):
    out = tmp_path / "run"
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"data": data, "out": str(out), "epochs": 5, "conditioned": False}))
    flags = [a for a in TINY if a != "--unconditioned"]
    assert cli.main(["wavenet", "train", "--config", str(path), *flags, "--epochs", "1"]) == 0
    stored = json.loads((out / "settings.json").read_text())
    assert stored["epochs"] == 1 and stored["conditioned"] is False
    assert _metadata(out)["class_names"] == []
