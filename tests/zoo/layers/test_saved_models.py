"""A saved model holding every layer of `zoo.layers` (and a baseline's) loads after `import zoo`.

What `audiozoo finetune` saves (test-time crops, a hand-crafted baseline joined by a
geometric mean) must load anywhere with plain Keras in safe mode, with no call to
register anything: the fresh interpreter below imports only `zoo` and `keras`.
"""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np

import zoo
from zoo.layers import CropMean, GeometricMean, TimeCrops

REPO = str(Path(__file__).resolve().parents[3])
RATE, SAMPLES = 8000, 4000


def _tiny_fused_model():
    """waveform -> (crops -> dense -> crop mean) x (features -> scaler -> regression)."""
    waveform = keras.Input((SAMPLES,), name="waveform")
    frames = keras.layers.Reshape((40, 100, 1))(waveform)
    crops = TimeCrops(20, num_crops=3, seed=0, name="time_crops")(frames)
    logits = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(crops))
    network = CropMean(3, name="crop_mean")(logits)
    features = zoo.features.HandcraftedFeatures(
        sample_rate=RATE, n_fft=256, hop_length=128, n_mels=32, contrast_bands=4
    )(waveform)
    width = features.shape[-1]
    rng = np.random.default_rng(0)
    scaler = keras.layers.Normalization(
        mean=rng.normal(size=width), variance=rng.uniform(0.5, 2.0, width), name="baseline_scaler"
    )
    baseline = keras.layers.Dense(3, activation="softmax", name="baseline_regression")
    fused = GeometricMean([0.7, 0.3], name="fusion")([network, baseline(scaler(features))])
    return keras.Model(waveform, fused)


def test_a_saved_fused_model_with_crops_loads_in_a_fresh_process(tmp_path):
    model = _tiny_fused_model()
    path, waves = tmp_path / "model.keras", tmp_path / "waves.npy"
    model.save(path)
    x = (0.1 * np.random.default_rng(1).normal(size=(2, SAMPLES))).astype("float32")
    np.save(waves, x)
    code = (
        "import sys\n"
        "import numpy as np\n"
        "import zoo, keras\n"
        "model = keras.saving.load_model(sys.argv[1])\n"
        "np.save(sys.argv[3], np.asarray(model(np.load(sys.argv[2]))))\n"
    )
    out = tmp_path / "out.npy"
    env = dict(os.environ, PYTHONPATH=REPO, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run(
        [sys.executable, "-c", code, str(path), str(waves), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    np.testing.assert_allclose(np.load(out), np.asarray(model(x)), rtol=1e-5, atol=1e-6)
