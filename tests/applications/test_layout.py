"""The layout of `applications`: jobs grouped in folders, small modules, and imports that
point one way: cli -> job -> run/shared -> zoo, and no job on another job."""

import ast
import functools
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


# The jobs: each stands beside the others, on the shared floors only.
JOBS = (
    "finetune",
    "events",
    "separation",
    "music",
    "wavenet",
    "hear",
    "export",
    "inference",
    "tagging",
)
MAX_LEVELS = 6


def _group(module):
    """`applications.finetune.job` -> `finetune`; `applications.errors` -> `errors`."""
    return module.split(".")[1]


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("applications.") and name.count(".") >= 1:
                yield name


def _group_graph():
    graph = {}
    for path in MODULES:
        here = path.relative_to(ROOT).parts[0].removesuffix(".py")
        for name in _imports(path):
            there = _group(name)
            if there != here and ((ROOT / there).is_dir() or (ROOT / f"{there}.py").exists()):
                graph.setdefault(here, set()).add(there)
    return graph


def test_no_job_imports_another_job():
    graph = _group_graph()
    for job in JOBS:
        assert not graph.get(job, set()) & set(JOBS), (job, graph.get(job))


def test_cli_modules_import_no_other_cli_module_but_the_shared_checks():
    for path in (ROOT / "cli").glob("*.py"):
        if path.name == "__main__.py":  # `python -m applications.cli` calls the package's main
            continue
        for name in _imports(path):
            if name.startswith("applications.cli"):
                allowed = ("applications.cli", "applications.cli.checks")
                assert name in allowed or name.startswith("applications.cli.checks."), (
                    path.name,
                    name,
                )


def test_import_floors_are_few_and_without_circles():
    graph = _group_graph()

    @functools.cache
    def floor(group, seen=()):
        assert group not in seen, f"import circle: {seen + (group,)}"
        below = graph.get(group, set())
        return 1 + max((floor(g, seen + (group,)) for g in below), default=0)

    floors = {group: floor(group) for group in graph}
    assert max(floors.values()) <= MAX_LEVELS, floors
