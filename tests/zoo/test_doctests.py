"""Every docstring example in `zoo` runs and shows its output (`doctest`).

Each module with examples is one test; modules without examples are skipped.
Examples run in their module's namespace with `zoo`, `np` and `keras` at hand,
in a scratch folder (some write a small audio file), and compare output with
ELLIPSIS and NORMALIZE_WHITESPACE. Examples that need the network or a
downloaded checkpoint are marked `# doctest: +SKIP`.
"""

import doctest
import importlib
import pkgutil

import keras
import numpy as np
import pytest

import zoo
from zoo import registry

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules():
    names = [zoo.__name__]
    names += [m.name for m in pkgutil.walk_packages(zoo.__path__, prefix="zoo.")]
    return sorted(names)


def _examples(module):
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, module.__name__)
    # The finder also walks objects imported into the module; keep the module's own.
    return [t for t in tests if t.examples and _defined_in(t, module)]


def _defined_in(test, module):
    return (
        test.name == module.__name__
        or test.name.startswith(module.__name__ + ".")
        and (test.filename is None or test.filename == module.__file__)
    )


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    tests = _examples(module)
    if not tests:
        pytest.skip("no examples")
    # An example may register a model (`register_model`'s does): the registry is
    # restored after the module, so later tests see only the zoo's own models.
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in tests:
        test.globs = {"zoo": zoo, "np": np, "keras": keras, **test.globs}
        keras.utils.set_random_seed(0)
        runner.run(test)
        keras.backend.clear_session()
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples failed in {name}"
