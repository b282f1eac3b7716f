"""Long recordings: `audiozoo predict --window --hop` on a 1-hour 16 kHz file.

Writes a one-hour PCM16 WAV (block by block, so this script stays small too) and
the from-scratch compact CNN (`cnn10_compact`, as `audiozoo finetune` trains it,
random weights: speed does not depend on them) with its `labels.json`, then runs
the CLI in a child process and reads the child's peak RSS from the kernel
(`getrusage(RUSAGE_CHILDREN)`). Baselines measured in the same run: the peak RSS
of a child that only starts the CLI machinery and loads the model (the floor), and
of one that reads the file whole with soundfile (what block reading avoids).

Prints one JSON object: audio seconds per wall second (x real time) and per CPU
second of the child (what load from other processes does not change), peak RSS
(MiB), the targets (>= 100x real time, < 1 GiB) and the machine with its load.

    python benchmarks/long_file.py [--minutes 60] [--window 1] [--hop 1]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from machine_info import describe  # noqa: E402

RATE = 16000


def write_long(path, minutes, seed=0):
    rng = np.random.default_rng(seed)
    with sf.SoundFile(path, "w", RATE, 1, subtype="PCM_16") as f:
        for _ in range(int(minutes * 60 / 10)):
            f.write((rng.standard_normal(10 * RATE) * 0.1).astype(np.float32))


def write_model(folder):
    from applications.finetune.config import FinetuneConfig
    from applications.finetune.recipes.scratch_model import build_scratch_parts

    config = FinetuneConfig(backbone="cnn10_compact")
    clip = int(config.clip_seconds * config.sample_rate)
    parts = build_scratch_parts(config, 10, clip)
    parts.full.save(os.path.join(folder, "model.keras"))
    labels = {
        "class_names": [f"class{i}" for i in range(10)],
        "sample_rate": config.sample_rate,
        "clip_samples": clip,
        "seed": 0,
    }
    with open(os.path.join(folder, "labels.json"), "w") as f:
        json.dump(labels, f)
    return int(parts.full.count_params())


WRAPPER = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(u.ru_utime + u.ru_stime, u.ru_maxrss)"
)


def child(args, env):
    """Run `args` under a fresh wrapper; return (wall s, the child's CPU s, its peak RSS MiB).

    `ru_maxrss` of RUSAGE_CHILDREN is the largest over all children a process
    waited for, so each measured child gets its own wrapper.
    """
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], check=True, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    cpu, rss = out.stdout.split()[-2:]
    return wall, float(cpu), int(rss) / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--hop", type=float, default=1.0)
    args = parser.parse_args()
    load_before = os.getloadavg()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root, "TF_CPP_MIN_LOG_LEVEL": "3"}
    with tempfile.TemporaryDirectory() as tmp:
        audio = os.path.join(tmp, "long.wav")
        write_long(audio, args.minutes)
        params = write_model(tmp)
        model = os.path.join(tmp, "model.keras")
        floor_code = f"from applications.trained import load_trained; load_trained({model!r})"
        _, _, floor_rss = child([sys.executable, "-c", floor_code], env)
        cli = [sys.executable, "-m", "applications.cli", "predict", "--model", model, audio]
        cli += ["--window", str(args.window), "--hop", str(args.hop), "--csv"]
        wall, cpu, rss = child(cli, env)
        whole_code = f"import soundfile as sf; x = sf.read({audio!r}, dtype='float32')[0]"
        _, _, whole_rss = child([sys.executable, "-c", whole_code], env)
    seconds = args.minutes * 60
    result = {
        "benchmark": "long_file",
        "audio_seconds": seconds,
        "window_s": args.window,
        "hop_s": args.hop,
        "model": "cnn10_compact (from-scratch recipe)",
        "parameters": params,
        "wall_s": round(wall, 1),
        "x_real_time": round(seconds / wall, 1),
        # CPU seconds do not grow with other processes' load, wall seconds do: audio per
        # CPU second is what one idle core would give (2 idle cores: at least that).
        "cpu_s": round(cpu, 1),
        "x_real_time_per_cpu_second": round(seconds / cpu, 1),
        "peak_rss_mib": round(rss, 1),
        "floor_rss_mib (start + load model, no audio)": round(floor_rss, 1),
        "whole_file_read_rss_mib (baseline: soundfile.read of the whole file)": round(whole_rss, 1),
        "targets": {"x_real_time": ">= 100", "peak_rss_mib": "< 1024"},
        "met": {
            "x_real_time": seconds / wall >= 100,
            "x_real_time_per_cpu_second": seconds / cpu >= 100,
            "peak_rss": rss < 1024,
        },
        "machine": describe(load_before),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
