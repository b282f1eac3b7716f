"""`audiozoo finetune`: VGG transfer learning on log-mel spectrograms under tf.distribute.

The recipe (see `applications.finetune.model` for the model):

- pretrained backbone: phase `head` computes the frozen front end + backbone
  features of train/val once and trains only the head on them; phase
  `finetune` unfreezes block 5 at a lower learning rate with SpecAugment;
- random backbone (no weights): the same cached-feature `head` phase (a
  linear probe costing seconds), then phase `full` trains every layer.

`fit` with `BackupAndRestore` trains under the default, one-device, mirrored
and TPU strategies; `applications.training.custom_loop` under multi-worker, where
Keras 3 `fit` fails. Each phase backs up under `OUT/backup/PHASE` and leaves
a `PHASE.done.weights.h5` when complete, so the same command resumes a
killed run. Each phase ends with the weights of its best validation epoch
(its starting weights count as epoch 0; `applications.finetune.callbacks.KeepBest`).
Outputs are written atomically, by the chief only.
"""

import json
import os
import shutil
import time

import keras
import numpy as np
import tensorflow as tf

from applications.atomic_io import atomic_path, writable_dir, write_json
from applications.finetune.callbacks import EpochTimer, KeepBest, Validation, val_scores
from applications.finetune.model import build_parts, choose_weights, set_trainable_top
from applications.reporting import metrics, plots
from applications.reporting.predictions import predict_batches
from applications.training import custom_loop
from applications.training.epoch_seeds import EpochSeeds, fast_forward
from applications.training.precision import resolve_precision
from applications.training.strategy import resolve_strategy

__all__ = ["run_finetune"]


class _Job:
    """One run's state: its config, strategy, output folders and timings."""

    def __init__(self, config, log):
        self.config, self.log = config, log
        # Strategy first: multi-worker and logical CPUs must be set up before
        # anything else starts the TensorFlow runtime.
        self.info = resolve_strategy(config.strategy, config.logical_cpus)
        self.precision = resolve_precision(config.precision, self.info.kind)
        keras.utils.set_random_seed(config.seed)
        tf.config.experimental.enable_op_determinism()
        self.out = writable_dir(config.out, self.info.is_chief)
        # Backups sit in the real OUT for every worker: all read them to resume,
        # only the chief writes them.
        self.backup = os.path.join(config.out, "backup")
        self.logs = os.path.join(self.out, "logs")
        self.timings, self.throughput, self.phases = {}, {}, {}

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

    def train_phase(self, phase, model, train, val, *, epochs, learning_rate, train_count):
        """Train `model` for one phase, or load its result if a previous run finished it.

        Records the phase's history, best epoch, time and throughput on the job.

        Args:
            phase: `head`, `finetune` or `full` (names its backups and logs).
            model: the model to train (built under the strategy's scope).
            train, val: `(x, label)` batches.
            epochs: the phase's epochs.
            learning_rate: Adam's rate.
            train_count: training examples (for steps and throughput).
        """
        done = os.path.join(self.backup, f"{phase}.done.weights.h5")
        csv_log = os.path.join(self.logs, f"{phase}.csv")
        if os.path.exists(done):
            model.load_weights(done)
            self.log(f"Phase {phase}: already complete, loaded {done}.")
            self.phases[phase] = metrics.read_csv_history(csv_log)
            with open(os.path.join(self.backup, f"{phase}.best.json"), encoding="utf-8") as f:
                self.phases[phase]["best_epoch"] = json.load(f)["epoch"] + 1
            return
        self.log(
            f"Phase {phase}: {epochs} epoch(s), learning rate {learning_rate:g}, "
            f"{sum(int(np.prod(w.shape)) for w in model.trainable_weights):,} trainable parameters."
        )
        seed, batch, verbose = self.config.seed, self.config.batch_size, self.config.verbose
        if not os.path.isdir(os.path.join(self.backup, phase)) and os.path.exists(csv_log):
            os.remove(csv_log)  # a fresh start, not a resume: drop an old run's rows
        timer = EpochTimer()
        keep = KeepBest(
            os.path.join(self.backup, f"{phase}.best"),
            val_scores(model, val)[1],
            writer=self.info.is_chief,
        )
        callbacks = self.callbacks(phase, csv_log, timer) + [keep]
        start = time.perf_counter()
        with self.info.strategy.scope():
            optimizer = keras.optimizers.Adam(learning_rate)
            if self.info.uses_custom_loop:
                if self.precision == "mixed_float16":
                    optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
                custom_loop.train(
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
                model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
                restore = keras.callbacks.BackupAndRestore(
                    os.path.join(self.backup, phase), double_checkpoint=True
                )
                # One iterator over `train.repeat()` for the whole fit: epoch k then
                # draws the k-th shuffle order, which EpochSeeds replays on resume.
                model.fit(
                    train.repeat(),
                    steps_per_epoch=-(-train_count // batch),
                    epochs=epochs,
                    verbose=verbose,
                    shuffle=False,
                    callbacks=[EpochSeeds(seed, train), Validation(val)] + callbacks + [restore],
                )
        self.timings[f"{phase}_s"] = round(time.perf_counter() - start, 2)
        if timer.seconds:
            self.throughput[f"{phase}_train_examples_per_s"] = round(
                train_count / float(np.median(timer.seconds)), 1
            )
        if self.info.is_chief:
            with atomic_path(done) as tmp:
                model.save_weights(tmp)
        self.phases[phase] = metrics.read_csv_history(csv_log)
        self.phases[phase]["best_epoch"] = keep.best_epoch + 1  # 0: the phase's starting weights
        self.log(
            f"Phase {phase}: kept epoch {keep.best_epoch + 1} (val accuracy {keep.best:.3f}; "
            "epoch 0 = the weights the phase started from)."
        )


def _cached_features(job, parts, data):
    """Features of the frozen front end + backbone over train and val, computed once."""
    start = time.perf_counter()
    feats_train, y_train, _ = predict_batches(parts.feature_extractor, data.train)
    feats_val, y_val, _ = predict_batches(parts.feature_extractor, data.val)
    job.timings["feature_cache_s"] = round(time.perf_counter() - start, 2)
    job.log(
        f"Cached {feats_train.shape[1]}-d backbone features of {len(y_train)} train and "
        f"{len(y_val)} val clips in {job.timings['feature_cache_s']:.1f}s."
    )
    seed, batch = job.config.seed, job.config.batch_size
    train = tf.data.Dataset.from_tensor_slices((feats_train, y_train))
    train = train.shuffle(len(y_train), seed=seed, reshuffle_each_iteration=True).batch(batch)
    val = tf.data.Dataset.from_tensor_slices((feats_val, y_val)).batch(batch)
    return train, val


def _train(job, parts, data, pretrained):
    config, count = job.config, data.counts["train"]
    parts.backbone.trainable = False
    if os.path.exists(os.path.join(job.backup, "head.done.weights.h5")):
        # The uninterrupted run read data.train once to cache features; keep
        # its later shuffle orders identical.
        fast_forward(data.train, 1)
        head_train = head_val = None
    else:
        head_train, head_val = _cached_features(job, parts, data)
    job.train_phase(
        "head",
        parts.head,
        head_train,
        head_val,
        epochs=config.epochs,
        learning_rate=config.learning_rate,
        train_count=count,
    )
    if pretrained:
        phase, learning_rate = "finetune", config.finetune_learning_rate
        unfrozen = set_trainable_top(parts.backbone, 1)
    else:
        # Random features are no asset to protect: phase 2 trains every layer.
        phase, learning_rate = "full", config.scratch_learning_rate
        unfrozen = set_trainable_top(parts.backbone, None)
    epochs = {"head": config.epochs, phase: config.finetune_epochs}
    if epochs[phase]:
        job.log(f"Unfroze {', '.join(unfrozen)} of the backbone.")
        job.train_phase(
            phase,
            parts.full,
            data.train,
            data.val,
            epochs=epochs[phase],
            learning_rate=learning_rate,
            train_count=count,
        )
    return epochs


def run_finetune(config, log=print):
    """Run the fine-tuning job that `config` describes.

    Args:
        config: a `FinetuneConfig`.
        log: prints progress lines.

    Returns:
        The report dict (also written to `OUT/report.json` by the chief).

    Example:
        >>> report = run_finetune(FinetuneConfig(data="my_sounds", out="runs/1"))
        >>> report["test_accuracy"]
    """
    from applications.data import load_dataset

    total = time.perf_counter()
    job = _Job(config, log)
    log(
        f"Strategy {job.info.kind} ({job.info.num_replicas} replica(s)), precision {job.precision}, "
        f"global batch {config.batch_size}."
    )
    start = time.perf_counter()
    data = load_dataset(
        config.data,
        sample_rate=config.sample_rate,
        clip_seconds=config.clip_seconds,
        batch_size=config.batch_size,
        seed=config.seed,
        skip_bad=config.skip_bad,
    )
    job.timings["data_s"] = round(time.perf_counter() - start, 2)
    log(data.summary())
    weights, weights_used, notice = choose_weights(config.weights, config.backbone, log)
    with job.info.strategy.scope():
        parts = build_parts(config, len(data.class_names), data.clip_samples, weights)
    epochs = _train(job, parts, data, pretrained=weights is not None)

    start = time.perf_counter()
    probs, labels, examples = predict_batches(parts.full, data.test, keep_inputs=8)
    job.timings["evaluate_s"] = round(time.perf_counter() - start, 2)
    predicted = probs.argmax(axis=1)
    scores = metrics.classification_summary(labels, predicted, data.class_names)
    job.timings["total_s"] = round(time.perf_counter() - total, 2)
    result = {
        "dataset": {
            "spec": config.data,
            "source": data.source,
            "notes": data.notes,
            "skipped": [list(item) for item in data.skipped],
            "sample_rate": data.sample_rate,
            "clip_samples": data.clip_samples,
        },
        "class_names": list(data.class_names),
        "counts": dict(data.counts),
        "weights_used": weights_used,
        "weights_notice": notice,
        "backbone": config.backbone,
        "strategy": job.info.kind,
        "num_replicas": job.info.num_replicas,
        "precision": job.precision,
        "epochs": epochs,
        "test_accuracy": scores["accuracy"],
        **{k: v for k, v in scores.items() if k != "accuracy"},
        "history": job.phases,
        "timings": job.timings,
        "throughput": job.throughput,
        "settings": config.to_dict(),
    }
    if job.info.is_chief:
        _write_outputs(job.out, parts, result, examples, labels, predicted)
        shutil.rmtree(job.backup, ignore_errors=True)
    where = (
        f"Outputs in {config.out}/"
        if job.info.is_chief
        else "Worker: the chief writes the outputs."
    )
    log(
        f"Test accuracy {scores['accuracy']:.3f} on {len(labels)} held-out clips "
        f"(chance {scores['chance_accuracy']:.3f}); total {job.timings['total_s']:.0f}s. {where}"
    )
    return result


def _write_outputs(out, parts, result, examples, labels, predicted):
    with atomic_path(os.path.join(out, "model.keras")) as tmp:
        parts.full.save(tmp)
    write_json(
        os.path.join(out, "labels.json"),
        {
            "class_names": result["class_names"],
            "sample_rate": result["dataset"]["sample_rate"],
            "clip_samples": result["dataset"]["clip_samples"],
            "seed": result["settings"]["seed"],
        },
    )
    plots.plot_history(result["history"], os.path.join(out, "history.png"))
    plots.plot_confusion_matrix(
        result["confusion_matrix"], result["class_names"], os.path.join(out, "confusion_matrix.png")
    )
    waves, positions = examples
    mels = np.asarray(parts.front_end(waves, training=False), dtype=np.float32)
    plots.plot_examples(
        mels,
        labels[positions],
        predicted[positions],
        result["class_names"],
        os.path.join(out, "examples.png"),
    )
    write_json(os.path.join(out, "report.json"), result)
