"""Labelled audio datasets as `tf.data` pipelines: built-in chords and digits, folders, Kaggle corpora.

The dataset names load on first use (PEP 562), so the settings modules here
(`presets`, `settings`), which the `audiozoo` parser reads, import no TensorFlow.
"""

import importlib

__all__ = ["AudioDataset", "load_dataset", "SPLITS"]


def __getattr__(name):
    if name in __all__:
        return getattr(importlib.import_module("applications.data.dataset"), name)
    raise AttributeError(f"module 'applications.data' has no attribute {name!r}")
