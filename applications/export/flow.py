"""`audiozoo export` after its flag checks: write the export, run it back, compare with Keras.

`export_model` writes a SavedModel folder or a `.tflite` file, runs it (the
SavedModel loaded back, the TFLite file in the TFLite interpreter) on probe
signals or on a labelled folder, and returns the parity report that
`print_report` shows.
"""

import json
import os

import numpy as np

from applications.export.module import build_archive
from applications.export.report import compare, labelled_clips, probe_clips
from applications.export.writer import tflite_bytes, write_saved_model, write_tflite

__all__ = ["default_out", "export_model", "print_report"]


def default_out(model_file, fmt, quantize=None):
    """Where an export goes without `--out`: beside the model, `saved_model/` or `model.tflite`."""
    folder = os.path.dirname(os.path.abspath(model_file))
    if fmt == "saved_model":
        return os.path.join(folder, "saved_model")
    return os.path.join(folder, "model_int8.tflite" if quantize else "model.tflite")


def export_model(model, labels, out, fmt, quantize=None, check_data=None, where="model"):
    """Write `model` as `fmt` to `out`, run the export, and score it against the Keras model.

    Args:
        model: a Keras classifier on `(batch, clip_samples)` waveforms.
        labels: its `labels.json` dict, or None.
        out: the SavedModel folder or `.tflite` file to write.
        fmt: `"saved_model"` or `"tflite"`.
        quantize: None, or `"dynamic"` (TFLite int8 weights).
        check_data: a folder of `<class>/` audio files to score accuracy on, or None
            (probe signals).
        where: names the model in errors.

    Returns:
        The report dict: `format`, `quantize`, `out`, `size_bytes`, `data` and
        `applications.export.report.compare`'s figures.

    Example:
        >>> export_model(model, labels, "runs/a/model.tflite", "tflite")["top1_agreement"]
        1.0
    """
    from applications.export import run_tflite, serving_parts

    classifier, embedder, meta = serving_parts(model, labels, where=where)
    clip, rate = meta["clip_samples"], meta["sample_rate"]
    truth = None
    if check_data is not None:
        clips, truth = labelled_clips(check_data, meta["class_names"], rate, clip)
    else:
        clips = probe_clips(rate, clip)
    # Eager calls in chunks: `predict` would trace a function for a few dozen clips.
    reference = np.concatenate(
        [np.asarray(model(clips[i : i + 64], training=False)) for i in range(0, len(clips), 64)]
    )
    if fmt == "saved_model":
        import tensorflow as tf

        write_saved_model(build_archive(classifier, embedder, meta), out, meta)
        serve = tf.saved_model.load(out).signatures["serving_default"]
        exported = serve(waveform=tf.constant(clips))["probabilities"].numpy()
    else:
        archive = build_archive(classifier, embedder, meta, length=clip)
        write_tflite(tflite_bytes(archive, meta, quantize=quantize), out)
        exported = run_tflite(out, clips)
    return {
        "format": fmt,
        "quantize": quantize,
        "out": out,
        "size_bytes": _size(out),
        "data": check_data or "probe signals",
        **compare(reference, exported, truth),
    }


def print_report(report, as_json=False):
    """Print `export_model`'s report: JSON, or two lines (the file, then its parity)."""
    if as_json:
        print(json.dumps(report, indent=2))
        return
    print(f"Wrote {report['out']} ({report['size_bytes']} bytes)")
    line = (
        f"vs the Keras model on {report['clips']} clips ({report['data']}): max |dp| "
        f"{report['max_abs_diff']:.2e}, top-1 agreement {report['top1_agreement']:.3f}"
    )
    if "accuracy_keras" in report:
        line += f", accuracy {report['accuracy_keras']:.3f} -> {report['accuracy_export']:.3f}"
    print(line)


def _size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(path)
        for name in names
    )
