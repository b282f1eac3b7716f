"""`audiozoo embed`: HEAR-style embeddings of audio files from a trained model, into one `.npz`.

The model is an `audiozoo finetune` output folder, its `model.keras`, or any
`.keras` classifier (`applications.hear` explains what the embedding is). The
`.npz` holds `files`, `scene_embeddings` `(n_files, D)`, `sample_rate` and,
with `--timestamps`, `timestamp_embeddings_<i>` `(n_timestamps, D)` and
`timestamps_<i>` (ms) for file `i`.
"""

from applications.cli import checks
from applications.errors import UsageError

__all__ = ["register", "run_embed"]

DESCRIPTION = (
    "Embed audio files with a trained model (the HEAR API) into one .npz: files, "
    "scene_embeddings (n_files, D), sample_rate and, with --timestamps, "
    "timestamp_embeddings_<i> and timestamps_<i> (ms) for file i."
)


def register(subparsers):
    """Add `embed` to the `audiozoo` parser."""
    embed = "embed audio files with a trained model (HEAR API)"
    p = checks.add_command(subparsers, "embed", run_embed, embed, description=DESCRIPTION)
    p.add_argument(
        "--model",
        required=True,
        help="finetune OUT folder, a .keras classifier, or a published network: musicnn:mtt, "
        "musicnn:msd, musicnn:mtt:pooled, musicnn_vgg:mtt",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files")
    p.add_argument("--out", default="embeddings.npz", help=".npz to write (default embeddings.npz)")
    p.add_argument("--timestamps", action="store_true", help="also store embeddings every --hop-ms")
    p.add_argument(
        "--hop-ms", type=float, default=50.0, metavar="MS", help="timestamp spacing in ms, <= 50"
    )


def run_embed(args):
    """`audiozoo embed`: write the scene (and timestamp) embeddings of FILEs to `--out`.

    Args:
        args: the parsed `model`, `files`, `out`, `timestamps` and `hop_ms`.

    Returns:
        0.

    Example:
        audiozoo embed --model runs/chords a.wav b.wav --out emb.npz
    """
    from applications.hear import from_keras
    from applications.hear.files import embed_files
    from applications.trained import load_classifier

    checks.number("--hop-ms", args.hop_ms, above=0)
    if args.hop_ms > 50:
        raise UsageError(
            f"--hop-ms must be at most 50 (the HEAR limit). Received: --hop-ms={args.hop_ms!r}"
        )
    checks.output_file("--out", args.out, ".npz")
    checks.audio_files(args.files)
    model, labels, file = load_classifier("--model", args.model)
    served = from_keras(model, labels, where=f"--model {file!r}", hop_ms=args.hop_ms)
    count = embed_files(served, args.files, args.out, timestamps=args.timestamps)
    print(
        f"Wrote {count} x {served.scene_embedding_size} scene embeddings"
        f"{' and timestamp embeddings' if args.timestamps else ''} to {args.out}"
    )
    return 0
