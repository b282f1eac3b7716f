"""The transfer recipe: VGG on log-mel images, trained in two phases.

- pretrained backbone: phase `head` computes the frozen front end + backbone
  features of train/val once and trains only the head on them; phase
  `finetune` unfreezes block 5 at a lower learning rate with SpecAugment;
- random backbone (`--backbone vgg16 --weights none`): the same cached-feature
  `head` phase (a linear probe costing seconds), then phase `full` trains
  every layer.

The cached features live in memory or on disk as `--cache` says (`split_caches`).
"""

import time

import numpy as np

from applications.finetune.model import set_trainable_top
from applications.finetune.recipes.caches import model_batches, on_disk, split_caches
from applications.reporting.predictions import predict_batches
from applications.training.epoch_seeds import fast_forward

__all__ = ["train_transfer"]

FEATURES = "features"


def _in_memory(parts, data):
    pairs = {split: predict_batches(parts.feature_extractor, getattr(data, split))[:2]
             for split in ("train", "val")}  # fmt: skip
    return {split: (np.asarray(x, np.float32), y) for split, (x, y) in pairs.items()}


def _cached_features(job, parts, data):
    """Features of the frozen front end + backbone over train and val, computed once.

    In memory, or on disk in shards under `OUT/cache/` (`--cache`, as the
    from-scratch recipe's log-mels), streamed back shuffled.
    """
    start = time.perf_counter()
    config = job.config
    extractor = parts.feature_extractor
    caches, mode = split_caches(
        job,
        data,
        FEATURES,
        {"extractor": extractor.get_config(), "weights": config.weights, "seed": config.seed},
        lambda source: model_batches(extractor, source),
        lambda: _in_memory(parts, data),
        clip_bytes=4 * int(extractor.output_shape[-1]),
    )
    job.timings["feature_cache_s"] = round(time.perf_counter() - start, 2)
    job.log(
        f"Cached backbone features of {caches['train'].count} train and "
        f"{caches['val'].count} val clips ({mode}) in {job.timings['feature_cache_s']:.1f}s."
    )
    train = caches["train"].stream(seed=config.seed).batch(config.batch_size)
    return train, caches["val"].stream().batch(config.batch_size)


def train_transfer(job, parts, data, pretrained):
    """Train the VGG transfer model: the head on cached features, then phase 2.

    Args:
        job: the run's `Run`.
        parts: a `TransferParts` built under the strategy's scope.
        data: the `AudioDataset`.
        pretrained: phase 2 fine-tunes block 5 (pretrained) or every layer (random).

    Returns:
        `{phase: epochs}` of the phases.
    """
    config, count = job.config, data.counts["train"]
    parts.backbone.trainable = False
    if job.phase_done("head"):
        if not on_disk(job, FEATURES):
            # The uninterrupted run read data.train once to cache features in
            # memory; keep its later shuffle orders identical.
            fast_forward(data.train, 1)
        head_train = head_val = None
    else:
        head_train, head_val = _cached_features(job, parts, data)
    job.train_phase(
        "head",
        parts.head,
        head_train,
        head_val,
        epochs=config.base_epochs,
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
