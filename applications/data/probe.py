"""Every file of a dataset checked before its pipeline is built, and what loading did to the audio."""

import math

import zoo.audio
from applications.data.threaded import threaded_map
from zoo.audio import AudioDecodeError

__all__ = ["probe_files", "file_notes", "keep_decoded"]

SPLITS = ("train", "val", "test")


def probe_files(entries, skip_bad, bad_file_hint):
    """Check every file (decoding compressed ones); return (infos, skipped) or raise the first error."""
    paths = [p for split in SPLITS for p, _ in entries[split]]
    infos, skipped = {}, []
    for path, result in zip(paths, threaded_map(_safe_info, paths)):
        if isinstance(result, AudioDecodeError):
            if not skip_bad:
                raise AudioDecodeError(result.path, f"{result.problem} ({bad_file_hint})")
            skipped.append((path, result.problem))
        else:
            infos[path] = result
    return infos, skipped


def _safe_info(path):
    try:
        return zoo.audio.info(path)
    except AudioDecodeError as e:
        return e


def file_notes(infos, sample_rate, clip_samples):
    """What loading does to the audio: resampling, mixdown, crop/pad, as summary lines."""
    notes = []
    rates = {}
    for i in infos.values():
        if i.sample_rate != sample_rate:
            rates[i.sample_rate] = rates.get(i.sample_rate, 0) + 1
    for rate, n in sorted(rates.items()):
        notes.append(f"resampled {n} file(s) from {rate} Hz to {sample_rate} Hz")
    multi = sum(i.channels > 1 for i in infos.values())
    if multi:
        notes.append(f"mixed {multi} multi-channel file(s) down to mono")
    lengths = [math.ceil(i.frames * sample_rate / i.sample_rate) for i in infos.values()]
    longer = sum(n > clip_samples for n in lengths)
    shorter = sum(n < clip_samples for n in lengths)
    if longer or shorter:
        notes.append(
            f"cropped {longer} and zero-padded {shorter} clip(s) to {clip_samples} samples "
            "(random window for train, centre for val/test)"
        )
    return notes


def keep_decoded(cache, infos, sample_rate, fraction=0.25):
    """Whether the pipelines keep decoded clips in memory, and a note when they do not.

    Args:
        cache: True, False, or "auto": keep them while they take less than
            `fraction` of the available memory (a dataset larger than memory
            is decoded again each epoch instead of growing the process).
        infos: `{path: AudioInfo}` of the dataset's files.
        sample_rate: the rate they are decoded at (mono float32).

    Returns:
        `(keep, note or None)`.
    """
    if cache != "auto":
        return bool(cache), None
    from applications.data.disk_cache import available_bytes

    size = 4 * sum(math.ceil(i.frames * sample_rate / i.sample_rate) for i in infos.values())
    free = available_bytes()
    if free is None or size < fraction * free:
        return True, None
    return False, (
        f"decoded clips not kept in memory ({size / 2**30:.1f} GiB, above {fraction:.0%} of "
        f"the {free / 2**30:.1f} GiB available): each pass decodes them again"
    )
