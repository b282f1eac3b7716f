"""Published pretrained networks, named where a trained model file goes: `musicnn:mtt`, ...

`audiozoo embed --model musicnn:mtt` and the HEAR API's `load_model("musicnn:msd")`
serve the published musicnn taggers (`zoo.musicnn`) as embedding networks on
16 kHz audio, 3 s windows (their training input):

- `musicnn:mtt`, `musicnn:msd`: the penultimate layer (200 values, after its
  batch norm: the official `penultimate` features);
- `musicnn:mtt:pooled`: the back end's max and mean over time of the mid end
  (1,506 values, the official `max_pool` and `mean_pool`);
- `musicnn_vgg:mtt`, `musicnn_vgg:msd`: the VGG-like net's last pooled features (256).
"""

import re

from applications.errors import UsageError

__all__ = ["PRETRAINED", "is_pretrained", "load_pretrained", "RATE", "WINDOW_SAMPLES"]

PRETRAINED = re.compile(r"^(musicnn|musicnn_vgg):(mtt|msd)(:pooled)?$")
RATE = 16000
WINDOW_SAMPLES = 186 * 256  # 187 frames: the published models' 3 s input
HINT = "name a published network as musicnn:mtt, musicnn:msd, musicnn:mtt:pooled or musicnn_vgg:mtt"


def is_pretrained(spec):
    """Whether `spec` names a published network (not a file)."""
    return (
        isinstance(spec, str) and spec.split(":")[0] in ("musicnn", "musicnn_vgg") and ":" in spec
    )


def load_pretrained(flag, spec):
    """The embedding network `spec` names, and its `labels`-style dict (the sample rate).

    Args:
        flag: names the argument in errors.
        spec: e.g. `musicnn:mtt`.

    Returns:
        `(model, {"sample_rate": 16000})`; the model maps 3 s of 16 kHz audio to a vector.

    Raises:
        UsageError: an unknown name; WeightsUnavailableError offline without a cache.
    """
    match = PRETRAINED.match(spec)
    if match is None:
        raise UsageError(f"{flag} {spec!r} names no published network.", hint=HINT)
    backbone, weights, pooled = match.groups()
    if pooled and backbone != "musicnn":
        raise UsageError(f"{flag} {spec!r}: only musicnn has a pooled back end.", hint=HINT)
    import zoo

    model = zoo.create_model(
        backbone,
        weights=weights,
        include_top=False,
        pooling="max_mean" if pooled else "penultimate",
        include_preprocessing=True,
        input_shape=(WINDOW_SAMPLES,),
    )
    return model, {"sample_rate": RATE}
