"""The training of one phase that keeps its best validation epoch (the classifiers' phases).

`train_phase` trains with `fit` + `applications.training.backup.Backup` under
the default, one-device, mirrored and TPU strategies, and with
`applications.training.custom_loop` under multi-worker, where Keras 3 `fit`
fails. The phase backs up under `OUT/backup/PHASE` (every write atomic, the
previous backup kept until the new one is complete) and leaves a
`PHASE.done.weights.h5` when complete, so the same command resumes a run
killed at any instant; it ends with the weights of its best validation
epoch (its starting weights count as epoch 0;
`applications.training.callbacks.KeepBest`). A NaN or infinite loss stops
the phase with `applications.errors.JobFailed`.
"""

import os
import time

import keras
import numpy as np

from applications.atomic_io import atomic_path
from applications.reporting import metrics
from applications.training import custom_loop
from applications.training.backup import Backup, load_rotating, previous
from applications.training.callbacks import EpochTimer, KeepBest, Validation, read_best
from applications.training.callbacks import val_scores
from applications.training.epoch_seeds import EpochSeeds
from applications.numerics import check_losses

__all__ = ["train_phase", "has_backup", "tidy_csv"]


def train_phase(
    run,
    phase,
    model,
    train,
    val,
    *,
    epochs,
    learning_rate,
    train_count,
    optimizer=None,
    loss="sparse_categorical_crossentropy",
    patience=0,
    select=True,
    local_data=False,
):
    """Train `model` for one phase, or load its result if a previous run finished it.

    Records the phase's history, best epoch, time and throughput on the run.

    Args:
        run: the `applications.training.run.Run`.
        phase: `head`, `finetune`, `full` or `scratch` (names its backups and logs).
        model: the model to train (built under the strategy's scope).
        train, val: `(x, label)` batches; `train` labels may be soft
            `(batch, classes)` rows with `loss="categorical_crossentropy"`.
        epochs: the phase's epochs.
        learning_rate: Adam's rate (for the log; `optimizer` may replace Adam).
        train_count: training examples (for steps and throughput).
        optimizer: a function returning the optimizer (called under the
            strategy's scope); None: Adam at `learning_rate`.
        loss: the Keras loss of `fit` (the custom loop picks sparse or
            categorical cross-entropy from the labels' shape).
        patience: stop after this many epochs without a better validation
            accuracy (0: train every epoch).
        select: keep the best validation epoch; False keeps the last (a
            phase that trains on `val` too, whose scores are then in-sample).
        local_data: multi-worker: `train` is this worker's share of the files
            (`custom_loop.train`'s `local_data`).
    """
    done = os.path.join(run.backup, f"{phase}.done.weights.h5")
    csv_log = os.path.join(run.logs, f"{phase}.csv")
    best_path = os.path.join(run.backup, f"{phase}.best")
    if run.phase_done(phase):
        model.load_weights(done)
        run.log(f"Phase {phase}: already complete, loaded {done}.")
        run.phases[phase] = metrics.read_csv_history(csv_log)
        best = load_rotating(best_path + ".npz", read_best, run.log)
        run.phases[phase]["best_epoch"] = None if best is None else best[1]["epoch"] + 1
        return
    run.log(
        f"Phase {phase}: {epochs} epoch(s), learning rate {learning_rate:g}, "
        f"{sum(int(np.prod(w.shape)) for w in model.trainable_weights):,} trainable parameters."
    )
    seed, batch, verbose = run.config.seed, run.config.batch_size, run.config.verbosity
    if run.info.is_chief:
        tidy_csv(csv_log, resuming=has_backup(os.path.join(run.backup, phase)))
    timer = EpochTimer()
    keep = KeepBest(
        best_path,
        val_scores(model, val)[1],
        writer=run.info.is_chief,
        patience=patience,
        log=run.log,
        min_epochs=epochs // 2,  # the schedule's first half always runs
        select=select,
    )
    callbacks = run.callbacks(phase, csv_log, timer) + [keep]
    start = time.perf_counter()
    with run.info.strategy.scope():
        optimizer = optimizer() if optimizer else keras.optimizers.Adam(learning_rate)
        if run.info.uses_custom_loop:
            if run.precision == "mixed_float16":
                optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
            history = custom_loop.train(
                model,
                optimizer,
                run.info.strategy,
                train,
                epochs=epochs,
                global_batch=batch,
                seed=seed,
                steps_per_epoch=-(-train_count // batch),
                val_data=val,
                backup_dir=os.path.join(run.backup, phase),
                is_chief=run.info.is_chief,
                callbacks=callbacks,
                verbose=verbose,
                local_data=local_data,
            )
        else:
            model.compile(optimizer, loss, metrics=["accuracy"])
            restore = Backup(os.path.join(run.backup, phase), run.log, run.info.is_chief)
            first = [keras.callbacks.TerminateOnNaN(), EpochSeeds(seed, train), Validation(val)]
            # One iterator over `train.repeat()` for the whole fit: epoch k then
            # draws the k-th shuffle order, which EpochSeeds replays on resume.
            history = model.fit(
                train.repeat(),
                steps_per_epoch=-(-train_count // batch),
                epochs=epochs,
                verbose=verbose,
                shuffle=False,
                callbacks=first + callbacks + [restore],
            ).history
    check_losses(history, f"Phase {phase}", learning_rate)
    run.timings[f"{phase}_s"] = round(time.perf_counter() - start, 2)
    if timer.seconds:
        run.throughput[f"{phase}_train_examples_per_s"] = round(
            train_count / float(np.median(timer.seconds)), 1
        )
    steady = timer.steady_rate(batch)
    if steady:
        run.throughput[f"{phase}_steady_examples_per_s"] = steady
    if run.info.is_chief:
        with atomic_path(done) as tmp:
            model.save_weights(tmp)
        run.remove_backup(os.path.join(run.backup, phase))  # done supersedes it
    run.phases[phase] = metrics.read_csv_history(csv_log)
    run.phases[phase]["best_epoch"] = keep.best_epoch + 1  # 0: the phase's starting weights
    if select:
        run.log(
            f"Phase {phase}: kept epoch {keep.best_epoch + 1} (val accuracy {keep.best:.3f}; "
            "epoch 0 = the weights the phase started from)."
        )
    else:
        run.log(f"Phase {phase}: kept its last epoch, {keep.best_epoch + 1}.")


def has_backup(folder):
    paths = [os.path.join(folder, name) for name in ("latest.weights.h5", "state.npz")]
    return any(os.path.exists(p) or os.path.exists(previous(p)) for p in paths)


def tidy_csv(path, resuming):
    """Prepare a phase's CSV log: drop an old run's rows on a fresh start, else a torn last row."""
    if not os.path.exists(path):
        return
    if not resuming:
        os.remove(path)
        return
    with open(path, "rb+") as f:
        text = f.read()
        if text and not text.endswith(b"\n"):
            f.truncate(text.rfind(b"\n") + 1)  # a kill mid-row: CSVLogger appends after it
