"""Train a WaveNet on a dataset's clips and save it with the metadata `generate` needs.

A registered WaveNet is fitted with plain `fit` on mu-law (input, next-sample)
pairs cut from the clips of `applications.data.load_dataset`, conditioned on
the clip labels (e.g. the built-in set's chord qualities). Training is one
resumable phase of the shared `applications.training.run.Run`: OUT is locked
and its settings checked (a rerun with other settings is refused unless
`--overwrite`), and after every epoch the weights and optimizer go to
`OUT/backup/train`, so a killed run started again with the same settings
resumes after its last complete epoch (its windows are drawn afresh from the
start of the data stream). Outputs in OUT, each written temp-then-rename:
`model.keras` and `wavenet.json` (sample rate, class names); a NaN or
infinite loss stops the run with `JobFailed` and saves no model.

Example:
    >>> train(WaveNetConfig(data="builtin", out="runs/wn", epochs=2))
"""

import os

from applications.atomic_io import atomic_path, write_json
from applications.wavenet.checks import METADATA, require
from applications.wavenet.config import WaveNetConfig

__all__ = ["train", "run_train", "PHASE"]

PHASE = "train"


def _datasets(config, dataset, quantization_channels):
    """The repeated training pairs and the validation pairs (None without a val split)."""
    from zoo.wavenet import training_dataset

    def pairs(split, seed):
        return training_dataset(
            split,
            quantization_channels,
            segment_length=config.segment,
            use_labels=config.conditioned,
            seed=seed,
        )

    validation = pairs(dataset.val, config.seed + 1) if dataset.counts["val"] else None
    return pairs(dataset.train, config.seed).repeat(), validation


def train(config, overwrite=False, log=print):
    """Fit a WaveNet on the clips of `config.data` and save it into `config.out`.

    The values are taken as checked (`WaveNetConfig` checks them on
    construction); errors about them name the flags.

    Args:
        config: the run's `applications.wavenet.config.WaveNetConfig`.
        overwrite: discard an earlier run in `config.out` and start afresh.
        log: prints the run's progress lines.

    Returns:
        The path of the saved `model.keras`.

    Example:
        >>> train(WaveNetConfig(data="builtin", out="runs/wn", epochs=2, steps_per_epoch=10))
        'runs/wn/model.keras'
    """
    import keras

    import zoo
    from applications.data import load_dataset
    from applications.training.run import Run

    with Run(config, log, overwrite) as run:
        dataset = load_dataset(
            config.data,
            sample_rate=config.sample_rate,
            clip_seconds=config.clip_seconds,
            batch_size=config.batch_size,
            seed=config.seed,
            bad_file_hint="Repair or remove the file.",  # wavenet train has no --skip-bad
        )
        log(dataset.summary())
        require(
            dataset.clip_samples > config.segment,
            "--segment",
            config.segment,
            f"Training windows need segment + 1 samples; the clips have {dataset.clip_samples}.",
        )
        classes = len(dataset.class_names)
        overrides = {"global_condition_classes": classes} if config.conditioned else {}
        network = zoo.create_model(config.model, **overrides)
        data, validation = _datasets(config, dataset, network.quantization_channels)
        network.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        log(
            f"{network.name}: {network.count_params():,} parameters, receptive field "
            f"{network.receptive_field} samples "
            f"({network.receptive_field / dataset.sample_rate * 1000:.0f} ms)"
        )
        # NaN guards, backups and resume are the phase's; a NaN run saves nothing.
        history = run.fit_phase(
            PHASE,
            network,
            data,
            epochs=config.epochs,
            learning_rate=config.learning_rate,
            steps_per_epoch=config.steps_per_epoch,
            validation_data=validation,
            shuffle=False,
            verbose="auto",  # a bar in a terminal, a line per epoch in a pipe
        )
        path = os.path.join(config.out, "model.keras")
        with atomic_path(path) as tmp:
            network.save(tmp)
        write_json(
            os.path.join(config.out, METADATA),
            {
                "sample_rate": dataset.sample_rate,
                "class_names": dataset.class_names if config.conditioned else [],
                "data": dataset.source,
                "final_loss": float(history["loss"][-1]),
            },
        )
        run.remove_backup()  # the outputs are complete: a rerun starts afresh
    log(
        f"Saved {path} after {run.timings.get(f'{PHASE}_s', 0.0):.0f}s "
        f"(loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f})."
    )
    return path


def run_train(data, out, *, overwrite=False, log=print, **settings):
    """`train` called with plain values: `WaveNetConfig(data=data, out=out, **settings)`.

    Args:
        data: 'builtin', a folder, or a Kaggle corpus name.
        out: folder for `model.keras`, `wavenet.json` and the run's files.
        overwrite: discard an earlier run in `out` and start afresh.
        log: prints the run's progress lines.
        **settings: more `WaveNetConfig` fields (model, epochs, segment, conditioned, seed, ...).

    Returns:
        The path of the saved `model.keras`.

    Example:
        >>> run_train("builtin", "runs/wn", epochs=2, steps_per_epoch=10)
        'runs/wn/model.keras'
    """
    config = WaveNetConfig(data=data, out=out, **settings)
    return train(config, overwrite=overwrite, log=log)
