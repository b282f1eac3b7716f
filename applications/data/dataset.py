"""Datasets as `tf.data` pipelines of `(waveform, label)` batches.

`load_dataset(spec)` accepts `"builtin"` (synthetic chords, no download), a
folder, or a Kaggle-hosted corpus (`"gtzan"`, `"esc50"`, `"urbansound8k"`,
`"speech_commands"`). Every file's header is checked before the pipeline is
built, so a bad file stops the load with an error naming it (or, with
`skip_bad=True`, is skipped, counted and listed in `summary()`).
"""

import dataclasses
import math
import os

import numpy as np
import tensorflow as tf

import zoo.audio
from applications.data import chords, kaggle, tags
from applications.data.checks import require_classes, require_split_sizes
from applications.data.duplicates import Duplicates, drop_repeats, find_duplicates
from applications.data.folders import scan_folder
from applications.data.probe import file_notes, keep_decoded, probe_files
from zoo.audio.checks import native_path, printable_path
from zoo.validation import check_positive_int, argument_error

__all__ = ["AudioDataset", "load_dataset", "require_classes", "require_split_sizes", "SPLITS"]

SPLITS = ("train", "val", "test")


@dataclasses.dataclass
class AudioDataset:
    """Train/val/test pipelines and what is known about them.

    Attributes:
        train, val, test: `tf.data.Dataset` of `(waveform float32 (batch,
            clip_samples), label int32 (batch,))`; with `multilabel`, labels
            are multi-hot float32 `(batch, tags)`.
        class_names: label `i` is `class_names[i]` (the tags, with `multilabel`).
        counts: examples per split, e.g. `{"train": 1024, "val": 128, "test": 128}`.
        sample_rate: Hz of every waveform.
        clip_samples: samples per waveform.
        skipped: `(path, reason)` of bad files left out (`skip_bad=True`).
        source: where the files came from.
        notes: what was done to the audio (resampling, mixdown, crop/pad).
        multilabel: labels are multi-hot tag vectors (`labels.csv`, `applications.data.tags`).
        duplicates: val/test files whose decoded audio an earlier split holds
            (`applications.data.duplicates`), dropped with `dedupe=True`.
        entries: `{split: [(path, label)]}` behind the pipelines, in their order.
    """

    train: tf.data.Dataset
    val: tf.data.Dataset
    test: tf.data.Dataset
    class_names: list
    counts: dict
    sample_rate: int
    clip_samples: int
    skipped: list
    source: str
    notes: list
    multilabel: bool = False
    duplicates: Duplicates = Duplicates()
    entries: dict = dataclasses.field(default_factory=dict, repr=False)
    options: dict = dataclasses.field(default_factory=dict, repr=False)

    def pipeline(self, split, entries, streamed=False):
        """Batches of `entries` (some of `split`'s files, e.g. a worker's) as `split` reads them.

        `streamed`: one pass in file order holding no decoded clip beyond its
        batch (no in-memory cache, no shuffle buffer), for a cache on disk.
        """
        options = {**self.options, "cache": False, "shuffle": False} if streamed else self.options
        return _pipeline(entries, training=(split == "train"), **options)

    def describe(self, spec):
        """The `dataset` block of a job's report.

        Args:
            spec: the `--data` value the dataset was loaded from.

        Returns:
            A JSON-ready dict: spec, source, notes, skipped files, sample rate, clip length.
        """
        return {
            "spec": str(spec),
            "source": self.source,
            "notes": self.notes,
            "skipped": [[printable_path(path), reason] for path, reason in self.skipped],
            "sample_rate": self.sample_rate,
            "clip_samples": self.clip_samples,
            "duplicates": self.duplicates.describe(),
        }

    def summary(self):
        """A human-readable multi-line description."""
        lines = [
            f"{self.source}: {len(self.class_names)} classes, {self.sample_rate} Hz, "
            f"clips of {self.clip_samples} samples ({self.clip_samples / self.sample_rate:.2f} s)",
            # decode_file's paths: TensorFlow ops for PCM16 WAV, else soundfile.
            "  decoded in tf.data by TensorFlow ops (PCM16 WAV) or soundfile (other formats); "
            f"zoo.audio.load backend: {zoo.audio.backend()}",
            "  " + " | ".join(f"{s} {self.counts[s]}" for s in SPLITS),
            "  classes: " + ", ".join(self.class_names),
        ]
        lines += [f"  {note}" for note in self.notes]
        if self.duplicates.pairs:
            lines.append("  " + self.duplicates.message().replace("\n", "\n  "))
        if self.skipped:
            lines.append(f"  skipped {len(self.skipped)} bad file(s):")
            lines += [f"    {printable_path(path)}: {reason}" for path, reason in self.skipped]
        return "\n".join(lines)


def _pipeline(
    items,
    *,
    training,
    sample_rate,
    clip_samples,
    batch_size,
    seed,
    deterministic,
    cache,
    shuffle=True,
):
    # An empty split (e.g. test_fraction=0) still needs typed tensors: build one
    # placeholder element and slice it away.
    # Bytes, not text: any file name (non-UTF-8 included) reaches tf.io.read_file intact.
    paths = tf.constant([native_path(p) for p, _ in items] or [b""], tf.string)[: len(items)]
    labels = [y for _, y in items]
    dtype = tf.float32 if labels and np.ndim(labels[0]) else tf.int32  # multi-hot tag rows
    labels = tf.constant(np.stack(labels) if labels else [0], dtype)[: len(items)]
    ds = tf.data.Dataset.from_tensor_slices((paths, labels))
    ds = ds.map(
        lambda p, y: (zoo.audio.decode_file(p, sample_rate)[0], y),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=deterministic,
    )
    if cache:
        ds = ds.cache()  # decoded, resampled, full length: crops still vary per epoch
    if training:
        if shuffle:
            ds = ds.shuffle(max(len(items), 1), seed=seed, reshuffle_each_iteration=True)
        # Stateless crops seeded from a seeded stream: repeatable, yet new each epoch.
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(
            lambda wy, s: (zoo.audio.fix_length(wy[0], clip_samples, "random", seed=s), wy[1]),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=deterministic,
        )
    else:
        ds = ds.map(
            lambda w, y: (zoo.audio.fix_length(w, clip_samples, "centre"), y),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=deterministic,
        )
    options = tf.data.Options()
    options.deterministic = deterministic
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE).with_options(options)


def load_dataset(
    spec,
    *,
    sample_rate=16000,
    clip_seconds=None,
    batch_size=32,
    seed=0,
    skip_bad=False,
    bad_file_hint="Pass skip_bad=True to skip bad files.",
    val_fraction=0.1,
    test_fraction=0.1,
    cache="auto",
    deterministic=True,
    multilabel=False,
    dedupe=False,
):
    """Load a labelled audio dataset as train/val/test `tf.data` pipelines.

    Args:
        spec: `"builtin"`, a folder path (class sub-folders, or `train/`,
            `val/`, `test/` each with class sub-folders), or one of
            `"gtzan"`, `"esc50"`, `"urbansound8k"`, `"speech_commands"`.
        sample_rate: every waveform is resampled to this rate (reported in
            `notes`, never silently).
        clip_seconds: crop/pad every clip to this length (random window for
            train, centre for val/test). None requires all clips to have
            one length, and raises otherwise.
        batch_size: examples per batch.
        seed: seeds the split, the shuffle and the random crops.
        skip_bad: skip unreadable/corrupt/NaN files (listed in `skipped`
            and `summary()`) instead of raising at the first one.
        bad_file_hint: what the error for a bad file advises when
            `skip_bad` is off; a CLI names its own flag (e.g. `--skip-bad`).
        val_fraction, test_fraction: per-class split of a class-folder
            layout (stratified, seeded).
        cache: keep decoded clips in memory after the first epoch; "auto":
            while they take under a quarter of the available memory.
        deterministic: fixed element order (set False for a little speed).
        multilabel: read a folder's `labels.csv` (`filename,tags`, tags
            separated by `;`; `applications.data.tags`) instead of class
            sub-folders; labels become multi-hot float32 vectors.
        dedupe: drop from val and test the files whose decoded audio an
            earlier split holds (found and reported either way).

    Returns:
        An `AudioDataset`.

    Raises:
        AudioDecodeError: a bad file (unless `skip_bad`), naming it.
        FileNotFoundError, ValueError: a missing or mis-laid-out folder.
        RuntimeError: a Kaggle download failed (offline), naming the handle.

    Example:
        >>> data = load_dataset("builtin", batch_size=32)
        >>> print(data.summary())
        >>> model.fit(data.train, validation_data=data.val)
    """
    check_positive_int("sample_rate", sample_rate)
    check_positive_int("batch_size", batch_size)
    if clip_seconds is not None and not 1 <= clip_seconds * sample_rate < math.inf:
        raise argument_error(
            "clip_seconds", clip_seconds, "`clip_seconds` must be positive and finite."
        )
    spec_str = os.fspath(spec)
    if multilabel:
        entries, class_names, notes = tags.scan_tagged(spec_str, seed, val_fraction, test_fraction)
        source = f"tagged folder {printable_path(spec_str)}"
    elif spec_str == "builtin":
        root = chords.builtin_dir()
        entries, class_names, notes = scan_folder(root, seed, val_fraction, test_fraction)
        source = f"builtin chords ({root})"
    elif spec_str in kaggle.DATASETS:
        entries, class_names, notes = kaggle.resolve(spec_str, seed, val_fraction, test_fraction)
        source = f"{spec_str} (Kaggle {kaggle.DATASETS[spec_str].handle})"
    else:
        entries, class_names, notes = scan_folder(spec_str, seed, val_fraction, test_fraction)
        source = f"folder {printable_path(spec_str)}"

    if not multilabel:
        require_classes(class_names, source)
    infos, skipped = probe_files(entries, skip_bad, bad_file_hint)
    entries = {s: [(p, y) for p, y in entries[s] if p in infos] for s in SPLITS}
    duplicates = find_duplicates(entries, infos)
    if dedupe and duplicates.pairs:
        entries, duplicates = drop_repeats(entries, duplicates)
    if not entries["train"]:
        raise argument_error("spec", spec_str, f"{source}: no usable training files left.")
    fractions = {"val": val_fraction, "test": test_fraction}
    if multilabel:  # again: a skipped bad file may have carried a tag's only training clip
        tags.require_train_tags(entries, class_names, source)
    else:
        require_split_sizes(entries, class_names, source, fractions)
    if clip_seconds is None:
        lengths = {math.ceil(i.frames * sample_rate / i.sample_rate) for i in infos.values()}
        if len(lengths) > 1:
            raise argument_error(
                "clip_seconds",
                None,
                f"{source}: clips have different lengths "
                f"({min(lengths)} to {max(lengths)} samples at {sample_rate} Hz); pass "
                "clip_seconds to crop/pad them to one length.",
            )
        clip_samples = lengths.pop()
    else:
        clip_samples = int(round(clip_seconds * sample_rate))
    cache, cache_note = keep_decoded(cache, infos, sample_rate)
    common = dict(
        sample_rate=sample_rate,
        clip_samples=clip_samples,
        batch_size=batch_size,
        seed=seed,
        deterministic=deterministic,
        cache=cache,
    )
    splits = {s: _pipeline(entries[s], training=(s == "train"), **common) for s in SPLITS}
    return AudioDataset(
        train=splits["train"],
        val=splits["val"],
        test=splits["test"],
        class_names=list(class_names),
        counts={s: len(entries[s]) for s in SPLITS},
        sample_rate=sample_rate,
        clip_samples=clip_samples,
        skipped=skipped,
        source=source,
        notes=notes
        + file_notes(infos, sample_rate, clip_samples)
        + [cache_note] * bool(cache_note),
        multilabel=multilabel,
        duplicates=duplicates,
        entries=entries,
        options=common,
    )
