"""One run's state and the training of one phase, shared by the fine-tuning recipes.

`Job.train_phase` trains with `fit` + `applications.training.backup.Backup`
under the default, one-device, mirrored and TPU strategies, and with
`applications.training.custom_loop` under multi-worker, where Keras 3 `fit`
fails. Each phase backs up under `OUT/backup/PHASE` (every write atomic, the
previous backup kept until the new one is complete) and leaves a
`PHASE.done.weights.h5` when complete, so the same command resumes a run
killed at any instant; each ends with the weights of its best validation
epoch (its starting weights count as epoch 0;
`applications.finetune.callbacks.KeepBest`). A NaN or infinite loss stops
the phase with `applications.errors.JobFailed`.

The chief holds `OUT`'s lock and has checked the stored settings
(`applications.finetune.rundir.claim_out`) before anything is trained.
"""

import os
import shutil
import time

import h5py
import keras
import numpy as np
import tensorflow as tf

from applications.atomic_io import TMP_PREFIX, atomic_path, fault_point, writable_dir
from applications.finetune.callbacks import EpochTimer, KeepBest, Validation, read_best
from applications.finetune.callbacks import val_scores
from applications.finetune.rundir import claim_out, release
from applications.reporting import metrics
from applications.training import custom_loop
from applications.training.backup import DAMAGED, Backup, load_rotating, previous
from applications.training.numerics import check_losses
from applications.training.epoch_seeds import EpochSeeds
from applications.training.precision import resolve_precision
from applications.training.strategy import resolve_strategy

__all__ = ["Job"]


class Job:
    """One run's state (config, strategy, output folders, timings) and its phase trainer."""

    def __init__(self, config, log, overwrite=False):
        self.config, self.log = config, log
        # Strategy first: multi-worker and logical CPUs must be set up before
        # anything else starts the TensorFlow runtime.
        self.info = resolve_strategy(
            config.strategy, config.logical_cpus, cluster_timeout=config.cluster_timeout, log=log
        )
        # Then, before any work, the chief takes OUT (lock, settings check).
        self.lock = claim_out(config, overwrite, log) if self.info.is_chief else None
        self.precision = resolve_precision(config.precision, self.info.kind)
        keras.utils.set_random_seed(config.seed)
        tf.config.experimental.enable_op_determinism()
        self.out = writable_dir(config.out, self.info.is_chief)
        # Backups sit in the real OUT for every worker: all read them to resume,
        # only the chief writes them.
        self.backup = os.path.join(config.out, "backup")
        self.logs = os.path.join(self.out, "logs")
        self.timings, self.throughput, self.phases = {}, {}, {}
        # A recipe's held-out (probabilities, labels) on val, when it later trains on val.
        self.val_predictions = None

    def close(self):
        """Release `OUT`'s lock (the process's exit releases it too)."""
        release(self.lock)
        self.lock = None

    def remove_backup(self, path=None):
        """Delete a backup folder (default: all of `OUT/backup`) so no kill leaves half of it.

        It is renamed to a `.tmp-*` name first (atomic), which the next run
        removes if this one is killed while deleting.
        """
        path = path or self.backup
        if not self.info.is_chief or not os.path.isdir(path):
            return
        trash = os.path.join(os.path.dirname(path), f"{TMP_PREFIX}{os.path.basename(path)}")
        os.replace(path, trash)
        fault_point("remove:backup")
        shutil.rmtree(trash, ignore_errors=True)

    def phase_done(self, phase):
        """Whether `phase` finished in an earlier run (its done file exists and opens).

        A damaged done file is reported, removed, and the phase counts as not done.
        """
        done = os.path.join(self.backup, f"{phase}.done.weights.h5")
        if not os.path.exists(done):
            return False
        try:
            with h5py.File(done, "r"):
                return True
        except DAMAGED as error:
            self.log(f"Backup {done} is damaged ({error}); removed it, training phase {phase}.")
            if self.info.is_chief:
                os.remove(done)
            return False

    def callbacks(self, phase, csv_log, timer):
        """The loggers of one phase: `timer`, a CSV log and TensorBoard.

        Args:
            phase: the phase's name (its TensorBoard folder).
            csv_log: the phase's CSV log (appended to, so resumes continue it).
            timer: the phase's `EpochTimer`.

        Returns:
            A list of Keras callbacks.
        """
        os.makedirs(self.logs, exist_ok=True)
        return [
            timer,
            keras.callbacks.CSVLogger(csv_log, append=True),
            keras.callbacks.TensorBoard(
                os.path.join(self.logs, "tensorboard", phase), write_graph=False
            ),
        ]

    def train_phase(
        self,
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
    ):
        """Train `model` for one phase, or load its result if a previous run finished it.

        Records the phase's history, best epoch, time and throughput on the job.

        Args:
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
        """
        done = os.path.join(self.backup, f"{phase}.done.weights.h5")
        csv_log = os.path.join(self.logs, f"{phase}.csv")
        best_path = os.path.join(self.backup, f"{phase}.best")
        if self.phase_done(phase):
            model.load_weights(done)
            self.log(f"Phase {phase}: already complete, loaded {done}.")
            self.phases[phase] = metrics.read_csv_history(csv_log)
            best = load_rotating(best_path + ".npz", read_best, self.log)
            self.phases[phase]["best_epoch"] = None if best is None else best[1]["epoch"] + 1
            return
        self.log(
            f"Phase {phase}: {epochs} epoch(s), learning rate {learning_rate:g}, "
            f"{sum(int(np.prod(w.shape)) for w in model.trainable_weights):,} trainable parameters."
        )
        seed, batch, verbose = self.config.seed, self.config.batch_size, self.config.verbosity
        if self.info.is_chief:
            _tidy_csv(csv_log, resuming=_has_backup(os.path.join(self.backup, phase)))
        timer = EpochTimer()
        keep = KeepBest(
            best_path,
            val_scores(model, val)[1],
            writer=self.info.is_chief,
            patience=patience,
            log=self.log,
            min_epochs=epochs // 2,  # the schedule's first half always runs
            select=select,
        )
        callbacks = self.callbacks(phase, csv_log, timer) + [keep]
        start = time.perf_counter()
        with self.info.strategy.scope():
            optimizer = optimizer() if optimizer else keras.optimizers.Adam(learning_rate)
            if self.info.uses_custom_loop:
                if self.precision == "mixed_float16":
                    optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
                history = custom_loop.train(
                    model,
                    optimizer,
                    self.info.strategy,
                    train,
                    epochs=epochs,
                    global_batch=batch,
                    seed=seed,
                    steps_per_epoch=-(-train_count // batch),
                    val_data=val,
                    backup_dir=os.path.join(self.backup, phase),
                    is_chief=self.info.is_chief,
                    callbacks=callbacks,
                    verbose=verbose,
                )
            else:
                model.compile(optimizer, loss, metrics=["accuracy"])
                restore = Backup(os.path.join(self.backup, phase), self.log, self.info.is_chief)
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
        self.timings[f"{phase}_s"] = round(time.perf_counter() - start, 2)
        if timer.seconds:
            self.throughput[f"{phase}_train_examples_per_s"] = round(
                train_count / float(np.median(timer.seconds)), 1
            )
        if self.info.is_chief:
            with atomic_path(done) as tmp:
                model.save_weights(tmp)
            self.remove_backup(os.path.join(self.backup, phase))  # done supersedes it
        self.phases[phase] = metrics.read_csv_history(csv_log)
        self.phases[phase]["best_epoch"] = keep.best_epoch + 1  # 0: the phase's starting weights
        if select:
            self.log(
                f"Phase {phase}: kept epoch {keep.best_epoch + 1} (val accuracy {keep.best:.3f}; "
                "epoch 0 = the weights the phase started from)."
            )
        else:
            self.log(f"Phase {phase}: kept its last epoch, {keep.best_epoch + 1}.")


def _has_backup(folder):
    paths = [os.path.join(folder, name) for name in ("latest.weights.h5", "state.npz")]
    return any(os.path.exists(p) or os.path.exists(previous(p)) for p in paths)


def _tidy_csv(path, resuming):
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
