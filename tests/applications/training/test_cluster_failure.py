"""A multi-worker cluster that fails cleanly: kill -9 one of two loopback workers mid-training.

The survivor must exit non-zero within `--cluster-timeout` with one line
naming the missing worker and how to resume, and no traceback; rerunning
both workers resumes from the last backup (`applications.training.liveness`).
"""

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from tests.applications.training.test_multiworker import REPO, _free_ports

TIMEOUT = 20.0

WORKER = textwrap.dedent(
    """
    import json, sys
    import keras, numpy as np, tensorflow as tf
    from applications.errors import describe
    from applications.training import custom_loop as L, strategy as S

    def main(out, timeout):
        info = S.resolve_strategy("multi_worker", cluster_timeout=timeout)
        keras.utils.set_random_seed(0)
        x = np.random.RandomState(0).rand(96, 8).astype("float32")
        y = x[:, :3].argmax(1).astype("int32")
        with info.strategy.scope():
            model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
            optimizer = keras.optimizers.Adam(1e-2)
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)  # 6 steps an epoch
        history = L.train(model, optimizer, info.strategy, data, epochs=3, global_batch=16,
                          seed=0, verbose=2, backup_dir=out + "/backup", is_chief=info.is_chief)
        print("EPOCHS", len(history["loss"]))

    try:
        main(sys.argv[1], float(sys.argv[2]))
    except Exception as error:  # the CLI's error path: one line, no traceback
        described = describe(error)
        if described is None:
            raise
        print("\\n".join(described[1]), file=sys.stderr)
        sys.exit(described[0])
    """
)


def _start(script, out, workers, index, fault=None):
    config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    env["TF_CONFIG"] = json.dumps(config)
    env.pop("AUDIOZOO_FAULT", None)
    if fault:
        env["AUDIOZOO_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, str(script), str(out), str(TIMEOUT)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_one(tmp_path):
    """Two workers; worker 1 dies by SIGKILL at its 9th step (the 3rd of epoch 2)."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    out = tmp_path / "out"
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    chief = _start(script, out, workers, 0)
    victim = _start(script, out, workers, 1, fault="custom_loop:step#9")
    victim.communicate(timeout=240)
    died = time.monotonic()
    assert victim.returncode == -9
    stdout, stderr = chief.communicate(timeout=240)
    assert time.monotonic() - died < TIMEOUT, stderr[-2000:]
    assert chief.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stderr + stdout
    lines = [line for line in stderr.splitlines() if "Multi-worker: lost" in line]
    assert len(lines) == 1, stderr[-2000:]
    assert f"worker 1 ({workers[1]})" in lines[0] and "during epoch 2" in lines[0]
    assert "Rerun the same command on every worker" in lines[0] and "1 epoch(s) done" in lines[0]
    assert os.path.exists(out / "backup" / "state.npz")
    return script, out


def test_killed_worker_makes_the_other_exit_within_the_timeout(tmp_path):
    _kill_one(tmp_path)


@pytest.mark.slow
def test_rerunning_every_worker_after_a_kill_resumes(tmp_path):
    script, out = _kill_one(tmp_path)
    # The same command on both workers again (fresh ports: the old ones may linger).
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    procs = [_start(script, out, workers, i) for i in range(2)]
    outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (stdout, stderr) in zip(procs, outputs):
        assert proc.returncode == 0, stderr[-2000:]
        assert "EPOCHS 3" in stdout
    assert "1 of 3 epochs already done" in outputs[0][0]
