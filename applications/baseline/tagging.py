"""The multi-label baseline: clip features -> StandardScaler -> one-vs-rest logistic regression.

The same hand-crafted features and `C` grid as the single-label baseline
(`applications.baseline.scores`): `C` is tuned on the validation macro mAP
(each candidate fitted on train), then the model is refitted on train + val
and scored once on test with `applications.reporting.tagging.tag_scores`.
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from applications.baseline.features import split_features
from applications.baseline.scores import C_GRID, MAX_ITER
from applications.reporting.tagging import tag_scores

__all__ = ["run_tag_baseline"]


def _fit(c, seed, x, y):
    model = make_pipeline(
        StandardScaler(),
        OneVsRestClassifier(LogisticRegression(C=c, max_iter=MAX_ITER, random_state=seed)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y.astype(np.int64))


def run_tag_baseline(data, seed=0, log=print, options=None, features="handcrafted"):
    """Score the one-vs-rest logistic-regression baseline of a multi-label dataset.

    Args:
        data: a multi-label `applications.data.AudioDataset`.
        seed: seeds the classifier.
        log: prints a summary line.
        options: a `FeatureOptions`; None for the defaults.
        features: one of `applications.baseline.FEATURE_SETS`.

    Returns:
        `(scores, model)`: the `tag_scores` dict of test with the fit's
        details, and the fitted scikit-learn pipeline.

    Example:
        >>> scores, _ = run_tag_baseline(load_dataset("my_tags", multilabel=True))
        >>> scores["macro_map"]
    """
    start = time.perf_counter()
    log(f"Baseline: computing {features} features of {sum(data.counts.values())} clips ...")
    splits, names, _ = split_features(data, features, options, seed)
    (x_train, y_train), (x_val, y_val) = splits["train"], splits["val"]
    by_c = {}
    for c in C_GRID:
        probs = _fit(c, seed, x_train, y_train).predict_proba(x_val)
        by_c[c] = tag_scores(y_val, probs, data.class_names)["macro_map"] or 0.0
    best = max(by_c.values())
    c = min(k for k, v in by_c.items() if v == best)
    model = _fit(c, seed, np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val]))
    x_test, y_test = splits["test"]
    scores = tag_scores(y_test, model.predict_proba(x_test), data.class_names)
    scores.update(
        features=features,
        feature_dim=int(x_test.shape[1]),
        classifier=(
            "StandardScaler -> OneVsRestClassifier(LogisticRegression); C tuned on val macro "
            f"mAP over {list(C_GRID)}, then refitted on train+val"
        ),
        C=c,
        val_macro_map_by_C={str(k): v for k, v in by_c.items()},
        seconds=round(time.perf_counter() - start, 2),
    )
    log(
        f"Baseline {features}: test macro mAP {scores['macro_map']}, micro mAP "
        f"{scores['micro_map']} on {len(y_test)} clips, {len(names)} features, C={c:g}."
    )
    return scores, model
