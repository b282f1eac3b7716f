"""The Python examples of the README and of the user pages in `docs/` run as written.

A block runs by default. A line `<!-- readme-example: KIND -->` right above a block
marks it: `slow` blocks run with `-m slow` (training that takes minutes), `network`
blocks with `-m network` (they download weights or data). `bash` and `text` blocks
are not run; `tests/applications/cli/test_help.py` checks every `audiozoo` line of
them against the parsers.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!-- readme-example: (\w+) -->\n)?```python\n(.*?)```", re.S)
MARKS = {"slow": [pytest.mark.slow], "network": [pytest.mark.network]}


def _kinds(page):
    return [m.group(1) or "fast" for m in BLOCK.finditer(page.read_text(encoding="utf-8"))]


def _examples():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for number, match in enumerate(BLOCK.finditer(text), start=1):
            kind, code = match.group(1) or "fast", match.group(2)
            assert kind in ("fast", *MARKS), f"{page.name}: unknown marker {kind!r}"
            line = text[: match.start(2)].count("\n") + 1
            name = f"{page.relative_to(ROOT)}:block{number}-line{line}"
            yield pytest.param(page, code, id=name, marks=MARKS.get(kind, []))


def test_readme_and_docs_have_examples_of_each_kind():
    kinds = [kind for page in PAGES for kind in _kinds(page)]
    assert kinds.count("fast") >= 10 and "network" in kinds and "slow" in kinds
    assert _kinds(README).count("fast") >= 2  # the README itself shows runnable Python


@pytest.mark.parametrize("page, code", list(_examples()))
def test_example_runs(page, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    exec(compile(code, str(page), "exec"), {"__name__": "readme_example"})


def _anchor(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_between_the_pages_resolve():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)|src=\"([^\"]+)\"", text):
            link = target[0] or target[1]
            if link.startswith(("http://", "https://")):
                continue
            path, _, anchor = link.partition("#")
            file = (page.parent / path).resolve() if path else page
            assert file.exists(), f"{page.name}: {link} does not exist"
            if anchor:
                headings = re.findall(r"^#+ (.*)$", file.read_text(encoding="utf-8"), re.M)
                assert anchor in {_anchor(h) for h in headings}, f"{page.name}: no #{anchor}"
