"""`audiozoo export` after its flag checks: write the export, run it back, compare with Keras.

`export_model` writes a SavedModel folder or a `.tflite` file, runs it (the
SavedModel loaded back, the TFLite file in the TFLite interpreter) on probe
signals or on a labelled folder, and returns the parity report that
`print_report` shows.
"""

import json
import os

import numpy as np

from applications.errors import UsageError
from applications.export.module import build_archive
from applications.export.report import compare, labelled_clips, probe_clips
from applications.export.writer import write_saved_model, write_tflite

__all__ = ["default_out", "export_model", "print_report"]


def default_out(model_file, fmt, quantize=None, stream=False):
    """Where an export goes without `--out`: beside the model, `saved_model/` or
    `model[_stream][_Q].tflite`."""
    folder = os.path.dirname(os.path.abspath(model_file))
    if fmt == "saved_model":
        return os.path.join(folder, "saved_model")
    name = "model" + ("_stream" if stream else "") + (f"_{quantize}" if quantize else "")
    return os.path.join(folder, name + ".tflite")


def export_model(
    model,
    labels,
    out,
    fmt,
    quantize=None,
    check_data=None,
    where="model",
    network_only=False,
    calibration_data=None,
    model_file=None,
    stream_hop=None,
):
    """Write `model` as `fmt` to `out`, run the export, and score it against the Keras model.

    A model trained in bfloat16 is exported as its float32 copy (`cast.float32_copy`).
    A model joined to its hand-crafted baseline goes to TFLite whole, its features
    rebuilt with builtin ops in float32 (`vs_trained` measures the change), also in
    float16, or as its network alone (`network_only`, or a baseline weight of 0);
    int8 and dynamic quantisation of the joined model are refused.

    Args:
        model: a Keras classifier on `(batch, clip_samples)` waveforms.
        labels: its `labels.json` dict, or None.
        out: the SavedModel folder or `.tflite` file to write.
        fmt: `"saved_model"` or `"tflite"`.
        quantize: None, or (TFLite) `"dynamic"`, `"float16"` or `"int8"`.
        check_data: a folder of `<class>/` audio files to score accuracy on, or None
            (probe signals).
        where: names the model in errors.
        network_only: export the network of a fused model without its baseline.
        calibration_data: int8's representative folder; None: the run's train split.
        model_file: the `.keras` file (its `settings.json` gives int8's default clips).
        stream_hop: TFLite only: seconds per call of a streaming export (`stream.py`),
            checked by streaming each clip through it; None: the clip signatures.

    Returns:
        The report dict: `format`, `quantize`, `out`, `size_bytes`, `data`, `exported`,
        `cast`, `applications.export.report.compare`'s figures against the model
        exported and, when that is not the trained model itself, `vs_trained`; for
        TFLite, `op_types` and `custom_ops`; for int8, `calibration`.

    Example:
        >>> export_model(model, labels, "runs/a/model.tflite", "tflite")["top1_agreement"]
        1.0
    """
    from applications.export import run_tflite, serving_parts
    from applications.export.cast import float32_copy
    from applications.export.stream import run_stream, stream_metadata

    trained = model
    model, cast = float32_copy(model, portable_features=fmt == "tflite")
    model, exported = _what_to_export(model, fmt, network_only, quantize, where)
    classifier, embedder, meta = serving_parts(model, labels, where=where)
    clip, rate = meta["clip_samples"], meta["sample_rate"]
    hop = None if stream_hop is None else _hop_samples(stream_hop, rate, clip)
    if hop is not None:
        meta = stream_metadata(meta, hop)
    truth = None
    if check_data is not None:
        clips, truth = labelled_clips(check_data, meta["class_names"], rate, clip)
    else:
        clips = probe_clips(rate, clip)
    reference = _predict(model, clips)
    extra = {}
    if fmt == "saved_model":
        import tensorflow as tf

        write_saved_model(build_archive(classifier, embedder, meta), out, meta)
        serve = tf.saved_model.load(out).signatures["serving_default"]
        outputs = serve(waveform=tf.constant(clips))["probabilities"].numpy()
    else:
        from applications.export.tflite import convert

        calibration = None
        if quantize == "int8":
            from applications.export.calibration import calibration_clips

            calibration, extra["calibration"] = calibration_clips(
                calibration_data, model_file, rate, clip
            )
        blob, extra["op_types"] = convert(
            classifier, embedder, meta, quantize, calibration, where, hop
        )
        extra["custom_ops"] = []
        write_tflite(blob, out)
        if hop is None:
            outputs = run_tflite(out, clips)
        else:  # zeros in front make whole hops; the last call's window is then the clip
            lead = np.zeros((len(clips), (-clip) % hop), np.float32)
            outputs = run_stream(out, np.concatenate([lead, clips], axis=1), hop)[:, -1]
            extra["stream"] = meta["stream"]
    report = {
        "format": fmt,
        "quantize": quantize,
        "out": out,
        "size_bytes": _size(out),
        "data": check_data or "probe signals",
        "exported": exported,
        "cast": cast,
        **compare(reference, outputs, truth),
    }
    if model is not trained:
        report["vs_trained"] = compare(_predict(trained, clips), outputs, truth)
    return {**report, **extra}


def _what_to_export(model, fmt, network_only, quantize, where):
    """`(model, description)`: the model itself, or the network of a fused one."""
    from applications.export.cast import baseline_weight, is_fused, network_of

    if not is_fused(model):
        if network_only:
            raise UsageError(f"--network-only: {where} is not joined to a baseline.")
        return model, "model"
    if network_only:
        return network_of(model), "network (baseline left out: --network-only)"
    if fmt == "tflite":
        if baseline_weight(model) == 0:
            return network_of(model), "network (the baseline's weight is 0)"
        if quantize in ("int8", "dynamic"):
            # Integer weights round the features' cosine bases and filterbanks (LPC,
            # YIN, chroma): the demo's joined model fell from 0.969 to 0.914 in dynamic.
            raise UsageError(
                f"{where} joins its network to the hand-crafted baseline, whose features "
                f"lose their meaning with {quantize} quantisation; not exported.",
                hint="--quantize float16 keeps the baseline at half the size; --network-only "
                f"exports the network alone in {quantize} (its agreement with the joined "
                "model is reported)",
            )
        return model, "model (baseline features in float32 with builtin ops)"
    return model, "model"


def _hop_samples(seconds, rate, clip):
    hop = int(round(seconds * rate))
    if not 1 <= hop <= clip:
        raise UsageError(
            f"--stream-hop {seconds:g} is {hop} samples at {rate} Hz; a hop must be 1 to "
            f"{clip} samples (the model's window of {clip / rate:g} s).",
            hint=f"e.g. --stream-hop {clip / rate / 4:g}",
        )
    return hop


def _predict(model, clips):
    # Eager calls in chunks: `predict` would trace a function for a few dozen clips.
    return np.concatenate(
        [np.asarray(model(clips[i : i + 64], training=False)) for i in range(0, len(clips), 64)]
    )


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
    if report["cast"]:
        print("Exported in float32 (the model computes in bfloat16).")
    if "vs_trained" in report:
        near = report["vs_trained"]
        print(
            f"Exported the {report['exported']}; vs the trained model: max |dp| "
            f"{near['max_abs_diff']:.2e}, top-1 agreement {near['top1_agreement']:.3f}"
        )
    if "calibration" in report:
        print(f"Calibrated on {report['calibration']}.")
    for part, types in report.get("op_types", {}).items():
        kinds = sorted({key.split()[1] for key in types} - {"int32", "none"})
        print(f"  {part.replace('_', ' ')} runs in {', '.join(kinds)}: {', '.join(types)}")


def _size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(path)
        for name in names
    )
