"""benchmarks/real_recordings.py: the summary over splits that the margin target is read on."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))

import real_recordings


def _run(finetune, baseline, wall):
    margin = round(100 * (finetune - baseline), 1)
    return {
        "finetune_accuracy": finetune,
        "baseline_accuracy": baseline,
        "margin_points": margin,
        "wall_s": wall,
        "meets_time": wall <= real_recordings.TARGET_SECONDS,
    }


def test_summary_gives_each_sets_margins_their_mean_and_minimum():
    results = {
        "instruments-seed0": _run(0.517, 0.500, 370.0),
        "instruments-seed1": _run(0.483, 0.325, 314.0),
        "instruments-seed2": _run(0.383, 0.292, 573.0),
    }
    instruments = real_recordings.summary(results, ["instruments"], [0, 1, 2])["instruments"]
    assert instruments["margin_points_by_seed"] == {"0": 1.7, "1": 15.8, "2": 9.1}
    assert instruments["mean_margin_points"] == 8.9 and instruments["min_margin_points"] == 1.7
    assert instruments["mean_finetune_accuracy"] == 0.461 and instruments["max_wall_s"] == 573.0
    assert instruments["meets_margin_on_mean"] and instruments["meets_time_every_run"]


def test_summary_fails_a_set_below_the_margin_or_over_time():
    results = {"words-seed0": _run(0.9, 0.88, 610.0), "words-seed1": _run(0.9, 0.87, 300.0)}
    words = real_recordings.summary(results, ["words"], [0, 1])["words"]
    assert words["mean_margin_points"] == 2.5 and not words["meets_margin_on_mean"]
    assert not words["meets_time_every_run"]
