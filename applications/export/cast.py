"""What is exported: a float32 copy of the trained model, and the network of a fused model.

A model trained under `mixed_bfloat16` runs its layers in bfloat16, which TFLite
has no builtin kernels for; `float32_copy` rebuilds it from its config with every
dtype policy set to float32 and copies the weights (mixed-precision variables are
float32 already, so nothing is rounded). A model `audiozoo finetune` joined to its
hand-crafted baseline (`zoo.layers.GeometricMean` named `fusion`) computes the
baseline's features in float64, with FFTs and complex ops TFLite has no builtins
for: `float32_copy(..., portable_features=True)` also rebuilds those feature layers
with `precision="float32"` (builtin ops only), and the log-mel front ends with
`dft="matmul"` (TFLite's RFFT2D kernel costs twice the four-step product's time on
one core; `zoo.audio.dft`). `network_of` cuts out the network.
"""

import keras

__all__ = [
    "FUSION",
    "LOW_PRECISION",
    "baseline_weight",
    "float32_copy",
    "is_fused",
    "network_of",
    "wide_feature_layers",
]

FUSION = "fusion"
LOW_PRECISION = ("mixed_bfloat16", "bfloat16", "mixed_float16", "float16")
# Front ends with a `dft` choice (files saved before it existed lack the key).
DFT_LAYERS = ("zoo>LogMelSpectrogram", "zoo>MusicnnLogMel")


def _float32_config(config, portable_features=False):
    """`config` with every low-precision `DTypePolicy` replaced by float32 (recursively).

    With `portable_features`, every `zoo.features` layer computing in float64 gets
    `precision="float32"` too, and every `DFT_LAYERS` front end `dft="matmul"`.
    """
    if isinstance(config, dict):
        inner = config.get("config")
        if config.get("class_name") == "DTypePolicy":
            if inner.get("name") in LOW_PRECISION:
                return {**config, "config": {**inner, "name": "float32"}}
            return config
        if portable_features and isinstance(inner, dict) and inner.get("precision") == "float64":
            config = {**config, "config": {**inner, "precision": "float32"}}
        if portable_features and config.get("registered_name") in DFT_LAYERS:
            config = {**config, "config": {**config["config"], "dft": "matmul"}}
        return {key: _float32_config(value, portable_features) for key, value in config.items()}
    if isinstance(config, list):
        return [_float32_config(value, portable_features) for value in config]
    return config


def _policies(model):
    return {layer.dtype_policy.name for layer in _all_layers(model)}


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def wide_feature_layers(model):
    """Names of the `zoo.features` layers in `model` that compute in float64."""
    return [
        layer.name for layer in _all_layers(model) if getattr(layer, "precision", None) == "float64"
    ]


def _fft_front_ends(model):
    return [layer.name for layer in _all_layers(model) if getattr(layer, "dft", None) == "fft"]


def float32_copy(model, portable_features=False):
    """`model` itself if every layer computes in float32 or wider, else a float32 rebuild.

    Args:
        model: a functional or registered Keras model.
        portable_features: for TFLite: also rebuild float64 `zoo.features` layers
            (a fused model's baseline) with `precision="float32"`, and log-mel front
            ends with `dft="matmul"`.

    Returns:
        `(model, cast)`: the model to export and whether its layers were rebuilt
        from a low precision in float32.

    Example:
        >>> exported, cast = float32_copy(keras.saving.load_model("runs/a/model.keras"))
    """
    cast = bool(_policies(model) & set(LOW_PRECISION))
    rebuilt = wide_feature_layers(model) + _fft_front_ends(model)
    if not cast and not (portable_features and rebuilt):
        return model, False
    config = keras.saving.serialize_keras_object(model)
    copy = keras.saving.deserialize_keras_object(_float32_config(config, portable_features))
    copy.set_weights(model.get_weights())
    for layer in _all_layers(copy):
        # Normalization derives its mean and variance tensors from the variables here,
        # as loading a file does; set_weights alone leaves them at their initial values.
        if hasattr(layer, "finalize_state"):
            layer.finalize_state()
    return copy, cast


def is_fused(model):
    """Whether `model` is a network joined to its baseline by a `fusion` layer."""
    return FUSION in {layer.name for layer in model.layers}


def baseline_weight(model):
    """The baseline's exponent in a fused model (None: equal weights, so not zero)."""
    weights = model.get_layer(FUSION).exponents
    return None if weights is None else float(weights[1])


def network_of(model):
    """The network of a fused model (same layers and weights): its probabilities alone."""
    return keras.Model(model.input, model.get_layer(FUSION).input[0], name=f"{model.name}_network")
