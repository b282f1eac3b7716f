"""The from-scratch recipe: a compact CNN trained end to end from the first epoch.

When no pretrained weights load, a head on frozen random features learns
little (issue 12). This recipe instead:

- computes the fixed front end's log-mels of train and val ONCE (a cache,
  in memory or in shards on disk, `--cache`; `recipes.caches`), and
  the per-mel-bin mean and variance of the training log-mels, stored in the
  model's `mel_norm` layer; under multi-worker each worker decodes and caches
  only its share of the training files (`applications.data.sharding`) and the
  statistics are summed over the workers;
- trains `ScratchParts.classifier` on the cached log-mels with two time and
  two frequency masks and mixup in `tf.data` (`applications.finetune.augment`),
  random crops of longer clips inside the model with the average over
  evenly spaced crops at test (`zoo.layers.crops`);
- with AdamW, a linear warm-up to `learning_rate` and cosine decay to 0, and
  early stopping on validation accuracy with the best weights kept;
- as one phase, `scratch`, of `Run.train_phase`: seeded, resumable, and
  under multi-worker trained by the custom loop;
- then, on small datasets (`refit_wanted`), as phase `refit`: the same
  epochs from the same initial weights on train + val, keeping the last.
"""

import functools
import os
import time
import warnings

import keras
import numpy as np
import tensorflow as tf

from applications.atomic_io import atomic_path
from applications.data.disk_cache import MemoryCache
from applications.data.sharding import batched_in_steps, shard_sizes
from applications.errors import JobFailed
from applications.finetune.augment import augmented_training
from applications.finetune.config import DEFAULT_EPOCHS
from applications.finetune.recipes.caches import cache_log_mels, log_mel_caches
from applications.finetune.recipes.scratch_model import set_statistics
from applications.reporting.predictions import predict_batches
from applications.training.sharded_input import describe_shard, moments, worker_shard

MAX_EPOCHS = 4 * DEFAULT_EPOCHS

__all__ = [
    "train_from_scratch",
    "scratch_epochs",
    "refit_wanted",
    "cache_log_mels",
    "schedule",
    "check_val",
]


def schedule(learning_rate, steps, warmup_fraction):
    """Linear warm-up from 0 to `learning_rate` over the first steps, then cosine decay to 0.

    Args:
        learning_rate: the peak rate.
        steps: the phase's optimizer steps.
        warmup_fraction: share of `steps` spent warming up.

    Returns:
        A `keras.optimizers.schedules.CosineDecay`.
    """
    warmup = int(round(warmup_fraction * steps))
    return keras.optimizers.schedules.CosineDecay(
        0.0,
        decay_steps=max(steps - warmup, 1),
        warmup_target=learning_rate,
        warmup_steps=warmup,
    )


def check_val(data):
    """Raise a clear error when `data` has no validation clips (both recipes select on val)."""
    if data.counts["val"] == 0:
        raise ValueError(
            "Training needs a validation split (best-epoch selection, early stopping), and this "
            f"dataset has none ({data.counts['train']} training clips): give every class at "
            "least 3 clips (one train, one val, one test), or add a val/ folder. "
            f"Received: counts={data.counts}"
        )


def scratch_epochs(config, train_count):
    """Epochs and patience of the from-scratch phase.

    An explicit `config.epochs` is exact. Left to the job (None), it is
    `DEFAULT_EPOCHS`, grown with the patience in proportion until the phase
    makes `config.min_steps` optimizer steps, at most `MAX_EPOCHS` (a tiny
    dataset of one step an epoch would otherwise pay per-epoch costs 1,600 times): a few hundred clips make 10-20
    steps an epoch, too few to train a CNN in 40 epochs (measured on held-out
    instruments, issue 12: 40 epochs of 11 steps left training accuracy near
    0.5, and 150 epochs raised test accuracy from 0.38 to 0.43).

    Args:
        config: a `FinetuneConfig`.
        train_count: training clips.

    Returns:
        `(epochs, patience)`.

    Example:
        >>> scratch_epochs(FinetuneConfig(min_steps=1600, patience=10), 350)
        (146, 37)
    """
    if config.epochs is not None:
        return config.epochs, config.patience
    per_epoch = -(-train_count // config.batch_size)
    epochs = min(MAX_EPOCHS, max(DEFAULT_EPOCHS, -(-config.min_steps // per_epoch)))
    return epochs, -(-config.patience * epochs // DEFAULT_EPOCHS)


def train_from_scratch(job, parts, data, num_classes):
    """Train `parts.classifier` on cached log-mels as phase `scratch` of `job`.

    Args:
        job: the run's `Run`.
        parts: a `ScratchParts` built under the strategy's scope.
        data: the `AudioDataset`.
        num_classes: classes of the head.

    Returns:
        The epochs of each phase, `{"scratch": epochs}` (and `"refit"`).
    """
    config = job.config
    start = time.perf_counter()
    shard = worker_shard(job.info, data.counts["train"], config.batch_size)
    if job.info.uses_custom_loop:
        job.log(describe_shard(shard, data.counts["train"]))
    caches, mode = log_mel_caches(job, parts, data, shard)
    job.timings["log_mel_cache_s"] = round(time.perf_counter() - start, 2)
    train, held_out = caches["train"], caches["val"]
    # Per mel bin over clips and frames; the reused normaliser of
    # `--weights model.keras` keeps the statistics it was trained with.
    if not parts.normaliser_reused:
        if mode == "memory" and shard is None:
            mean = train.x.mean(axis=(0, 1, 3), dtype=np.float64)
            variance = train.x.var(axis=(0, 1, 3), dtype=np.float64)
        else:  # streamed from disk, or a worker's share summed over the workers
            strategy = None if shard is None else job.info.strategy
            mean, variance = moments(train.sums((0, 1, 3)), strategy)
        set_statistics(parts.normaliser, mean, np.maximum(variance, 1e-6))
    mean = np.asarray(parts.normaliser.adapt_mean.numpy()).reshape(-1)
    frames, mels = parts.mel_frames.output_shape[1:3]
    job.log(
        f"Cached log-mels of {train.count} train and {held_out.count} val clips "
        f"({frames} frames x {mels} mels; crops of "
        f"{parts.crop_frames} frames) in {job.timings['log_mel_cache_s']:.1f}s."
    )
    count = data.counts["train"]  # over every worker's share
    epochs, patience = scratch_epochs(config, count)
    if epochs > config.base_epochs:
        job.log(
            f"{count} training clips make {-(-count // config.batch_size)} "
            f"steps an epoch: training {epochs} epochs (patience {patience}) to reach --min-steps "
            f"{config.min_steps}; pass --epochs N for exactly N."
        )
    val = held_out.stream().batch(config.batch_size)
    initial = os.path.join(job.backup, "initial.weights.h5")
    refit = refit_wanted(config, epochs)
    if refit and job.info.is_chief and not os.path.exists(initial):
        with atomic_path(initial) as tmp:
            parts.classifier.save_weights(tmp)
    fit = functools.partial(_train_phase, job, parts.classifier, val, num_classes, mean, epochs)
    fit("scratch", train.stream(config.seed), train.count, patience=patience, shard=shard)
    # Held-out predictions for weighing the network against the baseline
    # (`applications.finetune.fusion.choose_weights`): after a refit, val is in-sample.
    job.val_predictions = predict_batches(parts.classifier, val)[:2]
    if not refit:
        return {"scratch": epochs}
    # The validation clips (often new speakers or instruments) are worth more as
    # training data once the recipe has proved itself on them: train afresh on
    # train + val with the same epochs and schedule, and keep the last epoch.
    best = job.phases["scratch"]["best_epoch"]
    examples, total, shard = _train_and_val(config, train, held_out, shard)
    job.log(
        f"Refit: the same {epochs} epochs from the same initial weights on train + val "
        f"({total} clips; phase scratch kept epoch {best}); --refit off skips it."
    )
    if not job.phase_done("refit"):
        with warnings.catch_warnings():
            # Saved before any optimizer existed; phase refit compiles a new one anyway.
            warnings.filterwarnings("ignore", "Skipping variable loading for optimizer")
            parts.classifier.load_weights(initial)
    fit("refit", examples, total, patience=0, select=False, shard=shard)
    return {"scratch": epochs, "refit": epochs}


def _train_and_val(config, train, held_out, shard):
    """The refit's shuffled examples (this worker's share of val joins its train), count, plan."""
    part = None
    if shard is not None:
        part = (shard.workers, shard.index)
        shard = shard.joined(shard_sizes(held_out.count, shard.workers))
        if shard is None:
            raise JobFailed(
                "Refit: train + val cannot give every worker the same steps at this --batch-size; "
                "pass a larger --batch-size or --refit off."
            )
    if isinstance(train, MemoryCache):  # one array, reshuffled whole each epoch
        val_x, val_y = held_out.x, held_out.y
        if part is not None:
            val_x, val_y = val_x[part[1] :: part[0]], val_y[part[1] :: part[0]]
        joined = MemoryCache(np.concatenate([train.x, val_x]), np.concatenate([train.y, val_y]))
        return joined.stream(config.seed), joined.count, shard
    val_count = held_out.count if part is None else len(range(part[1], held_out.count, part[0]))
    total = train.count + val_count
    examples = tf.data.Dataset.sample_from_datasets(
        [train.stream(config.seed), held_out.stream(config.seed + 2, part=part)],
        weights=[train.count / total, val_count / total],
        seed=config.seed,
    )
    return examples, total, shard


def refit_wanted(config, epochs):
    """Whether the from-scratch recipe retrains on train + val after phase `scratch`.

    `--refit auto` refits small datasets: those whose epochs grew to reach
    `--min-steps` (fewer than about 1,300 training clips at the defaults),
    where a validation split held out of training costs most and the second
    phase is cheap (the same epochs again, each longer by val's share). Measured on held-out
    instruments (issue 12): the network alone 0.417 -> 0.500 with train + val.
    A tagger (`--multilabel`) never refits: its thresholds are chosen on val,
    which must stay unseen.

    Args:
        config: a `FinetuneConfig`.
        epochs: the epochs `scratch_epochs` chose.

    Returns:
        A bool.
    """
    if config.multilabel:
        return False
    if config.refit == "auto":
        return epochs > config.base_epochs  # grew: explicit --epochs never does
    return config.refit == "on"


def _train_phase(
    job, classifier, val, num_classes, mean, epochs, phase, examples, count, shard=None, **kwargs
):
    """Train `classifier` on shuffled cached `examples` with the recipe's augmentation and schedule."""
    config, batch = job.config, job.config.batch_size
    batches = None if shard is None else lambda ds: batched_in_steps(ds, shard.batch_sizes())
    train = augmented_training(
        config,
        examples,
        None,
        num_classes=num_classes,
        mean=mean,
        gain_db=config.gain_db,
        batches=batches,
    )
    count = count if shard is None else shard.total
    steps = (-(-count // batch) if shard is None else shard.steps) * epochs

    def optimizer():
        return keras.optimizers.AdamW(
            schedule(config.learning_rate, steps, config.warmup_fraction),
            weight_decay=config.weight_decay,
        )

    job.train_phase(
        phase,
        classifier,
        train,
        val,
        epochs=epochs,
        learning_rate=config.learning_rate,
        train_count=count,
        optimizer=optimizer,
        local_data=shard is not None,
        loss="binary_crossentropy" if config.multilabel else "categorical_crossentropy",
        **kwargs,
    )
