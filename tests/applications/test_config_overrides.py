"""Issue 28, item 11: a `--config` value a flag overrides is still checked, and named."""

import json

import pytest

from applications.cli import main


@pytest.mark.parametrize(
    "command, config, flags",
    [
        (["events", "train", "--data", "."], {"epochs": 0}, ["--epochs", "1"]),
        (["separate", "train"], {"learning_rate": "fast"}, ["--learning-rate", "0.01"]),
    ],
)
def test_a_wrong_config_value_under_a_flag_is_refused(tmp_path, capsys, command, config, flags):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    out = tmp_path / "out"
    code = main([*command, "--out", str(out), "--config", str(path), *flags])
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    name = next(iter(config))
    assert err[0].startswith(f"audiozoo {command[0]}") and f"--config file {str(path)!r}" in err[0]
    assert f"Received: {name}=" in err[0] and "a flag overrides it" in err[0]
    assert f"fix or remove {name!r}" in err[1]
    assert not out.exists()
