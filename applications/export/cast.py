"""What is exported: a float32 copy of the trained model, and the network of a fused model.

A model trained under `mixed_bfloat16` runs its layers in bfloat16, which TFLite
has no builtin kernels for; `float32_copy` rebuilds it from its config with every
dtype policy set to float32 and copies the weights (mixed-precision variables are
float32 already, so nothing is rounded). A model `audiozoo finetune` joined to its
hand-crafted baseline (`zoo.layers.GeometricMean` named `fusion`) computes the
baseline's features with float64 FFTs, IRFFT, complex, roll and bitwise ops that
TFLite has no builtins for: `network_of` cuts out the network, which TFLite can run.
"""

import keras

__all__ = ["FUSION", "LOW_PRECISION", "baseline_weight", "float32_copy", "is_fused", "network_of"]

FUSION = "fusion"
LOW_PRECISION = ("mixed_bfloat16", "bfloat16", "mixed_float16", "float16")


def _float32_config(config):
    """`config` with every low-precision `DTypePolicy` replaced by float32 (recursively)."""
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy":
            if config.get("config", {}).get("name") in LOW_PRECISION:
                return {**config, "config": {**config["config"], "name": "float32"}}
            return config
        return {key: _float32_config(value) for key, value in config.items()}
    if isinstance(config, list):
        return [_float32_config(value) for value in config]
    return config


def _policies(model):
    return {layer.dtype_policy.name for layer in _all_layers(model)}


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def float32_copy(model):
    """`model` itself if every layer computes in float32 or wider, else a float32 rebuild.

    Args:
        model: a functional or registered Keras model.

    Returns:
        `(model, cast)`: the model to export and whether it was rebuilt in float32.

    Example:
        >>> exported, cast = float32_copy(keras.saving.load_model("runs/a/model.keras"))
    """
    if not _policies(model) & set(LOW_PRECISION):
        return model, False
    config = keras.saving.serialize_keras_object(model)
    copy = keras.saving.deserialize_keras_object(_float32_config(config))
    copy.set_weights(model.get_weights())
    for layer in _all_layers(copy):
        # Normalization derives its mean and variance tensors from the variables here,
        # as loading a file does; set_weights alone leaves them at their initial values.
        if hasattr(layer, "finalize_state"):
            layer.finalize_state()
    return copy, True


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
