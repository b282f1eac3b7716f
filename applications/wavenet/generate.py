"""Sample audio from a trained WaveNet into a PCM16 WAV and a waveform + spectrogram PNG.

The model loads with `safe_mode=True` (NaN/inf weights refused, through
`applications.trained.load_keras_file`) after its `wavenet.json` is checked;
the fast generator samples in equal chunks behind a progress bar.

Example:
    >>> run_generate("runs/wn/model.keras", 2.0, "chord.wav", condition="minor")
"""

import os
import time

from applications.atomic_io import atomic_path
from applications.errors import UsageError
from applications.trained import load_keras_file
from applications.wavenet.checks import read_metadata, require

__all__ = ["HINT", "run_generate"]

HINT = "pass the model.keras written by `audiozoo wavenet train`"


def _resolve_condition(model, condition, class_names):
    """The class id `condition` (a name or an id) stands for; None for an unconditioned model."""
    if not model.global_condition_classes:
        require(
            condition is None, "--condition", condition, "This model is not globally conditioned."
        )
        return None
    names = list(class_names)
    require(
        condition is not None,
        "--condition",
        condition,
        f"This model is conditioned on a class; pass one of {names or list(range(model.global_condition_classes))}.",
    )
    if condition in names:
        return names.index(condition)
    require(
        condition.isdigit() and int(condition) < model.global_condition_classes,
        "--condition",
        condition,
        f"Pass a class name ({', '.join(names) or 'none recorded'}) or an id "
        f"0..{model.global_condition_classes - 1}.",
    )
    return int(condition)


def _load(model_path, sample_rate):
    """The WaveNet at `model_path`, its class names and the rate to write at (checked)."""
    from zoo.wavenet import WaveNet

    if os.path.isdir(model_path) or not os.path.isfile(model_path):
        load_keras_file("--model", model_path, HINT)  # names the problem
    metadata, metadata_path = read_metadata(model_path, HINT)
    trained_rate = metadata.get("sample_rate")
    if sample_rate and trained_rate and sample_rate != trained_rate:
        # The samples would play at the wrong speed and pitch under another rate's header.
        raise UsageError(
            f"--sample-rate {sample_rate} differs from the {trained_rate} Hz the model was "
            f"trained at ({metadata_path}).",
            hint=f"leave --sample-rate out (or pass {trained_rate}); resample the WAV afterwards",
        )
    model = load_keras_file("--model", model_path, HINT)
    require(
        isinstance(model, WaveNet),
        "--model",
        model_path,
        f"Not a WaveNet ({type(model).__name__}).",
    )
    require(
        not model.local_condition_channels,
        "--model",
        model_path,
        "Locally conditioned models need features; use model.generate(local_condition=...) from Python.",
    )
    rate = sample_rate or metadata.get("sample_rate", 16000)
    return model, metadata.get("class_names", []), rate


def run_generate(
    model_path,
    seconds,
    out,
    *,
    condition=None,
    temperature=1.0,
    seed=0,
    sample_rate=None,
    chunk=4000,
):
    """Sample `seconds` of audio from a trained WaveNet into the WAV `out` and a PNG beside it.

    The values are taken as checked (`audiozoo wavenet generate` checks its
    flags and `out`); errors about them name the flags.

    Args:
        model_path: the `model.keras` written by `run_train` (its `wavenet.json` beside it).
        seconds: length of the audio.
        out: the `.wav` to write; the plot goes to the same name `.png`.
        condition: class name or id for a globally conditioned model, else None.
        temperature: sampling temperature.
        seed: seeds the sampling.
        sample_rate: rate to write at; None uses the one it was trained at.
        chunk: samples per compiled call (the progress bar's step).

    Returns:
        `(out, png)`: the paths written.

    Example:
        >>> run_generate("runs/wn/model.keras", 2.0, "a.wav")
        ('a.wav', 'a.png')
    """
    import numpy as np
    import soundfile as sf

    from applications.reporting.plots import plot_waveform
    from applications.reporting.progress import Progress
    from zoo.wavenet import FastGenerator

    model, class_names, sample_rate = _load(model_path, sample_rate)
    class_id = _resolve_condition(model, condition, class_names)
    total = int(round(seconds * sample_rate))
    require(total >= 1, "--seconds", seconds, "Too short for one sample.")
    chunk = min(chunk, total)
    generator = FastGenerator(model, seed=seed, temperature=temperature, global_condition=class_id)
    progress = Progress(total, f"Generating {total} samples ({seconds:g} s)", "sample")
    pieces, done, start = [], 0, time.perf_counter()
    while done < total:
        # Equal chunks reuse one compiled loop; the last one's excess is dropped.
        pieces.append(generator.generate(chunk)[0])
        done = min(total, done + chunk)
        progress.update(done)
    progress.close()
    audio = np.concatenate(pieces)[:total].astype("float32")
    elapsed = time.perf_counter() - start

    with atomic_path(out) as tmp:
        sf.write(tmp, audio, sample_rate, subtype="PCM_16")
    png = out[:-4] + ".png"
    label = "" if class_id is None else f", condition {condition}"
    plot_waveform(
        audio,
        sample_rate,
        png,
        f"WaveNet sample: {total / sample_rate:.2f} s at {sample_rate} Hz{label}",
    )
    print(
        f"Wrote {out} ({total} samples, {total / sample_rate:.2f} s) and {png}; "
        f"{total / elapsed:,.0f} samples/s including compilation."
    )
    return out, png
