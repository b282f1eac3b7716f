"""Frame-wise jobs: sound event detection and chord recognition over time (CRNN).

`train(EventsConfig(...))` fits a CRNN on `DIR/train`, chooses per-class
thresholds on held-out files and scores `DIR/test`; `detect_files` turns a saved
model into `filename,onset,offset,label` rows.

Example:
    >>> from applications.events import EventsConfig, train
    >>> report = train(EventsConfig(data="builtin", out="runs/events"))
"""

import importlib

# Loaded on first use (PEP 562): the `audiozoo` parser reads `events.config`,
# and must not start TensorFlow, which the job and detection modules import.
_LAZY = {
    "EventsConfig": "config",
    "train": "job",
    "detect_files": "detect",
    "load_detector": "detect",
    "write_csv": "detect",
}

__all__ = list(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"applications.events.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'applications.events' has no attribute {name!r}")
