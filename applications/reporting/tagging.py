"""Scores of multi-label taggers: mAP and ROC-AUC (scikit-learn), per-tag thresholds, F1.

A tag with no positive clip in the scored split has no average precision and
no ROC-AUC; one with no negative clip has no ROC-AUC. Such tags are left out
of the macro averages (named and counted in the result), and still count in
the micro averages, which pool every (clip, tag) decision.
"""

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve
from sklearn.metrics import roc_auc_score

__all__ = ["tag_scores", "choose_thresholds", "thresholded_f1", "DEFAULT_THRESHOLD"]

DEFAULT_THRESHOLD = 0.5  # for a tag without positives in validation


def _none(value):
    return None if value is None or not np.isfinite(value) else round(float(value), 4)


def tag_scores(y_true, probs, tag_names):
    """Macro and micro mAP and ROC-AUC of tag probabilities.

    Args:
        y_true: `(clips, tags)` 0/1 targets.
        probs: `(clips, tags)` probabilities.
        tag_names: the tags' names.

    Returns:
        A JSON-ready dict: `macro_map`, `micro_map`, `macro_roc_auc`,
        `micro_roc_auc`, `per_tag` (`ap`, `roc_auc`, `positives`), and the
        tags left out of the macro averages.

    Example:
        >>> tag_scores(np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.2], [0.3, 0.6]]), ["a", "b"])
        {'macro_map': 1.0, ...}
    """
    y_true = np.asarray(y_true) > 0.5
    probs = np.asarray(probs, np.float64)
    per_tag, aps, aucs = {}, [], []
    no_positives, no_negatives = [], []
    for i, name in enumerate(tag_names):
        truth, p = y_true[:, i], probs[:, i]
        positives = int(truth.sum())
        ap = auc = None
        if positives == 0:
            no_positives.append(name)
        else:
            ap = float(average_precision_score(truth, p))
            aps.append(ap)
        if positives == len(truth):
            no_negatives.append(name)
        elif positives:
            auc = float(roc_auc_score(truth, p))
            aucs.append(auc)
        per_tag[name] = {"ap": _none(ap), "roc_auc": _none(auc), "positives": positives}
    flat_true, flat_probs = y_true.ravel(), probs.ravel()
    micro_possible = 0 < flat_true.sum() < flat_true.size
    return {
        "macro_map": _none(np.mean(aps)) if aps else None,
        "micro_map": _none(average_precision_score(flat_true, flat_probs))
        if flat_true.any()
        else None,
        "macro_roc_auc": _none(np.mean(aucs)) if aucs else None,
        "micro_roc_auc": _none(roc_auc_score(flat_true, flat_probs)) if micro_possible else None,
        "per_tag": per_tag,
        "clips": int(len(y_true)),
        "tags_without_positives": no_positives,
        "tags_without_negatives": no_negatives,
        "macro_note": (
            f"macro mAP averages {len(aps)} of {len(tag_names)} tags (left out: no positive "
            f"clip {no_positives}); macro ROC-AUC {len(aucs)} (also left out: no negative clip "
            f"{no_negatives}); micro averages pool every clip and tag"
        ),
    }


def choose_thresholds(y_true, probs, tag_names):
    """Per tag, the probability threshold with the best F1 on these clips (validation).

    A clip carries a tag when its probability is >= the tag's threshold.

    Args:
        y_true: `(clips, tags)` 0/1 targets.
        probs: `(clips, tags)` probabilities.
        tag_names: the tags' names.

    Returns:
        `(thresholds float list, notes)`: a tag without positive clips gets
        `DEFAULT_THRESHOLD`, named in `notes`.

    Example:
        >>> choose_thresholds(np.array([[1], [0]]), np.array([[0.7], [0.4]]), ["a"])
        ([0.7], [])
    """
    y_true = np.asarray(y_true) > 0.5
    thresholds, notes = [], []
    for i, name in enumerate(tag_names):
        truth, p = y_true[:, i], np.asarray(probs[:, i], np.float64)
        if not truth.any():
            thresholds.append(DEFAULT_THRESHOLD)
            notes.append(
                f"tag {name!r}: no positive validation clip, threshold {DEFAULT_THRESHOLD}"
            )
            continue
        precision, recall, cuts = precision_recall_curve(truth, p)
        # The last (precision, recall) pair has no threshold.
        f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
        thresholds.append(float(cuts[int(np.argmax(f1))]))
    return thresholds, notes


def thresholded_f1(y_true, probs, thresholds):
    """Macro and micro F1 of the tags decided at `thresholds`.

    Args:
        y_true: `(clips, tags)` 0/1 targets.
        probs: `(clips, tags)` probabilities.
        thresholds: one per tag.

    Returns:
        `{"macro_f1", "micro_f1"}` (macro over every tag; a tag with no
        positives and no predictions scores 0).
    """
    y_true = np.asarray(y_true) > 0.5
    predicted = np.asarray(probs) >= np.asarray(thresholds)[None, :]
    return {
        "macro_f1": round(float(f1_score(y_true, predicted, average="macro", zero_division=0)), 4),
        "micro_f1": round(float(f1_score(y_true, predicted, average="micro", zero_division=0)), 4),
    }
