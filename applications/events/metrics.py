"""The field's scores: `sed_eval` for sound events, `mir_eval.chord` for chords.

Sound events (DCASE): segment-based F1 and error rate on 1 s segments, and
event-based F1 with a 200 ms onset collar and offsets within 200 ms or 20 % of
the event's length, per class and overall (micro-averaged). Chords: `mir_eval`'s
root, majmin and mirex accuracies per file, averaged weighted by duration.
"""

import numpy as np

__all__ = ["event_scores", "chord_scores"]


def _container(rows_by_file):
    import dcase_util

    items = [
        {"filename": name, "onset": a, "offset": b, "event_label": label}
        for name, rows in rows_by_file.items()
        for a, b, label in rows
    ]
    return dcase_util.containers.MetaDataContainer(items)


def event_scores(reference, estimated, classes, segment=1.0, collar=0.2, offset_fraction=0.2):
    """Segment- and event-based scores of detected events.

    Args:
        reference: `{filename: [(onset, offset, label), ...]}`, every file (empty lists too).
        estimated: the same for the detections.
        classes: the event labels.
        segment: segment length in seconds (segment-based metrics).
        collar: onset collar in seconds (event-based); also the offset's minimum.
        offset_fraction: offset tolerance as a fraction of the reference's length.

    Returns:
        `{"overall": {...}, "per_class": {label: {...}}}` with `segment_f1`,
        `segment_error_rate`, `event_f1` (and their precision/recall).

    Example:
        >>> ref = {"a.wav": [(0.0, 2.0, "dog")]}
        >>> event_scores(ref, {"a.wav": [(0.1, 2.1, "dog")]}, ["dog"])["overall"]["event_f1"]
        1.0
    """
    import sed_eval

    segment_metrics = sed_eval.sound_event.SegmentBasedMetrics(
        list(classes), time_resolution=segment
    )
    event_metrics = sed_eval.sound_event.EventBasedMetrics(
        list(classes),
        t_collar=collar,
        percentage_of_length=offset_fraction,
        evaluate_onset=True,
        evaluate_offset=True,
    )
    for name in reference:
        ref = _container({name: reference[name]})
        est = _container({name: estimated.get(name, [])})
        segment_metrics.evaluate(reference_event_list=ref, estimated_event_list=est)
        event_metrics.evaluate(reference_event_list=ref, estimated_event_list=est)

    def pack(seg, ev):
        return {
            "segment_f1": _num(seg["f_measure"]["f_measure"]),
            "segment_precision": _num(seg["f_measure"]["precision"]),
            "segment_recall": _num(seg["f_measure"]["recall"]),
            "segment_error_rate": _num(seg["error_rate"]["error_rate"]),
            "event_f1": _num(ev["f_measure"]["f_measure"]),
            "event_precision": _num(ev["f_measure"]["precision"]),
            "event_recall": _num(ev["f_measure"]["recall"]),
        }

    seg_classes = segment_metrics.results_class_wise_metrics()
    ev_classes = event_metrics.results_class_wise_metrics()
    return {
        "overall": pack(
            segment_metrics.results_overall_metrics(), event_metrics.results_overall_metrics()
        ),
        "per_class": {c: pack(seg_classes[c], ev_classes[c]) for c in classes},
        "settings": {"segment_s": segment, "collar_s": collar, "offset_fraction": offset_fraction},
    }


def _num(value):
    value = float(value)
    return value if np.isfinite(value) else None  # sed_eval gives NaN when undefined


def chord_scores(reference, estimated):
    """Duration-weighted `mir_eval.chord` root, majmin and mirex accuracies.

    Args:
        reference: `{filename: [(onset, offset, chord), ...]}` covering each file.
        estimated: the same for the estimates.

    Returns:
        `{"root": ..., "majmin": ..., "mirex": ..., "seconds": total, "per_file": {...}}`.

    Example:
        >>> ref = {"a.wav": [(0.0, 1.0, "C:maj"), (1.0, 2.0, "A:min")]}
        >>> chord_scores(ref, {"a.wav": [(0.0, 2.0, "C:maj")]})["majmin"]
        0.5
    """
    import mir_eval

    per_file, totals, seconds = {}, {"root": 0.0, "majmin": 0.0, "mirex": 0.0}, 0.0
    for name, ref_rows in reference.items():
        if not ref_rows:
            continue
        est_rows = estimated.get(name) or [(ref_rows[0][0], ref_rows[-1][1], "N")]
        ref_i = np.array([r[:2] for r in ref_rows], float)
        est_i = np.array([r[:2] for r in est_rows], float)
        scores = mir_eval.chord.evaluate(
            ref_i, [r[2] for r in ref_rows], est_i, [r[2] for r in est_rows]
        )
        length = float(ref_i[:, 1].max() - ref_i[:, 0].min())
        per_file[name] = {k: float(scores[k]) for k in totals}
        for k in totals:
            totals[k] += scores[k] * length
        seconds += length
    result = {k: (v / seconds if seconds else None) for k, v in totals.items()}
    return {**result, "seconds": seconds, "per_file": per_file}
