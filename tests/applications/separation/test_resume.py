"""`separate train` killed (SIGKILL) after its first epoch's backup resumes from it (subprocesses)."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile

import zoo
from applications.cli import main
from tests.applications.training.test_resume import ENV, start_cli

ARGS = [
    "separate", "train", "--epochs", "2", "--steps-per-epoch", "1", "--batch-size", "1",
    "--segment-seconds", "0.1", "--test-mixtures", "1", "--test-seconds", "0.2",
]  # fmt: skip


@pytest.mark.slow
def test_a_killed_run_resumes_after_its_last_backup(tmp_path):
    out = str(tmp_path / "run")
    killed = start_cli(
        [*ARGS, "--out", out], env={**ENV, "AUDIOZOO_FAULT": "wrote:latest.weights.h5"}
    )
    killed.communicate(timeout=600)
    assert killed.returncode == -9  # SIGKILL right after epoch 1's backup was renamed into place
    assert not (tmp_path / "run" / "model.keras").exists()
    resumed = start_cli([*ARGS, "--out", out])
    log = resumed.communicate(timeout=600)[0]
    assert resumed.returncode == 0, log
    assert "Resuming after epoch 1" in log
    assert "Epoch 1/2" not in log and "Epoch 2/2" in log  # only epoch 2 ran in this process
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert len(report["loss_history"]) == 2  # the phase's whole history, the killed run's epoch too
    assert not (tmp_path / "run" / "backup").exists()
    # A fresh process loads the model (its layers registered by the CLI) and applies it.
    mix = tmp_path / "mix.wav"
    soundfile.write(mix, np.random.default_rng(0).uniform(-0.5, 0.5, 3000), 16000)
    model = str(tmp_path / "run" / "model.keras")
    applied = start_cli(["separate", "apply", "--model", model, str(mix), "--out", out])
    assert applied.communicate(timeout=600)[0] and applied.returncode == 0
    assert len(soundfile.read(tmp_path / "run" / "mix_tones.wav")[0]) == 3000


# `audiozoo ARGS` with the tiny registered models, so a real process trains in seconds.
TINY_CLI = (
    "import sys, zoo; from applications.cli import main; "
    "zoo.create_model = lambda n, **kw: zoo.get_entry(n).build_tiny(**kw); "
    "sys.exit(main(sys.argv[1:]))"
)


def test_a_run_killed_mid_training_resumes_to_the_uninterrupted_losses(
    tmp_path, capsys, monkeypatch
):
    # unmix: no dropout, whose random state a resumed run does not restore.
    args = [*ARGS, "--steps-per-epoch", "2", "--seed", "1", "--model", "unmix"]  # later flags win
    killed = subprocess.run(
        [sys.executable, "-c", TINY_CLI, *args, "--out", str(tmp_path / "killed")],
        env={**ENV, "AUDIOZOO_FAULT": "wrote:latest.weights.h5"},
        capture_output=True,
        timeout=300,
    )
    assert killed.returncode == -9  # a real SIGKILL right after epoch 1's backup
    monkeypatch.setattr(zoo, "create_model", lambda n, **kw: zoo.get_entry(n).build_tiny(**kw))
    assert main([*args, "--out", str(tmp_path / "killed")]) == 0  # the same command again
    log = capsys.readouterr().out
    assert "Resuming after epoch 1" in log and "Epoch 1/2" not in log
    assert main([*args, "--out", str(tmp_path / "clean")]) == 0
    reports = [json.loads((tmp_path / r / "report.json").read_text()) for r in ("killed", "clean")]
    # Epoch 2 resumed on the weights, optimizer state and mixtures an unbroken run has.
    assert reports[0]["loss_history"] == reports[1]["loss_history"]
    assert reports[0]["median"] == reports[1]["median"]
