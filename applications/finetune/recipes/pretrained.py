"""The audio-pretrained recipe: musicnn (MTT / MSD) as a probe, then fine-tuned; the better kept.

For a backbone with named audio weights (`--backbone musicnn|musicnn_vgg
--weights mtt|msd`, or `--backbone auto` when musicnn's weights are cached):

1. the clips are read at 16 kHz (`at_16k` sets `sample_rate` before the run
   starts and logs it), the musicnn log-mels of train and val are computed once;
2. linear probe: the frozen backbone's pooled embedding of every 3 s window
   (musicnn: max and mean over time of the mid end, 1506; musicnn_vgg: the last
   pool, flattened) -> `StandardScaler` -> `LogisticRegression`, `C` tuned on
   val as the baseline does; a clip's probabilities are its windows' mean;
3. phase `finetune` (`Run.train_phase`: resumable, best val epoch kept, epoch
   0 = the probe): the whole network from the probe's head, batch norm frozen
   (inference mode), AdamW with warm-up + cosine decay at `--finetune-learning-rate`
   for the back end and head, 0.3x for the mid end, 0.1x for the front end
   (`GroupAdamW`), two time and two frequency masks on the log-mel and mixup
   (`applications.finetune.augment`; no level offset: the log10(1 + 10^4 x)
   scale is not dB);
4. the probe or the fine-tuned network, whichever is better on val (a tie keeps
   the probe), is the network the job then fuses with the baseline. A kept probe
   is refitted on train + val with the `C` val chose (unless `--refit off`); the
   join's shares are still chosen on the val predictions of the fit on train.
"""

import dataclasses
import functools
import time
import warnings

import keras
import numpy as np
import tensorflow as tf
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from applications.baseline.scores import C_GRID, MAX_ITER
from applications.finetune.augment import augmented_training
from applications.finetune.recipes.pretrained_model import LR_SCALE, SAMPLE_RATE
from applications.finetune.recipes.pretrained_model import GroupAdamW, lr_groups
from applications.finetune.recipes.scratch import cache_log_mels, schedule
from applications.finetune.recipes.scratch_model import set_statistics
from applications.reporting.predictions import predict_batches

__all__ = ["at_16k", "builder_weights", "fit_probe", "train_pretrained"]


def at_16k(config, log=print):
    """`config` with `sample_rate` 16000, the rate the published musicnn models take.

    Called before the run claims `OUT`, so `settings.json` holds the rate used.
    """
    if config.sample_rate == SAMPLE_RATE:
        return config
    log(
        f"The audio-pretrained {config.backbone} takes {SAMPLE_RATE} Hz audio: --sample-rate "
        f"{config.sample_rate} replaced by {SAMPLE_RATE} (every clip resampled to it)."
    )
    return dataclasses.replace(config, sample_rate=SAMPLE_RATE)


def builder_weights(name):
    """The builder's `weights` argument for the named weights (`mtt`, `msd`: fetched once, cached)."""
    return name


def _embed(parts, mels, batch):
    """`(clips * windows, features)` embeddings of cached log-mels, clip-major."""
    step = tf.function(lambda x: parts.embedder(x, training=False))
    rows = [np.asarray(step(mels[i : i + batch])) for i in range(0, len(mels), batch)]
    return np.concatenate(rows).astype(np.float64)


def _clip_probs(pipeline, x, windows, num_classes):
    """Mean over each clip's windows of `predict_proba`, every class a column."""
    probs = np.zeros((len(x), num_classes))
    probs[:, pipeline.classes_.astype(int)] = pipeline.predict_proba(x)
    return probs.reshape(-1, windows, num_classes).mean(axis=1)


def _probe_pipeline(c, seed, x, y):
    pipeline = make_pipeline(
        StandardScaler(), LogisticRegression(C=c, max_iter=MAX_ITER, random_state=seed)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return pipeline.fit(x, y)


def _write_head(parts, pipeline, num_classes):
    """Put a fitted scaler -> regression pipeline into the network's scaler and head."""
    scaler, regression = pipeline[0], pipeline[-1]
    classes = [int(c) for c in regression.classes_]
    if classes != list(range(num_classes)):
        raise ValueError(
            f"The training split holds clips of classes {classes} only, not all {num_classes}; "
            "give every class training clips."
        )
    set_statistics(parts.scaler, scaler.mean_, np.square(scaler.scale_))
    coef, intercept = regression.coef_, regression.intercept_
    if coef.shape[0] == 1:  # binary: sigmoid(z) == softmax([0, z])
        coef = np.concatenate([np.zeros_like(coef), coef])
        intercept = np.concatenate([np.zeros_like(intercept), intercept])
    parts.dense.set_weights([coef.T.astype(np.float32), intercept.astype(np.float32)])


def fit_probe(parts, cache, num_classes, seed, batch):
    """Fit the linear probe on frozen embeddings; `C` tuned on val; write it into the head.

    Returns:
        `(info, embeddings)`: `{"C", "val_accuracy_by_C", "features"}`, and the
        `(x, y)` of train and of val (one row per window) for `refit_probe`.
    """
    windows = parts.windows
    (train_mels, y_train), (val_mels, y_val) = cache["train"], cache["val"]
    x_train, x_val = _embed(parts, train_mels, batch), _embed(parts, val_mels, batch)
    by_c, fitted = {}, {}
    for c in C_GRID:
        fitted[c] = _probe_pipeline(c, seed, x_train, np.repeat(y_train, windows))
        probs = _clip_probs(fitted[c], x_val, windows, num_classes)
        by_c[c] = float(np.mean(probs.argmax(axis=1) == y_val))
    best = min(c for c, acc in by_c.items() if acc == max(by_c.values()))
    _write_head(parts, fitted[best], num_classes)
    embeddings = {
        "train": (x_train, np.repeat(y_train, windows)),
        "val": (x_val, np.repeat(y_val, windows)),
    }
    return {"C": best, "val_accuracy_by_C": by_c, "features": int(x_train.shape[1])}, embeddings


def refit_probe(parts, embeddings, c, num_classes, seed):
    """The probe refitted on train + val with the `C` val chose, written into the head."""
    x = np.concatenate([embeddings["train"][0], embeddings["val"][0]])
    y = np.concatenate([embeddings["train"][1], embeddings["val"][1]])
    _write_head(parts, _probe_pipeline(c, seed, x, y), num_classes)


def _accuracy(probs_labels):
    probs, labels = probs_labels[:2]
    return float(np.mean(probs.argmax(axis=1) == labels))


def train_pretrained(job, parts, data, num_classes, weights, finetune=True):
    """The probe, phase `finetune`, and the choice between them (see the module docstring).

    Args:
        job: the run's `Run`.
        parts: a `PretrainedParts` built under the strategy's scope.
        data: the `AudioDataset` at 16 kHz.
        num_classes: classes of the head.
        weights: the named weights (`mtt`, `msd`), for the report.
        finetune: run phase `finetune` (`--finetune-epochs`); False: the probe only.

    Returns:
        `(epochs, transfer)`: `{"finetune": epochs}` and the report's `transfer` block.
    """
    config, log = job.config, job.log
    start = time.perf_counter()
    cache = cache_log_mels(parts, data)
    job.timings["log_mel_cache_s"] = round(time.perf_counter() - start, 2)
    val = tf.data.Dataset.from_tensor_slices(cache["val"]).batch(config.batch_size)
    start = time.perf_counter()
    probe, embeddings = fit_probe(parts, cache, num_classes, config.seed, config.batch_size)
    job.timings["probe_s"] = round(time.perf_counter() - start, 2)
    probe_val = predict_batches(parts.classifier, val)[:2]
    probe_test = predict_batches(parts.full, data.test)[:2]
    scores = {"probe": {"val_accuracy": _accuracy(probe_val), "test_accuracy": None}}
    scores["probe"]["test_accuracy"] = _accuracy(probe_test)
    log(
        f"Linear probe on frozen {parts.backbone.name} ({weights}) embeddings "
        f"({probe['features']}-d, {parts.windows} window(s) of 3 s per clip, C={probe['C']:g} "
        f"chosen on val): val accuracy {scores['probe']['val_accuracy']:.3f}, in "
        f"{job.timings['probe_s']:.1f}s."
    )
    probe_weights = parts.classifier.get_weights()
    epochs = config.finetune_epochs if finetune else 0
    if epochs:
        _finetune(job, parts, cache, val, num_classes, epochs)
        tuned_val = predict_batches(parts.classifier, val)[:2]
        tuned_test = predict_batches(parts.full, data.test)[:2]
        scores["finetuned"] = {
            "val_accuracy": _accuracy(tuned_val),
            "test_accuracy": _accuracy(tuned_test),
        }
    else:
        scores["finetuned"] = {"val_accuracy": None, "test_accuracy": None}
    tuned = scores["finetuned"]["val_accuracy"]
    kept = "finetuned" if tuned is not None and tuned > scores["probe"]["val_accuracy"] else "probe"
    if kept == "probe":
        parts.classifier.set_weights(probe_weights)
        job.val_predictions = probe_val  # the fit on train: val stays held out for the join
    else:
        job.val_predictions = tuned_val
    log(
        f"Kept the {kept} network: val accuracy probe {scores['probe']['val_accuracy']:.3f}, "
        f"fine-tuned {'-' if tuned is None else format(tuned, '.3f')} (a tie keeps the probe)."
    )
    if kept == "probe" and config.refit != "off":
        # As the baseline and the from-scratch refit do: val chose C, then trains too.
        refit_probe(parts, embeddings, probe["C"], num_classes, config.seed)
        scores["probe"]["test_accuracy_train_only"] = scores["probe"]["test_accuracy"]
        scores["probe"]["test_accuracy"] = _accuracy(predict_batches(parts.full, data.test))
        scores["probe"]["refit"] = "train + val"
        log(
            f"Probe refitted on train + val ({len(embeddings['train'][1])} + "
            f"{len(embeddings['val'][1])} windows, C={probe['C']:g}); --refit off keeps the fit "
            "on train."
        )
    transfer = {"weights": weights, **scores, "kept": kept, "probe_fit": probe}
    transfer["learning_rate_scale"] = dict(LR_SCALE)
    # 0: no fine-tuned epoch beat the probe on val (the phase kept its starting weights).
    transfer["finetune_best_epoch"] = job.phases.get("finetune", {}).get("best_epoch")
    return {"finetune": epochs}, transfer


def _finetune(job, parts, cache, val, num_classes, epochs):
    """Phase `finetune`: every layer, batch norm frozen, lower rates for earlier blocks."""
    config = job.config
    mels, labels = cache["train"]
    groups = lr_groups(parts, job.log)
    counts = ", ".join(
        f"{name} {sum(int(np.prod(v.shape)) for v in groups[name]):,} x{LR_SCALE[name]:g}"
        for name in LR_SCALE
    )
    job.log(f"Fine-tuning every layer, batch norm frozen; parameters by learning rate: {counts}.")
    mean = mels.mean(axis=(0, 1, 3), dtype=np.float64)
    # No level offset: musicnn's log10(10000 x + 1) scale is not dB.
    train = augmented_training(config, mels, labels, num_classes=num_classes, mean=mean)
    steps = -(-len(labels) // config.batch_size) * epochs
    rate = config.finetune_learning_rate
    # The same layers outside `full`: compiling the nested classifier would put
    # `GroupAdamW` into model.keras, which must load with `import zoo` alone.
    trainer = keras.Model(parts.classifier.input, parts.classifier.output, name="trainer")
    job.train_phase(
        "finetune",
        trainer,
        train,
        val,
        epochs=epochs,
        learning_rate=rate,
        train_count=len(labels),
        optimizer=functools.partial(_optimizer, config, rate, steps, groups),
        loss="categorical_crossentropy",
        patience=config.patience,
    )


def _optimizer(config, rate, steps, groups):
    return GroupAdamW(
        schedule(rate, steps, config.warmup_fraction),
        groups=[(variables, LR_SCALE[name]) for name, variables in groups.items()],
        weight_decay=config.weight_decay,
    )
