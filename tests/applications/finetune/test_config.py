"""FinetuneConfig: defaults -> preset -> --config -> flags, and checked values."""

import dataclasses
import json

import pytest

from applications import cli
from applications.finetune.config import FinetuneConfig
from applications.errors import UsageError
from applications.data.presets import PRESETS


def _config_file(tmp_path, settings):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(settings))
    return str(path)


def test_precedence_flags_then_file_then_preset_then_defaults(tmp_path):
    path = _config_file(tmp_path, {"epochs": 7, "image-size": 48, "data": "gtzan"})
    config = FinetuneConfig.from_sources({"epochs": 2, "seed": None}, path)
    assert config.epochs == 2  # a flag beats the file
    assert config.image_size == 48  # the file beats the preset
    assert config.sample_rate == PRESETS["gtzan"]["sample_rate"]  # the preset beats defaults
    assert config.seed == FinetuneConfig.seed == 0  # a flag not given (None) leaves the default
    assert config.data == "gtzan"  # the file's dataset picks the preset


def test_flag_data_picks_the_preset_over_the_files_data(tmp_path):
    path = _config_file(tmp_path, {"data": "gtzan"})
    config = FinetuneConfig.from_sources({"data": "esc50"}, path)
    assert (config.data, config.clip_seconds) == ("esc50", PRESETS["esc50"]["clip_seconds"])
    assert FinetuneConfig.from_sources({}).image_size == PRESETS["builtin"]["image_size"]


def test_unknown_key_and_missing_or_bad_file_are_clear_errors(tmp_path):
    path = _config_file(tmp_path, {"epoch": 3})
    with pytest.raises(ValueError, match=r"has unknown settings \['epoch'\]; known: \['backbone'"):
        FinetuneConfig.from_sources({}, path)
    with pytest.raises(FileNotFoundError, match="nope.json"):
        FinetuneConfig.from_sources({}, str(tmp_path / "nope.json"))
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="must hold a JSON object"):
        FinetuneConfig.from_sources({}, str(tmp_path / "list.json"))
    (tmp_path / "broken.json").write_text("{epochs: 1")
    with pytest.raises(ValueError, match="is not valid JSON"):
        FinetuneConfig.from_sources({}, str(tmp_path / "broken.json"))


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"epochs": 1.7}, r"`epochs` must be an integer\. Received: epochs=1\.7"),
        ({"epochs": "5"}, r"`epochs` must be an integer\. Received: epochs='5'"),
        ({"batch_size": True}, r"`batch_size` must be an integer\. Received: batch_size=True"),
        (
            {"learning_rate": "1e-3"},
            r"`learning_rate` must be a finite number\. Received: learning_rate='1e-3'",
        ),
        ({"skip_bad": 1}, r"`skip_bad` must be true or false\. Received: skip_bad=1"),
        (
            {"image_size": [64]},
            r"image_size must be an int or \[height, width\]\. Received: image_size=\[64\]",
        ),
        ({"image_size": [64, "x"]}, r"image_size must be an int or \[height, width\]"),
        ({"data": 3}, r"`data` must be a string\. Received: data=3"),
    ],
)
def test_values_of_the_wrong_type_name_the_key(tmp_path, settings, message):
    with pytest.raises(ValueError, match=message):
        FinetuneConfig.from_sources({}, _config_file(tmp_path, settings))


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(FinetuneConfig)])
def test_every_field_is_checked(field):
    with pytest.raises(ValueError, match=rf"Received: {field}=<object"):
        FinetuneConfig(**{field: object()})


@pytest.mark.parametrize(
    "settings, message",
    [
        (
            {"epochs": 0},
            r"`epochs` must be an integer >= 1\. Received: epochs=0",
        ),
        (
            {"finetune_epochs": -1},
            r"`finetune_epochs` must be an integer >= 0\. Received: finetune_epochs=-1",
        ),
        ({"n_mels": 0}, r"`n_mels` must be an integer >= 1\. Received: n_mels=0"),
        ({"dropout": 1.0}, r"`dropout` must be in \[0, 1\)\. Received: dropout=1\.0"),
        ({"scratch_learning_rate": 0}, r"`scratch_learning_rate` must be > 0"),
        ({"verbose": 3}, r"`verbose` must be 0, 1, 2 or .auto."),
        ({"backbone": "vgg17"}, r"`backbone` must be one of auto, .*vgg11"),
        ({"tta_crops": 0}, r"`tta_crops` must be an integer >= 1"),
        ({"warmup_fraction": 1.0}, r"`warmup_fraction` must be in \[0, 1\)"),
        (
            {"clip_seconds": -1},
            r"`clip_seconds` must be in \(0, 600\] s\. Classify longer.*Received: clip_seconds=-1\.0",
        ),
    ],
)
def test_values_out_of_range_are_errors(settings, message):
    with pytest.raises(ValueError, match=message):
        FinetuneConfig(**settings)


def test_values_are_normalised_and_the_config_is_frozen(tmp_path):
    config = FinetuneConfig.from_sources(
        {"image_size": [128, 64]}, _config_file(tmp_path, {"learning_rate": 1, "weights": None})
    )
    assert config.image_size == (128, 64) and config.image_hw == (128, 64)
    assert config.learning_rate == 1.0 and isinstance(config.learning_rate, float)
    assert config.weights is None and config.clip_seconds == 1.0
    assert FinetuneConfig(image_size=32).image_hw == (32, 32)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 3
    assert dataclasses.replace(config, epochs=3).epochs == 3


def test_to_dict_is_the_reports_settings_in_field_order():
    config = FinetuneConfig(image_size=(48, 32))
    settings = config.to_dict()
    assert list(settings) == [f.name for f in dataclasses.fields(FinetuneConfig)]
    assert json.loads(json.dumps(settings))["image_size"] == [48, 32]
    assert FinetuneConfig(**settings) == config


def test_cli_reports_a_bad_config_value_in_one_line(tmp_path, capsys):
    path = _config_file(tmp_path, {"epochs": 1.7})
    assert cli.main(["finetune", "--config", path, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "audiozoo finetune: error: `epochs` must be an integer. Received: epochs=1.7" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()


def test_default_epochs_grow_to_min_steps_on_small_data_and_explicit_epochs_are_exact():
    from applications.finetune.recipes.scratch import scratch_epochs

    # 350 clips / batch 32 = 11 steps an epoch: 1600 steps need 146 epochs; patience 10 * 146/40.
    assert scratch_epochs(FinetuneConfig(min_steps=1600, patience=10), 350) == (146, 37)
    # Enough clips for 40 epochs to pass min_steps: 40 epochs, patience unchanged.
    assert scratch_epochs(FinetuneConfig(min_steps=1600, patience=10), 2000) == (40, 10)
    assert scratch_epochs(FinetuneConfig(epochs=3, min_steps=1600, patience=10), 12) == (3, 10)
    # One step an epoch: capped at 4 x 40 epochs.
    assert scratch_epochs(FinetuneConfig(min_steps=1600, patience=10), 20) == (160, 40)
    assert FinetuneConfig().base_epochs == 40 and FinetuneConfig(epochs=7).base_epochs == 7
    assert FinetuneConfig.from_sources({"data": "builtin"}).epochs == 40  # the demo's preset


def test_refit_auto_retrains_small_datasets_only_and_on_off_are_exact():
    from applications.finetune.recipes.scratch import refit_wanted

    # 350 clips grew the epochs to 146 (small data): auto refits; 40 epochs: it does not.
    assert refit_wanted(FinetuneConfig(), 146) and not refit_wanted(FinetuneConfig(), 40)
    assert not refit_wanted(FinetuneConfig(epochs=146), 146)  # explicit epochs: no growth
    assert refit_wanted(FinetuneConfig(epochs=3, refit="on"), 3)
    assert not refit_wanted(FinetuneConfig(refit="off"), 146)
    with pytest.raises(UsageError, match="`refit` must be auto, on or off. Received: refit=.yes."):
        FinetuneConfig(refit="yes")
