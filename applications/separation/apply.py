"""`audiozoo separate apply`: split mixture files into one WAV per source.

Every input is checked first, block by block (readable, finite, not silent, at
least one STFT frame long), so a bad file stops the command before any output
is written. Each file is then streamed: read in blocks, resampled to the
model's rate, separated in chunks (each 10-second chunk sees a second of
context on both sides, which is then dropped, so the seams do not show; two
chunks per model call), resampled back and written as `OUT/<stem>_<source>.wav`
with the input's rate and length, temp-then-rename. Memory is bounded by a
few chunks, not by the file's length.
"""

import contextlib
import os

import numpy as np

import zoo.separation  # noqa: F401 (registers the layers that model.keras names)
from applications.atomic_io import atomic_path
from applications.errors import UsageError

__all__ = [
    "model_settings",
    "check_mixture",
    "separate_stream",
    "separate_waveform",
    "separate_files",
    "MODEL_HINT",
]

MODEL_HINT = "pass the model.keras that `audiozoo separate train` wrote"
BLOCK_FRAMES = 1 << 18  # frames per read of the checks


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
    """Check `path` block by block or raise one `UsageError` naming it: unreadable, silent, too short.

    Memory stays bounded by a block whatever the file's length.

    Returns:
        `(rate, frames, peak)`: the file's rate and length, and its largest |sample|.
    """
    import soundfile as sf

    import zoo

    try:
        info = zoo.audio.info(path)
    except zoo.audio.AudioDecodeError as error:
        raise UsageError(f"{error}", hint="pass a readable audio file") from None
    rate, frames = info.sample_rate, info.frames
    if frames * model_rate < n_fft * rate:
        raise UsageError(
            f"mixture {path!r} is too short ({frames} samples at {rate} Hz; one STFT frame "
            f"needs {n_fft} samples at {model_rate} Hz).",
            hint="pass a longer recording",
        )
    peak = 0.0
    with sf.SoundFile(path) as f:
        for block in f.blocks(BLOCK_FRAMES, dtype="float32", always_2d=True):
            mono = block.mean(axis=1)
            if not np.all(np.isfinite(mono)):
                raise UsageError(f"mixture {path!r} holds NaN or infinite samples.")
            peak = max(peak, float(np.abs(mono).max(initial=0.0)))
    if peak == 0.0:
        raise UsageError(
            f"mixture {path!r} is silent (all samples are 0).", hint="nothing to split"
        )
    return rate, frames, peak


def separate_stream(model, blocks, chunk, context, align=1, batch=2):
    """Separate a stream of 1-D blocks at the model's rate: yield `(sources, n)` pieces in order.

    The stream is zero-padded by `context` at both ends and cut into windows
    of `context + chunk + context` samples, `batch` windows per model call: a
    BLSTM then takes `batch` times fewer sequential steps per second of audio.
    Only the windows of one call and a block are held, whatever the length.

    Args:
        model: the separator.
        blocks: float32 `(samples,)` arrays, any sizes.
        chunk: samples kept per window.
        context: samples of context on each side of a window's kept part.
        align: `chunk` and `context` are rounded up to multiples of this, so every
            window has the same STFT frame grid (and U-Net pooling grid) as one pass.
        batch: windows per model call.

    Yields:
        float32 `(sources, n)`; together as long as the input.
    """
    chunk, context = (-(-n // align) * align for n in (chunk, context))
    span = batch * chunk + 2 * context  # padded samples one call reads
    state = {"buffer": np.zeros(context, np.float32), "offset": 0, "first": 0, "done": 0}
    total = 0

    def call(count):
        buffer, offset, first = state["buffer"], state["offset"], state["first"]
        starts = [(first + i) * chunk - offset for i in range(count)]
        windows = np.stack([buffer[s : s + chunk + 2 * context] for s in starts])
        out = np.asarray(model.predict_on_batch(windows), np.float32)
        state["first"] = first = first + count
        drop = first * chunk - offset  # later windows start here or after
        state["buffer"], state["offset"] = buffer[drop:], offset + drop
        piece = np.concatenate(list(out[:, :, context : context + chunk]), axis=1)
        piece = piece[:, : max(0, total - state["done"])]
        state["done"] += piece.shape[1]
        return piece

    def ready():
        first, held = state["first"], state["offset"] + len(state["buffer"])
        # A call once its windows exist (they start inside the input) and are all read.
        return (first + batch - 1) * chunk < total and first * chunk + span <= held

    for block in blocks:
        block = np.asarray(block, np.float32)
        state["buffer"], total = np.concatenate([state["buffer"], block]), total + len(block)
        while ready():
            yield call(batch)
    count = -(-total // chunk)  # windows in all; the end is zero-padded as one pass pads it
    missing = count * chunk + 2 * context - state["offset"] - len(state["buffer"])
    state["buffer"] = np.pad(state["buffer"], (0, max(0, missing)))
    while state["first"] < count:
        yield call(min(batch, count - state["first"]))


def separate_waveform(model, wave, chunk, context, align=1, batch=2):
    """Separate a 1-D waveform at the model's rate in chunks: `(sources, samples)`.

    `separate_stream` over the whole waveform at once (see there for the arguments).
    """
    pieces = list(separate_stream(model, [wave], chunk, context, align, batch))
    return np.concatenate(pieces, axis=1)[:, : len(wave)]


def separate_files(
    model, paths, out, chunk_seconds=10.0, context_seconds=1.0, log=print, block=None
):
    """Write `out/<stem>_<source>.wav` for each mixture in `paths`; return the paths written.

    Each file is read, resampled, separated, resampled back and written block
    by block, so memory does not grow with its length; the sources equal those
    of the whole file separated at once (`separate_waveform`; to the
    resampler's float rounding when the file is at another rate).

    Args:
        model: a separator from `zoo.separation` (e.g. loaded from model.keras).
        paths: mixture files.
        out: output folder.
        chunk_seconds: seconds separated per model call.
        context_seconds: context on each side of a chunk.
        log: prints one line per file.
        block: input periods per read (`applications.data.resampled`); None: its default.
    """
    from applications.data.resample_stream import resample_stream
    from applications.data.resampled import BLOCK_PERIODS, resampled_blocks

    sources, model_rate, n_fft = model_settings(model)
    stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    if len(set(stems)) != len(stems):
        raise UsageError(
            f"two mixtures have the same name stem ({stems}); their outputs would collide.",
            hint="rename one, or run them into different --out folders",
        )
    # All checks before the first write; levels above full scale are valid float audio.
    facts = [check_mixture(p, n_fft, model_rate) for p in paths]
    peaks = [peak for _, _, peak in facts]
    loud = [peak for peak in peaks if peak > 1.0]
    if loud:
        top = int(np.argmax(peaks))
        log(
            f"{len(loud)} of {len(paths)} mixtures peak above full scale (highest "
            f"{peaks[top]:.3g}, {paths[top]}); the sources are written as float WAV at "
            "the mixture's scale, not clipped."
        )
    os.makedirs(out, exist_ok=True)
    written = []
    for path, stem, (rate, length, _) in zip(paths, stems, facts):
        if rate != model_rate:
            log(f"{path}: resampling {rate} Hz -> {model_rate} Hz and back.")
        pieces = separate_stream(
            model,
            resampled_blocks(path, model_rate, block or BLOCK_PERIODS),
            int(chunk_seconds * model_rate),
            int(context_seconds * model_rate),
            align=model.get_layer("magnitude").hop_length * 64,  # 64: the U-Net's 2**6 levels
        )
        if rate != model_rate:
            pieces = resample_stream(pieces, model_rate, rate)
        targets = [os.path.join(out, f"{stem}_{name}.wav") for name in sources]
        _write_sources(pieces, targets, rate, length)
        written += targets
        log(f"{path}: wrote {len(sources)} sources ({', '.join(sources)}) to {out}.")
    return written


def _write_sources(pieces, targets, rate, length):
    """Write `(sources, n)` pieces as one float WAV per source of `length` samples, atomically."""
    import soundfile

    with contextlib.ExitStack() as stack:
        files = []
        for target in targets:
            tmp = stack.enter_context(atomic_path(target))
            files.append(
                stack.enter_context(soundfile.SoundFile(tmp, "w", rate, 1, "FLOAT", format="WAV"))
            )
        done = 0
        for piece in pieces:
            piece = piece[:, : length - done]
            for f, row in zip(files, piece):
                f.write(row)
            done += piece.shape[1]
        for f in files:  # resampling back may end a sample short of the input
            f.write(np.zeros(length - done, np.float32))
