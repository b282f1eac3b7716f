"""The real musicnn checkpoints, fetched once per session into a temporary KERAS_HOME."""

import os

import pytest

from zoo.weights import musicnn_wheel


@pytest.fixture(scope="session")
def musicnn_cache(tmp_path_factory):
    """The cache folder holding the four official checkpoints (`pip download` once).

    Skipped, saying why, only when the package index cannot be reached.
    """
    home = str(tmp_path_factory.mktemp("keras_home"))
    before = os.environ.get("KERAS_HOME")
    os.environ["KERAS_HOME"] = home
    try:
        root = musicnn_wheel.fetch_weights(timeout=300)
    except musicnn_wheel.WeightsUnavailableError as e:
        pytest.skip(f"the package index is unreachable, so the musicnn wheel is not here: {e}")
    finally:
        if before is None:
            os.environ.pop("KERAS_HOME", None)
        else:
            os.environ["KERAS_HOME"] = before
    return root
