"""`--help` answers: every value flag shows its default, every command says what it does
for a user, `--help` imports no TensorFlow, and every `audiozoo` line in the README and
docs uses only flags its command has."""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from applications.cli import build_parser

REPO = Path(__file__).resolve().parents[3]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _commands(parser, path=()):
    """(`audiozoo A B`, parser) for every command that runs something."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield " ".join(path), parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(build_parser()))


def test_every_command_is_listed():
    assert {"finetune", "predict", "music train", "wavenet generate", "demo-data"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_value_flag_shows_its_default_and_the_command_says_what_it_does(name):
    parser = COMMANDS[name]
    text = parser.format_help()
    description = parser.description or ""
    # For users: a sentence, not a developer docstring naming modules.
    assert description and not description.startswith("`audiozoo"), (name, description)
    assert "applications." not in description and "Args:" not in description
    for action in parser._actions:
        value_flag = action.option_strings and action.nargs != 0 and not action.required
        if value_flag and action.help != argparse.SUPPRESS:
            helped = parser._get_formatter()._expand_help(action)
            assert "default" in helped, (name, action.option_strings, helped)
    assert "--help" in text


def test_help_of_every_command_imports_no_tensorflow():
    code = (
        "import sys\n"
        "from applications.cli import build_parser\n"
        "import tests.applications.cli.test_help as t\n"
        "for name, parser in t._commands(build_parser()):\n"
        "    parser.format_help()\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stdout + run.stderr


def _command_lines(page):
    """Each `audiozoo ...` line of the page's bash blocks (continuations joined)."""
    text = page.read_text(encoding="utf-8")
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for full in block.replace("\\\n", " ").splitlines():
            for line in re.split(r"&&|\|\||;|\|", full.split(" # ")[0]):
                yield from _command(line.strip())


def _command(line):
    """`(line, words after audiozoo)` when `line` runs audiozoo."""
    words = line.split()
    while words and ("=" in words[0] and not words[0].startswith("-")):
        words = words[1:]  # leading VAR=value assignments
    if words and words[0].endswith("audiozoo"):
        yield line, words[1:]


LINES = [(page.name, *found) for page in PAGES for found in _command_lines(page)]


def test_the_readme_has_command_lines_to_check():
    assert sum(page == "README.md" for page, *_ in LINES) >= 10


@pytest.mark.parametrize(
    "page, line, words", LINES, ids=[f"{page}:{line[:60]}" for page, line, _ in LINES]
)
def test_every_documented_command_line_uses_flags_its_command_has(page, line, words):
    name = next(
        (
            n
            for n in sorted(COMMANDS, key=len, reverse=True)
            if words[: len(n.split())] == n.split()
        ),
        None,
    )
    assert name is not None, f"{page}: no such command: {line}"
    known = {o for a in COMMANDS[name]._actions for o in a.option_strings} | {"--debug"}
    for word in words:
        flag = word.strip("[]|,").split("=")[0]
        if flag.startswith("--"):
            assert flag in known, f"{page}: `audiozoo {name}` has no {flag}: {line}"


USAGE = re.compile(r"<!-- usage: ([\w -]+) -->\n```text\n(.*?)```", re.S)
BLOCKS = [
    (page, m.group(1), m.group(2)) for page in PAGES for m in USAGE.finditer(page.read_text())
]


def test_the_finetune_page_has_generated_usage_blocks():
    assert {"finetune", "evaluate", "predict"} <= {name for _, name, _ in BLOCKS}


@pytest.mark.parametrize("page, name, usage", BLOCKS, ids=[f"{p.name}:{n}" for p, n, _ in BLOCKS])
def test_usage_blocks_are_generated_from_the_parsers(page, name, usage):
    # Compared word by word: the wrapping follows the terminal width.
    expected = COMMANDS[name].format_usage().split()
    assert usage.split() == expected, f"{page.name}: rerun `python -m {__name__}` to update"


def update_usage_blocks():
    """Rewrite every usage block of the README and docs from the parsers (100 columns)."""
    os.environ["COLUMNS"] = "100"
    for page in PAGES:
        text = page.read_text(encoding="utf-8")

        def fresh(match):
            usage = COMMANDS[match.group(1)].format_usage().strip()
            return f"<!-- usage: {match.group(1)} -->\n```text\n{usage}\n```"

        page.write_text(USAGE.sub(fresh, text), encoding="utf-8")


if __name__ == "__main__":
    update_usage_blocks()
