"""`separate train` killed after its first epoch's backup resumes from it (slow: subprocesses)."""

import json

import numpy as np
import pytest
import soundfile

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
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert len(report["loss_history"]) == 1  # only epoch 2 ran in the second process
    assert not (tmp_path / "run" / "backup").exists()
    # A fresh process loads the model (its layers registered by the CLI) and applies it.
    mix = tmp_path / "mix.wav"
    soundfile.write(mix, np.random.default_rng(0).uniform(-0.5, 0.5, 3000), 16000)
    model = str(tmp_path / "run" / "model.keras")
    applied = start_cli(["separate", "apply", "--model", model, str(mix), "--out", out])
    assert applied.communicate(timeout=600)[0] and applied.returncode == 0
    assert len(soundfile.read(tmp_path / "run" / "mix_tones.wav")[0]) == 3000
