"""Hand-crafted and learned-feature baselines: features -> standardise -> logistic regression.

The package loads its modules on first use (PEP 562), so `audiozoo --help` and the
CLI's argument parsing do not import TensorFlow.

Example:
    >>> from applications.data import load_dataset
    >>> from applications.baseline import baseline_scores
    >>> baseline_scores(load_dataset("builtin"), features="mfcc")["accuracy"]
"""

import importlib

FEATURE_SETS = ("handcrafted", "mfcc", "pca", "nmf")
# `auto`: whichever of these scores better on val (the MFCC set is what a user
# would write first; the hand-crafted set adds spectral shape, pitch and LPC).
AUTO_CANDIDATES = ("handcrafted", "mfcc")
FEATURE_CHOICES = ("auto", *FEATURE_SETS)

# Public name -> the module that defines it.
_LAZY = {
    "FeatureOptions": "features",
    "split_features": "features",
    "METHODS": "learned",
    "LearnedBases": "learned",
    "learn_bases": "learned",
    "BaselineRun": "scores",
    "baseline_scores": "scores",
    "run_baseline": "scores",
}

__all__ = ["FEATURE_SETS", "FEATURE_CHOICES", "AUTO_CANDIDATES", *sorted(_LAZY)]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"applications.baseline.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'applications.baseline' has no attribute {name!r}")
