"""Front-end throughput: decode + log-mel, ours vs librosa vs keras' own utilities.

Generates N five-second 22,050 Hz PCM16 WAV files in a temporary folder and
times, in the same run with the same parameters (2048-point FFT, hop 512,
128 mel bands, power 2, dB):

* ours: `zoo.audio.log_mel_dataset`, the front end for files: `decode_file`
  in `tf.data` and `zoo.audio.LogMelSpectrogram` compiled with XLA, one
  thread per batch, as many batches at once as cores (`zoo.audio.map_batches`);
* ours_graph: the same without XLA (how finetune fills its log-mel cache);
* ours_layer_per_batch: `decode_file` in `tf.data` (AUTOTUNE) and the layer
  called on each batch from Python, as a model would;
* librosa: `load` + `feature.melspectrogram` + `power_to_db`, file by file;
* keras: `keras.utils.audio_dataset_from_directory` + `keras.layers.MelSpectrogram`.

librosa runs with its BLAS limited to one thread (measured faster here: two
BLAS threads on a shared 2-core machine spin against each other), and, as the
usual way to scale it, also in a pool of one process per CPU. The pipelines
run in interleaved rounds and each figure is the median round, so load from
other processes hits all of them alike. Our layer and datasets are built
once, before the rounds, as a model and its input pipeline are; each round
reads, decodes and transforms every file again (nothing is cached). Prints one JSON object: clips/s for
each, ratios to single-process librosa, CPU seconds of this process per 1,000
clips (less swayed by load than clips/s), and the machine with its load.
`benchmarks/frontend_profile.py` times each stage alone.

    python benchmarks/frontend.py [--clips 1000] [--batch-size 32] [--rounds 3]
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import shutil
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import librosa  # noqa: E402
import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
import tensorflow as tf  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402  (installed with librosa)

import zoo.audio  # noqa: E402
from machine_info import describe  # noqa: E402

RATE, SECONDS, N_FFT, HOP, N_MELS = 22050, 5.0, 2048, 512, 128


def make_files(folder, clips, seed=0):
    rng = np.random.default_rng(seed)
    n = int(RATE * SECONDS)
    t = np.arange(n) / RATE
    paths = []
    for i in range(clips):
        f0 = rng.uniform(100, 2000)
        wave = 0.3 * np.sin(2 * np.pi * f0 * t) + 0.05 * rng.standard_normal(n)
        path = os.path.join(folder, f"clip_{i:05d}.wav")
        sf.write(path, wave.astype(np.float32), RATE, subtype="PCM_16")
        paths.append(path)
    return paths


def _layer():
    return zoo.audio.LogMelSpectrogram(sample_rate=RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)


def ours(paths, batch_size, jit_compile=True):
    """A pass over `paths` through `zoo.audio.log_mel_dataset`, built once.

    Every pass reads, decodes and transforms every file again (no cache), as
    an epoch of `fit` does.
    """
    ds = zoo.audio.log_mel_dataset(paths, _layer(), batch_size, jit_compile=jit_compile)
    return lambda: sum(int(x.shape[0]) for x in ds)


def ours_layer_per_batch(paths, batch_size):
    """Decode in `tf.data`, call the layer on each batch from Python (as a model would)."""
    layer = _layer()
    mel = tf.function(lambda x: layer(x), reduce_retracing=True)
    ds = (
        tf.data.Dataset.from_tensor_slices(paths)
        .map(lambda p: zoo.audio.decode_file(p)[0], num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    return lambda: sum(int(mel(x).shape[0]) for x in ds)


def librosa_log_mel(path):
    y, sr = librosa.load(path, sr=None)
    return librosa.power_to_db(
        librosa.feature.melspectrogram(
            y=y, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, power=2.0
        ),
        ref=1.0,
    )


def run_librosa(paths):
    with threadpool_limits(1, user_api="blas"):
        for path in paths:
            librosa_log_mel(path)
    return len(paths)


def _librosa_chunk(paths):
    with threadpool_limits(1, user_api="blas"):
        return sum(librosa_log_mel(p).shape[1] > 0 for p in paths)


def run_librosa_processes(pool, paths):
    workers = os.cpu_count() or 1
    chunks = [paths[i :: workers * 4] for i in range(workers * 4)]
    return sum(pool.map(_librosa_chunk, chunks))


def run_keras(folder, batch_size):
    ds = keras.utils.audio_dataset_from_directory(
        folder, labels=None, batch_size=batch_size, shuffle=False, verbose=False
    )
    layer = keras.layers.MelSpectrogram(
        fft_length=N_FFT,
        sequence_stride=HOP,
        num_mel_bins=N_MELS,
        sampling_rate=RATE,
        min_freq=0.0,
        power_to_db=True,
        top_db=1000.0,
        mag_exp=2.0,
    )  # no None: 1000 dB = no floor
    mel = tf.function(lambda x: layer(x[..., 0]), reduce_retracing=True)
    count = 0
    for x in ds.prefetch(tf.data.AUTOTUNE):
        count += int(mel(x).shape[0])
    return count


def timed(fn, *args):
    """(clips/s, clips, CPU seconds of this process per 1,000 clips)."""
    start, cpu = time.perf_counter(), time.process_time()
    count = fn(*args)
    cpu = time.process_time() - cpu
    return count / (time.perf_counter() - start), count, 1000.0 * cpu / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="audiozoo-bench-")
    load_before = os.getloadavg()
    # spawn, not fork: forking a process that runs TensorFlow's thread pools can hang.
    pool = concurrent.futures.ProcessPoolExecutor(
        os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn")
    )
    try:
        start = time.perf_counter()
        paths = make_files(folder, args.clips)
        generate_s = time.perf_counter() - start
        # Warm up (tracing every batch shape, FFT plans, worker start-up).
        pipelines = {"ours": ours(paths, args.batch_size)}
        pipelines["ours_graph"] = ours(paths, args.batch_size, jit_compile=False)
        pipelines["ours_layer_per_batch"] = ours_layer_per_batch(paths, args.batch_size)
        for run in pipelines.values():
            run()
        run_librosa(paths[:2])
        run_librosa_processes(pool, paths[: 2 * (os.cpu_count() or 1)])
        rounds = {name: [] for name in pipelines}
        rounds.update(librosa=[], librosa_processes=[])
        rounds["keras"] = []
        keras_error = None
        for _ in range(args.rounds):
            for name, run in pipelines.items():
                rounds[name].append(timed(run))
            rounds["librosa"].append(timed(run_librosa, paths))
            rounds["librosa_processes"].append(timed(run_librosa_processes, pool, paths))
            if keras_error is None:
                try:
                    rounds["keras"].append(timed(run_keras, folder, args.batch_size))
                except Exception as e:  # report, do not hide, a failure of the baseline
                    keras_error = f"{type(e).__name__}: {str(e)[:300]}"
        for name, runs in rounds.items():
            assert all(count == args.clips for _, count, _ in runs), (name, runs)
        median = {
            k: float(np.median([r for r, _, _ in v])) if v else None for k, v in rounds.items()
        }
        ref = median["librosa"]

        def entry(name, **extra):
            if median[name] is None:
                return {"error": keras_error}
            cpu = float(np.median([c for _, _, c in rounds[name]]))
            return {
                "clips_per_s": round(median[name], 1),
                "rounds_clips_per_s": [round(r, 1) for r, _, _ in rounds[name]],
                "ratio_vs_librosa": round(median[name] / ref, 2),
                # Worker processes' CPU is not this process's: no figure for the pool.
                "cpu_s_per_1000_clips": None if name == "librosa_processes" else round(cpu, 2),
                **extra,
            }

        y, _ = librosa.load(paths[0], sr=None)
        expected = librosa.power_to_db(
            librosa.feature.melspectrogram(
                y=y, sr=RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS
            ),
            ref=1.0,
        )
        got = next(iter(zoo.audio.log_mel_dataset(paths[:1], _layer())))[0, ..., 0].numpy()
        loud = expected > -60
        result = {
            "benchmark": "decode + log-mel (n_fft 2048, hop 512, 128 mels, dB), 5 s 22050 Hz PCM16 WAV",
            "clips": args.clips,
            "batch_size": args.batch_size,
            "rounds": args.rounds,
            "ours": entry(
                "ours",
                decoder="decode_file's PCM16 WAV path (zoo.audio.wav16: tf.io.decode_raw)",
                pipeline="zoo.audio.log_mel_dataset: tf.data decode_file (AUTOTUNE) + "
                "LogMelSpectrogram with XLA, one thread per batch, one batch per core at once",
            ),
            "ours_graph": entry("ours_graph", pipeline="log_mel_dataset(jit_compile=False)"),
            "ours_layer_per_batch": entry(
                "ours_layer_per_batch",
                pipeline="tf.data decode_file (AUTOTUNE) + LogMelSpectrogram called on each "
                "batch from Python (as inside a model)",
            ),
            "librosa": entry(
                "librosa", pipeline="load + melspectrogram + power_to_db, 1 process, BLAS 1 thread"
            ),
            "librosa_processes": entry("librosa_processes", processes=os.cpu_count()),
            "keras_audio_dataset_from_directory+MelSpectrogram": entry(
                "keras", note="keras MelSpectrogram cannot take top_db=None; 1000 dB = no floor"
            ),
            "ours_vs_librosa_max_abs_db_above_-60db": float(np.abs(got - expected)[loud].max()),
            "generate_files_s": round(generate_s, 1),
            "machine": describe(load_before, librosa=librosa.__version__),
        }
    finally:
        pool.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
