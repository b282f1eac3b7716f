"""Kill -9 during training, run the same command again: it resumes and ends where an uninterrupted run does."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

from tests.applications.cli.test_finetune import TINY, make_tones
from tests.applications.cli.test_finetune_scratch import SCRATCH

REPO = str(Path(__file__).resolve().parents[3])
ENV = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")


def _finetune(data, out):
    args = ["finetune", "--data", data, "--weights", "none", "--out", out, "--seed", "5"] + TINY
    args[args.index("--finetune-epochs") + 1] = "6"
    return start_cli(args + ["--no-baseline"])


def _scratch(data, out):
    """The from-scratch recipe with masks, mixup and random crops: 6 epochs, no early stop."""
    args = ["finetune", "--data", data, "--weights", "none", "--out", out] + SCRATCH
    args += ["--crop-seconds", "0.5", "--patience", "0", "--no-baseline"]
    args[args.index("--epochs") + 1] = "6"
    return start_cli(args)


def start_cli(args, env=ENV):
    """`audiozoo ARGS` in a subprocess (output captured, merged)."""
    return subprocess.Popen(
        [sys.executable, "-m", "applications.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def saved_weights(out):
    """The weights of `OUT/model.keras`, loaded safely."""
    import zoo  # noqa: F401  (registers every layer a saved model holds)

    model = keras.saving.load_model(os.path.join(out, "model.keras"), safe_mode=True)
    return [w.numpy() for w in model.weights]


def _run_script(script, backup, out, kill_after):
    """Run a training script that kills itself after `kill_after` epochs (0: never)."""
    return subprocess.run(
        [sys.executable, str(script), str(backup), str(out), str(kill_after)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.mark.parametrize(
    "start, phase, done",
    [
        (_finetune, "full", "head"),
        # The default suite kills from-scratch runs in tests/applications/finetune/test_faults.py.
        pytest.param(_scratch, "scratch", None, marks=pytest.mark.slow),
    ],
)
def test_finetune_killed_mid_phase_resumes_to_identical_weights(tmp_path, start, phase, done):
    data = make_tones(tmp_path / "data")
    killed, clean = str(tmp_path / "killed"), str(tmp_path / "clean")
    reference = start(data, clean)
    victim = start(data, killed)
    backup = os.path.join(killed, "backup", phase, "latest.weights.h5")
    epochs_done = 0
    while victim.poll() is None and epochs_done < 2:
        try:
            with h5py.File(backup, "r") as f:
                epochs_done = int(f.attrs["audiozoo_epoch"])
        except (OSError, KeyError):
            pass
        time.sleep(0.02)
    assert victim.poll() is None, "the run finished before it could be killed"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert not os.path.exists(os.path.join(killed, "model.keras"))
    if done:
        assert os.path.exists(os.path.join(killed, "backup", f"{done}.done.weights.h5"))

    resumed = start(data, killed)
    outputs = []
    for proc in (resumed, reference):
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, output[-3000:]
        outputs.append(output)
    if done:
        assert f"Phase {done}: already complete" in outputs[0]
    with open(os.path.join(killed, "report.json")) as f:
        history = json.load(f)["history"]
    with open(os.path.join(clean, "report.json")) as f:
        clean_history = json.load(f)["history"]
    assert len(history[phase]["loss"]) == 6  # every epoch logged once, across the kill
    # The same losses epoch by epoch, the resumed epochs included (the final
    # weights alone could match trivially if both kept the phase's start).
    assert history == clean_history
    for a, b in zip(saved_weights(killed), saved_weights(clean)):
        np.testing.assert_array_equal(a, b)


LOOP = textwrap.dedent(
    """
    import os, signal, sys
    import keras, numpy as np, tensorflow as tf
    from applications.training import custom_loop

    backup, out, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.RandomState(0)
    x = rng.rand(96, 8).astype("float32")
    y = x[:, :3].argmax(1).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(96, seed=1).batch(16)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(3, activation="softmax")])

    class Kill(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

    custom_loop.train(model, keras.optimizers.Adam(1e-2), tf.distribute.get_strategy(), data,
                      epochs=5, global_batch=16, seed=0, backup_dir=backup, verbose=0,
                      callbacks=[Kill()])
    np.save(out, np.concatenate([w.ravel() for w in model.get_weights()]))
    """
)


def test_custom_loop_killed_resumes_to_identical_weights(tmp_path):
    script = tmp_path / "loop.py"
    script.write_text(LOOP)

    first = _run_script(script, tmp_path / "b1", tmp_path / "killed.npy", 2)
    # The loop saves its backup after the callbacks run, so the kill after
    # epoch 2 leaves epoch 1's state: the rerun repeats epoch 2.
    assert first.returncode == -signal.SIGKILL, first.stderr[-2000:]
    assert os.path.exists(tmp_path / "b1" / "state.npz")
    second = _run_script(script, tmp_path / "b1", tmp_path / "killed.npy", 0)
    clean = _run_script(script, tmp_path / "b2", tmp_path / "clean.npy", 0)
    assert second.returncode == 0 and clean.returncode == 0, (
        second.stderr[-2000:] + clean.stderr[-2000:]
    )
    np.testing.assert_array_equal(np.load(tmp_path / "killed.npy"), np.load(tmp_path / "clean.npy"))


FIT = textwrap.dedent(
    """
    import os, signal, sys
    import keras, numpy as np, tensorflow as tf
    from applications.training.epoch_seeds import EpochSeeds
    from applications.training.strategy import resolve_strategy

    info = resolve_strategy("mirrored", logical_cpus=2)
    backup, out, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    keras.utils.set_random_seed(1)
    tf.config.experimental.enable_op_determinism()
    x = np.random.RandomState(0).rand(64, 8).astype("float32")
    y = np.random.RandomState(1).randint(0, 3, 64)
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64, seed=3).batch(16)
    with info.strategy.scope():
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dropout(0.5), keras.layers.Dense(3)])
        model.compile(keras.optimizers.Adam(1e-2),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True))

    class Kill(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

    # As applications.finetune.job trains: one repeated iterator, EpochSeeds, then the backup.
    model.fit(data.repeat(), steps_per_epoch=4, epochs=6, verbose=0, shuffle=False,
              callbacks=[EpochSeeds(0, data), keras.callbacks.BackupAndRestore(backup), Kill()])
    np.save(out, np.concatenate([w.ravel() for w in model.get_weights()]))
    """
)


def test_mirrored_fit_killed_resumes_to_identical_weights(tmp_path):
    script = tmp_path / "fit.py"
    script.write_text(FIT)

    first = _run_script(script, tmp_path / "b1", tmp_path / "killed.npy", 3)
    assert first.returncode == -signal.SIGKILL, first.stderr[-2000:]
    second = _run_script(script, tmp_path / "b1", tmp_path / "killed.npy", 0)
    clean = _run_script(script, tmp_path / "b2", tmp_path / "clean.npy", 0)
    assert second.returncode == 0 and clean.returncode == 0, (
        second.stderr[-2000:] + clean.stderr[-2000:]
    )
    np.testing.assert_array_equal(np.load(tmp_path / "killed.npy"), np.load(tmp_path / "clean.npy"))
