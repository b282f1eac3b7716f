"""The settings base: checked fields, generated flags, precedence, and `--config` + flags checked whole."""

import argparse
import dataclasses
import json

import pytest

from applications.errors import UsageError
from applications.settings import Settings, setting


@dataclasses.dataclass(frozen=True)
class Toy(Settings):
    data: str = setting("builtin", "what to read")
    out: str = setting("runs/toy", "output folder")
    epochs: int = setting(3, "passes", minimum=1)
    rate: float = setting(0.1, "step size", above=0.0, below=1.0)
    limit: float | None = setting(None, "stop after", unit="s", above=0.0, flag="--time-limit")
    plots: bool = setting(True, "draw no pictures")
    fast: bool = setting(False, "cut corners")
    mode: str = setting("a", "the mode", choices=("a", "b"))

    @classmethod
    def presets(cls, values):
        return {"epochs": 5} if values.get("data", cls.data) == "big" else {}


def _parse(argv):
    parser = argparse.ArgumentParser()
    Toy.add_arguments(parser, overwrite=True)
    return parser.parse_args(argv)


def test_flags_are_generated_from_the_fields_with_defaults_and_units():
    parser = argparse.ArgumentParser()
    Toy.add_arguments(parser, overwrite=True)
    text = parser.format_help()
    for flag in ("--epochs", "--rate", "--time-limit", "--no-plots", "--fast", "--config"):
        assert flag in text
    assert "(default 3)" in text and "--overwrite" in text
    args = _parse(["--epochs", "7", "--no-plots", "--fast", "--time-limit", "2.5"])
    toy = Toy.from_args(args)
    assert (toy.epochs, toy.plots, toy.fast, toy.limit) == (7, False, True, 2.5)
    # Flags not given leave the value to the defaults.
    assert Toy.from_args(_parse([])) == Toy()


def test_precedence_defaults_preset_file_flags(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"data": "big", "rate": 0.5}))
    toy = Toy.from_sources({"rate": None, "mode": "b"}, str(path))
    assert (toy.epochs, toy.rate, toy.mode) == (5, 0.5, "b")  # preset, file, flag
    assert Toy.from_sources({"epochs": 9}, str(path)).epochs == 9  # a flag beats the preset


@pytest.mark.parametrize(
    "values, message",
    [
        ({"epochs": 0}, r"`epochs` must be an integer >= 1\. Received: epochs=0"),
        ({"epochs": 1.5}, r"`epochs` must be an integer\. Received: epochs=1\.5"),
        ({"rate": 1.0}, r"`rate` must be in \(0, 1\)\. Received: rate=1\.0"),
        ({"rate": float("nan")}, r"`rate` must be a finite number"),
        ({"limit": -1.0}, r"`limit` must be > 0 s\. Received: limit=-1\.0"),
        ({"plots": 1}, r"`plots` must be true or false\. Received: plots=1"),
        ({"mode": "c"}, r"`mode` must be a or b\. Received: mode='c'"),
    ],
)
def test_bad_values_are_one_line_naming_the_setting(values, message):
    with pytest.raises(UsageError, match=message) as error:
        Toy(**values)
    assert "--config" in error.value.hint


def test_a_flag_overriding_the_config_file_is_checked_too(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"epochs": 2}))
    with pytest.raises(UsageError, match=r"`epochs` must be an integer >= 1"):
        Toy.from_args(_parse(["--epochs", "0", "--config", str(path)]))
    path.write_text(json.dumps({"epochs": 0}))
    with pytest.raises(UsageError, match=r"`epochs` must be an integer >= 1"):
        Toy.from_args(argparse.Namespace(config=str(path)))


def test_config_file_errors_name_the_file(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"epoch": 3}))
    with pytest.raises(UsageError, match=r"unknown settings \['epoch'\]"):
        Toy.from_sources({}, str(path))
    path.write_text("{epochs: 1")
    with pytest.raises(UsageError, match="is not valid JSON"):
        Toy.from_sources({}, str(path))
    with pytest.raises(FileNotFoundError, match="nope.json"):
        Toy.from_sources({}, str(tmp_path / "nope.json"))


def test_comparable_leaves_out_what_does_not_change_results(tmp_path):
    values = Toy(data=str(tmp_path), out="elsewhere").comparable()
    assert "out" not in values and values["data"] == str(tmp_path.resolve())


def test_front_end_presets_have_one_owner():
    import zoo
    from applications.data import presets
    from applications.settings import DataSettings

    assert presets.FRONT_ENDS == zoo.audio.FRONT_ENDS  # read from zoo's file, not a copy
    layer = zoo.audio.LogMelSpectrogram()
    default = zoo.audio.front_end("default")
    assert (layer.n_fft, layer.hop_length, layer.n_mels) == (
        default["n_fft"],
        default["hop_length"],
        default["n_mels"],
    )
    assert DataSettings().n_fft == default["n_fft"]
    assert presets.preset_for("builtin")["fmax"] == zoo.audio.front_end("demo")["fmax"]


def test_a_dataset_preset_gives_each_job_only_its_own_settings():
    from applications.baseline.config import BaselineConfig
    from applications.data.presets import preset_for

    config = BaselineConfig.from_sources({"data": "builtin"})
    assert (config.n_fft, config.hop_length, config.fmax) == (2048, 512, 4000.0)
    assert "image_size" in preset_for("builtin") and not hasattr(config, "image_size")
