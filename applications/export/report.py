"""How far an export's outputs are from the Keras model's: parity and the quantisation change.

`probe_clips` makes clips when no labelled data is given (tones, chirps and
noise at the model's rate; deterministic), `labelled_clips` reads a folder with
one sub-folder per class, and `compare` scores the exported probabilities
against the Keras ones: largest absolute difference, top-1 agreement and, with
labels, both accuracies.
"""

import numpy as np

__all__ = ["probe_clips", "labelled_clips", "compare"]


def probe_clips(sample_rate, samples, count=8, seed=0):
    """`(count, samples)` float32 test signals: tones, chirps and noise at random levels.

    Example:
        >>> probe_clips(8000, 4000).shape
        (8, 4000)
    """
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / sample_rate
    clips = []
    for i in range(count):
        f0 = rng.uniform(100, sample_rate / 4)
        if i % 3 == 0:
            x = np.sin(2 * np.pi * f0 * t)
        elif i % 3 == 1:
            x = np.sin(2 * np.pi * (f0 + rng.uniform(100, sample_rate / 8) * t) * t)
        else:
            x = rng.standard_normal(samples)
        clips.append(rng.uniform(0.05, 0.8) * x / max(np.abs(x).max(), 1e-9))
    return np.asarray(clips, np.float32)


def labelled_clips(folder, class_names, sample_rate, samples):
    """Clips and label indices from `folder/<class>/*` (centre crop or zero-pad, as predict).

    Returns:
        `(clips, labels)`; class folders must be among `class_names`.
    """
    import zoo.audio
    from applications.data.folders import files_by_class
    from applications.errors import UsageError

    try:
        by_class, _ = files_by_class(folder)
    except ValueError as error:
        raise UsageError(f"--check-data: {error}") from None
    unknown = sorted(set(by_class) - set(class_names))
    if unknown:
        raise UsageError(
            f"--check-data {folder!r} has classes {unknown} the model does not know "
            f"(it knows {list(class_names)})."
        )
    clips, labels = [], []
    for name, paths in sorted(by_class.items()):
        for path in paths:
            wave, _ = zoo.audio.load(path, sample_rate=sample_rate)
            clips.append(np.asarray(zoo.audio.fix_length(wave, samples, "centre"), np.float32))
            labels.append(class_names.index(name))
    return np.stack(clips), np.asarray(labels)


def compare(reference, exported, labels=None):
    """Scores of `exported` `(n, classes)` probabilities against `reference` (Keras).

    Returns:
        A dict: `max_abs_diff`, `top1_agreement`, `clips` and, with `labels`,
        `accuracy_keras`, `accuracy_export`, `accuracy_change`.
    """
    reference, exported = np.asarray(reference), np.asarray(exported)
    out = {
        "clips": int(len(reference)),
        "max_abs_diff": float(np.abs(reference - exported).max()),
        "top1_agreement": float(np.mean(reference.argmax(1) == exported.argmax(1))),
    }
    if labels is not None:
        keras_acc = float(np.mean(reference.argmax(1) == labels))
        export_acc = float(np.mean(exported.argmax(1) == labels))
        out.update(
            accuracy_keras=keras_acc,
            accuracy_export=export_acc,
            accuracy_change=export_acc - keras_acc,
        )
    return out
