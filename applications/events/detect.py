"""`audiozoo events detect`: a trained CRNN over whole files -> `filename,onset,offset,label` rows.

`OUT/events.json` (written by `events train` beside `model.keras`) holds what
turns frame scores into events: the classes, the frame grid, the per-class
thresholds chosen on validation and the median-filter length.
"""

import csv
import json
import math
import os

import numpy as np

from applications.atomic_io import atomic_path
from applications.errors import UsageError
from applications.events import frames as fr
from applications.events.streaming import score_path
from applications.trained.minimum import check_length

__all__ = [
    "SIDECAR",
    "load_detector",
    "score_file",
    "score_files",
    "decode",
    "detect_files",
    "write_csv",
    "detect_command",
]

SIDECAR = "events.json"
HINT = "pass OUT/model.keras written by `audiozoo events train` (events.json beside it)"


def load_detector(path):
    """Load `model.keras` (safe mode) and the `events.json` beside it, checked.

    (`audiozoo events detect` loads the model through the CLI's stricter file checks
    first, then calls `read_sidecar`.)

    Returns:
        `(model, sidecar)`.
    """
    import keras

    import zoo  # noqa: F401  (registers the layers)

    if not os.path.isfile(path):
        raise UsageError(f"--model {path!r} does not exist.", hint=HINT)
    model = keras.saving.load_model(path, safe_mode=True)
    return model, read_sidecar(model, path)


def read_sidecar(model, path):
    """The checked `events.json` next to the model file `path`."""
    side = os.path.join(os.path.dirname(os.path.abspath(path)), SIDECAR)
    try:
        with open(side, encoding="utf-8") as f:
            sidecar = json.load(f)
    except FileNotFoundError:
        raise UsageError(f"{side!r} is missing.", hint=HINT) from None
    except (OSError, ValueError) as error:
        raise UsageError(f"events file {side!r} cannot be read ({error}).", hint=HINT) from None
    keys = ("task", "classes", "sample_rate", "frame_step", "frame_first", "filter_frames")
    missing = [k for k in keys if not isinstance(sidecar, dict) or k not in sidecar]
    if missing:
        raise UsageError(f"events file {side!r} lacks {missing}.", hint=HINT)
    classes = sidecar["classes"]
    if not isinstance(classes, list) or model.output_shape[-1] != len(classes):
        raise UsageError(
            f"events file {side!r} names {classes!r}, which does not match the model's "
            f"{model.output_shape[-1]} outputs.",
            hint=HINT,
        )
    thresholds = sidecar.get("thresholds")
    if sidecar["task"] == "events" and not (
        isinstance(thresholds, list) and len(thresholds) == len(classes)
    ):
        raise UsageError(f"events file {side!r}: need one threshold per class.", hint=HINT)
    return sidecar


def score_file(model, wave):
    """Frame scores `(frames, classes)` of one whole waveform."""
    return score_files(model, [wave])[0]


def score_files(model, waves, batch_size=8):
    """Frame scores of whole waveforms, those of one length batched together.

    `predict` runs a compiled step (an eager call steps the GRU in Python, ~50x
    slower); one trace per distinct length.
    """
    results = [None] * len(waves)
    by_length = {}
    for i, wave in enumerate(waves):
        by_length.setdefault(len(wave), []).append(i)
    for indices in by_length.values():
        x = np.stack([np.asarray(waves[i], np.float32) for i in indices])
        out = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
        for i, row in zip(indices, out):
            results[i] = row
    return results


def decode(scores, sidecar, duration):
    """Frame scores -> `[(onset, offset, label), ...]` with the sidecar's settings."""
    grid = fr.FrameGrid(sidecar["frame_step"], sidecar["frame_first"])
    if sidecar["task"] == "chords":
        return fr.decode_chords(
            scores, grid, sidecar["classes"], sidecar["filter_frames"], duration
        )
    return fr.decode_events(
        scores, grid, sidecar["classes"], sidecar["thresholds"], sidecar["filter_frames"], duration
    )


def detect_files(model, sidecar, paths):
    """Detected rows `[(path, onset, offset, label), ...]` for each file, in order.

    Every file is checked first (readable, long enough); each is then scored
    block by block (`applications.events.streaming`), so a long recording
    costs no more memory than a few minutes of it.
    """
    import zoo.audio

    rate = sidecar["sample_rate"]
    lengths = []
    for path in paths:
        try:
            info = zoo.audio.info(path)
        except zoo.audio.AudioDecodeError as error:
            raise UsageError(str(error)) from None
        lengths.append(math.ceil(info.frames * rate / info.sample_rate))
        check_length(model, path, lengths[-1], rate)

    def whole(path):
        try:
            return score_file(model, zoo.audio.load(path, sample_rate=rate)[0])
        except zoo.audio.AudioDecodeError as error:
            raise UsageError(str(error)) from None

    rows = []  # written only after every file is scored, so a bad file writes nothing
    for path, samples in zip(paths, lengths):
        scores = score_path(model, path, rate, sidecar["frame_step"], whole)
        found = decode(scores, sidecar, samples / rate)
        rows.extend((path, a, b, label) for a, b, label in found)
    return rows


def write_csv(rows, path, column):
    """Write `filename,onset,offset,<column>` rows atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["filename", "onset", "offset", column])
            out.writerows((name, f"{a:.3f}", f"{b:.3f}", label) for name, a, b, label in rows)


def detect_command(model, model_path, paths, out=None, log=print):
    """`audiozoo events detect` after its flag checks: detect, then write a CSV or print rows.

    Args:
        model: the loaded `model.keras`.
        model_path: its path (`events.json` lies beside it).
        paths: the audio files.
        out: the CSV to write, or None to print the rows to stdout.
        log: prints the line naming the written CSV.

    Returns:
        The detected rows.
    """
    import sys

    sidecar = read_sidecar(model, model_path)
    rows = detect_files(model, sidecar, paths)
    column = "chord" if sidecar["task"] == "chords" else "event_label"
    if out:
        write_csv(rows, out, column)
        log(f"wrote {len(rows)} rows to {out}")
    else:
        print(f"filename,onset,offset,{column}")
        for name, a, b, label in rows:
            sys.stdout.write(f"{name},{a:.3f},{b:.3f},{label}\n")
    return rows
