"""`audiozoo embed`: HEAR-style embeddings of audio files from a trained model, into one `.npz`.

The model is an `audiozoo finetune` output folder, its `model.keras`, or any
`.keras` classifier (`applications.hear` explains what the embedding is). The
`.npz` holds `files`, `scene_embeddings` `(n_files, D)`, `sample_rate` and,
with `--timestamps`, `timestamp_embeddings_<i>` `(n_timestamps, D)` and
`timestamps_<i>` (ms) for file `i`.
"""

import os

from applications.cli import checks
from applications.errors import UsageError

__all__ = ["register", "run_embed", "load_for_serving"]

MODEL_HINT = "pass an `audiozoo finetune` output folder, its model.keras, or a .keras classifier"


def register(subparsers):
    """Add `embed` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser(
        "embed", help="embed audio files with a trained model (HEAR API)", description=__doc__
    )
    p.add_argument("--model", required=True, help="finetune OUT folder or a .keras classifier")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--out", default="embeddings.npz", help=".npz to write (default embeddings.npz)")
    p.add_argument("--timestamps", action="store_true", help="also store embeddings every --hop-ms")
    p.add_argument("--hop-ms", type=float, default=50.0, help="timestamp spacing, <= 50 ms")
    p.set_defaults(func=run_embed)


def load_for_serving(flag, path):
    """Load `path` (a finetune folder or a `.keras` file) with the CLI's checks.

    Returns:
        `(model, labels_or_None, model_file)`; labels are checked against the model.
    """
    from applications.cli.trained import load_trained

    file = os.path.join(path, "model.keras") if os.path.isdir(path) else path
    if os.path.isdir(path) and not os.path.isfile(file):
        raise UsageError(f"{flag} {path!r} is a folder without model.keras.", hint=MODEL_HINT)
    if os.path.isfile(os.path.join(os.path.dirname(os.path.abspath(file)), "labels.json")):
        model, labels = load_trained(file)
        return model, labels, file
    from applications.finetune import register_layers

    register_layers()

    return checks.load_keras_file(flag, file, MODEL_HINT), None, file


def run_embed(args):
    """`audiozoo embed`: write the scene (and timestamp) embeddings of FILEs to `--out`.

    Args:
        args: the parsed `model`, `files`, `out`, `timestamps` and `hop_ms`.

    Returns:
        0.

    Example:
        audiozoo embed --model runs/chords a.wav b.wav --out emb.npz
    """
    import numpy as np

    import zoo.audio
    from applications import hear
    from applications.atomic_io import atomic_path
    from zoo.audio.checks import printable_path

    checks.number("--hop-ms", args.hop_ms, above=0)
    if args.hop_ms > 50:
        raise UsageError(
            f"--hop-ms must be at most 50 (the HEAR limit). Received: --hop-ms={args.hop_ms!r}"
        )
    checks.output_file("--out", args.out, ".npz")
    checks.audio_files(args.files)
    model, labels, file = load_for_serving("--model", args.model)
    served = hear.from_keras(model, labels, where=f"--model {file!r}", hop_ms=args.hop_ms)
    arrays, scenes = {}, []
    for i, path in enumerate(args.files):
        wave, _ = zoo.audio.load(path, sample_rate=served.sample_rate)
        audio = np.asarray(wave, np.float32)[None, :]
        scenes.append(hear.get_scene_embeddings(audio, served).numpy()[0])
        if args.timestamps:
            emb, ms = hear.get_timestamp_embeddings(audio, served)
            arrays[f"timestamp_embeddings_{i}"] = emb.numpy()[0]
            arrays[f"timestamps_{i}"] = ms.numpy()[0]
    with atomic_path(args.out) as tmp:
        with open(tmp, "wb") as f:
            np.savez(
                f,
                files=np.asarray([printable_path(p) for p in args.files]),
                scene_embeddings=np.stack(scenes),
                sample_rate=np.int64(served.sample_rate),
                **arrays,
            )
    print(
        f"Wrote {len(scenes)} x {served.scene_embedding_size} scene embeddings"
        f"{' and timestamp embeddings' if args.timestamps else ''} to {args.out}"
    )
    return 0
