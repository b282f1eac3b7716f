"""`audiozoo separate train`: fit a mask estimator on mixtures made on the fly, then score it.

Order of work: read and check every source clip (bad input stops here, with
nothing written), lock OUT and store the settings (`finetune.rundir`, so a
rerun with other settings is refused), train with `fit` and the kill-safe
`training.backup.Backup` callback (a rerun resumes after the last finished
epoch, on the same mixtures), score the fixed test mixtures and the oracle
ratio masks, then write `model.keras`, `report.json` and `separation.png`,
each temp-then-rename.
"""

import os
import shutil
import time

import h5py
import numpy as np

from applications.atomic_io import atomic_path, write_json
from applications.separation import metrics, mixing
from applications.separation.config import MODELS
from applications.separation.plots import save_spectrograms

__all__ = ["run", "load_clips", "resumed_epoch"]


def load_clips(config):
    """The `SourceClips` of `config.sources` ("builtin" or a folder)."""
    if config.sources == "builtin":
        from applications.separation.synthetic import builtin_sources

        return builtin_sources(sample_rate=config.sample_rate)
    from applications.separation.sources import load_sources

    return load_sources(config.sources, config.sample_rate)


def resumed_epoch(backup_dir):
    """The epochs the backup in `backup_dir` has finished (0 without a readable one)."""
    try:
        with h5py.File(os.path.join(backup_dir, "latest.weights.h5"), "r") as f:
            return int(f.attrs["audiozoo_epoch"])
    except (OSError, KeyError, ValueError):
        return 0


def _dataset(config, clips, start_step):
    import tensorflow as tf

    length = int(config.segment_seconds * config.sample_rate)
    count = len(clips.names)

    def batch(step):
        return mixing.training_batch(
            clips.train, clips.names, length, config.batch_size, config.seed, int(step)
        )

    def make(step):
        x, y = tf.numpy_function(batch, [step], (tf.float32, tf.float32))
        x.set_shape((config.batch_size, length))
        y.set_shape((config.batch_size, count, length))
        return x, y

    steps = tf.data.Dataset.range(start_step, 2**62)
    return steps.map(make).prefetch(2)


def _separate(model, mixtures, batch_size=2):
    return np.asarray(model.predict(mixtures, batch_size=batch_size, verbose=0), np.float32)


def _oracle(model, mixtures, sources):
    """Estimates of the ideal ratio masks through the model's own masking layer."""
    layer = model.get_layer("separate")
    masks = metrics.oracle_ratio_masks(sources, layer.n_fft, layer.hop_length)
    return np.asarray(layer([mixtures, masks]), np.float32)


def run(config, clips, log=print):
    """Train, score and save; `config.out` must already be claimed (`rundir.claim_out`).

    Args:
        config: a `SeparateConfig`.
        clips: the `SourceClips` (`load_clips(config)`).
        log: prints progress.

    Returns:
        The report written to `OUT/report.json`.
    """
    import keras

    import zoo
    from applications.training.backup import Backup
    from applications.training.numerics import check_losses

    keras.utils.set_random_seed(config.seed)
    model = zoo.create_model(
        MODELS[config.model],
        sources=tuple(clips.names),
        sample_rate=clips.sample_rate,
        mixture_consistency=config.mixture_consistency,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate), loss=zoo.separation.negative_snr
    )
    log(
        f"{model.name}: {model.count_params():,} parameters; sources {clips.names}; loss: "
        "negative SNR of the waveforms (dB, averaged over sources)"
    )
    backup = os.path.join(config.out, "backup")
    start = resumed_epoch(backup)
    if start:
        log(f"Resuming after epoch {start} from {backup}.")
    began = time.perf_counter()
    history = model.fit(
        _dataset(config, clips, start * config.steps_per_epoch),
        epochs=config.epochs,
        steps_per_epoch=config.steps_per_epoch,
        callbacks=[keras.callbacks.TerminateOnNaN(), Backup(backup, log=log)],
        shuffle=False,
        verbose=2,
    )
    check_losses(history.history, "separate train", config.learning_rate)
    train_seconds = time.perf_counter() - began
    length = int(config.test_seconds * clips.sample_rate)
    mixtures, sources = mixing.held_out_mixtures(
        clips.test, clips.names, length, config.test_mixtures
    )
    estimates = _separate(model, mixtures)
    scored = metrics.score(mixtures, sources, estimates, clips.names)
    oracle = metrics.score(mixtures, sources, _oracle(model, mixtures, sources), clips.names)
    medians, oracle_medians = metrics.summarize(scored), metrics.summarize(oracle)
    report = {
        "model": model.name,
        "parameters": model.count_params(),
        "sources": clips.names,
        "sample_rate": clips.sample_rate,
        "data": clips.origin,
        "notes": clips.notes,
        "loss": "negative SNR of the estimated waveforms, mean over sources (dB)",
        "loss_history": [float(v) for v in history.history["loss"]],
        "train_seconds": train_seconds,
        "test_mixtures": {"count": config.test_mixtures, "seconds": config.test_seconds},
        "median": medians,
        "oracle_median": oracle_medians,
        "fraction_of_oracle_si_sdri": {
            name: medians[name]["si_sdri"] / oracle_medians[name]["si_sdri"] for name in clips.names
        },
        "per_mixture": scored,
        "oracle_per_mixture": oracle,
        "settings": config.to_dict(),
    }
    with atomic_path(os.path.join(config.out, "model.keras")) as tmp:
        model.save(tmp)
    write_json(os.path.join(config.out, "report.json"), report)
    save_spectrograms(
        os.path.join(config.out, "separation.png"),
        mixtures[:3],
        estimates[:3],
        sources[:3],
        clips.names,
        clips.sample_rate,
    )
    shutil.rmtree(backup, ignore_errors=True)
    for name in clips.names:
        m, o = medians[name], oracle_medians[name]
        log(
            f"{name}: median SI-SDRi {m['si_sdri']:.1f} dB (oracle {o['si_sdri']:.1f}), "
            f"SDR {m['sdr']:.1f} SIR {m['sir']:.1f} SAR {m['sar']:.1f} dB"
        )
    return report
