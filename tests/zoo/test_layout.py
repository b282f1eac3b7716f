"""The layout of `zoo`: one folder per family, small modules, imports that point one way,
and the public import paths the README and `applications` rely on."""

import ast
import inspect
import types
from pathlib import Path

import pytest

import zoo

ZOO = Path(zoo.__file__).resolve().parent
MODULES = sorted(ZOO.rglob("*.py"))


def _imports(path):
    """`(module, names)` for every import statement in `path`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [alias.name for alias in node.names]


def _family(path):
    parts = path.relative_to(ZOO).parts
    return parts[0] if len(parts) > 1 else None


def test_every_family_is_a_folder_and_few_modules_stay_at_the_top():
    top = sorted(p.name for p in ZOO.glob("*.py"))
    assert top == ["__init__.py", "catalog.py", "registry.py", "validation.py"]
    # Every package is imported by `zoo` (that registers its builders), and every
    # registry family is a package: nothing here restates the list of families.
    packages = sorted(p.name for p in ZOO.iterdir() if (p / "__init__.py").exists())
    for name in packages:
        assert isinstance(getattr(zoo, name, None), types.ModuleType), name
    families = {zoo.get_entry(n).family for n in zoo.list_models()}
    assert families <= set(packages)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ZOO)))
def test_modules_stay_under_300_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_zoo_never_imports_applications():
    for path in MODULES:
        for module, _ in _imports(path):
            assert not module.startswith("applications"), (path, module)


def test_no_family_imports_another_familys_private_names():
    for path in MODULES:
        for module, names in _imports(path):
            parts = module.split(".")
            if parts[0] != "zoo" or len(parts) < 2 or parts[1] == _family(path):
                continue
            private = [n for n in names if n.startswith("_")]
            private += [p for p in parts if p.startswith("_")]
            assert not private, (path, module, private)


def test_top_level_builders_are_functions_and_families_are_packages():
    for name in ("mlp", "logistic_regression", "mlp_mnist", "lwls_cnn", "alexnet", "vgg"):
        assert inspect.isfunction(getattr(zoo, name)), name
    for name in ("vgg11", "vgg13", "vgg16", "vgg19"):
        assert getattr(zoo, name) is zoo.convnets.vgg.__dict__[name]
    for name in ("convnets", "recurrent", "wavenet", "audio", "weights"):
        assert isinstance(getattr(zoo, name), types.ModuleType), name
    for name in ("alexnet", "inputs", "lwls_cnn", "mlp", "vgg"):
        assert isinstance(getattr(zoo.convnets, name), types.ModuleType), name


def test_public_import_paths():
    from zoo.recurrent.rnn import recommended_compile_kwargs, rnn_classifier  # noqa: F401
    from zoo.recurrent.scheduled_sampling import ScheduledSamplingRNN  # noqa: F401
    from zoo.recurrent.schedules import InverseSigmoid  # noqa: F401
    from zoo.recurrent.seq2seq import BeamSampler, GreedySampler, Seq2Seq  # noqa: F401
    from zoo.wavenet import (  # noqa: F401
        FastGenerator,
        WaveNet,
        mu_law_encode,
        training_dataset,
        waveform_pairs,
    )

    for name in (
        "IMAGENET_WEIGHTS",
        "ImagenetFile",
        "WeightsUnavailableError",
        "adapt_input_conv",
        "imagenet_weights_path",
        "kaggle_preset_dir",
        "keras_cache_dir",
        "load_pretrained",
        "read_preset",
        "read_weights",
        "weights_source",
    ):
        assert name in zoo.weights.__all__ and hasattr(zoo.weights, name), name
