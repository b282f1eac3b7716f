"""`audiozoo export`: a trained classifier as a SavedModel folder or a `.tflite` file.

Both take raw waveforms `(batch, samples)` at the model's sample rate and give
class probabilities (`serving_default`) and embeddings (`embed`); both carry
the class names and the sample rate. The SavedModel takes any batch and any
length (centre crop or zero-pad to the clip, as `audiozoo predict`); the TFLite
file takes `(batch, clip_samples)`. After writing, the export is run (the
SavedModel loaded back, the TFLite file in the TFLite interpreter) and compared
with the Keras model. `--quantize` makes a smaller TFLite file: `dynamic` (int8
weights), `float16` (float16 weights) or `int8` (weights and activations, calibrated
on `--calibration-data` or the run's train split; the spectrogram and its log stay
float) and reports the change. A model trained in bfloat16 is exported in float32;
a model joined to its hand-crafted baseline goes to TFLite whole (its features in
float32, builtin ops only; float32 or float16), or its network alone with
`--network-only` (any `--quantize`). `--stream-hop S` writes a streaming TFLite
file instead: S seconds of audio per call, the window's context kept as an
explicit input and output (`applications.export.stream`).
"""

import os

from applications.cli import checks
from applications.errors import UsageError

__all__ = ["register", "run_export"]

DESCRIPTION = (
    "Write a trained classifier as a SavedModel folder or a .tflite file. Both take raw "
    "waveforms (batch, samples) at the model's sample rate and give class probabilities "
    "(signature serving_default) and embeddings (embed), and carry the class names and "
    "sample rate. After writing, the export is run and compared with the Keras model."
)


def register(subparsers):
    """Add `export` to the `audiozoo` parser."""
    export = "export a trained model as a SavedModel or TFLite file"
    p = checks.add_command(subparsers, "export", run_export, export, description=DESCRIPTION)
    p.add_argument("--model", required=True, help="finetune OUT folder or its model.keras")
    p.add_argument(
        "--format", required=True, choices=("saved_model", "tflite"), help="what to write"
    )
    p.add_argument(
        "--out", help="where to write (default: beside the model, saved_model/ or model.tflite)"
    )
    p.add_argument(
        "--quantize",
        choices=("dynamic", "float16", "int8"),
        help="TFLite only: dynamic = int8 weights, float activations; float16 = float16 "
        "weights; int8 = int8 weights and activations, the front end float "
        "(default: none, float32)",
    )
    p.add_argument(
        "--calibration-data",
        metavar="DIR",
        help="--quantize int8: folder of audio files to calibrate on "
        "(default: 300 clips of the run's train split, from settings.json beside the model)",
    )
    p.add_argument(
        "--network-only",
        action="store_true",
        help="a model joined to its baseline: export the network alone (int8 and dynamic "
        "quantisation need it; default: off, the whole model)",
    )
    p.add_argument(
        "--stream-hop",
        type=float,
        metavar="S",
        help="TFLite only: write a streaming file instead (signature stream: S seconds of "
        "audio per call, the window's context kept as an input and output; "
        "default: none, whole clips)",
    )
    p.add_argument(
        "--check-data",
        metavar="DIR",
        help="folder of <class>/ audio files: report accuracy before and after "
        "(default: none, probe signals)",
    )
    p.add_argument("--json", action="store_true", help="print the parity report as JSON")


def run_export(args):
    """`audiozoo export`: write the export, run it, and print its parity with the Keras model.

    Args:
        args: the parsed `model`, `format`, `out`, `quantize`, `calibration_data`,
            `network_only`, `stream_hop`, `check_data` and `json`.

    Returns:
        0.

    Example:
        audiozoo export --model runs/finetune --format tflite --network-only --quantize int8
    """
    from applications.export.flow import default_out, export_model, print_report
    from applications.trained import load_classifier
    from applications.trained.pretrained import is_pretrained

    if args.quantize and args.format != "tflite":
        raise UsageError("--quantize applies to --format tflite only.")
    if args.stream_hop is not None:
        if args.format != "tflite":
            raise UsageError("--stream-hop applies to --format tflite only.")
        checks.seconds("--stream-hop", args.stream_hop)
    if args.out is not None:
        if args.format == "tflite":
            checks.output_file("--out", args.out, ".tflite")
        else:
            checks.output_folder("--out", args.out)
            _replaceable("--out", args.out)
    if args.check_data is not None and not os.path.isdir(args.check_data):
        raise UsageError(f"--check-data {args.check_data!r} is not a folder.")
    if args.calibration_data is not None:
        if args.quantize != "int8":
            raise UsageError("--calibration-data applies to --quantize int8 only.")
        if not os.path.isdir(args.calibration_data):
            raise UsageError(f"--calibration-data {args.calibration_data!r} is not a folder.")
    if is_pretrained(args.model) and not os.path.exists(args.model):
        raise UsageError(
            f"--model {args.model!r} names a published embedding network, not a classifier; "
            "export writes trained classifiers (`audiozoo finetune` or a .keras file)."
        )
    model, labels, file = load_classifier("--model", args.model)
    out = args.out or default_out(file, args.format, args.quantize, args.stream_hop is not None)
    if args.format == "saved_model":
        _replaceable("--out", out)
    report = export_model(
        model,
        labels,
        out,
        args.format,
        quantize=args.quantize,
        check_data=args.check_data,
        where=f"--model {file!r}",
        network_only=args.network_only,
        calibration_data=args.calibration_data,
        model_file=file,
        stream_hop=args.stream_hop,
    )
    print_report(report, as_json=args.json)
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
