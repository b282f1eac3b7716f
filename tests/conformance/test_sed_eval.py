"""Sound-event scores against sed_eval 0.2 (DCASE settings), as its documentation runs it.

Each test names the sed_eval class it matches and its tolerance.
"""

import dcase_util
import numpy as np
import pytest
import sed_eval

from applications.events.metrics import event_scores

CLASSES = ["dog", "cat", "siren"]


def _events(rng, files=4, seconds=10.0):
    out = {}
    for i in range(files):
        rows = []
        for _ in range(rng.integers(0, 6)):
            onset = float(rng.uniform(0, seconds - 0.5))
            rows.append((onset, min(seconds, onset + float(rng.uniform(0.2, 3.0))),
                         str(rng.choice(CLASSES))))  # fmt: skip
        out[f"{i}.wav"] = rows
    return out


def _jitter(reference, rng):
    """Detections: each event moved by up to 0.3 s, some dropped, one false alarm per file."""
    out = {}
    for name, rows in reference.items():
        kept = [(max(0.0, a + rng.uniform(-0.3, 0.3)), b + rng.uniform(-0.3, 0.3), c)
                for a, b, c in rows if rng.random() > 0.2]  # fmt: skip
        kept.append((1.0, 1.5, str(rng.choice(CLASSES))))
        out[name] = [(a, max(b, a + 0.05), c) for a, b, c in kept]
    return out


def _container(name, rows):
    return dcase_util.containers.MetaDataContainer(
        [{"filename": name, "onset": a, "offset": b, "event_label": c} for a, b, c in rows]
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_segment_and_event_f1_are_sed_evals(seed):
    """Overall and class-wise segment F1/ER (`sed_eval.sound_event.SegmentBasedMetrics`,
    1 s segments) and event F1 (`EventBasedMetrics`, 200 ms collar, offset 20 % of the
    length), the file loop of sed_eval's documentation; equal to 1e-12."""
    rng = np.random.default_rng(seed)
    reference = _events(rng)
    estimated = _jitter(reference, rng)
    ours = event_scores(reference, estimated, CLASSES)
    segment = sed_eval.sound_event.SegmentBasedMetrics(CLASSES, time_resolution=1.0)
    event = sed_eval.sound_event.EventBasedMetrics(CLASSES, t_collar=0.2, percentage_of_length=0.2)
    for name in reference:
        ref, est = _container(name, reference[name]), _container(name, estimated[name])
        segment.evaluate(reference_event_list=ref, estimated_event_list=est)
        event.evaluate(reference_event_list=ref, estimated_event_list=est)
    seg, ev = segment.results(), event.results()
    overall = ours["overall"]
    assert overall["segment_f1"] == pytest.approx(
        seg["overall"]["f_measure"]["f_measure"], abs=1e-12
    )
    assert overall["segment_error_rate"] == pytest.approx(
        seg["overall"]["error_rate"]["error_rate"], abs=1e-12
    )
    assert overall["event_f1"] == pytest.approx(ev["overall"]["f_measure"]["f_measure"], abs=1e-12)
    for c in CLASSES:
        for ours_key, theirs in (("segment_f1", seg), ("event_f1", ev)):
            value = theirs["class_wise"][c]["f_measure"]["f_measure"]
            got = ours["per_class"][c][ours_key]
            assert (got is None and np.isnan(value)) or got == pytest.approx(value, abs=1e-12)
