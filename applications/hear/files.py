"""Embeddings of audio files into one `.npz` (what `audiozoo embed` writes).

The `.npz` holds `files`, `scene_embeddings` `(n_files, D)`, `sample_rate`
and, with timestamps, `timestamp_embeddings_<i>` `(n_timestamps, D)` and
`timestamps_<i>` (ms) for file `i`.
"""

import numpy as np

from applications.atomic_io import atomic_path
from applications.hear import get_scene_embeddings, get_timestamp_embeddings

__all__ = ["embed_files"]


def embed_files(model, files, out, timestamps=False):
    """Write the scene (and timestamp) embeddings of `files` to the `.npz` `out`, atomically.

    Args:
        model: a `HearModel` (`load_model` or `from_keras`).
        files: audio file paths, read at `model.sample_rate`.
        out: the `.npz` to write.
        timestamps: also store embeddings every `model.hop_ms`.

    Returns:
        The number of files embedded.

    Example:
        >>> embed_files(load_model("runs/chords"), ["a.wav"], "emb.npz")
        1
    """
    import zoo.audio
    from zoo.audio.checks import printable_path

    arrays, scenes = {}, []
    for i, path in enumerate(files):
        wave, _ = zoo.audio.load(path, sample_rate=model.sample_rate)
        audio = np.asarray(wave, np.float32)[None, :]
        scenes.append(get_scene_embeddings(audio, model).numpy()[0])
        if timestamps:
            emb, ms = get_timestamp_embeddings(audio, model)
            arrays[f"timestamp_embeddings_{i}"] = emb.numpy()[0]
            arrays[f"timestamps_{i}"] = ms.numpy()[0]
    with atomic_path(out) as tmp:
        with open(tmp, "wb") as f:
            np.savez(
                f,
                files=np.asarray([printable_path(p) for p in files]),
                scene_embeddings=np.stack(scenes),
                sample_rate=np.int64(model.sample_rate),
                **arrays,
            )
    return len(scenes)
