"""The transfer recipe: VGG on log-mel images, trained in two phases.

- pretrained backbone: phase `head` computes the frozen front end + backbone
  features of train/val once and trains only the head on them; phase
  `finetune` unfreezes block 5 at a lower learning rate with SpecAugment;
- random backbone (`--backbone vgg16 --weights none`): the same cached-feature
  `head` phase (a linear probe costing seconds), then phase `full` trains
  every layer.
"""

import time

import tensorflow as tf

from applications.finetune.model import set_trainable_top
from applications.reporting.predictions import predict_batches
from applications.training.epoch_seeds import fast_forward

__all__ = ["train_transfer"]


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
