"""On the device: TFLite float32, dynamic, float16 and int8 against the Keras model, in one run.

    python benchmarks/edge.py --demo runs/finetune [--words RUN] [--runs 100] \\
        [--out edge.json] [--plot edge.png]

Models: the demo (`audiozoo finetune`'s run: its network, since int8 and dynamic
quantisation cannot carry the hand-crafted baseline it is joined to), an optional second finetune run
(`--words`, e.g. on `benchmarks/eval_sets.py words`), the published musicnn
MagnaTagATune tagger (`zoo.musicnn`, weights from the cached wheel) and PANNs
`cnn6` at its published size (random weights: the AudioSet checkpoints are not
reachable offline). For each export: file size, single-thread latency per second
of audio in the TFLite interpreter (median and p95 of `--runs` warm runs, batch 1),
the same for the Keras model (a traced `tf.function`, one thread), and accuracy
on the run's held-out test split (the taggers, without labels: top-1 agreement
and the largest probability difference with Keras). int8 calibrates on the
run's train split (the taggers: the demo's train clips at their rate).
Each export is of the model `audiozoo export` writes: front ends with the four-step
DFT (`zoo.audio.dft`); `--dft fft` exports them with TFLite's RFFT2D kernel instead.
Prints JSON and writes a PNG of latency against accuracy.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

VARIANTS = ("float32", "dynamic", "float16", "int8")
TAGGERS = ("musicnn", "cnn6")


def _threads():
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def run_model(run, count=300):
    """`(model, labels, test clips, test labels, calibration clips)` of a finetune run."""
    from applications.data import load_dataset
    from applications.export.calibration import calibration_clips
    from applications.export.cast import float32_copy, is_fused, network_of
    from applications.trained import load_classifier, read_json

    import numpy as np

    model, labels, file = load_classifier("--demo", run)
    model = float32_copy(model)[0]
    model = network_of(model) if is_fused(model) else model
    settings = read_json(os.path.join(os.path.dirname(file), "settings.json"), "settings")
    keys = ("sample_rate", "clip_seconds", "seed", "skip_bad", "dedupe")
    data = load_dataset(settings["data"], batch_size=64, cache=False,
                        **{k: settings[k] for k in keys if k in settings})  # fmt: skip
    clips, truth = zip(*[(x.numpy(), y.numpy()) for x, y in data.test])
    calibration, _ = calibration_clips(None, file, data.sample_rate, data.clip_samples, count)
    return model, labels, np.concatenate(clips), np.concatenate(truth), calibration


def tagger(name, clips, rate):
    """A published-size tagger on waveforms, and `clips` at its rate and length."""
    import keras
    import numpy as np
    from scipy.signal import resample_poly

    import zoo
    from zoo.convnets.panns_layers import PANNS_AUDIO, panns_log_mel

    if name == "musicnn":
        target, samples = 16000, 187 * 256  # its published 3 s input
        model = zoo.musicnn.musicnn(
            weights="mtt", include_preprocessing=True, input_shape=(samples,), name="musicnn_mtt"
        )
    else:
        target, samples = PANNS_AUDIO["sample_rate"], PANNS_AUDIO["sample_rate"]
        keras.utils.set_random_seed(0)  # the same random network in every run
        net = zoo.create_model("cnn6", weights=None, classes=527)
        waveform = keras.Input((samples,), name="waveform")
        model = keras.Model(waveform, net(panns_log_mel()(waveform)), name="cnn6_audio")
    if target != rate:
        clips = resample_poly(clips, target, rate, axis=1).astype(np.float32)
    fitted = np.zeros((len(clips), samples), np.float32)
    n = min(samples, clips.shape[1])
    fitted[:, :n] = clips[:, :n]
    return model, {"sample_rate": target}, fitted


def parts(model, labels):
    """`serving_parts`, or the model as its own embedder where it has no classifier layer."""
    from applications.errors import UsageError
    from applications.export import metadata_dict, serving_parts

    try:
        return serving_parts(model, labels)
    except UsageError:
        outputs = int(model.output_shape[-1])
        meta = metadata_dict([f"tag_{i}" for i in range(outputs)], labels["sample_rate"],
                             model.input_shape[1], outputs)  # fmt: skip
        return model, model, meta


def latency(fn, x, runs):
    """Median and p95 in ms of `runs` calls of `fn(x)` after 5 warm-up calls."""
    import numpy as np

    for _ in range(5):
        fn(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(x)
        times.append(1000 * (time.perf_counter() - start))
    return float(np.median(times)), float(np.percentile(times, 95))


def interpreter_fn(blob):
    import warnings

    import tensorflow as tf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_content=blob, num_threads=1)
    runner = interpreter.get_signature_runner("serving_default")
    return lambda x: runner(waveform=x)["probabilities"]


def measure(name, model, labels, clips, truth, calibration, runs, variants, dft="matmul"):
    """One model's row: Keras and each TFLite export, on the same clips."""
    import numpy as np
    import tensorflow as tf

    from applications.export import run_tflite
    from applications.export.cast import float32_copy
    from applications.export.report import compare
    from applications.export.tflite import convert

    exported = float32_copy(model, portable_features=dft == "matmul")[0]
    classifier, embedder, meta = parts(exported, labels)
    seconds = meta["clip_samples"] / meta["sample_rate"]
    one = clips[:1]
    graph = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    median, p95 = latency(lambda x: graph(x).numpy(), one, runs)
    reference = np.concatenate(
        [np.asarray(graph(clips[i : i + 32])) for i in range(0, len(clips), 32)]
    )
    row = {"clip_seconds": seconds, "clips": int(len(clips)), "keras": {
        "latency_ms_per_s": {"median": median / seconds, "p95": p95 / seconds},
        **({"accuracy": float(np.mean(reference.argmax(1) == truth))} if truth is not None else {}),
    }, "tflite": {}}  # fmt: skip
    for variant in variants:
        quantize = None if variant == "float32" else variant
        start = time.perf_counter()
        blob, types = convert(classifier, embedder, meta, quantize, calibration, where=name)
        fn = interpreter_fn(blob)
        median, p95 = latency(fn, one, runs)
        outputs = run_tflite(blob, clips)
        entry = {
            "size_bytes": len(blob),
            "latency_ms_per_s": {"median": median / seconds, "p95": p95 / seconds},
            **compare(reference, outputs, truth),
            "op_kinds": {part: sorted({k.split()[1] for k in t}) for part, t in types.items()},
            "convert_s": round(time.perf_counter() - start, 1),
        }
        entry.pop("clips")
        row["tflite"][variant] = entry
        print(
            f"{name} {variant}: {len(blob)} bytes, {median / seconds:.2f} ms per s", file=sys.stderr
        )
    base = row["tflite"].get("float32")
    for entry in row["tflite"].values():
        if base:
            entry["size_ratio"] = entry["size_bytes"] / base["size_bytes"]
            entry["latency_ratio"] = (entry["latency_ms_per_s"]["median"]
                                      / base["latency_ms_per_s"]["median"])  # fmt: skip
    return row


def targets(rows):
    """Issue 29's int8 targets per model: accuracy within 1 point, size <= 30 %, latency <= 0.6x."""
    out = {}
    for name, row in rows.items():
        int8, base = row["tflite"].get("int8"), row["tflite"].get("float32")
        if not int8 or not base:
            continue
        met = {"size_at_most_30pct": int8["size_ratio"] <= 0.30,
               "latency_at_most_0.6x": int8["latency_ratio"] <= 0.6}  # fmt: skip
        if "accuracy_export" in int8:
            met["accuracy_within_1pt"] = base["accuracy_export"] - int8["accuracy_export"] <= 0.01
        out[name] = met
    return out


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from applications.atomic_io import atomic_path

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, row in rows.items():
        key = "accuracy_export" if "accuracy" in row["keras"] else "top1_agreement"
        xs = [row["tflite"][v]["latency_ms_per_s"]["median"] for v in row["tflite"]]
        ys = [row["tflite"][v][key] for v in row["tflite"]]
        (line,) = ax.plot(xs, ys, "o-", label=f"{name} ({key.split('_')[0]})")
        for v, x, y in zip(row["tflite"], xs, ys):
            ax.annotate(v, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.plot([row["keras"]["latency_ms_per_s"]["median"]], [ys[0]], "x", color=line.get_color())
    ax.set_xscale("log")
    ax.set_xlabel("single-thread latency, ms per second of audio (median; x = Keras)")
    ax.set_ylabel("accuracy on held-out clips (taggers: top-1 agreement with Keras)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo", default="runs/finetune", help="the demo's finetune run")
    parser.add_argument("--words", help="another finetune run, e.g. on the words set")
    parser.add_argument("--taggers", default=",".join(TAGGERS), help="musicnn,cnn6 or none")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--runs", type=int, default=100, help="timed runs per model (>= 100)")
    parser.add_argument("--dft", default="matmul", choices=("matmul", "fft"),
                        help="the exports' front-end DFT (Keras always runs its own)")  # fmt: skip
    parser.add_argument("--out", default="edge.json")
    parser.add_argument("--plot", default="edge.png")
    args = parser.parse_args(argv)
    _threads()
    from machine_info import describe

    from applications.atomic_io import write_json

    load = os.getloadavg()
    variants = [v for v in args.variants.split(",") if v]
    rows = {}
    runs = {"demo": args.demo, **({"words": args.words} if args.words else {})}
    demo_clips = None
    for name, run in runs.items():
        model, labels, clips, truth, calibration = run_model(run)
        if name == "demo":
            demo_clips, demo_rate, demo_calibration = clips, labels["sample_rate"], calibration
        rows[name] = measure(
            name, model, labels, clips, truth, calibration, args.runs, variants, args.dft
        )
    for name in [t for t in args.taggers.split(",") if t in TAGGERS]:
        model, labels, clips = tagger(name, demo_clips, demo_rate)
        _, _, calibration = tagger(name, demo_calibration[:100], demo_rate)  # 100: the floor
        rows[name] = measure(
            name, model, labels, clips, None, calibration, args.runs, variants, args.dft
        )
    report = {
        "command": "python benchmarks/edge.py " + " ".join(argv or sys.argv[1:]),
        "runs": args.runs,
        "models": rows,
        "int8_targets_met": targets(rows),
        "machine": describe(load),
    }
    write_json(args.out, report)
    plot(rows, args.plot)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
