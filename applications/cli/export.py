"""`audiozoo export`: a trained classifier as a SavedModel folder or a `.tflite` file.

Both take raw waveforms `(batch, samples)` at the model's sample rate and give
class probabilities (`serving_default`) and embeddings (`embed`); both carry
the class names and the sample rate. The SavedModel takes any batch and any
length (centre crop or zero-pad to the clip, as `audiozoo predict`); the TFLite
file takes `(batch, clip_samples)`. After writing, the export is run (the
SavedModel loaded back, the TFLite file in the TFLite interpreter) and compared
with the Keras model; `--quantize dynamic` (int8 weights) reports the change.
"""

import json
import os

from applications.cli import checks
from applications.errors import UsageError

__all__ = ["register", "run_export"]


def register(subparsers):
    """Add `export` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser(
        "export", help="export a trained model as a SavedModel or TFLite file", description=__doc__
    )
    p.add_argument("--model", required=True, help="finetune OUT folder or its model.keras")
    p.add_argument("--format", required=True, choices=("saved_model", "tflite"))
    p.add_argument(
        "--out", help="where to write (default: beside the model, saved_model/ or model.tflite)"
    )
    p.add_argument(
        "--quantize", choices=("dynamic",), help="TFLite only: int8 weights (dynamic range)"
    )
    p.add_argument(
        "--check-data", help="folder of <class>/ audio files: report accuracy before and after"
    )
    p.add_argument("--json", action="store_true", help="print the parity report as JSON")
    p.set_defaults(func=run_export)


def _default_out(model_file, fmt, quantize):
    folder = os.path.dirname(os.path.abspath(model_file))
    if fmt == "saved_model":
        return os.path.join(folder, "saved_model")
    return os.path.join(folder, "model_int8.tflite" if quantize else "model.tflite")


def run_export(args):
    """`audiozoo export`: write the export, run it, and print its parity with the Keras model.

    Args:
        args: the parsed `model`, `format`, `out`, `quantize`, `check_data` and `json`.

    Returns:
        0.

    Example:
        audiozoo export --model runs/chords --format tflite --quantize dynamic
    """
    import numpy as np

    from applications import export
    from applications.cli.embed import load_for_serving
    from applications.export.report import compare, labelled_clips, probe_clips

    if args.quantize and args.format != "tflite":
        raise UsageError("--quantize applies to --format tflite only.")
    if args.out is not None:
        if args.format == "tflite":
            checks.output_file("--out", args.out, ".tflite")
        else:
            checks.output_folder("--out", args.out)
            _replaceable("--out", args.out)
    if args.check_data is not None and not os.path.isdir(args.check_data):
        raise UsageError(f"--check-data {args.check_data!r} is not a folder.")
    model, labels, file = load_for_serving("--model", args.model)
    out = args.out or _default_out(file, args.format, args.quantize)
    if args.format == "saved_model":
        _replaceable("--out", out)
    classifier, embedder, meta = export.serving_parts(model, labels, where=f"--model {file!r}")
    clip, rate = meta["clip_samples"], meta["sample_rate"]
    truth = None
    if args.check_data is not None:
        clips, truth = labelled_clips(args.check_data, meta["class_names"], rate, clip)
    else:
        clips = probe_clips(rate, clip)
    # Eager calls in chunks: `predict` would trace a function for a few dozen clips.
    reference = np.concatenate(
        [np.asarray(model(clips[i : i + 64], training=False)) for i in range(0, len(clips), 64)]
    )
    if args.format == "saved_model":
        import tensorflow as tf

        export.write_saved_model(export.build_archive(classifier, embedder, meta), out, meta)
        serve = tf.saved_model.load(out).signatures["serving_default"]
        exported = serve(waveform=tf.constant(clips))["probabilities"].numpy()
    else:
        archive = export.build_archive(classifier, embedder, meta, length=clip)
        blob = export.tflite_bytes(archive, meta, quantize=args.quantize)
        export.write_tflite(blob, out)
        exported = export.run_tflite(out, clips)
    report = {
        "format": args.format,
        "quantize": args.quantize,
        "out": out,
        "size_bytes": _size(out),
        "data": args.check_data or "probe signals",
        **compare(reference, exported, truth),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"Wrote {out} ({report['size_bytes']} bytes)")
        line = (
            f"vs the Keras model on {report['clips']} clips ({report['data']}): max |dp| "
            f"{report['max_abs_diff']:.2e}, top-1 agreement {report['top1_agreement']:.3f}"
        )
        if truth is not None:
            line += f", accuracy {report['accuracy_keras']:.3f} -> {report['accuracy_export']:.3f}"
        print(line)
    return 0


def _replaceable(flag, folder):
    """Refuse a non-empty folder that is not a SavedModel: export replaces `--out` whole."""
    if os.path.isdir(folder) and os.listdir(folder):
        if not os.path.isfile(os.path.join(folder, "saved_model.pb")):
            raise UsageError(
                f"{flag} {folder!r} is a non-empty folder that is not a SavedModel; the export "
                "replaces the whole folder.",
                hint=f"pass {flag} a new folder (or an earlier export to replace)",
            )


def _size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(path)
        for name in names
    )
