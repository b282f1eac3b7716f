"""Which backbone and recipe a run uses: `--backbone auto`, and `--weights model.keras`.

- `auto` (the default): musicnn with its MagnaTagATune weights and the
  audio-pretrained recipe when those weights are cached (`audiozoo weights
  fetch musicnn`; nothing is downloaded here); else VGG16 with the two-phase
  transfer recipe when ImageNet (or given) weights load; otherwise
  `cnn10_compact` trained from scratch, announced loudly, because a head on a
  frozen random VGG16 learns little (issue 12). `--backbone vgg16 --weights
  none` forces random VGG16.
- a backbone with named audio weights (`musicnn`, `musicnn_vgg`): the
  audio-pretrained recipe (`applications.finetune.recipes.pretrained`) from
  `--weights mtt|msd` (`auto`: the first, `mtt`) or a weights file.
- any other registered backbone: the recipe its registry entry asks for
  (`applications.finetune.recipes`): `vgg11`..`vgg19` the transfer recipe,
  `cnn6`, `cnn10`, `cnn14`, `cnn10_compact` the from-scratch recipe, from
  random weights unless `--weights` names a `.weights.h5` or official `.pth` file.
- `--weights OUT/model.keras` of an earlier `finetune` run: its backbone (and,
  from scratch, its front end and normaliser) is reused and a new head is
  trained for this run's classes.
"""

import dataclasses
import os

import keras

import zoo
from applications.errors import UsageError
from applications.finetune.model import choose_weights
from applications.finetune.recipes import audio_weights, backbones, has_weights, recipe_for
from applications.finetune.recipes import pretrained
from applications.finetune.recipes.scratch_model import CLASSIFIER

__all__ = ["Plan", "choose_plan", "pretrained_choice", "FORCE_VGG"]

FORCE_VGG = "--backbone vgg16 --weights none"
DEFAULT_SCRATCH = "cnn10_compact"
DEFAULT_PRETRAINED = ("musicnn", "mtt")  # what `auto` uses when its weights are cached


@dataclasses.dataclass
class Plan:
    """What `run_finetune` builds and trains.

    Attributes:
        recipe: `transfer` (VGG, head then fine-tune), `scratch` or `pretrained`.
        backbone: the registered backbone name.
        weights: the builder's `weights` argument (None: random).
        weights_used: the report's description of the weights.
        notice: the weights fallback notice, or None.
        reason: why this backbone (the report's `backbone_reason`).
        reuse: `(log_mel, normaliser, backbone)` of an earlier from-scratch model, or None.
        weights_name: the named audio weights (`mtt`, `msd`) or file of the pretrained recipe.
        companion: `auto`'s from-scratch network trained beside the probe and
            joined to it (`applications.finetune.ensemble`), or None.
    """

    recipe: str
    backbone: str
    weights: object
    weights_used: str
    notice: str | None
    reason: str
    reuse: tuple | None = None
    weights_name: str | None = None
    companion: str | None = None


def _silent(_):
    pass


def musicnn_cached():
    """Whether musicnn's published checkpoints are cached complete (`zoo.musicnn.cached_weights`)."""
    try:
        return bool(zoo.musicnn.cached_weights()["complete"])
    except (OSError, ValueError, KeyError):
        return False


def pretrained_choice(config):
    """`(backbone, weights, reason)` when the run takes the audio-pretrained recipe, else None.

    Args:
        config: the run's `FinetuneConfig`.

    Raises:
        UsageError: named audio weights for a backbone without them, or a
            backbone that trains only from its audio weights with `--weights none`.
    """
    requested, backbone = config.weights, config.backbone
    if not isinstance(requested, str) or requested.endswith(".keras"):
        return None
    if backbone == "auto":
        if requested in audio_weights(DEFAULT_PRETRAINED[0]):
            name = DEFAULT_PRETRAINED[0]
            return name, requested, f"--weights {requested}: {name} pretrained on audio"
        # Not on the builtin chord demo: telling major from minor is not what a tagger's
        # features separate (measured: probe 0.672, from scratch 0.969 test accuracy).
        demo = config.data == "builtin"
        if requested == "auto" and not config.multilabel and not demo and musicnn_cached():
            name, weights = DEFAULT_PRETRAINED
            why = (
                f"its audio-pretrained weights ({weights}, MagnaTagATune) are cached; weights "
                "that have heard real audio generalise best on small data"
            )
            return name, weights, why
        return None
    named = audio_weights(backbone)
    if not named:
        holders = [b for b in backbones()[1:] if requested in audio_weights(b)]
        if holders:
            raise UsageError(
                f"--weights {requested} are audio weights of {', '.join(holders)}, not of "
                f"{backbone}. Received: backbone={backbone!r}",
                hint=f"pass --backbone {holders[0]}",
            )
        return None
    if requested in ("none", "imagenet"):
        raise UsageError(
            f"{backbone} trains here only from its audio weights ({', '.join(named)}) or a "
            f"weights file. Received: weights={requested!r}",
            hint=f"pass --weights {named[0]}, or --backbone {DEFAULT_SCRATCH} to train from scratch",
        )
    weights = named[0] if requested == "auto" else requested
    return backbone, weights, f"--backbone {backbone} --weights {weights} (audio-pretrained recipe)"


def _from_saved_model(config, path, scratch_dir):
    """A plan that reuses the backbone of an earlier run's `model.keras`."""
    saved = keras.saving.load_model(path, safe_mode=True)
    names = {layer.name for layer in saved.layers}
    if CLASSIFIER in names:
        classifier = saved.get_layer(CLASSIFIER)
        backbone = next(lay for lay in classifier.layers if isinstance(lay, keras.Model))
        log_mel = saved.get_layer("log_mel")
        if log_mel.sample_rate != config.sample_rate:
            raise ValueError(
                f"--weights {path!r} was trained at {log_mel.sample_rate} Hz; pass "
                f"--sample-rate {log_mel.sample_rate} to reuse it. "
                f"Received: sample_rate={config.sample_rate}"
            )
        reuse = (log_mel, classifier.get_layer("mel_norm"), backbone)
        recipe, weights = "scratch", None
    else:
        vgg = [lay for lay in saved.layers if lay.name.startswith("vgg")]
        if not vgg:
            raise ValueError(
                f"--weights {path!r} is a Keras model but not one `audiozoo finetune` wrote "
                "(no mel_classifier or vgg backbone inside)."
            )
        backbone = vgg[0]
        # VGG weights do not depend on the image size: a weights file loads at any size.
        os.makedirs(scratch_dir, exist_ok=True)
        weights = os.path.join(scratch_dir, f"reused_{backbone.name}.weights.h5")
        backbone.save_weights(weights)
        recipe, reuse = "transfer", None
    if config.backbone not in ("auto", backbone.name):
        raise ValueError(
            f"--weights {path!r} holds a {backbone.name} backbone; drop --backbone or pass "
            f"--backbone {backbone.name}. Received: backbone={config.backbone!r}"
        )
    reason = f"reusing the {backbone.name} backbone of {path} (new head for this run's classes)"
    return Plan(recipe, backbone.name, weights, path, None, reason, reuse)


def choose_plan(config, log=print, scratch_dir="."):
    """Resolve `--backbone` and `--weights` into a `Plan`, logging loudly when falling back.

    Args:
        config: the run's `FinetuneConfig`.
        log: prints the announcements.
        scratch_dir: where a reused VGG's weights file is written.

    Returns:
        A `Plan`.

    Example:
        >>> choose_plan(FinetuneConfig(weights="none")).backbone
        'cnn10_compact'
    """
    requested, backbone = config.weights, config.backbone
    if isinstance(requested, str) and requested.endswith(".keras"):
        if not os.path.isfile(requested):
            raise FileNotFoundError(f"--weights {requested!r} does not exist.")
        plan = _from_saved_model(config, requested, scratch_dir)
        log(f"Backbone {plan.backbone}: {plan.reason}.")
        return plan
    choice = pretrained_choice(config)
    if choice is not None:
        name, weights, reason = choice
        if backbone == "auto":
            log("=" * 78)
            log(f"BACKBONE: {name} with its {weights} weights, because {reason}.")
            log("=" * 78)
        used = weights if weights not in audio_weights(name) else f"{weights} (musicnn 0.1.0)"
        plan = Plan("pretrained", name, pretrained.builder_weights(weights), used, None, reason)
        plan.weights_name = weights
        if backbone == "auto" and config.baseline and config.fuse_baseline:
            plan.companion = DEFAULT_SCRATCH
            log(
                f"auto: the frozen probe (no fine-tuning; --backbone {name} fine-tunes), "
                f"{DEFAULT_SCRATCH} trained from scratch and the baseline, joined with shares "
                "chosen on val."
            )
        return plan
    if backbone != "auto" and recipe_for(backbone) == "transfer":
        weights, used, notice = choose_weights(requested, backbone, log)
        reason = f"--backbone {backbone} (transfer recipe)"
        return Plan("transfer", backbone, weights, used, notice, reason)
    if backbone != "auto":
        if requested == "imagenet" and not has_weights(backbone, "imagenet"):
            raise ValueError(
                f"{backbone} has no ImageNet weights; pass --weights none, a .weights.h5 or .pth "
                f"file, or a model.keras. Received: weights='imagenet'"
            )
        weights = None if requested in (None, "none", "auto") else requested
        used = "none (random initialisation)" if weights is None else weights
        reason = f"--backbone {backbone} (from-scratch recipe)"
        return Plan("scratch", backbone, weights, used, None, reason)
    weights, used, notice = choose_weights(requested, "vgg16", _silent)
    if weights is not None:
        reason = f"pretrained weights: {used}"
        if requested == "auto" and not config.multilabel:
            reason += " (musicnn's audio weights are not cached: audiozoo weights fetch musicnn)"
        return Plan("transfer", "vgg16", weights, used, None, reason)
    why = "--weights none" if notice is None else "ImageNet weights for vgg16 did not load"
    if requested == "auto" and not config.multilabel:
        why += "; musicnn's audio weights are not cached (audiozoo weights fetch musicnn)"
    reason = (
        f"no pretrained weights ({why}); a compact CNN trained from scratch beats a head on a "
        f"frozen random VGG16. To force VGG16: {FORCE_VGG}"
    )
    log("=" * 78)
    log(f"BACKBONE: {DEFAULT_SCRATCH} trained from scratch, because {reason}.")
    if notice:
        log(notice.split(" Training from")[0])
    log("=" * 78)
    return Plan("scratch", DEFAULT_SCRATCH, None, "none (from scratch)", notice, reason + ".")
