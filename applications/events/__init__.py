"""Frame-wise jobs: sound event detection and chord recognition over time (CRNN).

`train(EventsConfig(...))` fits a CRNN on `DIR/train`, chooses per-class
thresholds on held-out files and scores `DIR/test`; `detect_files` turns a saved
model into `filename,onset,offset,label` rows.

Example:
    >>> from applications.events import EventsConfig, train
    >>> report = train(EventsConfig(data="builtin", out="runs/events"))
"""

from applications.events.config import EventsConfig
from applications.events.detect import detect_files, load_detector, write_csv
from applications.events.job import train

__all__ = ["EventsConfig", "train", "detect_files", "load_detector", "write_csv"]
