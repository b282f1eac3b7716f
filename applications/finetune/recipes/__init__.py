"""The fine-tuning recipes, one module each, picked from the backbone's registry entry.

As timm's `default_cfgs`, a backbone's `zoo` registry entry says what it takes
in (`default_cfg["input"]`); that decides the recipe, so a new backbone needs
no change here:

- `"image"` -> `transfer`: a log-mel image into an ImageNet-style network,
  head first, then the last block unfrozen (`recipes.transfer`);
- `"log_mel"` -> `scratch`: a compact network trained end to end on log-mel
  frames (`recipes.scratch`, `recipes.scratch_model`).

Example:
    >>> recipe_for("vgg16"), recipe_for("cnn10_compact")
    ('transfer', 'scratch')
"""

import zoo

__all__ = ["RECIPES", "backbones", "recipe_for", "has_weights"]

# Registry input kind -> recipe module of this package.
RECIPES = {"image": "transfer", "log_mel": "scratch"}


def backbones():
    """`auto` and every registered backbone that has a recipe, in registry order."""
    names = zoo.list_models()
    return ("auto",) + tuple(
        n for n in names if zoo.get_entry(n).default_cfg.get("input") in RECIPES
    )


def recipe_for(backbone):
    """The recipe (`transfer` or `scratch`) that trains `backbone`."""
    return RECIPES[zoo.get_entry(backbone).default_cfg["input"]]


def has_weights(backbone, name):
    """Whether `backbone` has the named pretrained weights (e.g. `imagenet`)."""
    return name in zoo.get_entry(backbone).default_cfg.get("weights", ())
