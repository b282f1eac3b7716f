import keras
import pytest

import zoo
from zoo.registry import ModelEntry


def test_create_model_passes_overrides():
    model = zoo.create_model("mlp_mnist", num_classes=3)
    assert model.output.shape[-1] == 3


def test_unknown_name_names_close_matches():
    with pytest.raises(ValueError, match=r"Did you mean: .*mlp_mnist.*Received: name='mlp_mnis'"):
        zoo.create_model("mlp_mnis")


def test_unknown_name_without_close_match():
    with pytest.raises(ValueError, match="Unknown model name 'zzzz'") as info:
        zoo.create_model("zzzz")
    assert "Did you mean" not in str(info.value)


def test_list_models_filters_by_pattern_and_family():
    assert "mlp_mnist" in zoo.list_models("mlp*")
    assert all(n.startswith("mlp") for n in zoo.list_models("mlp*"))
    assert zoo.list_models(family="convnets") == [
        n for n in zoo.list_models() if zoo.get_entry(n).family == "convnets"
    ]
    assert zoo.list_models("no-such-*") == []
    assert zoo.list_models() == sorted(zoo.list_models())


def test_register_model_rejects_duplicates():
    with pytest.raises(ValueError, match="already registered"):
        zoo.register_model(lambda: None, name="mlp_mnist", family="mlp", paper="-")


def test_every_entry_has_family_paper_and_a_tiny_build():
    for name in zoo.list_models():
        entry = zoo.get_entry(name)
        assert isinstance(entry, ModelEntry)
        assert entry.family and entry.paper
        assert isinstance(entry.build_tiny(), keras.Model)


def test_family_is_the_zoo_package_that_defines_the_builder():
    # The README's generated table (tests/zoo/test_catalog.py) lists the models per family.
    for name in zoo.list_models():
        entry = zoo.get_entry(name)
        assert entry.family == entry.builder.__module__.split(".")[1], name
    assert "vgg16" in zoo.list_models(family="convnets")


def test_a_builder_outside_the_zoo_packages_must_name_its_family():
    with pytest.raises(ValueError, match="pass `family=`. Received: family=None"):
        zoo.register_model(lambda: None, name="outside_builder", paper="-")
    assert "outside_builder" not in zoo.list_models()
