"""`audiozoo tag FILE...`: the published musicnn music tagger on your own recordings."""

import sys

from applications.cli import checks
from applications.errors import UsageError
from applications.tagging.tag import WINDOW_SECONDS

__all__ = ["register", "run_tag"]


def register(subparsers):
    """Add `tag` to the `audiozoo` parser."""
    p = checks.add_command(
        subparsers,
        "tag",
        run_tag,
        "tag music files with a pretrained musicnn model (MagnaTagATune or MSD tags)",
        description="Print each file's likeliest tags from the published musicnn models "
        "(weights fetched once from the package index and cached).",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files (any rate; mono mix)")
    p.add_argument("--weights", choices=("mtt", "msd"), default="mtt", help="tag set (default mtt)")
    p.add_argument(
        "--backbone",
        choices=("musicnn", "musicnn_vgg"),
        default="musicnn",
        help="published architecture (default musicnn)",
    )
    p.add_argument("--top", type=int, default=5, help="tags shown per file (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--window",
        type=float,
        metavar="S",
        help="seconds per window (default: none); also write each file's taggram (tags over time) to --out "
        "as CSV and JSON (without it: 3 s windows, the published models' input)",
    )
    p.add_argument(
        "--hop", type=float, metavar="S", help="seconds between windows (default: the window)"
    )
    p.add_argument("--plot", action="store_true", help="with --window: a taggram PNG too")
    p.add_argument("--out", default="runs/tag", help="taggram folder (default runs/tag)")


def run_tag(args):
    """Check the flags and files, then tag (`applications.tagging`)."""
    checks.number("--top", args.top, minimum=1, integer=True)
    checks.number("--window", args.window, minimum=1.0, maximum=30.0)
    checks.seconds("--hop", args.hop)
    if args.backbone == "musicnn_vgg" and args.window not in (None, WINDOW_SECONDS):
        raise UsageError(
            f"--backbone musicnn_vgg takes only {WINDOW_SECONDS:g} s windows. "
            f"Received: --window={args.window:g}",
            hint="drop --window, pass --window 3, or use --backbone musicnn",
        )
    checks.audio_files(args.files)
    if args.window is not None:
        checks.output_folder("--out", args.out)
    from applications.tagging.report import files_json, top_tags_line, write_taggram
    from applications.tagging.tag import load_tagger, tag_file  # TensorFlow from here on

    model, tags = load_tagger(args.backbone, args.weights)
    results = []
    for path in args.files:
        result = tag_file(model, tags, path, args.window or WINDOW_SECONDS, args.hop)
        results.append(result)
        if not args.json:
            print(top_tags_line(result, args.top))
        if args.window is not None:
            for written in write_taggram(result, args.out, args.plot):
                # stdout stays one JSON object with --json.
                print(f"wrote {written}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(files_json(f"{args.backbone} ({args.weights})", results))
    return 0
