"""The baseline classifier: clip features -> StandardScaler -> LogisticRegression, scored on test.

The regularisation `C` is tuned on the validation split (each candidate fitted
on train, scored on val, ties to the stronger regularisation), then the model
is refitted on train + val with that `C` and scored once on test. Without a
validation split, `C = 1` is fitted on train.
"""

import time
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from applications.baseline import AUTO_CANDIDATES
from applications.baseline.features import FeatureOptions, split_features
from applications.data.dataset import require_classes
from applications.errors import UsageError
from applications.reporting.metrics import classification_summary

__all__ = ["C_GRID", "BaselineRun", "baseline_scores", "run_baseline"]

# C = 100 rarely won and cost most of the fit time (lbfgs converges slowly there).
C_GRID = (0.01, 0.1, 1.0, 10.0)
MAX_ITER = 1000


class BaselineRun(NamedTuple):
    """What `run_baseline` returns.

    Attributes:
        scores: the `baseline_scores` dict.
        learned: the `LearnedBases` (None for `handcrafted` and `mfcc`).
        classifier: the fitted pipeline (`StandardScaler` -> `LogisticRegression`),
            refitted on train + val.
        val_probabilities: `(val clips, classes)` of the tuned `C` fitted on
            train only (held-out predictions, e.g. to weigh the baseline
            against a network), or None without a validation split.
    """

    scores: dict
    learned: object
    classifier: object
    val_probabilities: object


def _check_finite(x, names, split):
    bad = ~np.isfinite(x)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        columns = [names[i] for i in np.flatnonzero(bad[row])]
        raise ValueError(
            f"{split} clip {row}: non-finite features {columns[:5]} "
            f"({len(columns)} column(s)) although its samples are finite; "
            "remove the clip or choose another --features set."
        )


def _classifier(c, seed):
    return make_pipeline(
        StandardScaler(), LogisticRegression(C=c, max_iter=MAX_ITER, random_state=seed)
    )


def _fit(model, x, y):
    with warnings.catch_warnings():
        # lbfgs rarely stops short at MAX_ITER on standardised features; the
        # scores are still what they are, so do not flood the log.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def _tune(splits, seed, num_classes):
    (x_train, y_train), (x_val, y_val) = splits["train"], splits["val"]
    if len(y_val) == 0:
        return 1.0, {}, None
    by_c, probabilities = {}, {}
    for c in C_GRID:
        model = _fit(_classifier(c, seed), x_train, y_train)
        probabilities[c] = _all_classes(model, model.predict_proba(x_val), num_classes)
        by_c[c] = float(np.mean(probabilities[c].argmax(axis=1) == y_val))
    best = max(by_c.values())
    c = min(c for c, acc in by_c.items() if acc == best)
    return c, by_c, probabilities[c]


def _choose_features(splits, names, seed, data, options, log):
    """`auto`: the candidate set with the best tuned val accuracy (ties: the first).

    Returns:
        `(chosen name, its splits, its names, {"chosen", "by", "val_accuracy"})`.
    """
    candidates = {"handcrafted": (splits, names)}
    for name in AUTO_CANDIDATES[1:]:
        log(f"Baseline: computing {name} features of {sum(data.counts.values())} clips ...")
        computed, computed_names, _ = split_features(data, name, options, seed)
        for split, (x, _) in computed.items():
            _check_finite(x, computed_names, split)
        candidates[name] = (computed, computed_names)
    if len(splits["val"][1]) == 0:
        chosen, scores = AUTO_CANDIDATES[0], {}
    else:
        scores = {}
        for name in AUTO_CANDIDATES:
            _, by_c, _ = _tune(candidates[name][0], seed, len(data.class_names))
            scores[name] = max(by_c.values())
        best = max(scores.values())
        chosen = next(n for n in AUTO_CANDIDATES if scores[n] == best)
    log(
        "Baseline features chosen on val: "
        + ", ".join(f"{n} {a:.3f}" for n, a in scores.items())
        + f" -> {chosen}"
    )
    choice = {"chosen": chosen, "by": "validation accuracy", "val_accuracy": scores}
    return (chosen, *candidates[chosen], choice)


def _all_classes(model, probabilities, num_classes):
    """`predict_proba`'s columns spread over every class (one train lacked is 0)."""
    full = np.zeros((len(probabilities), num_classes))
    full[:, model.classes_.astype(int)] = probabilities
    return full


def run_baseline(data, features="handcrafted", seed=0, log=print, options=None):
    """`baseline_scores`, also returning the learned PCA/NMF bases (None otherwise).

    Args:
        data, features, seed, log: as for `baseline_scores`.
        options: a `FeatureOptions`; None for the defaults.

    Returns:
        A `BaselineRun`.
    """
    if getattr(data, "multilabel", False):
        raise UsageError(
            f"{data.source} is multi-label; this baseline scores single-label classes.",
            hint="use applications.baseline.tagging.run_tag_baseline (audiozoo finetune "
            "--multilabel runs it)",
        )
    require_classes(data.class_names, data.source)
    start = time.perf_counter()
    computed = "handcrafted" if features == "auto" else features
    log(f"Baseline: computing {computed} features of {sum(data.counts.values())} clips ...")
    splits, names, learned = split_features(data, computed, options, seed)
    feature_s = time.perf_counter() - start
    for split, (x, _) in splits.items():
        _check_finite(x, names, split)
    y_train = splits["train"][1]
    if len(np.unique(y_train)) < 2:
        present = [data.class_names[i] for i in np.unique(y_train)]
        require_classes(present, f"{data.source} (training split)")
    fit_start = time.perf_counter()
    choice = None
    if features == "auto":
        features, splits, names, choice = _choose_features(splits, names, seed, data, options, log)
    c, val_by_c, val_probabilities = _tune(splits, seed, len(data.class_names))
    # The chosen set's own labels: each pass over train shuffles it anew.
    x_fit = np.concatenate([splits["train"][0], splits["val"][0]])
    y_fit = np.concatenate([splits["train"][1], splits["val"][1]])
    model = _fit(_classifier(c, seed), x_fit, y_fit)
    x_test, y_test = splits["test"]
    if len(y_test) == 0:
        raise ValueError(
            f"{data.source}: the test split is empty, so there is nothing to score; "
            "use a folder with test/ or with at least 3 clips per class."
        )
    scores = classification_summary(y_test, model.predict(x_test), data.class_names)
    fit_s = time.perf_counter() - fit_start
    result = {
        "features": features,
        "accuracy": scores["accuracy"],
        "chance_accuracy": scores["chance_accuracy"],
        "macro_f1": scores["macro_f1"],
        "per_class": scores["per_class"],
        "confusion_matrix": scores["confusion_matrix"],
        "class_names": list(data.class_names),
        "seconds": round(time.perf_counter() - start, 2),
        "feature_seconds": round(feature_s, 2),
        "fit_seconds": round(fit_s, 2),
        "feature_dim": int(x_test.shape[1]),
        "feature_names": list(names),
        "train_count": int(len(y_train)),
        "val_count": int(len(splits["val"][1])),
        "test_count": int(len(y_test)),
        "classifier": (
            "StandardScaler -> LogisticRegression(lbfgs); C tuned on val over "
            f"{list(C_GRID)}, then refitted on train+val"
        ),
        "C": c,
        "val_accuracy_by_C": {str(k): v for k, v in val_by_c.items()},
    }
    if choice is not None:
        result["feature_choice"] = choice
    if learned is not None:
        result["learned"] = {
            "method": learned.method,
            "n_components": int(learned.bases.shape[1]),
            "fit_frames": int(learned.activations.shape[0]),
            "reconstruction_error": learned.reconstruction_error,
            "converged": learned.converged,
        }
    log(
        f"Baseline {features}: test accuracy {result['accuracy']:.3f} on {len(y_test)} clips "
        f"(chance {result['chance_accuracy']:.3f}), {result['feature_dim']} features, C={c:g}, "
        f"{result['seconds']:.1f}s."
    )
    return BaselineRun(result, learned, model, val_probabilities)


def baseline_scores(data, features="handcrafted", seed=0, log=print, **options):
    """Score a standardise + logistic-regression baseline on `data`'s test split.

    Features come from `applications.baseline.features.split_features`; PCA/NMF
    bases are fitted on train frames only. `C` is tuned on val, then the model is
    refitted on train + val (see the module docstring).

    Args:
        data: an `applications.data.AudioDataset`.
        features: `"handcrafted"`, `"mfcc"`, `"pca"`, `"nmf"`, or `"auto"`
            (hand-crafted or MFCC, whichever scores better on val; the report's
            `features` names it and `feature_choice` holds the val scores).
        seed: seeds the PCA/NMF fit and the classifier.
        log: prints progress lines.
        **options: `FeatureOptions` fields (`n_fft`, `hop_length`, `n_mels`, `fmax`,
            `n_components`, `max_frames`).

    Returns:
        A JSON-ready dict: `features`, `accuracy`, `chance_accuracy`, `macro_f1`,
        `per_class`, `confusion_matrix`, `class_names`, `seconds` (features + fit),
        `feature_seconds`, `fit_seconds`, `feature_dim`, `feature_names`,
        `train_count`, `val_count`, `test_count`, `classifier`, `C`,
        `val_accuracy_by_C`, and for PCA/NMF `learned`.

    Raises:
        ValueError: fewer than two classes, a clip with NaN/inf samples or
            features (named by split and row), or an empty test split.

    Example:
        >>> data = load_dataset("builtin")
        >>> baseline_scores(data, "mfcc")["accuracy"]
    """
    return run_baseline(data, features, seed, log, FeatureOptions(**options)).scores
