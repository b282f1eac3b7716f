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
import tempfile

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


def quiet_tensorflow_start():
    """Import TensorFlow and find its devices with the C++ start-up log silenced.

    TensorFlow 2.17+ logs through absl before its logging is set up, so
    `TF_CPP_MIN_LOG_LEVEL` no longer hides the oneDNN / CUDA start-up lines;
    they go to file descriptor 2, pointed at a temporary file meanwhile. On a
    failed import the captured text is replayed before the error. Finding the
    devices does not start the runtime: logical CPUs can still be configured.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


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
    user_set_level = "TF_CPP_MIN_LOG_LEVEL" in os.environ
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # The parser imports no TensorFlow, so `--help` and usage errors stay instant.
    args = build_parser().parse_args(argv)
    if not user_set_level and "tensorflow" not in sys.modules:
        quiet_tensorflow_start()
    try:
        return args.func(args) or 0
    except (ValueError, FileNotFoundError, RuntimeError) as error:
        # Expected failures (bad arguments, missing files, offline hubs) get one
        # clear line, not a traceback.
        print(f"audiozoo {args.command}: error: {error}", file=sys.stderr)
        return 2
