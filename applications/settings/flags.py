"""Command-line flags generated from settings fields: type, choices, default and unit in the help."""

import argparse

from applications.settings.fields import base_type, flag_name

__all__ = ["add_flag", "HelpFormatter", "use_formatter"]


class HelpFormatter(argparse.HelpFormatter):
    """`--help` that shows every value flag's default.

    A flag whose help already names its default (the generated settings flags:
    "(default 40 epochs)") is left as it is; any other flag that takes a value
    gets "(default: X)" appended, "(default: none)" when it has none. Switches
    (off unless given) and required flags get nothing.
    """

    def _get_help_string(self, action):
        text = action.help or ""
        if (
            text == argparse.SUPPRESS
            or "default" in text
            or not action.option_strings
            or action.nargs == 0
            or action.required
        ):
            return text
        default = action.default
        if isinstance(default, (list, tuple)):
            default = " ".join(map(str, default))
        shown = "none" if default is None else str(default).replace("%", "%%")
        return f"{text} (default: {shown})" if text else f"default: {shown}"


def use_formatter(parser, formatter_class=HelpFormatter):
    """Give `parser` and every subcommand parser below it `formatter_class`.

    A subcommand without a description gets its one-line help as one, so its
    `--help` says what it does.
    """
    parser.formatter_class = formatter_class
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if sub.description is None and helps.get(name):
                    text = helps[name]
                    sub.description = f"{text[0].upper()}{text[1:]}."
                use_formatter(sub, formatter_class)


def _default_text(field):
    default = field.default
    if isinstance(default, bool) or default is None:
        return None
    unit = field.metadata.get("unit")
    if isinstance(default, (tuple, list)):
        default = "x".join(map(str, default))
    return f"default {default}{' ' + unit if unit else ''}"


def add_flag(parser, field, hint):
    """Add `field`'s flag to `parser` (`--no-x` for a setting that is True by default)."""
    meta, name = field.metadata, field.name
    kind, _ = base_type(hint)
    text = meta.get("help", "")
    named = meta.get("flag") if isinstance(meta.get("flag"), str) else None
    if kind is bool:
        # A switch that flips the default; the setting is True/False in --config.
        flag = f"--no-{name.replace('_', '-')}" if field.default else flag_name(name)
        flag = named or flag
        parser.add_argument(
            flag, dest=name, action="store_const", const=not field.default, help=text
        )
        return
    default = _default_text(field)
    choices = meta.get("choices")
    parse = meta.get("parse") or (kind if kind in (int, float, str) else str)
    parser.add_argument(
        named or flag_name(name),
        dest=name,
        type=parse,
        choices=choices,
        metavar=None if choices else {int: "N", float: "X"}.get(kind, name.upper()),
        help=f"{text} ({default})" if default else text or argparse.SUPPRESS,
    )
