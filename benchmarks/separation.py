"""Separation speed (x real time at 16 kHz) of each zoo separator, and the SI-SDRi table.

Speed: each model at its defaults separates one 20-second chunk with one second
of context on both sides (what `separate apply` feeds it), compiled once, timed
over `--rounds` rounds after a warm-up; `x real time` = 20 s / median seconds.
The baseline in the same run is the model's own STFT -> mask -> iSTFT path
with fixed masks (no estimator), so `vs_stft_only` says what the network costs.

Table: the median SI-SDRi (dB) per source of each `report.json` passed with
`--reports` (from `audiozoo separate train`), with the oracle ratio mask's.

    python benchmarks/separation.py [--reports runs/demo/report.json ...] [--rounds 5]
"""

import argparse
import json
import os
import statistics
import time

import numpy as np

from machine_info import describe

RATE, CHUNK, CONTEXT = 16000, 20.0, 1.0


def _median_seconds(call, x, rounds):
    call(x)  # warm-up: traces and compiles
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call(x)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed(rounds):
    import tensorflow as tf

    import zoo

    x = np.random.default_rng(0).uniform(-0.5, 0.5, (1, int((CHUNK + 2 * CONTEXT) * RATE)))
    x = x.astype("float32")
    out = {}
    for name in ("unmix", "unet"):
        model = zoo.create_model(name)
        seconds = _median_seconds(model.predict_on_batch, x, rounds)
        layer = model.get_layer("separate")
        frames = 1 + x.shape[1] // layer.hop_length
        masks = np.full((1, frames, 1 + layer.n_fft // 2, 2), 0.5, "float32")
        stft_only = tf.function(lambda m: layer([m, masks]))
        baseline = _median_seconds(stft_only, x, rounds)
        out[name] = {
            "parameters": model.count_params(),
            "x_real_time": CHUNK / seconds,
            "stft_only_x_real_time": CHUNK / baseline,
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
