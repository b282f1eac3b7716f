"""`audiozoo separate apply`: split mixture files into one WAV per source.

Every input is checked first (readable, not silent, at least one STFT frame
long), so a bad file stops the command before any output is written. Each
file is resampled to the model's rate, separated in chunks (bounded memory;
each 10-second chunk sees a second of context on both sides, which is then
dropped, so the seams do not show; two chunks per model call), resampled back and written as
`OUT/<stem>_<source>.wav` with the input's rate and length, temp-then-rename.
"""

import os

import numpy as np

import zoo.separation  # noqa: F401 (registers the layers that model.keras names)
from applications.atomic_io import atomic_path
from applications.errors import UsageError

__all__ = ["model_settings", "check_mixture", "separate_waveform", "separate_files", "MODEL_HINT"]

MODEL_HINT = "pass the model.keras that `audiozoo separate train` wrote"


def model_settings(model):
    """`(sources, sample_rate, n_fft)` of a separator made by `zoo.separation`."""
    try:
        masking, front = model.get_layer("separate"), model.get_layer("magnitude")
    except ValueError:
        raise UsageError(
            f"model {model.name!r} is not a zoo.separation separator (no 'separate' layer).",
            hint=MODEL_HINT,
        ) from None
    return list(masking.sources), front.sample_rate, front.n_fft


def check_mixture(path, n_fft, model_rate):
    """Decode `path` or raise one `UsageError` naming it: unreadable, silent or too short.

    Returns:
        `(waveform, rate)` at the file's own rate.
    """
    import zoo

    try:
        wave, rate = zoo.audio.load(path)
    except zoo.audio.AudioDecodeError as error:
        raise UsageError(f"{error}", hint="pass a readable audio file") from None
    if len(wave) * model_rate < n_fft * rate:
        raise UsageError(
            f"mixture {path!r} is too short ({len(wave)} samples at {rate} Hz; one STFT frame "
            f"needs {n_fft} samples at {model_rate} Hz).",
            hint="pass a longer recording",
        )
    if not np.any(wave):
        raise UsageError(
            f"mixture {path!r} is silent (all samples are 0).", hint="nothing to split"
        )
    return wave, rate


def separate_waveform(model, wave, chunk, context, align=1, batch=2):
    """Separate a 1-D waveform at the model's rate in chunks: `(sources, samples)`.

    The waveform is zero-padded by `context` at both ends and cut into windows
    of `context + chunk + context` samples, `batch` windows per model call: a
    BLSTM then takes `batch` times fewer sequential steps per second of audio,
    and memory stays bounded by one batch of windows.

    Args:
        model: the separator.
        wave: float32 `(samples,)`.
        chunk: samples kept per window.
        context: samples of context on each side of a window's kept part.
        align: `chunk` and `context` are rounded up to multiples of this, so every
            window has the same STFT frame grid (and U-Net pooling grid) as one pass.
        batch: windows per model call.
    """
    chunk, context = (-(-n // align) * align for n in (chunk, context))
    count = -(-len(wave) // chunk)
    padded = np.pad(wave, (context, count * chunk - len(wave) + context))
    pieces = []
    for first in range(0, count, batch):
        starts = range(first * chunk, min(count, first + batch) * chunk, chunk)
        windows = np.stack([padded[s : s + chunk + 2 * context] for s in starts])
        out = np.asarray(model.predict_on_batch(windows), np.float32)
        pieces += list(out[:, :, context : context + chunk])
    return np.concatenate(pieces, axis=1)[:, : len(wave)]


def separate_files(model, paths, out, chunk_seconds=10.0, context_seconds=1.0, log=print):
    """Write `out/<stem>_<source>.wav` for each mixture in `paths`; return the paths written.

    Args:
        model: a separator from `zoo.separation` (e.g. loaded from model.keras).
        paths: mixture files.
        out: output folder.
        chunk_seconds: seconds separated per model call.
        context_seconds: context on each side of a chunk.
        log: prints one line per file.
    """
    import soundfile

    import zoo

    sources, model_rate, n_fft = model_settings(model)
    stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    if len(set(stems)) != len(stems):
        raise UsageError(
            f"two mixtures have the same name stem ({stems}); their outputs would collide.",
            hint="rename one, or run them into different --out folders",
        )
    for path in paths:  # all checks before the first write
        check_mixture(path, n_fft, model_rate)
    os.makedirs(out, exist_ok=True)
    written = []
    for path, stem in zip(paths, stems):
        wave, rate = check_mixture(path, n_fft, model_rate)
        length = len(wave)
        if rate != model_rate:
            log(f"{path}: resampling {rate} Hz -> {model_rate} Hz and back.")
            wave = zoo.audio.resample(wave, rate, model_rate).numpy()
        estimates = separate_waveform(
            model,
            wave,
            int(chunk_seconds * model_rate),
            int(context_seconds * model_rate),
            align=model.get_layer("magnitude").hop_length * 64,  # 64: the U-Net's 2**6 levels
        )
        for name, estimate in zip(sources, estimates):
            if rate != model_rate:
                estimate = zoo.audio.resample(estimate, model_rate, rate).numpy()[:length]
                estimate = np.pad(estimate, (0, length - len(estimate)))
            target = os.path.join(out, f"{stem}_{name}.wav")
            with atomic_path(target) as tmp:
                soundfile.write(tmp, np.asarray(estimate), rate, subtype="FLOAT", format="WAV")
            written.append(target)
        log(f"{path}: wrote {len(sources)} sources ({', '.join(sources)}) to {out}.")
    return written
