"""Hand-crafted and learned-feature baselines: features -> standardise -> logistic regression.

Example:
    >>> from applications.data import load_dataset
    >>> from applications.baseline import baseline_scores
    >>> baseline_scores(load_dataset("builtin"), features="mfcc")["accuracy"]
"""

from applications.baseline.features import FEATURE_SETS, FeatureOptions, split_features
from applications.baseline.learned import METHODS, LearnedBases, learn_bases
from applications.baseline.scores import baseline_scores, run_baseline

__all__ = [
    "FEATURE_SETS",
    "METHODS",
    "FeatureOptions",
    "LearnedBases",
    "baseline_scores",
    "learn_bases",
    "run_baseline",
    "split_features",
]
