"""`audiozoo separate train`: fit a mask estimator on mixtures made on the fly, then score it.

Order of work: read and check every source clip (bad input stops here, with
nothing written), then one `applications.training.run.Run` claims OUT (a
second run into it is refused, a rerun with other settings too unless
`--overwrite`) and seeds the run; training is its resumable `fit_phase`
"train" (a rerun after a kill goes on after the last finished epoch, on the
same mixtures). Then the fixed test mixtures and the oracle ratio masks are
scored, and `model.keras`, `report.json` and `separation.png` are written,
each temp-then-rename, before the backups are removed.
"""

import os

import h5py
import numpy as np

from applications.atomic_io import atomic_path
from applications.separation import metrics, mixing
from applications.separation.config import MODELS
from applications.separation.plots import save_spectrograms

__all__ = ["train", "load_clips", "resumed_epoch", "PHASE"]

# The one training phase: its backups sit in OUT/backup/train.
PHASE = "train"


def load_clips(config):
    """The `SourceClips` of `config.sources` ("builtin" or a folder)."""
    if config.sources == "builtin":
        from applications.separation.synthetic import builtin_sources

        return builtin_sources(sample_rate=config.sample_rate)
    from applications.separation.sources import load_sources

    return load_sources(config.sources, config.sample_rate)


def resumed_epoch(backup_dir):
    """The epochs the phase backup in `backup_dir` has finished (0 without a readable one).

    Tries the files in the order `training.backup.Backup` restores them, so the
    training mixtures go on from the epoch the weights resume at.
    """
    from applications.training.backup import previous

    latest = os.path.join(backup_dir, "latest.weights.h5")
    for path in (latest, previous(latest)):
        try:
            with h5py.File(path, "r") as f:
                return int(f.attrs["audiozoo_epoch"])
        except (OSError, KeyError, ValueError):
            continue
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


def train(config, log=print, overwrite=False):
    """Check the sources, claim `config.out`, train, score and save.

    Args:
        config: a `SeparateConfig`.
        log: prints progress.
        overwrite: discard an earlier run in `config.out` (one with other
            settings is refused otherwise) and start afresh.

    Returns:
        The report written to `OUT/report.json` (without its `timings`).

    Example:
        >>> report = train(SeparateConfig(out="runs/sep", epochs=2))
        >>> report["median"]["tones"]["si_sdri"]
    """
    from applications.training.run import Run

    clips = load_clips(config)  # every input check happens here, before OUT is touched
    for note in clips.notes:
        log(note)
    with Run(config, log, overwrite) as run:
        report = _train(run, config, clips)
    log(f"Saved {config.out}/model.keras, report.json and separation.png.")
    return report


def _fit(run, config, clips):
    """The compiled separator after the resumable training phase, and the phase's loss history."""
    import keras

    import zoo

    model = zoo.create_model(
        MODELS[config.model],
        sources=tuple(clips.names),
        sample_rate=clips.sample_rate,
        mixture_consistency=config.mixture_consistency,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate), loss=zoo.separation.negative_snr
    )
    run.log(
        f"{model.name}: {model.count_params():,} parameters; sources {clips.names}; loss: "
        "negative SNR of the waveforms (dB, averaged over sources)"
    )
    backup = os.path.join(run.backup, PHASE)
    start = resumed_epoch(backup)
    if start:
        run.log(f"Resuming after epoch {start} from {backup}.")
    history = run.fit_phase(
        PHASE,
        model,
        _dataset(config, clips, start * config.steps_per_epoch),
        epochs=config.epochs,
        learning_rate=config.learning_rate,
        steps_per_epoch=config.steps_per_epoch,
        shuffle=False,
        verbose="auto",  # a bar in a terminal, a line per epoch in a pipe
    )
    return model, history.get("loss", [])


def _train(run, config, clips):
    model, losses = _fit(run, config, clips)
    length = int(config.test_seconds * clips.sample_rate)
    mixtures, sources = mixing.held_out_mixtures(
        clips.test, clips.names, length, config.test_mixtures
    )
    with run.timed("score"):
        from applications.reporting.progress import Progress

        # mir_eval's BSS figures take seconds per mixture: count them.
        what = f"Scoring {len(mixtures)} test mixtures, the model's and the oracle mask's"
        progress = Progress(2 * len(mixtures), what, "mixture")
        estimates = _separate(model, mixtures)
        scored = metrics.score(mixtures, sources, estimates, clips.names, progress.advance)
        oracle_estimates = _oracle(model, mixtures, sources)
        oracle = metrics.score(mixtures, sources, oracle_estimates, clips.names, progress.advance)
        progress.close()
    medians, oracle_medians = metrics.summarize(scored), metrics.summarize(oracle)
    report = {
        "model": model.name,
        "parameters": model.count_params(),
        "sources": clips.names,
        "sample_rate": clips.sample_rate,
        "data": clips.origin,
        "notes": clips.notes,
        "loss": "negative SNR of the estimated waveforms, mean over sources (dB)",
        "loss_history": [float(v) for v in losses],
        "train_seconds": run.timings.get(f"{PHASE}_s", 0.0),
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
    with atomic_path(os.path.join(run.out, "model.keras")) as tmp:
        model.save(tmp)
    run.write_report(report)
    save_spectrograms(
        os.path.join(run.out, "separation.png"),
        mixtures[:3],
        estimates[:3],
        sources[:3],
        clips.names,
        clips.sample_rate,
    )
    run.remove_backup()  # the outputs are complete: a rerun trains afresh, as before
    for name in clips.names:
        m, o = medians[name], oracle_medians[name]
        run.log(
            f"{name}: median SI-SDRi {m['si_sdri']:.1f} dB (oracle {o['si_sdri']:.1f}), "
            f"SDR {m['sdr']:.1f} SIR {m['sir']:.1f} SAR {m['sar']:.1f} dB"
        )
    return report
