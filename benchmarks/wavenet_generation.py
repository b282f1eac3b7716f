"""Benchmark WaveNet sampling: fast (queues, one XLA-compiled loop) against naive, same run.

Prints one JSON object: samples/s of the default `wavenet` (30 layers,
receptive field 3,071) at batch 1 and 16 for

* `naive`: the model recomputed over the last receptive field at every step
  (the reference; timed over a few steps once the window is full),
* `fast`: per-layer queues in one `tf.while_loop` compiled with XLA,
* `fast_no_xla`: the same loop without XLA (what compilation buys),
* `queues_only`: the fast loop teacher-forced, without the skip/output head
  and sampling (how the per-step time splits between the residual stack and
  the head),

with ratios against naive, the targets of issue 4, and the machine.

Run: `python benchmarks/wavenet_generation.py [--fast-samples 8000] [--naive-steps 5]`
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import zoo  # noqa: E402
from zoo.wavenet.generation import FastGenerator, NaiveGenerator  # noqa: E402
from machine_info import describe  # noqa: E402


def time_fast(model, batch_size, samples, jit_compile):
    gen = FastGenerator(model, batch_size=batch_size, seed=0, jit_compile=jit_compile)
    start = time.perf_counter()
    gen.generate_classes(samples)  # traces and compiles for this length
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    gen.generate_classes(samples)  # continues the same streams: steady state
    return samples / (time.perf_counter() - start), compile_s


def time_queues_only(model, batch_size, samples):
    classes = np.random.default_rng(0).integers(0, 256, (batch_size, samples + 1)).astype("int32")
    gen = FastGenerator(model, batch_size=batch_size, seed=0)
    gen._feed(classes)  # compiles the teacher-forced loop for this length
    start = time.perf_counter()
    gen._feed(classes)
    return (samples + 1) / (time.perf_counter() - start)


def time_naive(model, batch_size, steps):
    # A prime of one receptive field, so every timed step sees a full window.
    prime = (
        np.random.default_rng(0)
        .integers(0, 256, (batch_size, model.receptive_field))
        .astype("int32")
    )
    gen = NaiveGenerator(model, batch_size=batch_size, seed=0, prime=prime)
    gen.generate_classes(1)  # traces
    start = time.perf_counter()
    gen.generate_classes(steps)
    return steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-samples", type=int, default=8000)
    parser.add_argument("--naive-steps", type=int, default=5)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    load_before = os.getloadavg()
    model = zoo.create_model("wavenet")
    results = {}
    for batch in (1, 16):
        naive = time_naive(model, batch, args.naive_steps)
        fast, compile_s = time_fast(model, batch, args.fast_samples, jit_compile=True)
        no_xla, _ = time_fast(model, batch, args.fast_samples // 4, jit_compile=False)
        queues = time_queues_only(model, batch, args.fast_samples)
        results[f"batch{batch}"] = {
            "naive_steps_per_s": round(naive, 2),
            "naive_samples_per_s_aggregate": round(naive * batch, 2),
            "fast_steps_per_s": round(fast, 1),
            "fast_samples_per_s_aggregate": round(fast * batch, 1),
            "fast_no_xla_samples_per_s_aggregate": round(no_xla * batch, 1),
            "queues_only_samples_per_s_aggregate": round(queues * batch, 1),
            "fast_over_naive": round(fast / naive, 1),
            "xla_over_no_xla": round(fast / no_xla, 2),
            "head_share_of_fast_step": round(max(0.0, 1.0 - fast / queues), 2),
            "fast_compile_s": round(compile_s, 2),
            "timed_fast_samples_per_stream": args.fast_samples,
            "timed_naive_steps": args.naive_steps,
        }
    b1, b16 = results["batch1"], results["batch16"]
    report = {
        "benchmark": "wavenet_generation",
        "model": {
            "name": "wavenet",
            "layers": len(model.dilations),
            "receptive_field": model.receptive_field,
            "params": model.count_params(),
        },
        "results": results,
        "targets": {
            "fast_over_naive_batch1>=100": b1["fast_over_naive"] >= 100,
            "fast_batch1>=4000_samples_per_s": b1["fast_samples_per_s_aggregate"] >= 4000,
            "fast_batch16>=16000_samples_per_s_aggregate": b16["fast_samples_per_s_aggregate"]
            >= 16000,
        },
        "machine": describe(load_before),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
