"""The from-scratch recipe: a compact CNN trained end to end from the first epoch.

When no pretrained weights load, a head on frozen random features learns
little (issue 12). This recipe instead:

- computes the fixed front end's log-mels of train and val ONCE (a cache),
  and the per-mel-bin mean and variance of the training log-mels, stored in
  the model's `mel_norm` layer;
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

from zoo.audio import map_batches

from applications.atomic_io import atomic_path
from applications.finetune.augment import augmented_training
from applications.finetune.config import DEFAULT_EPOCHS
from applications.finetune.recipes.scratch_model import set_statistics
from applications.reporting.predictions import predict_batches

MAX_EPOCHS = 4 * DEFAULT_EPOCHS

__all__ = [
    "train_from_scratch",
    "scratch_epochs",
    "refit_wanted",
    "cache_log_mels",
    "schedule",
    "check_val",
]


def cache_log_mels(parts, data):
    """Time-first log-mels and labels of train and val, computed once.

    Args:
        parts: a `ScratchParts`.
        data: an `AudioDataset`.

    Returns:
        `{"train": (mels, labels), "val": (mels, labels)}` as numpy arrays.
    """
    cache = {}
    for split in ("train", "val"):
        # Several batches at once, one thread each (`zoo.audio.map_batches`); no XLA:
        # a compile per batch shape costs more than it saves on a few thousand clips.
        batches = map_batches(
            getattr(data, split),
            lambda x, y: (parts.mel_frames(x, training=False), y),
            jit_compile=False,
        )
        pairs = [(m.numpy(), y.numpy()) for m, y in batches]
        if not pairs:
            raise ValueError(f"The {split} split holds no examples to run the model on.")
        cache[split] = tuple(np.concatenate(column) for column in zip(*pairs))
    return cache


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
    cache = cache_log_mels(parts, data)
    job.timings["log_mel_cache_s"] = round(time.perf_counter() - start, 2)
    train_mels, train_labels = cache["train"]
    # Per mel bin over clips and frames; the reused normaliser of
    # `--weights model.keras` keeps the statistics it was trained with.
    if not parts.normaliser_reused:
        mean = train_mels.mean(axis=(0, 1, 3), dtype=np.float64)
        variance = train_mels.var(axis=(0, 1, 3), dtype=np.float64)
        set_statistics(parts.normaliser, mean, np.maximum(variance, 1e-6))
    mean = np.asarray(parts.normaliser.adapt_mean.numpy()).reshape(-1)
    job.log(
        f"Cached log-mels of {len(train_labels)} train and {len(cache['val'][1])} val clips "
        f"({train_mels.shape[1]} frames x {train_mels.shape[2]} mels; crops of "
        f"{parts.crop_frames} frames) in {job.timings['log_mel_cache_s']:.1f}s."
    )
    epochs, patience = scratch_epochs(config, len(train_labels))
    if epochs > config.base_epochs:
        job.log(
            f"{len(train_labels)} training clips make {-(-len(train_labels) // config.batch_size)} "
            f"steps an epoch: training {epochs} epochs (patience {patience}) to reach --min-steps "
            f"{config.min_steps}; pass --epochs N for exactly N."
        )
    val = tf.data.Dataset.from_tensor_slices(cache["val"]).batch(config.batch_size)
    initial = os.path.join(job.backup, "initial.weights.h5")
    refit = refit_wanted(config, epochs)
    if refit and job.info.is_chief and not os.path.exists(initial):
        with atomic_path(initial) as tmp:
            parts.classifier.save_weights(tmp)
    fit = functools.partial(_train_phase, job, parts.classifier, val, num_classes, mean, epochs)
    fit("scratch", train_mels, train_labels, patience=patience)
    # Held-out predictions for weighing the network against the baseline
    # (`applications.finetune.fusion.choose_weights`): after a refit, val is in-sample.
    job.val_predictions = predict_batches(parts.classifier, val)[:2]
    if not refit:
        return {"scratch": epochs}
    # The validation clips (often new speakers or instruments) are worth more as
    # training data once the recipe has proved itself on them: train afresh on
    # train + val with the same epochs and schedule, and keep the last epoch.
    best = job.phases["scratch"]["best_epoch"]
    mels = np.concatenate([train_mels, cache["val"][0]])
    labels = np.concatenate([train_labels, cache["val"][1]])
    job.log(
        f"Refit: the same {epochs} epochs from the same initial weights on train + val "
        f"({len(labels)} clips; phase scratch kept epoch {best}); --refit off skips it."
    )
    if not job.phase_done("refit"):
        with warnings.catch_warnings():
            # Saved before any optimizer existed; phase refit compiles a new one anyway.
            warnings.filterwarnings("ignore", "Skipping variable loading for optimizer")
            parts.classifier.load_weights(initial)
    fit("refit", mels, labels, patience=0, select=False)
    return {"scratch": epochs, "refit": epochs}


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


def _train_phase(job, classifier, val, num_classes, mean, epochs, phase, mels, labels, **kwargs):
    """Train `classifier` on cached `mels` with the recipe's augmentation and schedule."""
    config, batch = job.config, job.config.batch_size
    train = augmented_training(
        config, mels, labels, num_classes=num_classes, mean=mean, gain_db=config.gain_db
    )
    steps = -(-len(labels) // batch) * epochs

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
        train_count=len(labels),
        optimizer=optimizer,
        loss="binary_crossentropy" if config.multilabel else "categorical_crossentropy",
        **kwargs,
    )
