import pytest


@pytest.fixture(scope="session")
def builtin_cache(tmp_path_factory):
    """One cache folder per session for the built-in chord set, so it is generated once."""
    return str(tmp_path_factory.getbasetemp() / "audiozoo-cache")
