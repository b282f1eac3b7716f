"""Up-front checks of command-line values and the files they name, shared by the subcommands.

Each raises `applications.errors.UsageError` naming the flag or the file, so a
bad value stops a command before any data is loaded or any model is built.
Not a subcommand module: it registers nothing itself, but holds the parser
builders the subcommand modules share (`add_command`, `add_actions`).
"""

import argparse
import math
import os
import sys
import tempfile

from applications.errors import UsageError
from applications.settings.fields import MAX_SECONDS
from applications.trained import read_json  # noqa: F401  (shared with the loaders below the CLI)

__all__ = [
    "MAX_SECONDS",
    "OneLineParser",
    "add_actions",
    "add_command",
    "data_spec",
    "number",
    "seed",
    "output_folder",
    "output_file",
    "read_json",
]

SEED_MAX = 2**32 - 1
NAMED_DATA = ("builtin", "gtzan", "esc50", "urbansound8k", "speech_commands")


def data_spec(spec):
    """Raise a `UsageError` unless `spec` is a named dataset or an existing folder."""
    if spec in NAMED_DATA:
        return
    what = "is a file, not a folder" if os.path.isfile(spec) else "does not exist"
    if not os.path.isdir(spec):
        raise UsageError(
            f"--data {spec!r} {what}: it is neither a named dataset nor a folder.",
            hint=f"pass {', '.join(NAMED_DATA)}, or a folder with one sub-folder of audio "
            "files per class",
        )


def number(flag, value, *, minimum=None, above=None, maximum=None, integer=False):
    """Raise unless `value` is finite and in range; return it (None passes).

    Args:
        flag: e.g. `--seconds`.
        value: the parsed value.
        minimum: smallest allowed value (inclusive), or None.
        above: the value must be strictly greater than this, or None.
        maximum: largest allowed value (inclusive), or None.
        integer: the value must be an int.
    """
    if value is None:
        return value
    problems = []
    if not math.isfinite(value):
        problems.append("a finite number")
    if integer and not float(value).is_integer():
        problems.append("an integer")
    if minimum is not None and not value >= minimum:
        problems.append(f">= {minimum:g}")
    if above is not None and not value > above:
        problems.append(f"> {above:g}")
    if maximum is not None and not value <= maximum:
        problems.append(f"<= {maximum:g}")
    if problems:
        raise UsageError(f"{flag} must be {' and '.join(problems)}. Received: {flag}={value!r}")
    return value


def seconds(flag, value, *, above=0.0, maximum=MAX_SECONDS):
    """Raise unless `value` is a duration in `(above, maximum]` seconds; return it (None passes).

    The bound (`MAX_SECONDS`, 10 minutes) is the longest stretch a job holds at once,
    so a huge value stops here, naming the flag and its limit, not inside TensorFlow.
    """
    return number(flag, value, above=above, maximum=maximum)


def seed(flag, value):
    """Raise unless `value` is None or a seed numpy and TensorFlow accept (0 .. 2**32 - 1)."""
    if value is not None and not 0 <= value <= SEED_MAX:
        raise UsageError(
            f"{flag} must be an integer in [0, {SEED_MAX}]. Received: {flag}={value!r}",
            hint=f"e.g. {flag} 0",
        )
    return value


class OneLineParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors are one line and a hint, as every other error here.

    argparse prints the whole usage block before its error; the line that says what
    is wrong then scrolls past. Subcommand parsers inherit this class.
    """

    def error(self, message):
        """Print `PROG: error: MESSAGE` and the `--help` hint to stderr; exit 2."""
        sys.stderr.write(f"{self.prog}: error: {message}\n  hint: see `{self.prog} --help`\n")
        sys.exit(2)


def _writable(flag, folder, what):
    """Raise unless files can be created in `folder` or in its nearest existing parent."""
    probe = os.path.abspath(folder)
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise UsageError(
            f"{flag} {what!r}: {probe!r} is a file, so no folder can be made there.",
            hint=f"pass {flag} a path inside a folder",
        )
    try:
        # A real write, not os.access: root passes access() checks that writes then fail.
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as error:
        raise UsageError(
            f"{flag} {what!r}: cannot write in {probe!r} ({error.strerror or error}).",
            hint=f"pass {flag} a folder you can write to",
        ) from None


def output_folder(flag, path):
    """Raise unless `path` is (or can become) a folder this process can write in.

    Example:
        >>> output_folder("--out", "runs/first")
    """
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(
            f"{flag} {path!r} is an existing file, not a folder.",
            hint=f"pass {flag} a new or existing folder",
        )
    _writable(flag, path, path)


def output_file(flag, path, suffix=None):
    """Raise unless `path` can be written as a file (ending in `suffix`, if given)."""
    if suffix and not path.lower().endswith(suffix):
        raise UsageError(f"{flag} {path!r} must end in {suffix}.", hint=f"e.g. {flag} out{suffix}")
    if os.path.isdir(path):
        raise UsageError(
            f"{flag} {path!r} is a folder; pass a file path.",
            hint=f"e.g. {flag} {os.path.join(path, 'out' + (suffix or ''))}",
        )
    _writable(flag, os.path.dirname(os.path.abspath(path)), path)


def audio_files(paths):
    """Raise unless every FILE argument is an existing file (not a folder), naming the first bad one."""
    from zoo.audio.checks import printable_path

    for path in paths:
        if os.path.isdir(path):
            raise UsageError(f"FILE {printable_path(path)!r} is a folder; pass audio files.")
        if not os.path.isfile(path):
            raise UsageError(f"Audio file {printable_path(path)!r} does not exist.")


def add_actions(subparsers, name, help):
    """Add the command group `name`, whose required ACTION picks one of its subcommands.

    Returns:
        The group's subparsers, for `add_command`; the action is parsed into
        `args.<name>_command`.
    """
    group = subparsers.add_parser(name, help=help)
    actions = group.add_subparsers(dest=f"{name}_command", metavar="ACTION")
    actions.required = True
    return actions


def add_command(subparsers, name, func, help, *, settings=None, overwrite=False, **options):
    """Add the subcommand `name`, which runs `func(args)`.

    Args:
        subparsers: what `add_subparsers` (or `add_actions`) returned.
        name: the subcommand's name.
        func: what `audiozoo` calls with the parsed arguments.
        help: its line in the parent's `--help`.
        settings: a `Settings` class whose flags are generated (`add_arguments`), or None.
        overwrite: with `settings`, also add `--overwrite`.
        **options: more `add_parser` keywords, e.g. `description`.

    Returns:
        The subcommand's parser, for flags of its own.

    Example:
        >>> add_command(subparsers, "finetune", run, "train", settings=FinetuneConfig)
    """
    parser = subparsers.add_parser(name, help=help, **options)
    if settings is not None:
        settings.add_arguments(parser, overwrite=overwrite)
    parser.set_defaults(func=func)
    if settings is not None and overwrite:
        parser.set_defaults(precheck=_complete_check(settings))
    return parser


def _complete_check(settings):
    """`check(args)`: one line and exit code 0 when `--out` already holds this finished run.

    `audiozoo` calls it before importing TensorFlow, so the answer is instant; it
    returns None (run the command) otherwise.
    """

    def check(args):
        if args.overwrite:
            return None
        from applications.training.rundir import completed

        line = completed(settings.from_args(args))
        if line:
            print(line)
            return 0
        return None

    return check
