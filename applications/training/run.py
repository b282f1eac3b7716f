"""One run of any job: its `OUT` claimed, seeded, on a strategy, in resumable phases.

Every job (finetune, events, separation, music, wavenet) trains through a
`Run`, so each has the same behaviour:

- the chief claims `OUT` before any work (`applications.training.rundir`): a
  second run into it is refused at once, a rerun with the same settings
  resumes, one with other settings is refused unless `--overwrite`;
- the seed makes the run repeatable (Keras seeds and op determinism);
- the strategy and precision are resolved once (`training.strategy`,
  `training.precision`);
- training happens in named phases that resume after any kill: `fit_phase`
  (plain `fit`, the last epoch kept) and `train_phase` (the best validation
  epoch kept, multi-worker aware; `training.phases`), each with rotating
  atomic backups and NaN guards, timed;
- `write_report` writes `report.json` atomically, with the phases' timings.
"""

import contextlib
import os
import shutil
import sys
import time

import h5py
import keras
import tensorflow as tf

from applications.atomic_io import TMP_PREFIX, atomic_path, fault_point, write_json, writable_dir
from applications.reporting.metrics import read_csv_history
from applications.training import phases
from applications.training.backup import DAMAGED, Backup
from applications.numerics import check_losses
from applications.training.precision import resolve_precision
from applications.training.rundir import claim_out, mark_complete, release
from applications.training.strategy import resolve_strategy

__all__ = ["Run"]


class Run:
    """One run of a job in `settings.out`: its lock, strategy, precision, phases and report.

    Args:
        settings: the job's `applications.settings.Settings`: `out` and `seed`,
            and where the job has them `strategy`, `logical_cpus`,
            `cluster_timeout`, `precision`, `batch_size`, `verbose`; its class's
            `OUTPUTS` are the files `--overwrite` discards beside the run's own.
        log: prints the run's progress lines.
        overwrite: discard an earlier run in `settings.out` and start afresh.

    Example:
        with Run(settings, print, overwrite) as run:
            history = run.fit_phase("train", model, data, epochs=settings.epochs)
            run.write_report({"history": history})
    """

    def __init__(self, settings, log=print, overwrite=False):
        self.config = self.settings = settings
        self.log = log
        # Strategy first: multi-worker and logical CPUs must be set up before
        # anything else starts the TensorFlow runtime.
        self.info = resolve_strategy(
            getattr(settings, "strategy", "default"),
            getattr(settings, "logical_cpus", None),
            cluster_timeout=getattr(settings, "cluster_timeout", 300.0),
            log=log,
        )
        # Then, before any work, the chief takes OUT (lock, settings check).
        self.lock = claim_out(settings, overwrite, log) if self.info.is_chief else None
        self.precision = resolve_precision(
            getattr(settings, "precision", "float32"), self.info.kind
        )
        keras.utils.set_random_seed(settings.seed)
        tf.config.experimental.enable_op_determinism()
        self.out = writable_dir(settings.out, self.info.is_chief)
        # Backups sit in the real OUT for every worker: all read them to resume,
        # only the chief writes them.
        self.backup = os.path.join(settings.out, "backup")
        self.logs = os.path.join(self.out, "logs")
        self.timings, self.throughput, self.phases = {}, {}, {}
        # A recipe's held-out (probabilities, labels) on val, when it later trains on val.
        self.val_predictions = None

    def close(self):
        """Release `OUT`'s lock (the process's exit releases it too)."""
        release(self.lock)
        self.lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def remove_backup(self, path=None):
        """Delete a backup folder (default: all of `OUT/backup`) so no kill leaves half of it.

        It is renamed to a `.tmp-*` name first (atomic), which the next run
        removes if this one is killed while deleting. Jobs remove the whole
        backup once every output is written, so that call also marks `OUT`
        complete (`rundir.completed`: a rerun with the same settings says so).
        """
        whole = path is None
        path = path or self.backup
        if not self.info.is_chief:
            return
        if whole:
            mark_complete(self.settings.out)
            # The caches (`OUT/cache`) go too: a finished run needs them no more.
            self.remove_backup(os.path.join(self.settings.out, "cache"))
        if not os.path.isdir(path):
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

    def train_phase(self, phase, model, train, val, **options):
        """Train one phase keeping its best validation epoch (`training.phases.train_phase`)."""
        phases.train_phase(self, phase, model, train, val, **options)

    @contextlib.contextmanager
    def timed(self, name):
        """Time a block into the report's `timings` as `NAME_s`."""
        start = time.perf_counter()
        yield
        self.timings[f"{name}_s"] = round(time.perf_counter() - start, 2)

    def fit_phase(self, phase, model, data, *, epochs, learning_rate=None, **fit_options):
        """`model.fit` as one resumable phase; the last epoch's weights are kept.

        A phase finished earlier is loaded instead of trained. Otherwise it
        backs up after every epoch under `OUT/backup/PHASE` (a rerun after a
        kill goes on from the last finished epoch), stops on a NaN or
        infinite loss with `JobFailed`, and leaves `PHASE.done.weights.h5`.
        `model` must be compiled.

        Args:
            phase: the phase's name (its backups and CSV log).
            model: a compiled Keras model.
            data: what `fit` takes as `x` (a dataset, or an array with `y=` in
                `fit_options`).
            epochs: the phase's epochs.
            learning_rate: named in the NaN message.
            **fit_options: more `fit` arguments (`callbacks` are added to the run's);
                `verbose` "auto" (the default) is a progress bar in a terminal and one
                line per epoch when the output is a pipe or a file.

        Returns:
            The phase's history, `{metric: [value per epoch]}`, resumed epochs included.
        """
        done = os.path.join(self.backup, f"{phase}.done.weights.h5")
        csv_log = os.path.join(self.logs, f"{phase}.csv")
        if fit_options.get("verbose", "auto") == "auto":
            # A bar rewrites its line with \r: fine on a terminal, noise in a log file.
            fit_options["verbose"] = 1 if sys.stdout.isatty() else 2
        if self.phase_done(phase):
            model.load_weights(done)
            self.log(f"Phase {phase}: already complete, loaded {done}.")
            self.phases[phase] = read_csv_history(csv_log)
            return self.phases[phase]
        os.makedirs(self.logs, exist_ok=True)
        resuming = phases.has_backup(os.path.join(self.backup, phase))
        if self.info.is_chief:
            phases.tidy_csv(csv_log, resuming=resuming)
        callbacks = [
            keras.callbacks.TerminateOnNaN(),
            *fit_options.pop("callbacks", ()),
            keras.callbacks.CSVLogger(csv_log, append=True),
            Backup(os.path.join(self.backup, phase), self.log, self.info.is_chief),
        ]
        with self.timed(phase):
            history = model.fit(data, epochs=epochs, callbacks=callbacks, **fit_options).history
        check_losses(history, f"Phase {phase}", learning_rate)
        if self.info.is_chief:
            with atomic_path(done) as tmp:
                model.save_weights(tmp)
            self.remove_backup(os.path.join(self.backup, phase))  # done supersedes it
        self.phases[phase] = read_csv_history(csv_log)
        return self.phases[phase]

    def write_report(self, report, name="report.json"):
        """Write `report` (plus `timings`) to `OUT/name` atomically, on the chief only."""
        if self.info.is_chief:
            write_json(os.path.join(self.out, name), {"timings": self.timings, **report})
