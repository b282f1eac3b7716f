"""The WaveNet jobs called with plain values: `wavenet.json` checks and generation."""

import json

import pytest
import soundfile as sf

from applications.errors import UsageError
from applications.wavenet import METADATA, run_generate
from applications.wavenet.checks import read_metadata

HINT = "train one"


def test_a_model_without_metadata_reads_as_empty(tmp_path):
    assert read_metadata(str(tmp_path / "model.keras"), HINT) == ({}, str(tmp_path / METADATA))


@pytest.mark.parametrize(
    "metadata, received",
    [
        ({"sample_rate": 0}, "Received: sample_rate=0"),
        ({"sample_rate": True}, "Received: sample_rate=True"),
        ({"class_names": "low"}, "Received: class_names='low'"),
        ({"class_names": [1, 2]}, "Received: class_names=[1, 2]"),
    ],
)
def test_unusable_metadata_is_refused_naming_the_field(tmp_path, metadata, received):
    (tmp_path / METADATA).write_text(json.dumps(metadata))
    with pytest.raises(UsageError, match="WaveNet metadata file") as error:
        read_metadata(str(tmp_path / "model.keras"), HINT)
    assert received in str(error.value)


def test_generate_takes_plain_values_and_returns_what_it_wrote(tmp_path):
    import zoo

    path = tmp_path / "model.keras"
    zoo.create_model("wavenet_small").save(path)
    (tmp_path / METADATA).write_text(json.dumps({"sample_rate": 8000, "class_names": []}))
    out = str(tmp_path / "a.wav")
    assert run_generate(str(path), 0.01, out, chunk=40, seed=3) == (out, out[:-4] + ".png")
    audio, rate = sf.read(out)
    assert rate == 8000 and audio.shape == (80,)
    with pytest.raises(ValueError, match="not globally conditioned"):
        run_generate(str(path), 0.01, out, condition="low")
