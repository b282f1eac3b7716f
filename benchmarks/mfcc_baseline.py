"""The "20 lines of librosa + scikit-learn" baseline of issue 12; prints one JSON object.

MFCC(20) + deltas, mean and standard deviation over time -> StandardScaler ->
LogisticRegression, trained on DIR/train (+ DIR/val) and scored on DIR/test.

    python benchmarks/mfcc_baseline.py DIR
"""

import argparse
import json
import os
import sys
import time

import librosa
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = "librosa MFCC(20) + delta, mean and std over time (80 values)"


def features(path, sample_rate=16000):
    """The 80-value MFCC summary of one audio file."""
    y, _ = librosa.load(path, sr=sample_rate, mono=True)
    mfcc = librosa.feature.mfcc(y=y, sr=sample_rate, n_mfcc=20)
    both = np.vstack([mfcc, librosa.feature.delta(mfcc)])
    return np.concatenate([both.mean(axis=1), both.std(axis=1)])


def load_split(root, split):
    """(features, labels) of every `root/split/<class>/*.wav`; empty when the split is absent."""
    folder = os.path.join(root, split)
    if not os.path.isdir(folder):
        return np.zeros((0, 80)), []
    x, y = [], []
    for label in sorted(os.listdir(folder)):
        for name in sorted(os.listdir(os.path.join(folder, label))):
            if name.lower().endswith((".wav", ".flac", ".ogg")):
                x.append(features(os.path.join(folder, label, name)))
                y.append(label)
    return np.array(x).reshape(len(x), 80), y


def mfcc_baseline(root, max_iter=2000):
    """Train on `root`/train (+ val), score on `root`/test; returns the JSON-ready result."""
    started = time.perf_counter()
    x_train, y_train = load_split(root, "train")
    x_val, y_val = load_split(root, "val")
    x_test, y_test = load_split(root, "test")
    if not y_train or not y_test:
        raise ValueError(f"{root}: needs train/<class>/*.wav and test/<class>/*.wav files.")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter))
    model.fit(np.vstack([x_train, x_val]), y_train + y_val)
    hits = model.predict(x_test) == np.array(y_test)
    classes = sorted(set(y_test))
    return {
        "data": os.path.abspath(root),
        "features": FEATURES,
        "classifier": f"StandardScaler -> LogisticRegression(max_iter={max_iter})",
        "train_clips": len(y_train) + len(y_val),
        "test_clips": len(y_test),
        "classes": len(classes),
        "chance": round(1 / len(classes), 3),
        "accuracy": round(float(hits.mean()), 3),
        "per_class": {c: round(float(hits[np.array(y_test) == c].mean()), 3) for c in classes},
        "seconds": round(time.perf_counter() - started, 1),
        "versions": {"librosa": librosa.__version__, "scikit-learn": sklearn.__version__},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="folder with train/, optional val/, and test/")
    parser.add_argument("--max-iter", type=int, default=2000)
    args = parser.parse_args(argv)
    print(json.dumps(mfcc_baseline(args.data, args.max_iter), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
