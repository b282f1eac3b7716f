"""`audiozoo events train`: a CRNN on frame targets, thresholds on validation, scores on test.

Writes into OUT: `model.keras` (takes a waveform of any length), `events.json`
(task, classes, rate, frame grid, per-class thresholds, filter length: what
`detect` needs), `report.json` (sed_eval or mir_eval scores), `history.json`
and, unless turned off, `plots/<file>.png` per test file. Every file is written
temp-then-rename. Training runs as one phase of an `applications.training.run.Run`,
which holds OUT's lock, refuses a rerun with other settings (unless
`overwrite`) and resumes a killed run from its last epoch's backup.
"""

import os

import numpy as np

import zoo

from applications.atomic_io import atomic_path, write_json
from applications.errors import UsageError
from applications.events import frames as fr
from applications.events.annotations import chord_class, chord_classes
from applications.events.data import clips_of, read_split
from applications.events.detect import SIDECAR, decode, score_files

__all__ = ["train", "summary", "MODEL_SETTINGS"]

# The CRNN's front end is the named `events` one (zoo/audio/front_ends.json).
_FRONT_END = zoo.audio.front_end("events")
MODEL_SETTINGS = {
    **{key: _FRONT_END[key] for key in ("n_fft", "hop_length", "n_mels")},
    "gru_units": 64,
}


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


def train(config, log=print, overwrite=False):
    """Run `audiozoo events train` with an `EventsConfig`.

    Args:
        config: the settings.
        log: where progress lines go.
        overwrite: discard an earlier run in `config.out` (one with other
            settings is refused otherwise) and start afresh.

    Returns:
        The report dict (also written to `OUT/report.json`).

    Example:
        >>> train(EventsConfig(data="builtin", out="runs/events", epochs=30))["test"]["overall"]
    """
    from applications.training.run import Run  # TensorFlow: imported when a run starts

    _require("mir_eval" if config.task == "chords" else "sed_eval")
    if config.data != "builtin" and not os.path.isdir(config.data):
        raise UsageError(
            f"--data {config.data!r} is not a folder.",
            hint="pass DIR with train/ and test/, or builtin",
        )
    with Run(config, log, overwrite) as run:  # claims OUT, seeds
        report = _train(run, config, log)
    for line in summary(report, config.out):
        log(line)
    return report


def summary(report, out):
    """The lines `events train` ends with: the test scores and what was written."""
    test = report["test"]
    if report["task"] == "chords":
        t = {k: "n/a" if test[k] is None else f"{test[k]:.3f}" for k in ("root", "majmin", "mirex")}
        scores = (
            f"test chords ({test['seconds']:.0f} s): root {t['root']}  majmin {t['majmin']}  "
            f"mirex {t['mirex']}"
        )
    else:
        o = {k: "n/a" if v is None else f"{v:.3f}" for k, v in test["overall"].items()}
        scores = (
            f"test: segment F1 {o['segment_f1']}  ER {o['segment_error_rate']}  "
            f"event F1 {o['event_f1']}"
        )
    return [scores, f"wrote {os.path.join(out, 'model.keras')} and report.json"]


def _split(config, train_split, seed):
    """`(val_names, fit_names)`: the held-out files (sorted) and the training files."""
    names = list(np.random.default_rng(seed).permutation(train_split.names))
    n_val = max(1, int(round(config.val_fraction * len(names))))
    if len(names) - n_val < 1:
        raise UsageError(f"{train_split.folder!r} needs at least 2 audio files (train + val).")
    return sorted(names[:n_val]), names[n_val:]


def _train(run, config, log):
    import keras

    import zoo
    from applications.events.callbacks import LowestValLoss, TimeLimit
    from applications.training.phases import has_backup

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

    val_names, fit_names = _split(config, train_split, config.seed)
    x, y = _arrays(config, train_split, fit_names, grid, classes, clip_samples, out_frames)
    xv, yv = _arrays(config, train_split, val_names, grid, classes, clip_samples, out_frames)
    log(f"{config.task}: {len(classes)} classes, {len(x)} training clips, {len(xv)} val clips")

    loss = "sparse_categorical_crossentropy" if chords else "binary_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss=loss)
    backup = os.path.join(run.backup, "train")
    if has_backup(backup):
        log(f"Resuming training from its last backup in {backup}.")
    history = run.fit_phase(
        "train",
        model,
        x,
        y=y,
        epochs=config.epochs,
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        validation_data=(xv, yv),
        # The lowest-val-loss epoch's weights are kept, resumably.
        callbacks=[
            LowestValLoss(backup + ".best", run.info.is_chief, log),
            TimeLimit(config.time_limit_s),
        ],
        verbose="auto",  # a bar in a terminal, a line per epoch in a pipe
        shuffle=True,
    )

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
        train_seconds=round(run.timings.get("train_s", 0.0), 1),
        resampled_files=train_split.resampled + test_split.resampled,
        parameters=int(model.count_params()),
        sidecar=sidecar,
    )
    with atomic_path(os.path.join(run.out, "model.keras")) as tmp:
        model.save(tmp)
    write_json(os.path.join(run.out, SIDECAR), sidecar)
    write_json(os.path.join(run.out, "history.json"), history)
    run.write_report(report)
    run.remove_backup()  # the outputs supersede it
    return {"timings": run.timings, **report}


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
