"""Train the duet model, its key estimator or the harmoniser on the chorales (or a folder) and save it.

Each epoch draws fresh windows (new random transpositions, voices and hidden
parts, seeded by `seed + epoch`, then shuffled with the same generator);
validation uses the untransposed validation pieces. Training is one
resumable phase of the shared `applications.training.run.Run`: OUT is
locked and its settings checked (a rerun with other settings is refused
unless `--overwrite`), and after every epoch the weights and optimizer go to
`OUT/backup/train`, so a killed run started again with the same settings
resumes after its last complete epoch, on the windows an unbroken run draws.
Outputs in OUT, each written temp-then-rename: `model.keras` and
`report.json` (settings, split sizes, per-epoch losses, timings, and `test`: the
held-out pieces' scores beside the baseline, as `music evaluate` computes them
with its defaults). A NaN loss stops the run with `JobFailed`.

Example:
    >>> train(MusicConfig(model="harmonize", out="runs/harm", epochs=2, limit=20))
"""

import functools
import math
import os

import keras
import numpy as np

from applications.atomic_io import atomic_path
from applications.errors import UsageError
from applications.music.corpus import load_chorales
from applications.music.evaluate import held_out_scores
from applications.music.windows import duet_windows, harmonizer_windows, key_windows

__all__ = ["train", "MODELS", "METADATA", "EpochWindows"]

MODELS = {
    "duet": "bachduet",
    "harmonize": "part_invariant_harmonizer",
    "key": "bachduet_key_estimator",
}
WINDOWS = {"duet": duet_windows, "harmonize": harmonizer_windows}
METADATA = "report.json"
PHASE = "train"


def _arrays(config, pieces, rng, augment):
    if config.model == "key":
        voices = (0, 1, 2, 3) if config.key_voices == "all" else (0,)
        return key_windows(pieces, rng, config.length, voices=voices, augment=augment)
    return WINDOWS[config.model](pieces, rng, config.length, augment=augment)


class EpochWindows(keras.utils.PyDataset):
    """The training batches of each epoch: windows drawn from `seed + epoch`, shuffled.

    `fit` sets the epoch through the callback `follow()` returns before it
    reads the epoch's batches, so a resumed run draws the windows of the
    epoch it resumes at.

    Args:
        draw: `draw(rng) -> (x dict, y)`, the windows of one epoch.
        seed: the run's seed.
        batch_size: windows per batch (the last batch may be smaller).
    """

    def __init__(self, draw, seed, batch_size):
        super().__init__()
        self.draw, self.seed, self.batch_size = draw, seed, batch_size
        self.epoch, self.drawn = 0, None
        # The same every epoch: one window per start in each piece.
        self.count = len(self._windows()[1])

    def _windows(self):
        if self.drawn is None or self.drawn[0] != self.epoch:
            rng = np.random.default_rng(self.seed + self.epoch)
            x, y = self.draw(rng)
            order = rng.permutation(len(y))
            self.drawn = (self.epoch, {k: v[order] for k, v in x.items()}, y[order])
        return self.drawn[1:]

    def __len__(self):
        return math.ceil(self.count / self.batch_size)

    def __getitem__(self, index):
        x, y = self._windows()
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return {k: v[part] for k, v in x.items()}, y[part]

    def follow(self, resumed):
        """A callback moving the windows to each epoch; `resumed(epoch)` runs when `fit` resumes."""
        windows = self

        class FollowEpochs(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.first = True

            def on_epoch_begin(self, epoch, logs=None):
                if self.first and epoch:
                    resumed(epoch)
                self.first, windows.epoch = False, epoch

        return FollowEpochs()


def _data(config, data):
    """`(training windows, validation arrays or None)`; `UsageError` when nothing fits."""
    if not data.pieces("train"):
        raise UsageError(
            f"{config.data or 'music21 corpus'}: no training pieces",
            hint="Pass at least 3 pieces (pieces 9 and 10 of every 10 are validation and test).",
        )
    draw = functools.partial(_arrays, config, data.pieces("train"), augment=True)
    windows = EpochWindows(draw, config.seed, config.batch_size)
    if not windows.count:
        longest = max(len(piece["tokens"]) for piece in data.pieces("train"))
        raise UsageError(
            f"--length {config.length}: no training piece is that long (the longest has "
            f"{longest} 16ths), so there is no training window.",
            hint=f"pass --length {longest} or less (the default is 64)",
        )
    val_pieces = data.pieces("val")
    validation = (
        _arrays(config, val_pieces, np.random.default_rng(1), False) if val_pieces else None
    )
    if validation is not None and not len(validation[1]):
        validation = None
    return windows, validation


def train(config, verbose="auto", overwrite=False, log=print):
    """Train `config.model`, save it, score it on the test pieces; returns `report.json`'s dict.

    Args:
        config: the run's `applications.music.config.MusicConfig`.
        verbose: Keras' `fit` verbosity; "auto": a bar in a terminal, a line per epoch else.
        overwrite: discard an earlier run in `config.out` and start afresh.
        log: prints the run's progress lines.

    Returns:
        The `report.json` dict: model, registered_name, settings, pieces,
        skipped_pieces, train_seconds, history, test (None without test pieces), timings.
    """
    import zoo
    from applications.training.epoch_seeds import EpochSeeds
    from applications.training.run import Run

    with Run(config, log, overwrite) as run:
        data = load_chorales(config.data, limit=config.limit)
        windows, validation = _data(config, data)
        backup = os.path.join(run.backup, PHASE)

        def resumed(epoch):
            log(f"resuming after epoch {epoch} from {backup}")

        model = zoo.create_model(MODELS[config.model], units=config.units)
        model.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=1.0),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        history = run.fit_phase(
            PHASE,
            model,
            windows,
            epochs=config.epochs,
            learning_rate=config.learning_rate,
            # Dropout masks from (seed, epoch), so a resumed epoch repeats an unbroken one.
            callbacks=[windows.follow(resumed), EpochSeeds(config.seed)],
            validation_data=validation,
            validation_batch_size=config.batch_size,
            shuffle=False,  # each epoch's windows come shuffled
            verbose=verbose,
        )
        with atomic_path(os.path.join(config.out, "model.keras")) as tmp:
            model.save(tmp)
        test = None
        if data.pieces("test"):
            with run.timed("test"):
                test = held_out_scores(model, data)[0]
        else:
            log("no test pieces (--limit keeps too few): report.json has no held-out scores")
        metadata = {
            "model": config.model,
            "registered_name": MODELS[config.model],
            "settings": config.to_dict(),
            "pieces": {s: len(data.pieces(s)) for s in ("train", "val", "test")},
            "skipped_pieces": int(data.skipped),
            "train_seconds": round(run.timings.get(f"{PHASE}_s", 0.0), 1),
            "history": history,
            "test": test,
        }
        run.write_report(metadata, METADATA)
        run.remove_backup()  # the outputs are complete: a rerun starts afresh
    log(f"wrote {os.path.join(config.out, 'model.keras')} ({metadata['train_seconds']} s)")
    return metadata
