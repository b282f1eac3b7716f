"""Benchmark the fine-tuning pipeline; prints one JSON object.

(a) phase-1 epoch time: head on cached backbone features vs recomputing the
    frozen front end + backbone every epoch (target >= 10x);
(b) training throughput through the real tf.data pipeline vs the same model
    on in-memory tensors (target >= 0.9: the input pipeline never stalls);
(c) float32 vs `--precision auto` training throughput.

Every figure is a ratio of two measurements taken in this run, on the
`builtin` data with the `builtin` preset's model (VGG16). Usage:

    python benchmarks/finetune.py [--clips 256] [--steps 8]
"""

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from applications.data import load_dataset  # noqa: E402
from applications.finetune import predict_batches  # noqa: E402
from applications.precision import resolve_precision  # noqa: E402
from applications.presets import merge_settings  # noqa: E402
from applications.transfer_model import build_parts, set_trainable_top  # noqa: E402


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _timed_fit(model, x, **kwargs):
    """Seconds for one `fit` epoch after a warm-up epoch (tracing, caches)."""
    model.fit(x, epochs=1, verbose=0, **kwargs)
    start = time.perf_counter()
    model.fit(x, epochs=1, verbose=0, **kwargs)
    return time.perf_counter() - start


def _compiled(model, lr=1e-4):
    model.compile(keras.optimizers.Adam(lr), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _subset(data, clips, batch):
    """The first `clips` training examples as in-memory arrays."""
    xs, ys = [], []
    for x, y in data.train.unbatch().take(clips).batch(batch):
        xs.append(x.numpy())
        ys.append(y.numpy())
    return np.concatenate(xs), np.concatenate(ys)


def feature_caching(settings, data, waves, labels, batch):
    keras.mixed_precision.set_global_policy(resolve_precision("auto"))
    parts = build_parts(settings, len(data.class_names), data.clip_samples, None)
    parts.backbone.trainable = False
    start = time.perf_counter()
    feats, _, _ = predict_batches(parts.feature_extractor, tf.data.Dataset.from_tensor_slices((waves, labels)).batch(batch))
    cache_s = time.perf_counter() - start
    cached_s = _timed_fit(_compiled(parts.head, 1e-3), feats, y=labels, batch_size=batch)
    frozen = keras.Model(parts.feature_extractor.input, parts.head(parts.feature_extractor.output))
    recompute_s = _timed_fit(_compiled(frozen, 1e-3), waves, y=labels, batch_size=batch)
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
    pipeline_s = _timed_fit(model, data.train.repeat(), steps_per_epoch=steps)
    memory = tf.data.Dataset.from_tensor_slices((waves, labels)).batch(batch).repeat()
    # In-memory tensors: the same batches already decoded, no I/O or decode.
    memory_s = _timed_fit(model, memory, steps_per_epoch=steps)
    examples = steps * batch
    return {
        "steps": steps,
        "pipeline_examples_per_s": round(examples / pipeline_s, 1),
        "memory_examples_per_s": round(examples / memory_s, 1),
        "ratio": round(memory_s / pipeline_s, 3),
        "target": ">= 0.9",
    }


def precision_speed(settings, data, waves, labels, batch, steps):
    result = {}
    for name in ("float32", "auto"):
        policy = resolve_precision(name)
        keras.utils.set_random_seed(0)
        parts = build_parts(settings, len(data.class_names), data.clip_samples, None)
        model = _compiled(parts.full)  # every layer trains: the from-scratch phase
        memory = tf.data.Dataset.from_tensor_slices((waves, labels)).batch(batch).repeat()
        seconds = _timed_fit(model, memory, steps_per_epoch=steps)
        result[name] = {"policy": policy, "train_examples_per_s": round(steps * batch / seconds, 1)}
        keras.backend.clear_session()
    result["auto_over_float32"] = round(
        result["auto"]["train_examples_per_s"] / result["float32"]["train_examples_per_s"], 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=256, help="training clips used for (a)")
    parser.add_argument("--steps", type=int, default=8, help="timed batches for (b) and (c)")
    args = parser.parse_args()
    settings = merge_settings({"data": "builtin"})
    batch = int(settings["batch_size"])
    keras.utils.set_random_seed(0)
    load_before = os.getloadavg()
    data = load_dataset("builtin", sample_rate=settings["sample_rate"], clip_seconds=settings["clip_seconds"],
                        batch_size=batch, seed=0)
    waves, labels = _subset(data, max(args.clips, args.steps * batch), batch)
    result = {
        "machine": {"cpu": _cpu_name(), "cores": os.cpu_count(), "gpus": len(tf.config.list_physical_devices("GPU")),
                    "tensorflow": tf.__version__, "keras": keras.__version__,
                    "load_average_before": [round(v, 2) for v in load_before]},
        "settings": {k: settings[k] for k in ("backbone", "image_size", "n_mels", "n_fft", "hop_length", "batch_size")},
        "a_phase1_feature_caching": feature_caching(settings, data, waves[: args.clips], labels[: args.clips], batch),
        "b_pipeline_vs_in_memory": pipeline_vs_memory(settings, data, waves, labels, batch, args.steps),
        "c_precision": precision_speed(settings, data, waves, labels, batch, args.steps),
    }
    result["machine"]["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
