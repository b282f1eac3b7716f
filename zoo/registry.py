"""Model registry in the style of timm: `@register_model`, `create_model`, `list_models`.

Each entry also records what the shared test harness and `audiozoo list` need:
the family, the paper it reproduces, keyword arguments that build a tiny
instance, and how to make an example batch for it.
"""

import dataclasses
import difflib
import fnmatch
from typing import Any, Callable, Mapping, Optional

import numpy as np

from zoo.validation import argument_error

__all__ = [
    "ModelEntry",
    "register_model",
    "create_model",
    "list_models",
    "get_entry",
    "random_batch",
]


def random_batch(model, batch_size=4, seed=0):
    """Make a random `(x, y)` batch matching a model's inputs and outputs.

    Float inputs are standard normal; unknown (None) non-batch dimensions
    become 8. Targets are standard normal with the shape of the model's
    output, which suits a mean-squared-error loss.

    Args:
        model: a built `keras.Model`.
        batch_size: rows in the batch.
        seed: seed for NumPy's generator.

    Returns:
        `(x, y)`: NumPy arrays, or lists of them for multi-input/output models.
    """
    rng = np.random.default_rng(seed)
    xs = []
    for tensor in model.inputs:
        shape = [batch_size] + [8 if d is None else d for d in tensor.shape[1:]]
        if "int" in str(tensor.dtype):
            raise ValueError(
                f"Input {tensor.name!r} of {model.name!r} is an integer tensor; "
                "register the model with an `example=` function that knows its "
                f"vocabulary. Received: dtype={tensor.dtype}"
            )
        xs.append(rng.standard_normal(shape).astype("float32"))
    x = xs[0] if len(xs) == 1 else xs
    outputs = model(x, training=False)
    if isinstance(outputs, (list, tuple)):
        y = [rng.standard_normal(tuple(o.shape)).astype("float32") for o in outputs]
    else:
        y = rng.standard_normal(tuple(outputs.shape)).astype("float32")
    return x, y


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    """What the registry knows about one model name.

    Attributes:
        name: registered name, e.g. `"vgg16"`.
        builder: the function that builds the model.
        family: the family it belongs to: the zoo package that defines it,
            e.g. `"convnets"` for `zoo.convnets.vgg.vgg16`.
        paper: short citation of what it reproduces.
        tiny: keyword arguments that build a small instance (tests, demos).
        example: `example(model, batch_size, seed) -> (x, y)` for a batch
            the model trains on; defaults to `random_batch`.
        loss: loss to use with `example` batches.
        learning_rate: SGD step size for which one step lowers the loss.
        default_cfg: what a job needs to know to train it, as timm's
            `default_cfgs`: `input` (`"image"`: a spectrogram image in, so
            ImageNet weights apply; `"log_mel"`: log-mel frames in) and
            `weights` (the named pretrained weights it loads). Empty for
            models no job fine-tunes.
    """

    name: str
    builder: Callable[..., Any]
    family: str
    paper: str
    tiny: Mapping[str, Any]
    example: Callable[..., Any]
    loss: Any = "mse"
    learning_rate: float = 1e-2
    default_cfg: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def build(self, **overrides):
        """Build the model at its defaults, with `overrides` passed to the builder."""
        return self.builder(**overrides)

    def build_tiny(self, **overrides):
        """Build the small instance of `tiny`, with `overrides` on top."""
        return self.builder(**{**self.tiny, **overrides})


_REGISTRY: dict = {}


def _package_family(builder):
    """`"convnets"` for a builder defined in `zoo.convnets.vgg`: the family is the folder."""
    parts = builder.__module__.split(".")
    if len(parts) < 3 or parts[0] != "zoo":
        raise argument_error(
            "family",
            None,
            f"{builder.__module__}.{builder.__name__} is not in a zoo family package; "
            "pass `family=`.",
        )
    return parts[1]


def register_model(
    fn: Optional[Callable] = None,
    *,
    name: Optional[str] = None,
    family: Optional[str] = None,
    paper: str,
    tiny: Optional[Mapping[str, Any]] = None,
    example: Optional[Callable] = None,
    loss: Any = "mse",
    learning_rate: float = 1e-2,
    default_cfg: Optional[Mapping[str, Any]] = None,
):
    """Register a model builder under `name` (default: the function's name).

    Args:
        fn: the builder; when omitted, returns a decorator.
        name: registered name.
        family: family the model belongs to (for listing); by default the
            zoo package that defines the builder (`"convnets"`, `"recurrent"`,
            `"wavenet"`), which is the rule for every builder in zoo.
        paper: short citation of the architecture's source.
        tiny: keyword arguments building a small instance for tests.
        example: `example(model, batch_size, seed) -> (x, y)`.
        loss: loss suited to `example` batches.
        learning_rate: SGD step size used by the shared test harness.
        default_cfg: how jobs train it (see `ModelEntry.default_cfg`).

    Returns:
        The builder, unchanged.

    Example:
        >>> @register_model(family="mine", paper="Rosenblatt 1958")
        ... def my_mlp(**kwargs):
        ...     return mlp((4,), (), 2, **kwargs)
    """

    def decorate(builder):
        key = name or builder.__name__
        if key in _REGISTRY:
            raise ValueError(f"Model {key!r} is already registered.")
        _REGISTRY[key] = ModelEntry(
            name=key,
            builder=builder,
            family=family or _package_family(builder),
            paper=paper,
            tiny=dict(tiny or {}),
            example=example or random_batch,
            loss=loss,
            learning_rate=learning_rate,
            default_cfg=dict(default_cfg or {}),
        )
        return builder

    return decorate(fn) if fn is not None else decorate


def get_entry(name: str) -> ModelEntry:
    """Return the `ModelEntry` registered as `name`.

    Example:
        >>> zoo.get_entry("vgg16").family
        'convnets'

    Raises:
        ValueError: unknown name; the message lists close matches.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=5, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise argument_error(
            "name",
            name,
            f"Unknown model name {name!r}.{hint} See zoo.list_models() for all {len(_REGISTRY)} names.",
        ) from None


def create_model(name: str, **overrides):
    """Build the registered model `name`, passing `overrides` to its builder.

    Args:
        name: a name from `list_models()`.
        **overrides: keyword arguments for the builder.

    Returns:
        A `keras.Model`.

    Example:
        >>> model = zoo.create_model("mlp_mnist")
        >>> model.count_params()
        159010
    """
    return get_entry(name).build(**overrides)


def list_models(pattern: str = "*", family: Optional[str] = None) -> list:
    """Sorted registered names matching an fnmatch `pattern` (and `family`).

    Args:
        pattern: fnmatch pattern over the names.
        family: keep only this family (`"convnets"`, `"recurrent"`, `"wavenet"`).

    Returns:
        A sorted list of names.

    Example:
        >>> zoo.list_models("vgg*")
        ['vgg11', 'vgg13', 'vgg16', 'vgg19']
    """
    return sorted(
        n
        for n, e in _REGISTRY.items()
        if fnmatch.fnmatchcase(n, pattern) and (family is None or e.family == family)
    )
