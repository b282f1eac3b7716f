"""The README's Python examples run as written (those needing a network are marked and
left out; long-running ones run with `-m slow`)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(?:<!-- readme-example: (\w+) -->\n)?```python\n(.*?)```", re.S)


def _examples():
    text = README.read_text(encoding="utf-8")
    for number, match in enumerate(BLOCK.finditer(text), start=1):
        kind, code = match.group(1) or "fast", match.group(2)
        line = text[: match.start(2)].count("\n") + 1
        marks = {"slow": [pytest.mark.slow], "network": [pytest.mark.network]}.get(kind, [])
        yield pytest.param(code, id=f"block{number}-line{line}", marks=marks)


def test_readme_has_examples_of_each_kind():
    kinds = [m.group(1) or "fast" for m in BLOCK.finditer(README.read_text(encoding="utf-8"))]
    assert kinds.count("fast") >= 5 and "network" in kinds


@pytest.mark.parametrize("code", list(_examples()))
def test_readme_example_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})
