"""The fine-tuning recipes, one module each, picked from the backbone's registry entry.

As timm's `default_cfgs`, a backbone's `zoo` registry entry says what it takes
in (`default_cfg["input"]`) and which named weights it has
(`default_cfg["weights"]`); those decide the recipe, so a new backbone needs
no change here:

- `"image"` -> `transfer`: a log-mel image into an ImageNet-style network,
  head first, then the last block unfrozen (`recipes.transfer`);
- `"log_mel"` -> `scratch`: a compact network trained end to end on log-mel
  frames (`recipes.scratch`, `recipes.scratch_model`);
- `"log_mel"` with one of the entry's named audio weights (musicnn's `mtt`,
  `msd`) -> `pretrained`: a linear probe on the frozen embeddings, then the
  whole network fine-tuned, the better on val kept (`recipes.pretrained`,
  `recipes.pretrained_model`).

Example:
    >>> recipe_for("vgg16"), recipe_for("cnn10_compact"), recipe_for("musicnn", "mtt")
    ('transfer', 'scratch', 'pretrained')
"""

import zoo

__all__ = ["RECIPES", "audio_weights", "backbones", "recipe_for", "has_weights"]

# Registry input kind -> recipe module of this package.
RECIPES = {"image": "transfer", "log_mel": "scratch"}


def backbones():
    """`auto` and every registered backbone that has a recipe, in registry order."""
    names = zoo.list_models()
    return ("auto",) + tuple(
        n for n in names if zoo.get_entry(n).default_cfg.get("input") in RECIPES
    )


def audio_weights(backbone):
    """The named audio-pretrained weights of a log-mel `backbone` (e.g. `("mtt", "msd")`)."""
    cfg = zoo.get_entry(backbone).default_cfg
    if cfg.get("input") != "log_mel":
        return ()
    return tuple(w for w in cfg.get("weights", ()) if w != "imagenet")


def recipe_for(backbone, weights=None):
    """The recipe (`transfer`, `scratch` or `pretrained`) that trains `backbone` from `weights`."""
    if isinstance(weights, str) and weights in audio_weights(backbone):
        return "pretrained"
    return RECIPES[zoo.get_entry(backbone).default_cfg["input"]]


def has_weights(backbone, name):
    """Whether `backbone` has the named pretrained weights (e.g. `imagenet`, `mtt`)."""
    return name in zoo.get_entry(backbone).default_cfg.get("weights", ())
