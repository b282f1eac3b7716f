"""Identical audio in more than one split: found by a hash of the decoded samples.

The same recording under two names, one in train and one in test, leaks the
answer into the score. `find_duplicates` hashes what each file decodes to
(float32 samples, read block by block so a long file costs no memory, plus its
rate and channel count), so a WAV and a FLAC of the same PCM match while a
re-encoded MP3 does not (lossy codecs change the samples). Only files whose
header facts (rate, channels, frames) match a file of another split are read:
audio that differs in length cannot be identical.

`drop_repeats` removes from val and test every file whose audio an earlier
split (train, then val) already holds: `--dedupe`.

Example:
    >>> found = find_duplicates(entries, infos)
    >>> found.pairs[:1]
    [('val', 'a/dog_copy.wav', 'train', 'a/dog.wav')]
"""

import dataclasses
import hashlib

import numpy as np
import soundfile as sf

from applications.data.threaded import threaded_map
from zoo.audio.checks import native_path, printable_path, sf_call

__all__ = ["Duplicates", "content_hash", "find_duplicates", "drop_repeats", "SHOWN"]

SPLITS = ("train", "val", "test")
SHOWN = 3  # pairs named in the log
_BLOCK_FRAMES = 1 << 18


@dataclasses.dataclass(frozen=True)
class Duplicates:
    """Files of val/test whose decoded audio also lies in an earlier split.

    Attributes:
        pairs: `(split, path, earlier_split, earlier_path)` for each such file,
            in split then file order; `earlier_path` is the first file of the
            earliest split with that audio.
        dropped: whether `drop_repeats` removed them (`--dedupe`).
    """

    pairs: tuple = ()
    dropped: bool = False

    def counts(self):
        """`{"val": n, "test": n}`: the repeated files per split."""
        return {s: sum(p[0] == s for p in self.pairs) for s in SPLITS[1:]}

    def describe(self):
        """The JSON-ready block of `report.json`: counts, whether dropped, a few pairs."""
        return {
            "across_splits": len(self.pairs),
            "by_split": self.counts(),
            "dropped": self.dropped,
            "examples": [
                [s, printable_path(p), e, printable_path(q)] for s, p, e, q in self.pairs[:SHOWN]
            ],
        }

    def message(self):
        """One log line (plus the named pairs), or '' when there are none."""
        if not self.pairs:
            return ""
        counts = ", ".join(f"{n} in {s}" for s, n in self.counts().items() if n)
        what = "dropped them (--dedupe)" if self.dropped else "pass --dedupe to drop them"
        lines = [
            f"Identical audio across splits: {len(self.pairs)} file(s) ({counts}) repeat a file "
            f"of an earlier split, which inflates val/test scores; {what}. For example:"
        ]
        lines += [
            f"  {s} {printable_path(p)} == {e} {printable_path(q)}"
            for s, p, e, q in self.pairs[:SHOWN]
        ]
        return "\n".join(lines)


def content_hash(path):
    """A 128-bit BLAKE2b hash of a file's decoded float32 samples, rate and channel count.

    Args:
        path: an audio file soundfile reads.

    Returns:
        The hex digest.

    Raises:
        AudioDecodeError: the file cannot be read, naming it.
    """
    digest = hashlib.blake2b(digest_size=16)

    def read(target):
        with sf.SoundFile(target) as f:
            digest.update(np.asarray([f.samplerate, f.channels], np.int64).tobytes())
            while True:
                block = f.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)
                if not len(block):
                    break
                digest.update(np.ascontiguousarray(block).tobytes())
        return digest.hexdigest()

    return sf_call(path, read, native_path(path))


def find_duplicates(entries, infos, threads=8):
    """The val/test files whose decoded audio an earlier split already holds.

    Args:
        entries: `{split: [(path, label)]}`.
        infos: `{path: AudioInfo}` of every file (its header facts).
        threads: files hashed at once.

    Returns:
        A `Duplicates`.
    """
    signature = {p: (i.sample_rate, i.channels, i.frames) for p, i in infos.items()}
    splits_of = {}
    for split in SPLITS:
        for path, _ in entries[split]:
            splits_of.setdefault(signature[path], set()).add(split)
    # Only audio of equal length in two splits can be identical: hash just those.
    candidates = [p for s in SPLITS for p, _ in entries[s] if len(splits_of[signature[p]]) > 1]
    hashes = dict(zip(candidates, threaded_map(content_hash, candidates, threads)))
    first = {}  # hash -> (split, path) of its first file
    pairs = []
    for split in SPLITS:
        seen_here = {}
        for path, _ in entries[split]:
            key = hashes.get(path)
            if key is None:
                continue
            if key in first and first[key][0] != split:
                pairs.append((split, path, *first[key]))
            seen_here.setdefault(key, (split, path))
        for key, where in seen_here.items():
            first.setdefault(key, where)
    return Duplicates(tuple(pairs))


def drop_repeats(entries, duplicates):
    """`entries` without the val/test files of `duplicates`, and `duplicates` marked dropped.

    Args:
        entries: `{split: [(path, label)]}`.
        duplicates: from `find_duplicates` on the same entries.

    Returns:
        `(entries, Duplicates)`.
    """
    repeated = {(s, p) for s, p, _, _ in duplicates.pairs}
    kept = {s: [(p, y) for p, y in entries[s] if (s, p) not in repeated] for s in SPLITS}
    return kept, dataclasses.replace(duplicates, dropped=True)
