"""The network and the hand-crafted baseline in one model: a product of their predictions.

Every run fits the baseline (hand-crafted features -> `StandardScaler` ->
`LogisticRegression`) on the same split. `fuse_with_baseline` rebuilds that
fitted pipeline as Keras layers (`HandcraftedFeatures`, `Normalization` with
the scaler's statistics, a softmax `Dense` with the regression's weights, so
it predicts exactly what scikit-learn does) beside the trained network, and
joins both with `GeometricMean`: `softmax(mean(log p_network, log p_baseline))`.

Why: on notes of instruments never heard in training (issue 12), the network
and the features err on different clips. Measured on seed 0 of
`benchmarks/real_recordings.py` (120 test clips, network refit on train +
val): network 0.483, baseline 0.500, their geometric mean 0.542; the two
weights are fixed at 1/2, not tuned. The price: where the network is much
stronger than the features it can lose a little (unseen speakers: network
0.975, baseline 0.800, joined 0.958).
The saved model stays one waveform-in, probabilities-out `.keras` file.
"""

import keras
import numpy as np
from keras import ops

from applications.baseline.features import handcrafted_layer

__all__ = ["GeometricMean", "baseline_layers", "fuse_with_baseline"]

EPSILON = 1e-7  # floor of a probability before its log: a confident 0 must not be -inf


@keras.saving.register_keras_serializable(package="zoo")
class GeometricMean(keras.layers.Layer):
    """Probabilities `[(batch, classes), ...]` -> their normalised geometric mean.

    `softmax(mean_i log max(p_i, 1e-7))`: a product of experts with equal
    weights. A class one model rules out stays unlikely, which an arithmetic
    mean would not ensure.

    Example:
        >>> GeometricMean()([np.array([[0.9, 0.1]]), np.array([[0.5, 0.5]])]).numpy()
        array([[0.75, 0.25]], dtype=float32)
    """

    def call(self, inputs):
        logs = [ops.log(ops.maximum(ops.cast(p, "float32"), EPSILON)) for p in inputs]
        return ops.softmax(ops.mean(ops.stack(logs, axis=0), axis=0), axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


def baseline_layers(pipeline, num_classes):
    """The fitted `StandardScaler -> LogisticRegression` pipeline as two Keras layers.

    Args:
        pipeline: a fitted scikit-learn pipeline whose steps are a
            `StandardScaler` and a multinomial (or binary) `LogisticRegression`
            trained on labels `0 .. num_classes - 1`.
        num_classes: the network's classes.

    Returns:
        `(normalisation, dense)`, built: the scaler's mean and variance (a
        constant feature's unit scale included), then a softmax layer whose
        output equals `pipeline.predict_proba`.

    Raises:
        ValueError: the regression did not see every class.
    """
    scaler, regression = pipeline[0], pipeline[-1]
    classes = [int(c) for c in regression.classes_]
    if classes != list(range(num_classes)):
        raise ValueError(
            f"The baseline was fitted on classes {classes}, not all "
            f"{num_classes}; it cannot be joined to the network."
        )
    width = scaler.mean_.shape[0]
    normalisation = keras.layers.Normalization(
        axis=-1,
        mean=scaler.mean_,
        variance=np.square(scaler.scale_),
        dtype="float32",  # as the features: bfloat16 would move the regression's inputs
        name="baseline_scaler",
    )
    normalisation.build((None, width))
    coef, intercept = regression.coef_, regression.intercept_
    if coef.shape[0] == 1:  # binary: sigmoid(z) == softmax([0, z])
        coef = np.concatenate([np.zeros_like(coef), coef])
        intercept = np.concatenate([np.zeros_like(intercept), intercept])
    dense = keras.layers.Dense(
        num_classes, activation="softmax", dtype="float32", name="baseline_regression"
    )
    dense.build((None, width))
    dense.set_weights([coef.T.astype(np.float32), intercept.astype(np.float32)])
    return normalisation, dense


def fuse_with_baseline(network, pipeline, options, sample_rate):
    """One model: `network`'s probabilities times the baseline's, renormalised.

    Args:
        network: a waveform -> probabilities `keras.Model` (one input).
        pipeline: the baseline's fitted scikit-learn pipeline.
        options: the `FeatureOptions` the baseline's features used.
        sample_rate: Hz of the waveforms.

    Returns:
        A `keras.Model` on `network`'s input whose layers are `network`'s
        (so `get_layer("log_mel")` and the like still work) plus
        `baseline_features`, `baseline_scaler`, `baseline_regression` and
        `fusion`.
    """
    num_classes = network.output.shape[-1]
    normalisation, dense = baseline_layers(pipeline, num_classes)
    features = handcrafted_layer(sample_rate, options, name="baseline_features")
    waveform = network.input
    baseline = dense(normalisation(features(waveform)))
    fused = GeometricMean(name="fusion")([network.output, baseline])
    return keras.Model(waveform, fused, name=f"{network.name}_fused")
