"""`audiozoo wavenet generate`: sample audio from a trained WaveNet.

Every flag, the output path and `wavenet.json` are checked before the model
loads; a model with NaN/inf weights is refused (`applications.trained.load_keras_file`).
"""

import os
import time

from applications.atomic_io import atomic_path
from applications.cli import checks
from applications.cli.wavenet import METADATA, _check
from applications.errors import UsageError
from applications.trained import load_keras_file

__all__ = ["run_generate"]


def _resolve_condition(model, condition, class_names):
    if not model.global_condition_classes:
        _check(
            condition is None, "--condition", condition, "This model is not globally conditioned."
        )
        return None
    names = list(class_names)
    _check(
        condition is not None,
        "--condition",
        condition,
        f"This model is conditioned on a class; pass one of {names or list(range(model.global_condition_classes))}.",
    )
    if condition in names:
        return names.index(condition)
    _check(
        condition.isdigit() and int(condition) < model.global_condition_classes,
        "--condition",
        condition,
        f"Pass a class name ({', '.join(names) or 'none recorded'}) or an id "
        f"0..{model.global_condition_classes - 1}.",
    )
    return int(condition)


def run_generate(args):
    """`audiozoo wavenet generate`: sample audio from a trained WaveNet into a WAV and a PNG.

    Args:
        args: the parsed `generate` flags.

    Returns:
        0.

    Example:
        audiozoo wavenet generate --model runs/wn/model.keras --seconds 2 --out a.wav
    """
    import keras
    import numpy as np
    import soundfile as sf

    from applications.reporting.plots import plot_waveform
    from zoo.wavenet import WaveNet
    from zoo.wavenet import FastGenerator

    checks.number("--seconds", args.seconds, above=0)
    checks.number("--chunk", args.chunk, minimum=1)
    checks.number("--temperature", args.temperature, above=0)
    checks.number("--sample-rate", args.sample_rate, minimum=1)
    checks.seed("--seed", args.seed)
    checks.output_file("--out", args.out, suffix=".wav")
    hint = "pass the model.keras written by `audiozoo wavenet train`"
    if os.path.isdir(args.model) or not os.path.isfile(args.model):
        load_keras_file("--model", args.model, hint)  # names the problem
    metadata_path = os.path.join(os.path.dirname(os.path.abspath(args.model)), METADATA)
    metadata = {}
    if os.path.isfile(metadata_path):
        metadata = checks.read_json(metadata_path, "WaveNet metadata file", hint)
        rate = metadata.get("sample_rate", 16000)
        if isinstance(rate, bool) or not isinstance(rate, int) or rate < 1:
            raise UsageError(
                f"WaveNet metadata file {metadata_path!r}: 'sample_rate' must be a positive "
                f"integer. Received: sample_rate={rate!r}",
                hint="pass --sample-rate, or fix the file",
            )
        names = metadata.get("class_names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise UsageError(
                f"WaveNet metadata file {metadata_path!r}: 'class_names' must be a list of "
                f"names. Received: class_names={names!r}",
                hint=hint,
            )
    trained_rate = metadata.get("sample_rate")
    if args.sample_rate and trained_rate and args.sample_rate != trained_rate:
        # The samples would play at the wrong speed and pitch under another rate's header.
        raise UsageError(
            f"--sample-rate {args.sample_rate} differs from the {trained_rate} Hz the model was "
            f"trained at ({metadata_path}).",
            hint=f"leave --sample-rate out (or pass {trained_rate}); resample the WAV afterwards",
        )
    sample_rate = args.sample_rate or metadata.get("sample_rate", 16000)
    model = load_keras_file("--model", args.model, hint)
    _check(
        isinstance(model, WaveNet),
        "--model",
        args.model,
        f"Not a WaveNet ({type(model).__name__}).",
    )
    _check(
        not model.local_condition_channels,
        "--model",
        args.model,
        "Locally conditioned models need features; use model.generate(local_condition=...) from Python.",
    )
    condition = _resolve_condition(model, args.condition, metadata.get("class_names", []))

    total = int(round(args.seconds * sample_rate))
    _check(total >= 1, "--seconds", args.seconds, "Too short for one sample.")
    chunk = min(args.chunk, total)
    generator = FastGenerator(
        model, seed=args.seed, temperature=args.temperature, global_condition=condition
    )
    progress = keras.utils.Progbar(total, unit_name="sample")
    pieces, done, start = [], 0, time.perf_counter()
    while done < total:
        # Equal chunks reuse one compiled loop; the last one's excess is dropped.
        pieces.append(generator.generate(chunk)[0])
        done = min(total, done + chunk)
        progress.update(done)
    audio = np.concatenate(pieces)[:total].astype("float32")
    elapsed = time.perf_counter() - start

    with atomic_path(args.out) as tmp:
        sf.write(tmp, audio, sample_rate, subtype="PCM_16")
    png = args.out[:-4] + ".png"
    label = "" if condition is None else f", condition {args.condition}"
    plot_waveform(
        audio,
        sample_rate,
        png,
        f"WaveNet sample: {total / sample_rate:.2f} s at {sample_rate} Hz{label}",
    )
    print(
        f"Wrote {args.out} ({total} samples, {total / sample_rate:.2f} s) and {png}; "
        f"{total / elapsed:,.0f} samples/s including compilation."
    )
    return 0
