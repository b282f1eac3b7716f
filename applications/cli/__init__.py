"""The `audiozoo` console script (`python -m applications.cli` from a checkout).

Each subcommand group lives in its own module of this package, which exposes
`register(subparsers)`; adding a command means adding its module here.

Example:
    audiozoo list 'vgg*'
    audiozoo finetune --data builtin --out runs/chords
"""

import argparse
import importlib
import os
import sys

# Modules that add subcommands, in the order `audiozoo --help` lists them.
COMMAND_MODULES = (
    "applications.cli.catalog",
    "applications.cli.demo",
    "applications.cli.wavenet",
    "applications.cli.finetune",
    "applications.cli.baseline",
    "applications.cli.filters",
)


def build_parser():
    """The `audiozoo` argument parser with every subcommand registered.

    Returns:
        An `argparse.ArgumentParser`; each subcommand sets `func(args)`.
    """
    parser = argparse.ArgumentParser(
        prog="audiozoo",
        description="keras-audio-zoo: audio deep-learning models and transfer-learning jobs.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv=None):
    """Entry point: parse `argv` and run the chosen subcommand.

    Args:
        argv: the arguments after the program name; None reads `sys.argv`.

    Returns:
        The exit code: 0 on success, 2 after an expected failure (printed in
        one line, without a traceback).

    Example:
        >>> main(["list", "vgg1*"])
        0
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except (ValueError, FileNotFoundError, RuntimeError) as error:
        # Expected failures (bad arguments, missing files, offline hubs) get one
        # clear line, not a traceback.
        print(f"audiozoo {args.command}: error: {error}", file=sys.stderr)
        return 2
