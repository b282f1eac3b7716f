"""The `audiozoo` console script (`python -m applications.cli` from a checkout).

Each subcommand group lives in its own module of this package, which exposes
`register(subparsers)` (given what `argparse.ArgumentParser.add_subparsers`
returned; `checks.add_command` and `checks.add_actions` build the parsers);
adding a command means adding its module here.

Example:
    audiozoo list 'vgg*'
    audiozoo finetune --data builtin --out runs/chords
"""

import importlib
import os
import sys
import tempfile

from applications.cli.checks import OneLineParser
from applications.errors import describe
from applications.settings.flags import use_formatter

# Modules that add subcommands, in the order `audiozoo --help` lists them.
COMMAND_MODULES = (
    "applications.cli.catalog",
    "applications.cli.demo",
    "applications.cli.demo_data",
    "applications.cli.wavenet",
    "applications.cli.finetune",
    "applications.cli.trained",
    "applications.cli.baseline",
    "applications.cli.filters",
    "applications.cli.separate",
    "applications.cli.music",
    "applications.cli.embed",
    "applications.cli.export",
    "applications.cli.events",
    "applications.cli.tag",
    "applications.cli.weights",
)


def build_parser():
    """The `audiozoo` argument parser with every subcommand registered.

    Returns:
        An `argparse.ArgumentParser`; each subcommand sets `func(args)`.
    """
    parser = OneLineParser(
        prog="audiozoo",
        description="keras-audio-zoo: audio deep-learning models and transfer-learning jobs.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    use_formatter(parser)  # every value flag's default in `--help`
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
            # AutoGraph's "could not transform <lambda>" notices are for developers.
            tf.get_logger().setLevel("ERROR")
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
        The exit code: 0 on success, 2 for bad input, 1 for a job that failed,
        130 when interrupted. Errors print as one line (plus a hint); the
        traceback only with `--debug` (anywhere on the command line).

    Example:
        >>> main(["list", "vgg1*"])
        0
    """
    user_set_level = "TF_CPP_MIN_LOG_LEVEL" in os.environ
    # 3: not even C++ ERROR lines (oneDNN fallbacks, no CUDA driver), which are notices
    # here; real failures reach Python as exceptions. TF_CPP_MIN_LOG_LEVEL=0 shows them.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # The parser imports no TensorFlow, so `--help` and usage errors stay instant.
    argv = list(sys.argv[1:] if argv is None else argv)
    # `--debug` is accepted anywhere on the line, not only before the subcommand.
    debug = "--debug" in argv
    args = build_parser().parse_args([a for a in argv if a != "--debug"])
    try:
        # A finished run in --out needs no TensorFlow to say so.
        precheck = getattr(args, "precheck", None)
        code = precheck(args) if precheck is not None else None
        if code is not None:
            return code
        # Inside the try: Ctrl-C during the seconds-long TensorFlow import is "interrupted" too.
        if not user_set_level and "tensorflow" not in sys.modules:
            quiet_tensorflow_start()
        return args.func(args) or 0
    except KeyboardInterrupt:
        print(f"audiozoo {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        described = describe(error)
        if debug:
            raise
        if described is None:
            # A bug, not bad input: still one line, with the way to see more.
            print(
                f"audiozoo {args.command}: internal error: {type(error).__name__}: {error}\n"
                "hint: rerun with --debug for the traceback and report it",
                file=sys.stderr,
            )
            return 1
        code, lines = described
        print(f"audiozoo {args.command}: error: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"  {line}", file=sys.stderr)
        return code
