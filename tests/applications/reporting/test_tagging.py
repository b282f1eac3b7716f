"""Multi-label scores against hand-computed examples: mAP, ROC-AUC, F1-best thresholds."""

import numpy as np
import pytest

from applications.reporting.tagging import choose_thresholds, tag_scores, thresholded_f1

Y = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
P = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.5], [0.4, 0.7, 0.5], [0.6, 0.3, 0.5]])


def test_scores_by_hand():
    scores = tag_scores(Y, P, ["a", "b", "c"])
    # a: ranked + - + -: AP (1 + 2/3) / 2; 3 of 4 positive-negative pairs in order.
    assert scores["per_tag"]["a"] == {
        "ap": pytest.approx(0.8333, abs=1e-4),
        "roc_auc": 0.75,
        "positives": 2,
    }
    assert scores["per_tag"]["b"] == {"ap": 1.0, "roc_auc": 1.0, "positives": 2}
    # c has no positive clip: no AP or ROC-AUC, left out of the macro averages, named.
    assert scores["per_tag"]["c"] == {"ap": None, "roc_auc": None, "positives": 0}
    assert scores["tags_without_positives"] == ["c"]
    assert scores["macro_map"] == pytest.approx((0.8333 + 1) / 2, abs=1e-4)
    assert scores["macro_roc_auc"] == pytest.approx(0.875, abs=1e-4)
    # Micro pools all 12 decisions: the 4 positives rank 1, 2, 3 and 9 (under c's four 0.5s);
    # of the 4 x 8 positive-negative pairs, 0.4 is above only 0.3, 0.2 and 0.1.
    assert scores["micro_map"] == pytest.approx((1 + 1 + 1 + 4 / 9) / 4, abs=1e-4)
    assert scores["micro_roc_auc"] == pytest.approx((8 + 8 + 8 + 3) / 32, abs=1e-4)


def test_a_tag_on_every_clip_has_ap_but_no_roc_auc():
    scores = tag_scores(np.array([[1, 1], [1, 0]]), np.array([[0.2, 0.9], [0.8, 0.1]]), ["x", "y"])
    assert scores["per_tag"]["x"] == {"ap": 1.0, "roc_auc": None, "positives": 2}
    assert scores["tags_without_negatives"] == ["x"] and scores["macro_roc_auc"] == 1.0


def test_thresholds_maximise_f1_and_are_applied_inclusively():
    thresholds, notes = choose_thresholds(Y, P, ["a", "b", "c"])
    # a: F1 0.667 at 0.9, 0.5 at 0.6, 0.8 at 0.4, 0.667 at 0.2; b: 1.0 at 0.7.
    assert thresholds == [pytest.approx(0.4), pytest.approx(0.7), 0.5]
    assert notes == ["tag 'c': no positive validation clip, threshold 0.5"]
    f1 = thresholded_f1(Y[:, :2], P[:, :2], thresholds[:2])
    assert f1 == {"macro_f1": pytest.approx(0.9), "micro_f1": pytest.approx(8 / 9, abs=1e-4)}
