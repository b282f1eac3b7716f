"""Train a WaveNet on a dataset's clips and save it with the metadata `generate` needs.

A registered WaveNet is fitted with plain `fit` on mu-law (input, next-sample)
pairs cut from the clips of `applications.data.load_dataset`, conditioned on
the clip labels (e.g. the built-in set's chord qualities). It resumes after a
kill (`applications.training.backup.Backup`) and writes `model.keras` and
`wavenet.json` (sample rate, class names) atomically; a NaN or infinite loss
stops it with `JobFailed` and saves nothing.

Example:
    >>> run_train("builtin", "runs/wn", epochs=2)
"""

import os
import shutil
import time

from applications.atomic_io import atomic_path, write_json
from applications.wavenet.checks import METADATA, require

__all__ = ["run_train"]


def run_train(
    data,
    out,
    *,
    model="wavenet_small",
    epochs=5,
    steps_per_epoch=100,
    batch_size=8,
    segment=4000,
    sample_rate=16000,
    clip_seconds=None,
    learning_rate=1e-3,
    conditioned=True,
    seed=0,
):
    """Fit a WaveNet on the clips of `data` and save it into `out`.

    The values are taken as checked (`audiozoo wavenet train` checks its flags);
    errors about them name the flags.

    Args:
        data: 'builtin', a folder, or a Kaggle corpus name.
        out: folder for `model.keras`, `wavenet.json` and, while running, `backup/`.
        model: the registered builder, `wavenet_small` or `wavenet`.
        epochs: epochs of `steps_per_epoch` batches.
        steps_per_epoch: batches per epoch.
        batch_size: windows per batch.
        segment: samples per training window; the clips need one more.
        sample_rate: rate the clips are decoded at (Hz).
        clip_seconds: clip length (seconds); None keeps the dataset's.
        learning_rate: Adam's learning rate.
        conditioned: use the labels as the global condition.
        seed: seeds the weights, the windows and the data order.

    Returns:
        The path of the saved `model.keras`.

    Example:
        >>> run_train("builtin", "runs/wn", epochs=2, steps_per_epoch=10)
        'runs/wn/model.keras'
    """
    import keras

    import zoo
    from applications.data import load_dataset
    from applications.numerics import check_losses
    from applications.training.backup import Backup
    from zoo.wavenet import training_dataset

    keras.utils.set_random_seed(seed)
    os.makedirs(out, exist_ok=True)
    dataset = load_dataset(
        data,
        sample_rate=sample_rate,
        clip_seconds=clip_seconds,
        batch_size=batch_size,
        seed=seed,
        bad_file_hint="Repair or remove the file.",  # wavenet train has no --skip-bad
    )
    print(dataset.summary())
    require(
        dataset.clip_samples > segment,
        "--segment",
        segment,
        f"Training windows need segment + 1 samples; the clips have {dataset.clip_samples}.",
    )
    overrides = {"global_condition_classes": len(dataset.class_names)} if conditioned else {}
    network = zoo.create_model(model, **overrides)
    q = network.quantization_channels
    train = training_dataset(
        dataset.train, q, segment_length=segment, use_labels=conditioned, seed=seed
    ).repeat()
    validation = None
    if dataset.counts["val"]:
        validation = training_dataset(
            dataset.val, q, segment_length=segment, use_labels=conditioned, seed=seed + 1
        )
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    print(
        f"{network.name}: {network.count_params():,} parameters, receptive field "
        f"{network.receptive_field} samples "
        f"({network.receptive_field / dataset.sample_rate * 1000:.0f} ms)"
    )
    start = time.perf_counter()
    backup = os.path.join(out, "backup")
    history = network.fit(
        train,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        validation_data=validation,
        callbacks=[keras.callbacks.TerminateOnNaN(), Backup(backup)],
        shuffle=False,
        verbose=2,
    )
    # A NaN model would "generate" a constant: fail instead of saving it.
    check_losses(history.history, "wavenet train", learning_rate)
    path = os.path.join(out, "model.keras")
    with atomic_path(path) as tmp:
        network.save(tmp)
    write_json(
        os.path.join(out, METADATA),
        {
            "sample_rate": dataset.sample_rate,
            "class_names": dataset.class_names if conditioned else [],
            "data": dataset.source,
            "final_loss": float(history.history["loss"][-1]),
        },
    )
    shutil.rmtree(backup, ignore_errors=True)
    print(
        f"Saved {path} after {time.perf_counter() - start:.0f}s "
        f"(loss {history.history['loss'][0]:.3f} -> {history.history['loss'][-1]:.3f})."
    )
    return path
