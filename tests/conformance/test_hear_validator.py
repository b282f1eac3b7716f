"""The HEAR 2021 validator's rules, run on an exported embedding model.

`hear-validator` is not on the package index this project installs from (`pip download
hear-validator` finds no distribution), so its documented checks are implemented here,
one for one, from `hearvalidator/validate.py` (hearbenchmark/hear-validator): the
module's three functions, `ACCEPTABLE_SAMPLE_RATE`, integer embedding sizes, timestamp
embeddings of 2 sounds of 1.07, 1.98 and 4.0 s of white noise in [-1, 1] (3-D float32,
sizes as declared, timestamps regular to 1 ms, the last within two hops of the end and
not past it), and scene embeddings of 4 sounds of 2.74 s (2-D float32). Its warnings
(a hop over 50 ms, a late first timestamp) are errors here.
"""

import importlib

import numpy as np
import pytest
import tensorflow as tf

from applications.errors import UsageError
from tests.applications.hear.embedder import save_embedder

ACCEPTABLE_SAMPLE_RATE = [16000, 22050, 44100, 48000]  # hear-validator's list


class ModelError(AssertionError):
    """A rule of the validator failed."""


def _timestamp_rules(module, model, num_audio, length):
    audio = tf.random.uniform((num_audio, int(length * model.sample_rate))) * 2 - 1.0
    embeddings, timestamps = module.get_timestamp_embeddings(audio, model)
    if embeddings.dtype != tf.float32:
        raise ModelError(f"embeddings are {embeddings.dtype}, not float32")
    embeddings, timestamps = embeddings.numpy(), timestamps.numpy()
    if embeddings.ndim != 3 or timestamps.ndim != 2:
        raise ModelError(f"shapes {embeddings.shape} and {timestamps.shape}")
    if embeddings.shape[0] != num_audio or embeddings.shape[:2] != timestamps.shape:
        raise ModelError(f"{embeddings.shape} does not match {timestamps.shape}")
    if embeddings.shape[2] != model.timestamp_embedding_size:
        raise ModelError(f"embedding size {embeddings.shape[2]}")
    if timestamps.shape[1] > 1:
        diff = np.diff(timestamps)
        avg = np.mean(diff)
        if np.max(diff) > 50.0:
            raise ModelError("timestamps more than 50 ms apart")
        if np.max(np.abs(diff - avg)) > 1:
            raise ModelError("timestamps are not regular to 1 ms")
        if np.min(timestamps) > avg:
            raise ModelError(f"timestamps begin at {np.min(timestamps)} ms")
        if np.max(timestamps) < 1000 * length - 2 * avg:
            raise ModelError(f"timestamps end at {np.max(timestamps)} ms of {1000 * length}")
        if np.max(timestamps) > 1000 * length:
            raise ModelError(f"timestamps end past the audio, at {np.max(timestamps)} ms")


def validate(module_name, model_file_path):
    """hear-validator's `ValidateModel(module_name, model_file_path)()`, raising `ModelError`."""
    module = importlib.import_module(module_name)
    for name in ("load_model", "get_timestamp_embeddings", "get_scene_embeddings"):
        if not hasattr(module, name):
            raise ModelError(f"Your API must include a function: {name!r}")
    model = module.load_model(model_file_path)
    if not isinstance(model, tf.Module):
        raise ModelError("Model must be a tensorflow Module")
    if getattr(model, "sample_rate", None) not in ACCEPTABLE_SAMPLE_RATE:
        raise ModelError(f"Input sample rate of {getattr(model, 'sample_rate', None)} is invalid")
    for name in ("scene_embedding_size", "timestamp_embedding_size"):
        if not isinstance(getattr(model, name, None), int):
            raise ModelError(f"Model.{name} must be an int")
    for length in (1.07, 1.98, 4.0):
        _timestamp_rules(module, model, 2, length)
    audio = tf.random.uniform((4, int(2.74 * model.sample_rate))) * 2 - 1.0
    embeddings = module.get_scene_embeddings(audio, model)
    if embeddings.dtype != tf.float32:
        raise ModelError(f"scene embeddings are {embeddings.dtype}, not float32")
    if embeddings.shape != (4, model.scene_embedding_size):
        raise ModelError(f"scene embeddings of shape {embeddings.shape}")
    return model


@pytest.mark.parametrize("rate", [16000, 22050])
def test_an_exported_embedding_model_passes_the_validators_rules(tmp_path, rate):
    """`applications.hear` passes `hear-validator`'s checks (listed above), exactly."""
    path = tmp_path / "model.keras"
    save_embedder(path, rate)
    model = validate("applications.hear", str(path))
    assert model.sample_rate == rate and model.scene_embedding_size == 8


def test_a_rate_the_validator_refuses_is_refused_when_strict(tmp_path):
    """The validator's sample-rate rule: 8 kHz fails it; `load_model(strict=True)` says so."""
    path = tmp_path / "model.keras"
    save_embedder(path, 8000)
    with pytest.warns(UserWarning, match="HEAR API allows"):
        with pytest.raises(ModelError, match="Input sample rate of 8000 is invalid"):
            validate("applications.hear", str(path))
    with pytest.raises(UsageError, match="the HEAR API allows 16000, 22050, 44100, 48000 Hz"):
        importlib.import_module("applications.hear").load_model(str(path), strict=True)
