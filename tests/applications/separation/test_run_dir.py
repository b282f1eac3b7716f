"""`separate train` shares every job's `--out` rules and builds its settings from flags and `--config`."""

import json
import os

import pytest

import zoo
from applications.cli import build_parser, main
from applications.separation.config import SeparateConfig
from applications.training.rundir import claim_out, release

TINY = [
    "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "1", "--segment-seconds", "0.1",
    "--test-mixtures", "1", "--test-seconds", "0.2",
]  # fmt: skip


@pytest.fixture
def tiny_models(monkeypatch):
    # The job at its tiny registered size: the default U-Net takes minutes to compile here.
    monkeypatch.setattr(zoo, "create_model", lambda n, **kw: zoo.get_entry(n).build_tiny(**kw))


def test_a_second_run_into_a_held_out_is_refused_at_once(tmp_path, capsys):
    out = tmp_path / "run"
    held = claim_out(SeparateConfig(out=str(out)))
    try:
        assert main(["separate", "train", "--out", str(out), *TINY]) == 2
    finally:
        release(held)
    assert f"is in use by PID {os.getpid()}" in capsys.readouterr().err
    assert not (out / "logs").exists()


def test_a_rerun_with_other_settings_needs_overwrite(tmp_path, capsys, tiny_models):
    out = tmp_path / "run"
    assert main(["separate", "train", "--out", str(out), *TINY]) == 0
    assert main(["separate", "train", "--out", str(out), *TINY, "--seed", "3"]) == 2
    error = capsys.readouterr().err
    assert "holds a run with other settings (seed: 0 -> 3)" in error and "--overwrite" in error
    assert json.loads((out / "report.json").read_text())["settings"]["seed"] == 0
    assert main(["separate", "train", "--out", str(out), *TINY, "--seed", "3", "--overwrite"]) == 0
    assert json.loads((out / "report.json").read_text())["settings"]["seed"] == 3
    assert not (out / "backup").exists()


@pytest.mark.parametrize(
    "config, flags, message",
    [
        ({"epochs": 0}, [], "`epochs` must be an integer >= 1. Received: epochs=0"),
        ({"epochs": 2}, ["--epochs", "0"], "`epochs` must be an integer >= 1. Received: epochs=0"),
        ({"learning_rate": "fast"}, [], "`learning_rate` must be a finite number."),
        ({"segment_seconds": 0.01}, [], "`segment_seconds` is shorter than one STFT frame"),
        ({"segment_seconds": 1}, ["--sample-rate", "800"], "shorter than one STFT frame"),
        ({"model": "wavenet"}, [], "`model` must be unet or unmix."),
        ({}, ["--seed", "-1"], "`seed` must be an integer in [0, 4294967295]."),
    ],
    ids=["file", "flag-over-file", "type", "frame", "flag-makes-frame-short", "choice", "seed"],
)
def test_config_file_and_flag_values_are_checked_before_anything_is_written(
    tmp_path, capsys, config, flags, message
):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(config))
    out = tmp_path / "run"
    args = ["separate", "train", "--out", str(out), "--config", str(path), *flags]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_flags_override_the_config_file_which_overrides_the_defaults(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"epochs": 5, "seed": 4, "mixture-consistency": True}))
    args = build_parser().parse_args(
        ["separate", "train", "--config", str(path), "--epochs", "3", "--model", "unmix"]
    )
    config = SeparateConfig.from_args(args)
    assert (config.epochs, config.seed, config.mixture_consistency) == (3, 4, True)
    assert (config.model, config.out, config.batch_size) == ("unmix", "runs/separation", 8)
