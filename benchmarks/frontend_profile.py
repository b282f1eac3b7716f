"""Where the front end's time goes: each stage of ours and of librosa, alone, on one core.

Same settings as `benchmarks/frontend.py` (5 s 22,050 Hz PCM16 WAV, n_fft 2048,
hop 512, 128 mels, power 2, dB). TensorFlow runs with one intra-op and one
inter-op thread and `tf.data` with a one-thread pool, librosa with one BLAS
thread, so every figure is the cost of a stage on one core. Our stages run on
a batch of clips already in memory (decoding on the files), each as its own
`tf.function`; `layer` is the whole `zoo.audio.LogMelSpectrogram`. Rounds are
interleaved and each figure is the median round, in seconds per 1,000 clips
of process CPU time (`cpu_s`, steadier under other jobs' load) and wall time.
"before" rows are the replaced paths (tf.audio.decode_wav, dense mel product).

    python benchmarks/frontend_profile.py [--clips 64] [--batch-size 32] [--rounds 5]
"""

import argparse
import json
import os
import shutil
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import librosa  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

import zoo.audio  # noqa: E402
from frontend import HOP, N_FFT, N_MELS, RATE, make_files  # noqa: E402
from machine_info import describe  # noqa: E402


def decode_stage(paths, batch_size, decode):
    options = tf.data.Options()
    options.threading.private_threadpool_size = 1
    options.threading.max_intra_op_parallelism = 1
    ds = tf.data.Dataset.from_tensor_slices(paths).map(decode).batch(batch_size)

    def run():
        for _ in ds.with_options(options):
            pass

    return run


def our_stages(paths, batch_size):
    layer = zoo.audio.LogMelSpectrogram(
        sample_rate=RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS
    )
    pad = N_FFT // 2
    window = tf.signal.hann_window(N_FFT)
    # The steps of LogMelSpectrogram.call, each alone.
    steps = {
        "pad + frame + window": lambda x: (
            tf.signal.frame(tf.pad(x, [[0, 0], [pad, pad]]), N_FFT, HOP) * window
        ),
        "rfft": tf.signal.rfft,
        "|.|^2": lambda s: tf.math.real(s) ** 2 + tf.math.imag(s) ** 2,
        "mel product (dense, before)": lambda p: tf.matmul(p, tf.constant(layer._filters)),
        "mel product (band blocks)": lambda p: tf.concat(
            [tf.matmul(p[..., lo:hi], tf.constant(w)) for lo, hi, w in layer._bands], -1
        ),
        "dB + transpose": lambda m: tf.transpose(
            10.0 * tf.math.log(tf.maximum(m, 1e-10)) / np.log(10.0), [0, 2, 1]
        ),
    }
    waves = np.stack([librosa.load(p, sr=None)[0] for p in paths[:batch_size]])
    value = tf.constant(waves)
    inputs = {}
    for name, fn in steps.items():
        fn = tf.function(fn)
        inputs[name] = value
        out = fn(value)
        if "dense" not in name:
            value = out
        steps[name] = fn
    # CPU kernels run synchronously: the call returns when the stage is done.
    per_batch = {name: (lambda fn=fn, v=inputs[name]: fn(v)) for name, fn in steps.items()}
    whole, batch = tf.function(layer), tf.constant(waves)
    per_batch["layer (all of the above but dense)"] = lambda: whole(batch)
    return per_batch, len(waves)


def librosa_stages(paths):
    ys = [librosa.load(p, sr=None)[0] for p in paths]
    spectra = [librosa.stft(y, n_fft=N_FFT, hop_length=HOP) for y in ys]
    powers = [np.abs(s) ** 2 for s in spectra]
    basis = librosa.filters.mel(sr=RATE, n_fft=N_FFT, n_mels=N_MELS)
    mels = [basis @ p for p in powers]
    # The steps of librosa.feature.melspectrogram (0.11) and power_to_db, each alone.
    return {
        "load": lambda: [librosa.load(p, sr=None) for p in paths],
        "stft (pad + frame + window + FFT)": lambda: [
            librosa.stft(y, n_fft=N_FFT, hop_length=HOP) for y in ys
        ],
        "|.|^2": lambda: [np.abs(s) ** 2 for s in spectra],
        "mel filterbank (built on every call)": lambda: [
            librosa.filters.mel(sr=RATE, n_fft=N_FFT, n_mels=N_MELS) for _ in ys
        ],
        "mel product": lambda: [
            np.einsum("...ft,mf->...mt", p, basis, optimize=True) for p in powers
        ],
        "power_to_db": lambda: [librosa.power_to_db(m, ref=1.0) for m in mels],
        "melspectrogram + power_to_db (all but load)": lambda: [
            librosa.power_to_db(
                librosa.feature.melspectrogram(
                    y=y, sr=RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, power=2.0
                ),
                ref=1.0,
            )
            for y in ys
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="audiozoo-profile-")
    load_before = os.getloadavg()
    try:
        paths = make_files(folder, args.clips)
        per_batch, batch = our_stages(paths, args.batch_size)
        # (function, clips per call)
        ours = {
            "read + decode (tf.data, decode_file)": (
                decode_stage(paths, args.batch_size, lambda p: zoo.audio.decode_file(p)[0]),
                len(paths),
            ),
            "read + decode (tf.audio.decode_wav, before)": (
                decode_stage(
                    paths,
                    args.batch_size,
                    lambda p: tf.audio.decode_wav(tf.io.read_file(p))[0][:, 0],
                ),
                len(paths),
            ),
            **{name: (fn, batch) for name, fn in per_batch.items()},
        }
        theirs = {name: (fn, len(paths)) for name, fn in librosa_stages(paths).items()}
        table = {("ours", k): v for k, v in ours.items()}
        table.update({("librosa", k): v for k, v in theirs.items()})
        times = {key: [] for key in table}
        with threadpool_limits(1, user_api="blas"):
            for fn, _ in table.values():
                fn()  # warm up: tracing, FFT plans
            for _ in range(args.rounds):
                for key, (fn, clips) in table.items():
                    cpu, wall = time.process_time(), time.perf_counter()
                    fn()
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                    times[key].append((1000 * cpu / clips, 1000 * wall / clips))
        result = {"ours": {}, "librosa": {}}
        for (side, name), runs in times.items():
            result[side][name] = {
                "cpu_s": round(float(np.median([c for c, _ in runs])), 3),
                "wall_s": round(float(np.median([w for _, w in runs])), 3),
            }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "front-end stages alone, one core, seconds per 1,000 clips "
                "(5 s 22050 Hz PCM16 WAV, n_fft 2048, hop 512, 128 mels, dB)",
                "clips": args.clips,
                "batch_size": args.batch_size,
                "rounds": args.rounds,
                **result,
                "machine": describe(load_before, librosa=librosa.__version__),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
