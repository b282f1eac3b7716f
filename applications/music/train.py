"""Train the duet model, its key estimator or the harmoniser on the chorales (or a folder) and save it.

Each epoch draws fresh windows (new random transpositions, voices and hidden
parts, seeded by `seed + epoch`); validation uses the untransposed validation
pieces. After every epoch the model and the history go to `OUT/backup/`
(temp-then-rename), so a killed run started again with the same settings
resumes after its last complete epoch. Outputs in OUT,
each written temp-then-rename: `model.keras` and `music.json` (settings,
split sizes, per-epoch losses). A NaN loss stops the run with `JobFailed`.

Example:
    >>> train(MusicTrainConfig(model="harmonize", out="runs/harm", epochs=2, limit=20))
"""

import dataclasses
import os
import time
from typing import Optional

import numpy as np

from applications.atomic_io import atomic_path, write_json
from applications.music.corpus import load_chorales
from applications.music.windows import duet_windows, harmonizer_windows, key_windows

__all__ = ["MusicTrainConfig", "train", "MODELS", "METADATA"]

MODELS = {
    "duet": "bachduet",
    "harmonize": "part_invariant_harmonizer",
    "key": "bachduet_key_estimator",
}
WINDOWS = {"duet": duet_windows, "harmonize": harmonizer_windows}
METADATA = "music.json"


@dataclasses.dataclass(frozen=True)
class MusicTrainConfig:
    """Settings of `audiozoo music train` (the flags of the same names)."""

    model: str
    out: str
    epochs: int = 12
    batch_size: int = 32
    units: int = 128
    length: int = 64
    learning_rate: float = 2e-3
    limit: Optional[int] = None
    data: Optional[str] = None
    seed: int = 0
    key_voices: str = "soprano"  # --model key: "soprano", or "all" four voices as examples


def _arrays(config, pieces, rng, augment):
    if config.model == "key":
        voices = (0, 1, 2, 3) if config.key_voices == "all" else (0,)
        return key_windows(pieces, rng, config.length, voices=voices, augment=augment)
    return WINDOWS[config.model](pieces, rng, config.length, augment=augment)


def _save_backup(folder, model, config, history, epochs_done):
    os.makedirs(folder, exist_ok=True)
    with atomic_path(os.path.join(folder, "model.keras")) as tmp:
        model.save(tmp)  # holds the optimizer state too
    state = {"settings": dataclasses.asdict(config), "epochs_done": epochs_done, "history": history}
    write_json(os.path.join(folder, "state.json"), state)


def _resume(folder, config):
    """`(model, history, first epoch)` from OUT/backup, or `(None, {}, 0)` to start afresh."""
    import json

    import keras

    from applications.errors import UsageError

    path = os.path.join(folder, "state.json")
    if not os.path.exists(path):
        return None, {}, 0
    with open(path, encoding="utf-8") as f:
        state = json.load(f)
    # A backup written before a setting existed ran with its default.
    defaults = dataclasses.asdict(MusicTrainConfig(model=config.model, out=config.out))
    settings = {**defaults, **state["settings"], "epochs": config.epochs}
    if settings != dict(dataclasses.asdict(config), epochs=config.epochs):
        raise UsageError(
            f"--out {config.out}: holds a run with other settings ({path})",
            hint="Pass another --out, or delete the folder to start again.",
        )
    model = keras.saving.load_model(os.path.join(folder, "model.keras"), safe_mode=True)
    print(f"resuming after epoch {state['epochs_done']} from {folder}")
    return model, state["history"], state["epochs_done"]


def train(config, verbose=1):
    """Train `config.model` and save it; returns the metadata dict written to `music.json`."""
    import keras

    import zoo
    from applications.errors import UsageError
    from applications.training.numerics import check_losses

    keras.utils.set_random_seed(config.seed)
    data = load_chorales(config.data, limit=config.limit)
    train_pieces, val_pieces = data.pieces("train"), data.pieces("val")
    if not train_pieces:
        raise UsageError(
            f"{config.data or 'music21 corpus'}: no training pieces",
            hint="Pass at least 3 pieces (pieces 9 and 10 of every 10 are validation and test).",
        )
    backup = os.path.join(config.out, "backup")
    model, history, first = _resume(backup, config)
    if model is None:
        model = zoo.create_model(MODELS[config.model], units=config.units)
        model.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=1.0),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
    validation = (
        _arrays(config, val_pieces, np.random.default_rng(1), False) if val_pieces else None
    )
    if validation is not None and not len(validation[1]):
        validation = None
    started = time.time()
    for epoch in range(first, config.epochs):
        x, y = _arrays(config, train_pieces, np.random.default_rng(config.seed + epoch), True)
        if not len(y):
            raise UsageError(
                f"pieces shorter than --length {config.length} steps", hint="Lower --length."
            )
        result = model.fit(
            x,
            y,
            batch_size=config.batch_size,
            epochs=epoch + 1,
            initial_epoch=epoch,
            validation_data=validation,
            callbacks=[keras.callbacks.TerminateOnNaN()],
            verbose=verbose,
        )
        for k, v in result.history.items():
            history.setdefault(k, []).extend(float(a) for a in v)
        check_losses(history, f"music train --model {config.model}", config.learning_rate)
        _save_backup(backup, model, config, history, epoch + 1)
    os.makedirs(config.out, exist_ok=True)
    with atomic_path(os.path.join(config.out, "model.keras")) as tmp:
        model.save(tmp)
    metadata = {
        "model": config.model,
        "registered_name": MODELS[config.model],
        "settings": dataclasses.asdict(config),
        "pieces": {s: len(data.pieces(s)) for s in ("train", "val", "test")},
        "skipped_pieces": int(data.skipped),
        "train_seconds": round(time.time() - started, 1),
        "history": history,
    }
    write_json(os.path.join(config.out, METADATA), metadata)
    return metadata
