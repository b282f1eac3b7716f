"""HEAR's sample rates at load (issue 28, item 4): a warning naming them, or refused if strict."""

import warnings

import pytest

from applications import hear
from applications.errors import UsageError
from tests.applications.hear.embedder import save_embedder


def test_a_rate_hear_does_not_allow_is_said_at_load(tmp_path):
    save_embedder(tmp_path / "m8k.keras", 8000)
    with pytest.warns(UserWarning, match=r"takes 8000 Hz audio; the HEAR API allows 16000, "):
        model = hear.load_model(str(tmp_path / "m8k.keras"))
    assert model.sample_rate == 8000
    with pytest.raises(UsageError, match=r"m8k\.keras' takes 8000 Hz .*22050, 44100, 48000 Hz"):
        hear.load_model(str(tmp_path / "m8k.keras"), strict=True)


@pytest.mark.parametrize("rate", [16000, 22050])
def test_an_allowed_rate_loads_quietly_also_when_strict(tmp_path, rate):
    save_embedder(tmp_path / "m.keras", rate)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert hear.load_model(str(tmp_path / "m.keras"), strict=True).sample_rate == rate
