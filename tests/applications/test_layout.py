"""The layout of `applications`: jobs grouped in folders, small modules, and imports that
point one way (applications -> zoo, never back)."""

import ast
from pathlib import Path

import pytest

import applications

ROOT = Path(applications.__file__).resolve().parent
MODULES = sorted(ROOT.rglob("*.py"))


def test_few_modules_stay_at_the_top():
    top = sorted(p.name for p in ROOT.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= 3, top


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_under_300_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_cli_is_the_only_group_importing_cli():
    for path in MODULES:
        if path.relative_to(ROOT).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("applications.cli"), (path, node.module)
