import os

# Quiet TensorFlow's C++ start-up chatter and keep tests on float32 CPU kernels.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_keras_state():
    """Each test starts from float32, a fixed seed, an empty Keras session and no op determinism."""
    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(1234)
    yield
    keras.backend.clear_session()
    # A job's `Run` turns op determinism on for the process; later tests in the
    # same worker (the official musicnn graph's unseeded dropout) must not inherit it.
    # TensorFlow exports no way to turn it off, so the framework's own is used.
    from tensorflow.python.framework import config as tf_config

    getattr(tf_config, "disable_op_determinism", lambda: None)()


@pytest.fixture(scope="session")
def musicnn_cache(tmp_path_factory):
    """The real musicnn checkpoints in a temporary KERAS_HOME (`pip download` once per session).

    Skipped, saying why, only when the package index cannot be reached.
    """
    from zoo.weights import musicnn_wheel

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
