"""`audiozoo weights fetch musicnn` and `audiozoo weights list`: the published weights cache."""

from applications.cli import checks

__all__ = ["register"]

SOURCES = ("musicnn",)


def register(subparsers):
    """Add `weights fetch` and `weights list` to the `audiozoo` parser."""
    actions = checks.add_actions(subparsers, "weights", "fetch or list cached pretrained weights")
    fetch = checks.add_command(
        actions,
        "fetch",
        run_fetch,
        "download published weights once into $KERAS_HOME/models (musicnn: its wheel)",
    )
    fetch.add_argument("name", choices=SOURCES, help="which weights")
    fetch.add_argument(
        "--wheel",
        help="an already downloaded musicnn-0.1.0-py3-none-any.whl, for offline use "
        "(default: none, download it)",
    )
    checks.add_command(actions, "list", run_list, "what is cached: files, sizes, sha256, licence")


def run_fetch(args):
    """Fetch (or install from `--wheel`) the musicnn checkpoints and say where they are."""
    import zoo

    root = zoo.musicnn.fetch_weights(wheel=args.wheel)
    print(f"musicnn checkpoints (ISC licence) cached in {root}")
    return 0


def run_list(args):
    """Print what the weights cache holds."""
    import zoo

    info = zoo.musicnn.cached_weights()
    if not info["complete"]:
        print(f"musicnn: not cached (audiozoo weights fetch musicnn puts it in {info['root']})")
        return 0
    print(f"musicnn 0.1.0 ({info['licence']}), {info['root']}")
    print(f"  wheel sha256 {info['wheel_sha256']}")
    for name, entry in info["checkpoints"].items():
        damaged = [f for f, meta in entry["files"].items() if not meta["ok"]]
        state = f"DAMAGED: {', '.join(damaged)}" if damaged else "ok"
        print(f"  {name:<12} {entry['bytes'] / 1e6:6.1f} MB  {state}")
    return 0
