"""`audiozoo events train`: a CRNN on frame targets, thresholds on validation, scores on test.

Writes into OUT: `model.keras` (takes a waveform of any length), `events.json`
(task, classes, rate, frame grid, per-class thresholds, filter length: what
`detect` needs), `report.json` (sed_eval or mir_eval scores), `history.json`
and, unless turned off, `plots/<file>.png` per test file. Every file is written
temp-then-rename.
"""

import os
import time

import numpy as np

from applications.atomic_io import atomic_path, write_json
from applications.errors import JobFailed, UsageError
from applications.events import frames as fr
from applications.events.annotations import chord_class, chord_classes
from applications.events.data import clips_of, read_split
from applications.events.detect import SIDECAR, decode, score_files

__all__ = ["train", "MODEL_SETTINGS"]

MODEL_SETTINGS = dict(n_fft=1024, hop_length=320, n_mels=64, gru_units=64)


def _require(package):
    """Stop before any work when the scoring package is missing."""
    import importlib.util

    if importlib.util.find_spec(package) is None:
        raise UsageError(
            f"`audiozoo events` scores with {package}, which is not installed.",
            hint='pip install "keras-audio-zoo[events]"',
        )


def _resolve(config):
    if config.data != "builtin":
        return config.data
    from applications.events.scenes import builtin_chords_dir, builtin_events_dir

    return builtin_chords_dir() if config.task == "chords" else builtin_events_dir()


def _classes(config, train, test):
    if config.task == "chords":
        return chord_classes()
    labels = sorted({a.label for rows in train.annotations.values() for a in rows})
    if not labels:
        raise UsageError(f"{train.folder}/annotations.csv has no events: nothing to learn.")
    unseen = sorted({a.label for rows in test.annotations.values() for a in rows} - set(labels))
    if unseen:
        raise UsageError(
            f"{test.folder}/annotations.csv names event labels absent from train/: {unseen}.",
            hint="every test label needs training examples",
        )
    return labels


def _targets(config, rows, frames, grid, classes):
    if config.task == "chords":
        return fr.chord_targets(rows, frames, grid, classes, chord_class)
    return fr.event_targets(rows, frames, grid, classes)


def _arrays(config, split, names, grid, classes, clip_samples, out_frames):
    xs, ys = [], []
    clip_s = clip_samples / config.sample_rate
    for name in names:
        for k, clip in enumerate(clips_of(split.waves[name], clip_samples)):
            shifted = fr.FrameGrid(grid.step, grid.first + k * clip_s)
            xs.append(clip)
            ys.append(_targets(config, split.annotations[name], out_frames, shifted, classes))
    return np.stack(xs), np.stack(ys)


def _time_limit(seconds):
    """A callback stopping `fit` once `seconds` have passed (checked after each epoch)."""
    import keras

    class TimeLimit(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.monotonic()

        def on_epoch_end(self, epoch, logs=None):
            if seconds and time.monotonic() - self.start > seconds:
                self.model.stop_training = True

    return TimeLimit()


def train(config, log=print):
    """Run `audiozoo events train` with an `EventsConfig`.

    Args:
        config: the settings.
        log: where progress lines go.

    Returns:
        The report dict (also written to `OUT/report.json`).

    Example:
        >>> train(EventsConfig(data="builtin", out="runs/events", epochs=30))["test"]["overall"]
    """
    import keras

    import zoo

    _require("mir_eval" if config.task == "chords" else "sed_eval")
    keras.utils.set_random_seed(config.seed)
    root = _resolve(config)
    train_split = read_split(os.path.join(root, "train"), config.task, config.sample_rate)
    test_split = read_split(os.path.join(root, "test"), config.task, config.sample_rate)
    classes = _classes(config, train_split, test_split)
    chords = config.task == "chords"
    model = zoo.events.crnn(
        len(classes),
        sample_rate=config.sample_rate,
        output_activation="softmax" if chords else "sigmoid",
        name=f"crnn_{config.task}",
        **MODEL_SETTINGS,
    )
    blocks = zoo.events.CRNN_CONFIGS["crnn_sed"]
    hop = MODEL_SETTINGS["hop_length"]
    grid = fr.FrameGrid.for_model(config.sample_rate, hop, blocks[0][2])
    clip_samples = int(round(config.clip_seconds * config.sample_rate))
    out_frames = zoo.events.output_frames(clip_samples, hop, blocks)

    rng = np.random.default_rng(config.seed)
    names = list(rng.permutation(train_split.names))
    n_val = max(1, int(round(config.val_fraction * len(names))))
    if len(names) - n_val < 1:
        raise UsageError(f"{train_split.folder!r} needs at least 2 audio files (train + val).")
    val_names, fit_names = sorted(names[:n_val]), names[n_val:]
    x, y = _arrays(config, train_split, fit_names, grid, classes, clip_samples, out_frames)
    xv, yv = _arrays(config, train_split, val_names, grid, classes, clip_samples, out_frames)
    log(f"{config.task}: {len(classes)} classes, {len(x)} training clips, {len(xv)} val clips")

    loss = "sparse_categorical_crossentropy" if chords else "binary_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss=loss)
    callbacks = [
        keras.callbacks.EarlyStopping(
            "val_loss", patience=config.epochs, restore_best_weights=True
        ),
        _time_limit(config.time_limit_s),
    ]
    start = time.monotonic()
    history = model.fit(
        x,
        y,
        batch_size=config.batch_size,
        epochs=config.epochs,
        validation_data=(xv, yv),
        callbacks=callbacks,
        verbose=2,
        shuffle=True,
    ).history
    train_seconds = time.monotonic() - start
    if not all(np.isfinite(history["loss"])):
        raise JobFailed("the training loss became NaN/inf.", hint="lower --learning-rate")

    filter_frames = max(1, int(round(config.median_ms / 1000 / grid.step)) | 1)  # odd
    sidecar = {
        "task": config.task,
        "classes": classes,
        "sample_rate": config.sample_rate,
        "frame_step": grid.step,
        "frame_first": grid.first,
        "filter_frames": filter_frames,
        "thresholds": None,
    }
    if not chords:
        val_scores = score_files(model, [train_split.waves[n] for n in val_names])
        val_targets = [
            fr.event_targets(train_split.annotations[n], len(s), grid, classes)
            for n, s in zip(val_names, val_scores)
        ]
        sidecar["thresholds"] = fr.choose_thresholds(val_scores, val_targets, filter_frames)
        log(f"thresholds chosen on validation: {dict(zip(classes, sidecar['thresholds']))}")

    report = _evaluate(model, sidecar, test_split, config)
    report.update(
        task=config.task,
        data=root,
        classes=classes,
        train_files=len(fit_names),
        val_files=len(val_names),
        test_files=len(test_split.names),
        epochs_run=len(history["loss"]),
        train_seconds=round(train_seconds, 1),
        resampled_files=train_split.resampled + test_split.resampled,
        parameters=int(model.count_params()),
        sidecar=sidecar,
    )
    os.makedirs(config.out, exist_ok=True)
    with atomic_path(os.path.join(config.out, "model.keras")) as tmp:
        model.save(tmp)
    write_json(os.path.join(config.out, SIDECAR), sidecar)
    write_json(os.path.join(config.out, "history.json"), history)
    write_json(os.path.join(config.out, "report.json"), report)
    return report


def _evaluate(model, sidecar, split, config):
    from applications.events.metrics import chord_scores, event_scores

    reference, estimated, scores = {}, {}, {}
    all_scores = score_files(model, [split.waves[n] for n in split.names])
    for name, file_scores in zip(split.names, all_scores):
        scores[name] = file_scores
        duration = split.seconds(name, config.sample_rate)
        estimated[name] = decode(scores[name], sidecar, duration)
        reference[name] = [(a.onset, a.offset, a.label) for a in split.annotations[name]]
    if sidecar["task"] == "chords":
        test = chord_scores(reference, estimated)
    else:
        test = event_scores(reference, estimated, sidecar["classes"])
    if config.plots:
        from applications.events.plots import plot_file

        for name in split.names:
            png = os.path.join(config.out, "plots", os.path.splitext(name)[0] + ".png")
            plot_file(
                model,
                split.waves[name],
                scores[name],
                reference[name],
                estimated[name],
                sidecar,
                png,
                title=name,
            )
    return {"test": test}
