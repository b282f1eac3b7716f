"""Hand-crafted feature set throughput: `zoo.features` in-graph vs librosa file by file.

Writes N five-second 22,050 Hz PCM16 WAV files (harmonic tones, chirps, noise and
clipped tones, each over a noise floor) and computes, in the same run and with the
same settings (n_fft 2048, hop 512, 128 mels, 20 MFCCs, 13 cepstral coefficients,
LPC order 12, YIN over C2-C7), the per-clip vector of mean, std and mean |delta| of
every per-frame feature:

* ours: `tf.data` decoding (`zoo.audio.decode_file`, AUTOTUNE) into batches and one
  `tf.function` call of `zoo.features.HandcraftedFeatures` per batch, in graph mode
  and compiled with XLA (`jit_compile=True`);
* librosa: `load`, one STFT shared by every spectral feature, `rms`,
  `zero_crossing_rate`, `spectral_centroid/bandwidth/flatness/rolloff/contrast`,
  `mfcc` (via `melspectrogram` + `power_to_db`), `chroma_stft`, `lpc` on the frames,
  `yin`, and NumPy for the features librosa lacks (skewness, kurtosis, irregularity,
  flux, cepstrum), file by file with BLAS on one thread; also in a pool of one
  process per CPU. librosa has no YIN periodicity, so its side skips that column:
  it does slightly less work than ours.

Rounds interleave the pipelines and each figure is the median round. Each entry also
gives the process's CPU time per clip (all threads), the figure that other jobs on a
shared machine disturb least; the pool's workers are not counted. Afterwards both
sides compute the per-frame features of a few clips and the JSON reports, per
feature, the largest deviation found (absolute, and relative where the reference is
not near zero). Prints one JSON object.

    python benchmarks/features.py [--clips 48] [--batch-size 8] [--rounds 3]
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import shutil
import tempfile
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import librosa
import numpy as np
import soundfile as sf
import tensorflow as tf
from machine_info import describe
from threadpoolctl import threadpool_limits

import zoo.audio
import zoo.features

RATE, SECONDS, N_FFT, HOP, N_MELS, N_MFCC, N_CEPS, ORDER = 22050, 5.0, 2048, 512, 128, 20, 13, 12
F0_MIN, F0_MAX = 65.40639, 2093.0045
# HandcraftedFeatures' arguments; the rest keep their defaults (librosa's where it has them).
SETTINGS = {"sample_rate": RATE, "n_fft": N_FFT, "hop_length": HOP, "n_mels": N_MELS}
SETTINGS.update(n_mfcc=N_MFCC, n_cepstrum=N_CEPS, lpc_order=ORDER, f0_min=F0_MIN, f0_max=F0_MAX)


def make_files(folder, clips, seed=0):
    rng = np.random.default_rng(seed)
    n = int(RATE * SECONDS)
    t = np.arange(n) / RATE
    paths = []
    for i in range(clips):
        f0 = rng.uniform(80, 800)
        kind = i % 4
        if kind == 0:  # harmonic tone
            wave = sum(0.3 / h * np.sin(2 * np.pi * h * f0 * t) for h in range(1, 6))
        elif kind == 1:  # chirp
            wave = 0.4 * np.sin(2 * np.pi * (f0 * t + 400 * t**2))
        elif kind == 2:  # noise
            wave = 0.2 * rng.standard_normal(n)
        else:  # clipped tone
            wave = np.clip(1.5 * np.sin(2 * np.pi * f0 * t), -0.9, 0.9)
        wave = wave + 0.01 * rng.standard_normal(n)
        path = os.path.join(folder, f"clip_{i:05d}.wav")
        sf.write(path, wave.astype(np.float32), RATE, subtype="PCM_16")
        paths.append(path)
    return paths


def run_ours(paths, batch_size, layer_fn):
    ds = (
        tf.data.Dataset.from_tensor_slices(paths)
        .map(lambda p: zoo.audio.decode_file(p)[0], num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    return sum(int(layer_fn(x).shape[0]) for x in ds)


def librosa_frame_features(y):
    """librosa's (and NumPy's) per-frame features of one clip, frames first, by group."""
    s = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP))
    power = s**2
    out = {
        "rms": librosa.feature.rms(y=y, frame_length=N_FFT, hop_length=HOP)[0],
        "zero_crossing_rate": librosa.feature.zero_crossing_rate(
            y, frame_length=N_FFT, hop_length=HOP
        )[0],
    }
    centroid = librosa.feature.spectral_centroid(S=s, sr=RATE)
    out["spectral_centroid"] = centroid[0]
    out["spectral_spread"] = librosa.feature.spectral_bandwidth(S=s, sr=RATE, centroid=centroid)[0]
    freq = librosa.fft_frequencies(sr=RATE, n_fft=N_FFT)[:, None]
    p = s / np.maximum(s.sum(0, keepdims=True), np.finfo(np.float32).tiny)
    dev = freq - centroid
    sigma = np.maximum(out["spectral_spread"], 1e-12)
    out["spectral_skewness"] = (p * dev**3).sum(0) / sigma**3
    out["spectral_kurtosis"] = (p * dev**4).sum(0) / sigma**4
    out["spectral_flatness"] = librosa.feature.spectral_flatness(S=s)[0]
    out["spectral_irregularity"] = (np.diff(s, axis=0) ** 2).sum(0) / np.maximum(
        power.sum(0), 1e-38
    )
    out["spectral_rolloff"] = librosa.feature.spectral_rolloff(S=s, sr=RATE)[0]
    out["spectral_flux"] = np.concatenate(
        [[0.0], np.sqrt((np.maximum(np.diff(s, axis=1), 0) ** 2).sum(0))]
    )
    out["spectral_contrast"] = librosa.feature.spectral_contrast(S=s, sr=RATE).T
    out["cepstrum"] = (
        np.fft.irfft(np.log(np.maximum(power, 1e-10)), n=N_FFT, axis=0)[:N_CEPS].T ** 2
    )
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=RATE, n_mels=N_MELS))
    out["mfcc"] = librosa.feature.mfcc(S=mel_db, n_mfcc=N_MFCC).T
    frames = librosa.util.frame(np.pad(y, N_FFT // 2), frame_length=N_FFT, hop_length=HOP)
    out["lpc"] = librosa.lpc(frames, order=ORDER, axis=-2)[1:].T
    out["chroma"] = librosa.feature.chroma_stft(S=power, sr=RATE).T
    out["f0"] = librosa.yin(
        y, fmin=F0_MIN, fmax=F0_MAX, sr=RATE, frame_length=N_FFT, hop_length=HOP
    )
    return out


def librosa_clip_vector(path):
    y, _ = librosa.load(path, sr=None)
    columns = np.concatenate(
        [v.reshape(v.shape[0], -1) for v in librosa_frame_features(y).values()], axis=1
    )
    return np.concatenate(
        [columns.mean(0), columns.std(0), np.abs(np.diff(columns, axis=0)).mean(0)]
    )


def run_librosa(paths):
    with threadpool_limits(1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sum(librosa_clip_vector(p).size > 0 for p in paths)


def run_librosa_processes(pool, paths):
    workers = os.cpu_count() or 1
    chunks = [paths[i :: workers * 4] for i in range(workers * 4)]
    return sum(pool.map(run_librosa, chunks))


def timed(fn, *args):
    """(clips/s, clips, CPU ms/clip of this process: every thread, not pool workers)."""
    start, cpu = time.perf_counter(), time.process_time()
    count = fn(*args)
    cpu_ms = 1000 * (time.process_time() - cpu) / count
    return count / (time.perf_counter() - start), count, cpu_ms


def _record(worst, key, got, want):
    err = np.abs(got - want)
    scale = float(np.abs(want).max())
    big = np.abs(want) > 1e-3 * scale
    rel = float((err[big] / np.abs(want[big])).max()) if big.any() else 0.0
    entry = worst.setdefault(key, {"max_abs": 0.0, "max_rel": 0.0, "ref_max_abs": 0.0})
    entry["max_abs"] = max(entry["max_abs"], float(err.max()))
    entry["max_rel"] = max(entry["max_rel"], rel)
    entry["ref_max_abs"] = max(entry["ref_max_abs"], scale)


def deviations(paths):
    """Largest deviation of each per-frame feature group from librosa / NumPy, over `paths`.

    `max_rel` is over reference values above 1e-3 of the group's largest; librosa runs on
    the float32 samples as `librosa.load` returns them (LPC also on a float64 copy: Burg in
    float32, librosa's precision on float32 input, drifts on near-tonal frames).
    """
    layer = zoo.features.FrameFeatures(**SETTINGS)
    names = layer.feature_names()
    worst = {}
    for path in paths:
        y, _ = librosa.load(path, sr=None)
        ours = layer(y[None]).numpy()[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = librosa_frame_features(y)
        for group, values in ref.items():
            cols = [i for i, n in enumerate(names) if n == group or n.startswith(group + "_")]
            _record(worst, group, ours[:, cols], values.reshape(values.shape[0], -1))
        frames = librosa.util.frame(
            np.pad(y.astype(np.float64), N_FFT // 2), frame_length=N_FFT, hop_length=HOP
        )
        cols = [i for i, n in enumerate(names) if n.startswith("lpc_")]
        lpc64 = librosa.lpc(frames, order=ORDER, axis=-2)[1:].T
        _record(worst, "lpc_vs_librosa_on_float64", ours[:, cols], lpc64)
    for group in ("spectral_skewness", "spectral_kurtosis", "spectral_irregularity"):
        worst[group]["reference"] = "NumPy formula on librosa's STFT (librosa has none)"
    for group in ("spectral_flux", "cepstrum"):
        worst[group]["reference"] = "NumPy formula on librosa's STFT (librosa has none)"
    worst["spectral_rolloff"]["max_bins"] = worst["spectral_rolloff"]["max_abs"] / (RATE / N_FFT)
    return {
        k: {n: (float(f"{v:.3g}") if isinstance(v, float) else v) for n, v in e.items()}
        for k, e in worst.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--deviation-clips", type=int, default=8)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="audiozoo-features-")
    load_before = os.getloadavg()
    # spawn, not fork: forking a process that runs TensorFlow's thread pools can hang.
    pool = concurrent.futures.ProcessPoolExecutor(
        os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn")
    )
    try:
        paths = make_files(folder, args.clips)
        layer = zoo.features.HandcraftedFeatures(**SETTINGS)
        layer_fn = tf.function(layer, reduce_retracing=True)
        layer_xla = tf.function(layer, jit_compile=True, reduce_retracing=True)
        # Warm up (tracing, XLA and numba compilation, worker start-up) on a few files.
        run_ours(paths[: args.batch_size], args.batch_size, layer_fn)
        run_ours(paths[: args.batch_size], args.batch_size, layer_xla)
        run_librosa(paths[:2])
        run_librosa_processes(pool, paths[: 2 * (os.cpu_count() or 1)])
        rounds = {"ours": [], "ours_xla": [], "librosa": [], "librosa_processes": []}
        for _ in range(args.rounds):
            rounds["ours"].append(timed(run_ours, paths, args.batch_size, layer_fn))
            rounds["ours_xla"].append(timed(run_ours, paths, args.batch_size, layer_xla))
            rounds["librosa"].append(timed(run_librosa, paths))
            rounds["librosa_processes"].append(timed(run_librosa_processes, pool, paths))
        for name, runs in rounds.items():
            assert all(count == args.clips for _, count, _ in runs), (name, runs)
        median = {k: float(np.median([r for r, _, _ in v])) for k, v in rounds.items()}
        cpu = {k: float(np.median([c for _, _, c in v])) for k, v in rounds.items()}

        def entry(name, **extra):
            return {
                "clips_per_s": round(median[name], 2),
                "rounds_clips_per_s": [round(r, 2) for r, _, _ in rounds[name]],
                "cpu_ms_per_clip": None if name == "librosa_processes" else round(cpu[name], 1),
                **extra,
            }

        step = max(1, args.clips // args.deviation_clips)
        result = {
            "benchmark": "whole hand-crafted set -> per-clip mean/std/mean|delta| vector, "
            "5 s 22050 Hz PCM16 WAV, n_fft 2048, hop 512",
            "clips": args.clips,
            "batch_size": args.batch_size,
            "rounds": args.rounds,
            "vector_size": len(layer.feature_names()),
            "ours": entry(
                "ours",
                pipeline="tf.data decode_file (AUTOTUNE) + tf.function(HandcraftedFeatures) "
                "per batch, graph mode",
            ),
            "ours_xla": entry("ours_xla", pipeline="the same with jit_compile=True (XLA)"),
            "librosa": entry(
                "librosa",
                pipeline="load + shared STFT + librosa/NumPy features, 1 process, BLAS 1 thread",
            ),
            "librosa_processes": entry("librosa_processes", processes=os.cpu_count()),
            **{
                f"ratio_{ours}_vs_{base}": round(median[ours] / median[base], 2)
                for ours in ("ours", "ours_xla")
                for base in ("librosa", "librosa_processes")
            },
            **{
                f"cpu_time_ratio_librosa_over_{ours}": round(cpu["librosa"] / cpu[ours], 2)
                for ours in ("ours", "ours_xla")
            },
            "max_deviation_per_feature": deviations(paths[::step][: args.deviation_clips]),
            "deviation_clips": len(paths[::step][: args.deviation_clips]),
            "machine": describe(load_before, librosa=librosa.__version__),
        }
    finally:
        pool.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
