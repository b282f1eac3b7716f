"""A distributed custom training loop for strategies where Keras 3 `fit` fails.

`model.fit` under `MultiWorkerMirroredStrategy` raises (keras issue 20585).
This loop trains the same Keras model with the same Keras optimizer through
`strategy.run`, `tf.nn.compute_average_loss` and
`strategy.experimental_distribute_dataset`, and works under every strategy
(the tests compare it against single-device training).

Fault tolerance: the chief writes `backup_dir/state.npz` (weights, optimizer
variables, finished epochs, history) atomically after every epoch, keeping
the previous one until the new one is complete
(`applications.training.backup.save_rotating`); every worker restores from
the newest readable one on start, so `backup_dir` must be on storage all
workers can read. An epoch whose loss is NaN or infinite stops training and
is not backed up. Under multi-worker, a peer that dies aborts the collectives
(`applications.training.liveness`): training stops with a `JobFailed` whose one
line names the missing worker and says how to resume. A resumed run fast-forwards the data order and reseeds
dropout/SpecAugment per epoch (see `applications.training.epoch_seeds`), so it repeats an
uninterrupted one.
"""

import json
import math
import os

import keras
import numpy as np
import tensorflow as tf

from applications.atomic_io import fault_point
from applications.training.backup import load_rotating, save_rotating
from applications.training.epoch_seeds import fast_forward, reseed_layers
from applications.training.liveness import is_peer_error, peer_lost

__all__ = ["train", "save_state", "load_state"]

_STATE = "state.npz"


def save_state(backup_dir, model, optimizer, epochs_done, history):
    """Write weights, optimizer variables, epoch count and history atomically.

    Args:
        backup_dir: the folder of `state.npz` (created if needed).
        model, optimizer: what to save.
        epochs_done: finished epochs.
        history: `{metric: [value per epoch]}` so far.
    """
    os.makedirs(backup_dir, exist_ok=True)
    arrays = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    arrays.update({f"o{i}": np.asarray(v) for i, v in enumerate(optimizer.variables)})
    arrays["meta"] = np.frombuffer(
        json.dumps({"epochs_done": epochs_done, "history": history}).encode(), dtype=np.uint8
    )
    save_rotating(os.path.join(backup_dir, _STATE), lambda tmp: np.savez(tmp, **arrays))


def load_state(backup_dir, model, optimizer, log=print):
    """Restore the newest readable `save_state` backup into `model` and `optimizer`.

    The optimizer must be built (`optimizer.build(model.trainable_variables)`).
    A damaged backup is reported through `log`, removed, and the previous one
    tried (`applications.training.backup.load_rotating`).

    Args:
        backup_dir: the folder of `state.npz`.
        model, optimizer: what to restore into.
        log: prints the report of a damaged backup.

    Returns:
        `(epochs_done, history)`, or `(0, {})` without a readable backup.
    """

    def read(path):
        # Read every array before assigning any: a damaged file changes nothing.
        with np.load(path) as data:
            weights = [data[f"w{i}"] for i in range(len(model.get_weights()))]
            slots = [data[f"o{i}"] for i in range(len(optimizer.variables))]
            meta = json.loads(bytes(data["meta"]).decode())
        shapes = [tuple(w.shape) for w in model.get_weights()]
        if [tuple(w.shape) for w in weights] != shapes:
            raise ValueError("its weights do not fit this model")
        model.set_weights(weights)
        for variable, value in zip(optimizer.variables, slots):
            variable.assign(value)
        return meta["epochs_done"], meta["history"]

    path = os.path.join(backup_dir, _STATE)
    restored = load_rotating(path, read, log)
    return (0, {}) if restored is None else restored


def _loss(y, probs):
    # Integer labels: sparse cross-entropy; `(batch, classes)` rows (one-hot or
    # mixup's soft labels): categorical. The rank is static when traced.
    if len(y.shape) == len(probs.shape):
        return keras.losses.categorical_crossentropy(y, probs)
    return keras.losses.sparse_categorical_crossentropy(y, probs)


def _make_steps(model, optimizer, strategy, global_batch):
    scales_loss = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)

    def train_replica(x, y):
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            per_example = _loss(y, probs)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
            scaled = optimizer.scale_loss(loss) if scales_loss else loss
        grads = tape.gradient(scaled, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss, _correct(y, probs)

    def eval_replica(x, y):
        probs = model(x, training=False)
        loss = tf.nn.compute_average_loss(_loss(y, probs), global_batch_size=global_batch)
        return loss, _correct(y, probs)

    def distributed(replica_fn):
        @tf.function
        def step(x, y):
            loss, correct = strategy.run(replica_fn, args=(x, y))
            total = tf.cast(strategy.reduce("SUM", correct[1], axis=None), tf.float32)
            return (
                strategy.reduce("SUM", loss, axis=None),
                strategy.reduce("SUM", correct[0], axis=None),
                total,
            )

        return step

    return distributed(train_replica), distributed(eval_replica)


def _correct(y, probs):
    if len(y.shape) == len(probs.shape):
        y = tf.argmax(y, axis=-1)  # soft labels: their largest class counts
    predicted = tf.cast(tf.argmax(probs, axis=-1), y.dtype)
    return tf.reduce_sum(tf.cast(tf.equal(predicted, y), tf.float32)), tf.size(y)


def _run_epoch(step, distributed_dataset, progbar=None, prefix=""):
    loss_sum, correct, seen, batches = 0.0, 0.0, 0.0, 0
    for x, y in distributed_dataset:
        fault_point(f"custom_loop:{prefix}step")  # the fault tests kill a worker here
        loss, right, count = step(x, y)
        # Each batch's loss is averaged over the global batch size; weight it
        # by that size so the epoch mean is per example.
        loss_sum += float(loss) * float(count)
        correct += float(right)
        seen += float(count)
        batches += 1
        if progbar is not None:
            progbar.update(
                batches, [(f"{prefix}loss", loss_sum / seen), (f"{prefix}accuracy", correct / seen)]
            )
    return {
        f"{prefix}loss": loss_sum / max(seen, 1.0),
        f"{prefix}accuracy": correct / max(seen, 1.0),
    }


def train(
    model,
    optimizer,
    strategy,
    train_data,
    *,
    epochs,
    global_batch,
    seed,
    steps_per_epoch=None,
    val_data=None,
    backup_dir=None,
    is_chief=True,
    callbacks=(),
    verbose=1,
    local_data=False,
):
    """Train `model` with a distributed custom loop; resumable from `backup_dir`.

    Args:
        model: a `keras.Model` built under `strategy.scope()` ending in softmax.
        optimizer: a Keras optimizer created under the same scope.
        strategy: any `tf.distribute.Strategy`.
        train_data: `tf.data.Dataset` of `(x, label)` batches of `global_batch`
            (the last may be smaller), reshuffling each iteration from a seed.
        epochs: total epochs (a resumed run trains the remaining ones).
        global_batch: examples per step over all replicas and workers.
        seed: the run seed; fixes dropout/augmentation masks per epoch.
        steps_per_epoch: batches per epoch, for the progress bar (optional).
        val_data: optional validation batches.
        backup_dir: where the chief saves state after each epoch; None disables.
        is_chief: whether this process writes the backup and prints progress.
        callbacks: Keras callbacks; they get `on_train_begin/end` and
            `on_epoch_begin/end` (with the epoch's logs), not batch hooks.
        verbose: 0 silent, 1 a Keras progress bar per epoch on the chief, 2 one
            line per epoch (for logs). A callback setting `model.stop_training`
            ends training after the epoch (early stopping); so does a NaN or
            infinite loss (the caller checks the returned history).
        local_data: `train_data` is this worker's own share, batched per
            replica and as many batches on every worker (sharded by file,
            `applications.data.sharding`); False: every worker reads the same
            global batches and keeps its slice (`AutoShardPolicy.DATA`).

    Returns:
        History: a dict of per-epoch lists (`loss`, `accuracy`, `val_loss`, ...).

    Example:
        >>> history = train(model, keras.optimizers.Adam(1e-3), tf.distribute.get_strategy(),
        ...                 data.train, epochs=2, global_batch=32, seed=0)
    """
    if global_batch % strategy.num_replicas_in_sync:
        raise ValueError(
            f"--batch-size is global and must be divisible by the {strategy.num_replicas_in_sync} "
            f"replicas. Received: batch_size={global_batch}"
        )
    train_step, eval_step = _make_steps(model, optimizer, strategy, global_batch)
    start, history = (0, {})
    with strategy.scope():
        # Create the optimizer's slots now: variables created inside the first
        # distributed step break `tf.function` under MirroredStrategy.
        optimizer.build(model.trainable_variables)
        if backup_dir is not None:
            start, history = load_state(backup_dir, model, optimizer)
        if start and is_chief and verbose:
            print(f"Resuming from {backup_dir}: {start} of {epochs} epochs already done.")
    options = tf.data.Options()
    # Every worker reads the same batches and keeps its slice of each global batch,
    # so the maths matches one worker running the whole global batch.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    if local_data:
        train_dist = strategy.distribute_datasets_from_function(lambda context: train_data)
    else:
        train_dist = strategy.experimental_distribute_dataset(train_data.with_options(options))
    val_dist = None
    if val_data is not None:
        val_dist = strategy.experimental_distribute_dataset(val_data.with_options(options))
    fast_forward(train_dist, start)
    # Callbacks such as TensorBoard read the learning rate from `model.optimizer`,
    # which only `compile` sets.
    model.optimizer = optimizer
    model.stop_training = False
    callback_list = keras.callbacks.CallbackList(list(callbacks), model=model)
    callback_list.on_train_begin()
    for epoch in range(start, epochs):
        reseed_layers(model, seed, epoch)
        callback_list.on_epoch_begin(epoch)
        progbar = None
        if verbose == 1 and is_chief:
            print(f"Epoch {epoch + 1}/{epochs}")
            progbar = keras.utils.Progbar(steps_per_epoch)
        try:
            logs = _run_epoch(train_step, train_dist, progbar)
            if val_dist is not None:
                logs.update(_run_epoch(eval_step, val_dist, prefix="val_"))
        except tf.errors.OpError as error:
            multi_worker = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            if not (multi_worker and is_peer_error(error)):
                raise
            raise peer_lost(error, epoch=epoch + 1, epochs_done=epoch) from None
        if verbose and is_chief:
            scores = "  ".join(f"{k}: {v:.4f}" for k, v in logs.items())
            print(f"  {scores}" if progbar is not None else f"Epoch {epoch + 1}/{epochs}  {scores}")
        for key, value in logs.items():
            history.setdefault(key, []).append(value)
        # Log first, then back up: a kill in between repeats a log row (readers
        # keep the last row per epoch) rather than losing one.
        callback_list.on_epoch_end(epoch, logs)
        if not math.isfinite(logs["loss"]):
            break  # as Keras TerminateOnNaN; a NaN state is never backed up
        if backup_dir is not None and is_chief:
            save_state(backup_dir, model, optimizer, epoch + 1, history)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return history
