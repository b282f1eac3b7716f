"""Command-line flags generated from settings fields: type, choices, default and unit in the help."""

import argparse

from applications.settings.fields import base_type, flag_name

__all__ = ["add_flag"]


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
