"""Multi-worker input sharded by file: even steps, every example once, DATA fallback."""

import json
import runpy
import sys
from unittest import mock
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from applications.data.sharding import batched_in_steps, file_shard, shard_sizes
from tests.applications.training.test_multiworker import _launch_workers


@pytest.mark.parametrize(
    "total, workers, batch",
    [(101, 2, 32), (13, 2, 4), (96, 3, 6), (33, 2, 32), (7, 3, 6), (64, 4, 8), (50, 2, 50)],
)
def test_every_worker_runs_the_same_steps_and_every_file_once(total, workers, batch):
    plans = [
        file_shard(total, workers=workers, index=i, global_batch=batch) for i in range(workers)
    ]
    assert all(p is not None for p in plans)
    assert len({p.steps for p in plans}) == 1
    assert plans[0].steps == max(-(-n // (batch // workers)) for n in shard_sizes(total, workers))
    files = list(range(total))
    taken = [f for p in plans for f in p.take(files)]
    assert sorted(taken) == files
    for p in plans:
        sizes = p.batch_sizes()
        assert len(sizes) == p.steps and sum(sizes) == p.count
        assert all(1 <= s <= batch // workers for s in sizes)


def test_fallback_when_files_are_fewer_than_steps_or_the_batch_does_not_split():
    assert file_shard(1, workers=2, index=0, global_batch=2) is None  # fewer files than workers
    assert file_shard(17, workers=2, index=1, global_batch=32) == file_shard(
        17, workers=2, index=1, global_batch=32
    )
    assert file_shard(3, workers=2, index=1, global_batch=2) is None  # worker 1: 1 file, 2 steps
    assert file_shard(100, workers=3, index=0, global_batch=32) is None  # 32 % 3
    assert file_shard(100, workers=1, index=0, global_batch=32) is None


def test_batched_in_steps_keeps_order_and_sizes():
    data = tf.data.Dataset.range(6).map(lambda i: (i, 2 * i))
    batches = list(batched_in_steps(data, [2, 2, 1, 1]))
    assert [b[0].numpy().tolist() for b in batches] == [[0, 1], [2, 3], [4], [5]]
    assert [b[1].numpy().tolist() for b in batches] == [[0, 2], [4, 6], [8], [10]]


WORKER = textwrap.dedent(
    """
    import json, sys
    import keras, numpy as np, tensorflow as tf
    from applications.data.sharding import batched_in_steps, file_shard
    from applications.training import custom_loop as L, strategy as S

    kind, _, out = sys.argv[1], sys.argv[2], sys.argv[3]
    info = S.resolve_strategy(kind)
    keras.utils.set_random_seed(0)
    rng = np.random.RandomState(0)
    total, batch = 13, 4
    x = rng.rand(total, 6).astype("float32")
    y = x[:, :3].argmax(1).astype("int32")
    ids = np.arange(total)
    workers = info.num_replicas
    seen = []

    def record(i):
        seen.append(i.numpy().tolist())
        return 0.0

    def seen_batches(xb, yb, ib):
        noted = tf.py_function(record, [ib], tf.float32)
        return xb + 0.0 * noted, yb

    if kind == "multi_worker":
        index = int(json.loads(__import__("os").environ["TF_CONFIG"])["task"]["index"])
        shard = file_shard(total, workers=workers, index=index, global_batch=batch)
        local = tf.data.Dataset.from_tensor_slices((shard.take(x), shard.take(y), shard.take(ids)))
        local = local.shuffle(shard.count, seed=index, reshuffle_each_iteration=True)
        data = batched_in_steps(local, shard.batch_sizes()).map(seen_batches)
    else:
        data = tf.data.Dataset.from_tensor_slices((x, y, ids)).shuffle(total, seed=0)
        data = data.batch(batch).map(seen_batches)
    with info.strategy.scope():
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, activation="softmax")])
        optimizer = keras.optimizers.SGD(0.5)

    class Epochs(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append("end")

    history = L.train(model, optimizer, info.strategy, data, epochs=3, global_batch=batch, seed=0,
                      verbose=0, is_chief=info.is_chief, callbacks=[Epochs()],
                      local_data=kind == "multi_worker")
    first = seen[: seen.index("end")]
    with open(out + ".json", "w") as f:
        json.dump({"history": history, "first_epoch": first,
                   "weights": [w.ravel().tolist() for w in model.get_weights()]}, f)
    """
)


def test_two_workers_share_one_epoch_by_file_on_loopback(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = _launch_workers(script, tmp_path)
    # The one-worker reference runs here, meanwhile: a third TensorFlow process costs more.
    with mock.patch.object(sys, "argv", ["worker.py", "default", "0", str(tmp_path / "single")]):
        runpy.run_path(str(script), run_name="__main__")
    for proc in procs:
        output, _ = proc.communicate(timeout=240)
        assert proc.returncode == 0, output[-3000:]
    runs = [json.loads((tmp_path / f"{n}.json").read_text()) for n in ("w0", "w1", "single")]
    # Worker 0 holds 7 files and worker 1 six, in 4 steps each (sizes 2,2,2,1 and 2,2,1,1).
    batches = [r["first_epoch"] for r in runs[:2]]
    assert [len(b) for b in batches] == [4, 4]
    seen = [i for b in batches for batch in b for i in batch]
    assert sorted(seen) == list(range(13))  # the union is the training set, none twice
    assert {i for batch in batches[0] for i in batch} == set(range(0, 13, 2))
    w0, w1, single = (np.concatenate([np.ravel(w) for w in r["weights"]]) for r in runs)
    np.testing.assert_array_equal(w0, w1)  # one model, in sync
    # Other batches than one worker's shuffle, the same examples and steps: close, not equal.
    np.testing.assert_allclose(w0, single, atol=0.25)
    loss = [runs[0]["history"]["loss"][-1], runs[2]["history"]["loss"][-1]]
    assert abs(loss[0] - loss[1]) < 0.15 * loss[1]
