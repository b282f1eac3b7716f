"""The distributed custom loop: multi-worker on loopback and mirrored over logical CPUs.

Each run is a subprocess because the cluster (TF_CONFIG) and the logical CPU
split must be set before TensorFlow starts. The model is tiny and has no
dropout, so replicas see exactly the maths of one device with the same
global batch.
"""

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.applications.cli.test_finetune import TINY, make_tones
from tests.applications.cli.test_finetune_scratch import SCRATCH

REPO = str(Path(__file__).resolve().parents[3])

WORKER = textwrap.dedent(
    """
    import json, sys
    import keras, numpy as np, tensorflow as tf
    from applications.training import custom_loop as L, strategy as S

    kind, logical, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    info = S.resolve_strategy(kind, logical_cpus=logical or None)
    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.RandomState(0)
    x = rng.rand(192, 16).astype("float32")
    y = x[:, :3].argmax(1).astype("int32")
    with info.strategy.scope():
        model = keras.Sequential([
            keras.Input((16,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ])
        optimizer = keras.optimizers.Adam(1e-2)
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(192, seed=0).batch(32)
    history = L.train(model, optimizer, info.strategy, data, epochs=4, global_batch=32,
                      seed=0, verbose=0, is_chief=info.is_chief)
    np.save(out + ".npy", np.concatenate([w.ravel() for w in model.get_weights()]))
    with open(out + ".json", "w") as f:
        json.dump({"history": history, "kind": info.kind, "replicas": info.num_replicas,
                   "chief": info.is_chief}, f)
    """
)


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _launch(script, kind, out, logical=0, tf_config=None):
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    env.pop("TF_CONFIG", None)
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    return subprocess.Popen(
        [sys.executable, str(script), kind, str(logical), str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _launch_workers(script, folder, count=2):
    """`count` loopback workers of one cluster running `script`, writing `folder/w<i>`."""
    workers = [f"127.0.0.1:{p}" for p in _free_ports(count)]
    return [
        _launch(
            script,
            "multi_worker",
            folder / f"w{i}",
            tf_config={"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}},
        )
        for i in range(count)
    ]


def _finish(proc, timeout=240):
    output, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, output[-3000:]


def _result(out):
    with open(f"{out}.json") as f:
        return np.load(f"{out}.npy"), json.load(f)


def test_two_workers_on_loopback_match_single_worker(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = _launch_workers(script, tmp_path)
    reference = _launch(script, "default", tmp_path / "single")
    for proc in procs + [reference]:
        _finish(proc)
    (w0, r0), (w1, r1), (ws, rs) = (_result(tmp_path / n) for n in ("w0", "w1", "single"))
    assert r0["kind"] == r1["kind"] == "multi_worker"
    assert r0["replicas"] == r1["replicas"] == 2
    assert (r0["chief"], r1["chief"]) == (True, False)
    losses = r0["history"]["loss"]
    assert losses[-1] < 0.8 * losses[0]
    np.testing.assert_array_equal(w0, w1)
    np.testing.assert_allclose(w0, ws, atol=1e-4)
    np.testing.assert_allclose(losses, rs["history"]["loss"], rtol=1e-4)


def test_mirrored_on_two_logical_cpus_matches_one_device(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    runs = [
        _launch(script, "mirrored", tmp_path / "mirrored", logical=2),
        _launch(script, "default", tmp_path / "single"),
    ]
    for proc in runs:
        _finish(proc)
    (wm, rm), (ws, rs) = _result(tmp_path / "mirrored"), _result(tmp_path / "single")
    assert rm["kind"] == "mirrored" and rm["replicas"] == 2
    assert rs["replicas"] == 1
    assert rm["history"]["loss"][-1] < rm["history"]["loss"][0]
    np.testing.assert_allclose(wm, ws, atol=1e-5)


# The offline default recipe runs by default; the VGG transfer recipe with -m slow.
@pytest.mark.parametrize("recipe", [pytest.param("transfer", marks=pytest.mark.slow), "scratch"])
def test_finetune_command_on_two_workers(tmp_path, recipe):
    """`audiozoo finetune` under TF_CONFIG: the custom-loop path end to end; only the chief writes OUT.

    `transfer`: random VGG11, phases head + full; `scratch`: the compact CNN with mixup's
    soft labels (the loop's categorical loss).
    """
    data = make_tones(tmp_path / "data")
    out = tmp_path / "out"
    args = ["finetune", "--data", data, "--weights", "none", "--out", str(out)]
    args += TINY if recipe == "transfer" else SCRATCH + ["--no-baseline"]
    args[args.index("--strategy") + 1] = "multi_worker"
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    procs = []
    for i in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}}
        env = dict(
            os.environ,
            PYTHONPATH=REPO,
            TF_CPP_MIN_LOG_LEVEL="2",
            CUDA_VISIBLE_DEVICES="",
            TF_CONFIG=json.dumps(config),
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "applications.cli", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = []
    for proc in procs:
        output, _ = proc.communicate(timeout=240)
        assert proc.returncode == 0, output[-3000:]
        outputs.append(output)
    assert "Outputs in" in outputs[0] and "the chief writes the outputs" in outputs[1]
    if recipe == "scratch":  # sharded by file: each worker decodes its half of the files
        shares = [
            re.search(r"worker (\d) of 2 decodes and caches its (\d+) of (\d+) training", o)
            for o in outputs
        ]
        assert all(shares), outputs[0][-3000:]
        assert [int(m.group(1)) for m in shares] == [0, 1]
        total = int(shares[0].group(3))
        assert sum(int(m.group(2)) for m in shares) == total and total >= 20
    with open(out / "report.json") as f:
        report = json.load(f)
    assert (report["strategy"], report["num_replicas"]) == ("multi_worker", 2)
    lengths = {phase: len(history["loss"]) for phase, history in report["history"].items()}
    assert lengths == ({"head": 3, "full": 1} if recipe == "transfer" else {"scratch": 3})
    assert sorted(os.listdir(out)) == [
        ".audiozoo.complete",
        ".audiozoo.lock",
        "confusion_matrix.png",
        "examples.png",
        "history.png",
        "labels.json",
        "logs",
        "model.keras",
        "report.json",
        "settings.json",
    ]
