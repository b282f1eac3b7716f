"""Benchmark the fine-tuning pipeline; prints one JSON object.

(a) phase-1 epoch time: head on cached backbone features vs recomputing the
    frozen front end + backbone every epoch (target >= 10x);
(b) training throughput through the real tf.data pipeline vs the same model
    on in-memory tensors (target >= 0.9: the input pipeline never stalls);
(c) float32 vs `--precision auto` training throughput, beside the same ratio
    for keras.applications.VGG16 alone (the ceiling TensorFlow/oneDNN set).

Every figure is a ratio of two measurements taken in this run, alternating
(the CPU may be shared), fastest of 3 epochs each, on the `builtin` data with
the `builtin` preset's model (VGG16). Usage:

    python benchmarks/finetune.py [--clips 256] [--steps 8] [--only abc]
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from applications.data import load_dataset  # noqa: E402
from applications.reporting.predictions import predict_batches  # noqa: E402
from applications.training.precision import resolve_precision  # noqa: E402
from applications.finetune.config import FinetuneConfig  # noqa: E402
from applications.finetune.model import build_parts, set_trainable_top  # noqa: E402
from machine_info import describe  # noqa: E402


ROUNDS = 3


def _fit_seconds(model, x, **kwargs):
    """Wall and process CPU seconds of one `fit` epoch."""
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(x, epochs=1, verbose=0, **kwargs)
    return time.perf_counter() - start, time.process_time() - cpu


def _compare(runs, cpu_seconds=None):
    """Time each `fit` in `runs` ({name: (model, x, kwargs)}) in alternating rounds.

    The CPU may be shared with other jobs, so the runs alternate (both see the
    same load over time) and the fastest of `ROUNDS` epochs counts, after one
    warm-up epoch each (tracing, caches).

    Args:
        runs: {name: (model, x, fit kwargs)}.
        cpu_seconds: a dict to receive {name: fewest process CPU seconds}; this
            process's own work, less swayed by other jobs than the wall clock.

    Returns:
        {name: seconds}.
    """
    for model, x, kwargs in runs.values():
        model.fit(x, epochs=1, verbose=0, **kwargs)
    seconds = {name: [] for name in runs}
    for _ in range(ROUNDS):
        for name, (model, x, kwargs) in runs.items():
            seconds[name].append(_fit_seconds(model, x, **kwargs))
    if cpu_seconds is not None:
        cpu_seconds.update({name: min(v[1] for v in values) for name, values in seconds.items()})
    return {name: min(v[0] for v in values) for name, values in seconds.items()}


def _compiled(model, lr=1e-4):
    model.compile(
        keras.optimizers.Adam(lr), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def _subset(data, clips, batch):
    """The first `clips` training examples as in-memory arrays."""
    xs, ys = [], []
    for x, y in data.train.unbatch().take(clips).batch(batch):
        xs.append(x.numpy())
        ys.append(y.numpy())
    return np.concatenate(xs), np.concatenate(ys)


def _in_memory(waves, labels, batch):
    """One decoded batch held as tensors and repeated: no I/O, decode or slicing."""
    return tf.data.Dataset.from_tensors((waves[:batch], labels[:batch])).repeat()


def feature_caching(settings, data, waves, labels, batch):
    keras.mixed_precision.set_global_policy(resolve_precision("auto"))
    parts = build_parts(settings, len(data.class_names), data.clip_samples, None)
    parts.backbone.trainable = False
    start = time.perf_counter()
    feats, _, _ = predict_batches(
        parts.feature_extractor, tf.data.Dataset.from_tensor_slices((waves, labels)).batch(batch)
    )
    cache_s = time.perf_counter() - start
    frozen = keras.Model(parts.feature_extractor.input, parts.head(parts.feature_extractor.output))
    times = _compare(
        {
            "cached": (_compiled(parts.head, 1e-3), feats, {"y": labels, "batch_size": batch}),
            "recompute": (_compiled(frozen, 1e-3), waves, {"y": labels, "batch_size": batch}),
        }
    )
    cached_s, recompute_s = times["cached"], times["recompute"]
    return {
        "clips": int(len(labels)),
        "cached_epoch_s": round(cached_s, 3),
        "recompute_epoch_s": round(recompute_s, 3),
        "one_time_cache_s": round(cache_s, 3),
        "speedup": round(recompute_s / cached_s, 1),
        "target": ">= 10",
    }


def pipeline_vs_memory(settings, data, waves, labels, batch, steps):
    keras.mixed_precision.set_global_policy(resolve_precision("auto"))
    parts = build_parts(settings, len(data.class_names), data.clip_samples, None)
    set_trainable_top(parts.backbone, 1)  # phase 2: block 5 trains
    model = _compiled(parts.full)
    memory = _in_memory(waves, labels, batch)
    times = _compare(
        {
            "pipeline": (model, data.train.repeat(), {"steps_per_epoch": steps}),
            "memory": (model, memory, {"steps_per_epoch": steps}),
        }
    )
    pipeline_s, memory_s = times["pipeline"], times["memory"]
    examples = steps * batch
    return {
        "steps": steps,
        "pipeline_examples_per_s": round(examples / pipeline_s, 1),
        "memory_examples_per_s": round(examples / memory_s, 1),
        "ratio": round(memory_s / pipeline_s, 3),
        "target": ">= 0.9",
    }


def _keras_vgg16(image_shape, num_classes):
    """keras.applications.VGG16 + softmax: the conv stack alone, outside this project's code."""
    backbone = keras.applications.VGG16(
        include_top=False, weights=None, input_shape=image_shape, pooling="avg"
    )
    probs = keras.layers.Dense(num_classes, activation="softmax", dtype="float32")(backbone.output)
    return keras.Model(backbone.input, probs)


def precision_speed(settings, data, waves, labels, batch, steps):
    """(c): the full model (waveform in) float32 vs `auto`, every layer training.

    The same alternation times keras.applications.VGG16 on the images our
    front end makes: its ratio is what TensorFlow/oneDNN give the conv stack
    alone, the ceiling for the full model.
    """
    runs, policies = {}, {}
    fit = {"steps_per_epoch": steps}
    for name in ("float32", "auto"):
        policies[name] = resolve_precision(name)  # layers keep the policy they were built with
        keras.utils.set_random_seed(0)
        parts = build_parts(settings, len(data.class_names), data.clip_samples, None)
        # Every layer trains: the from-scratch phase.
        runs[name] = (_compiled(parts.full), _in_memory(waves, labels, batch), fit)
        images = keras.Model(parts.full.input, parts.full.get_layer("to_image").output)
        vgg = _keras_vgg16(parts.backbone.input.shape[1:], len(data.class_names))
        runs[f"keras_vgg16_{name}"] = (
            _compiled(vgg),
            _in_memory(images.predict(waves[:batch], verbose=0), labels, batch),
            fit,
        )
    keras.mixed_precision.set_global_policy("float32")
    cpu = {}
    times = _compare(runs, cpu)
    result = {
        name: {
            "policy": policies[name],
            "train_examples_per_s": round(steps * batch / times[name], 1),
        }
        for name in policies
    }
    result["auto_over_float32"] = round(times["float32"] / times["auto"], 2)
    result["auto_over_float32_cpu_time"] = round(cpu["float32"] / cpu["auto"], 2)
    ceiling = ("keras_vgg16_float32", "keras_vgg16_auto")
    result["ceiling_keras_vgg16_alone"] = {
        "auto_over_float32": round(times[ceiling[0]] / times[ceiling[1]], 2),
        "auto_over_float32_cpu_time": round(cpu[ceiling[0]] / cpu[ceiling[1]], 2),
    }
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=256, help="training clips used for (a)")
    parser.add_argument("--steps", type=int, default=8, help="timed batches for (b) and (c)")
    parser.add_argument("--only", default="abc", help="sections to run, e.g. `c`")
    args = parser.parse_args()
    # VGG16 explicitly: `--backbone auto` picks the compact CNN when ImageNet weights do not load.
    settings = FinetuneConfig.from_sources({"data": "builtin", "backbone": "vgg16"})
    batch = settings.batch_size
    keras.utils.set_random_seed(0)
    load_before = os.getloadavg()
    data = load_dataset(
        "builtin",
        sample_rate=settings.sample_rate,
        clip_seconds=settings.clip_seconds,
        batch_size=batch,
        seed=0,
    )
    waves, labels = _subset(data, max(args.clips, args.steps * batch), batch)
    result = {
        "timing": f"fastest of {ROUNDS} alternating epochs per figure, after a warm-up epoch",
        "settings": {
            k: getattr(settings, k)
            for k in ("backbone", "image_size", "n_mels", "n_fft", "hop_length", "batch_size")
        },
    }
    if "a" in args.only:
        result["a_phase1_feature_caching"] = feature_caching(
            settings, data, waves[: args.clips], labels[: args.clips], batch
        )
    if "b" in args.only:
        result["b_pipeline_vs_in_memory"] = pipeline_vs_memory(
            settings, data, waves, labels, batch, args.steps
        )
    if "c" in args.only:
        result["c_precision"] = precision_speed(settings, data, waves, labels, batch, args.steps)
    result["machine"] = describe(load_before)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
