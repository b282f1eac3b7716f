"""`audiozoo export`: a trained classifier as a SavedModel folder or a `.tflite` file.

Both take raw waveforms `(batch, samples)` at the model's sample rate and give
class probabilities (`serving_default`) and embeddings (`embed`); both carry
the class names and the sample rate. The SavedModel takes any batch and any
length (centre crop or zero-pad to the clip, as `audiozoo predict`); the TFLite
file takes `(batch, clip_samples)`. After writing, the export is run (the
SavedModel loaded back, the TFLite file in the TFLite interpreter) and compared
with the Keras model; `--quantize dynamic` (int8 weights) reports the change.
"""

import os

from applications.cli import checks
from applications.errors import UsageError

__all__ = ["register", "run_export"]


def register(subparsers):
    """Add `export` to the `audiozoo` parser."""
    export = "export a trained model as a SavedModel or TFLite file"
    p = checks.add_command(subparsers, "export", run_export, export, description=__doc__)
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


def run_export(args):
    """`audiozoo export`: write the export, run it, and print its parity with the Keras model.

    Args:
        args: the parsed `model`, `format`, `out`, `quantize`, `check_data` and `json`.

    Returns:
        0.

    Example:
        audiozoo export --model runs/chords --format tflite --quantize dynamic
    """
    from applications.export.flow import default_out, export_model, print_report
    from applications.trained import load_classifier

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
    model, labels, file = load_classifier("--model", args.model)
    out = args.out or default_out(file, args.format, args.quantize)
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
