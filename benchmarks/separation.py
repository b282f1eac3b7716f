"""Separation speed (x real time at 16 kHz) of each zoo separator, and the SI-SDRi table.

Speed: each model at its defaults separates 60 s of audio the way `separate
apply` does (10-second chunks with a second of context on both sides, two per
call), timed over `--rounds` rounds after a warm-up; `x real time` = 60 s /
median seconds.
The baseline in the same run is the model's own STFT -> mask -> iSTFT path
with fixed masks (no estimator), so `vs_stft_only` says what the network costs.

Table: the median SI-SDRi (dB) per source of each `report.json` passed with
`--reports` (from `audiozoo separate train`), with the oracle ratio mask's.

    PYTHONPATH=. python benchmarks/separation.py [--reports runs/demo/report.json ...] [--rounds 5]
"""

import argparse
import json
import os
import statistics
import time

import numpy as np

from machine_info import describe

RATE, SECONDS = 16000, 60.0


class _StftOnly:
    """The model's STFT -> fixed 0.5 masks -> iSTFT, called like the model."""

    def __init__(self, model):
        import tensorflow as tf

        layer = model.get_layer("separate")
        bins, count = 1 + layer.n_fft // 2, len(layer.sources)

        @tf.function
        def run(x):
            frames = 1 + tf.shape(x)[1] // layer.hop_length
            masks = tf.fill(tf.stack([tf.shape(x)[0], frames, bins, count]), 0.5)
            return layer([x, masks])

        self.run = run

    def predict_on_batch(self, x):
        return self.run(x).numpy()


def _median_seconds(model, wave, rounds):
    from applications.separation.apply import separate_waveform

    hop = model.get_layer("magnitude").hop_length if hasattr(model, "get_layer") else 256

    def call():
        separate_waveform(model, wave, 10 * RATE, RATE, align=hop * 64, batch=2)

    call()  # warm-up: traces and compiles
    times, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu)


def speed(rounds):
    import zoo

    wave = np.random.default_rng(0).uniform(-0.5, 0.5, int(SECONDS * RATE)).astype("float32")
    out = {}
    for name in ("unmix", "unet"):
        model = zoo.create_model(name)
        seconds, cpu = _median_seconds(model, wave, rounds)
        baseline, _ = _median_seconds(_StftOnly(model), wave, rounds)
        out[name] = {
            "parameters": model.count_params(),
            "x_real_time": SECONDS / seconds,
            # What 2 idle cores would give if the CPU time spread over both: a shared
            # machine's wall clock understates it by the load of other processes.
            "x_real_time_from_cpu_time": SECONDS / (cpu / len(os.sched_getaffinity(0))),
            "stft_only_x_real_time": SECONDS / baseline,
            "vs_stft_only": baseline / seconds,
        }
    return out


def table(paths):
    rows = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        key = f"{report['model']} on {os.path.basename(str(report['data']).rstrip('/'))}"
        rows[key] = {
            name: {
                "si_sdri": report["median"][name]["si_sdri"],
                "oracle_si_sdri": report["oracle_median"][name]["si_sdri"],
                "sdr": report["median"][name]["sdr"],
                "fraction_of_oracle": report["fraction_of_oracle_si_sdri"][name],
            }
            for name in report["sources"]
        }
        rows[key]["train_seconds"] = report["train_seconds"]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", nargs="*", default=[])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()
    result = {"speed_16khz": speed(args.rounds), "median_si_sdri_db": table(args.reports)}
    result["machine"] = describe(load_before)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
