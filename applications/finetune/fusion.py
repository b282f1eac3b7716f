"""The network and the hand-crafted baseline in one model: a product of their predictions.

Every run fits the baseline (hand-crafted features -> `StandardScaler` ->
`LogisticRegression`) on the same split. `fuse_with_baseline` rebuilds that
fitted pipeline as Keras layers (`HandcraftedFeatures`, `Normalization` with
the scaler's statistics, a softmax `Dense` with the regression's weights, so
it predicts exactly what scikit-learn does) beside the trained network, and
joins both with `zoo.layers.GeometricMean`, a weighted product of experts:
`softmax(a log p_network + b log p_baseline)`.

Why: on notes of instruments never heard in training (issue 12), the network
and the features err on different clips (seed 0 of
`benchmarks/real_recordings.py`: network 0.483, baseline 0.500, equal
weights 0.542). Where the network is much stronger, equal weights cost a
little (unseen speakers: network 0.975, joined 0.958; the demo 0.969 ->
0.922). So `choose_weights` picks the exponents on the validation split,
from predictions of models that never trained on it (the network before any
refit, the regression fitted on train): the network's share `w` and a
temperature `s` (`a = s w`, `b = s (1 - w)`) that minimise the validation
log loss. `w = 1` keeps the network alone.
The saved model stays one waveform-in, probabilities-out `.keras` file.
"""

import keras
import numpy as np

from applications.baseline.features import handcrafted_layer
from zoo.layers import EPSILON, GeometricMean

__all__ = ["baseline_layers", "choose_weights", "fuse_with_baseline"]

NETWORK_SHARES = tuple(i / 10 for i in range(11))
TEMPERATURES = (0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0)


def _log_loss(logits, labels):
    logits = logits - logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def choose_weights(network_probs, baseline_probs, labels):
    """The exponents of network and baseline that fit held-out clips best.

    Searches the network's share `w` over 0, 0.1 .. 1 and a temperature `s`
    over `TEMPERATURES`, scoring `softmax(s (w log p_net + (1 - w) log p_base))`
    by its mean log loss on `labels` (a proper score: smoother than accuracy on
    a few dozen clips, and it rewards the model whose confidence is earned).

    Args:
        network_probs, baseline_probs: `(clips, classes)` probabilities of
            models that did not train on these clips.
        labels: `(clips,)` int classes.

    Returns:
        A dict: `weights` `[s w, s (1 - w)]`, `network_share` `w`,
        `temperature` `s`, and per share the best `val_log_loss` and the
        `val_accuracy` (argmax does not depend on `s`).

    Example:
        >>> choose_weights(p_net_val, p_base_val, y_val)["network_share"]
        0.7
    """
    labels = np.asarray(labels, dtype=np.int64)
    logs = [
        np.log(np.maximum(np.asarray(p, np.float64), EPSILON))
        for p in (network_probs, baseline_probs)
    ]
    losses, accuracies, best = {}, {}, None
    for w in NETWORK_SHARES:
        mixed = w * logs[0] + (1.0 - w) * logs[1]
        accuracies[w] = float(np.mean(mixed.argmax(axis=1) == labels))
        losses[w] = min((_log_loss(s * mixed, labels), s) for s in TEMPERATURES)
        if best is None or losses[w][0] < losses[best][0]:
            best = w
    temperature = losses[best][1]
    return {
        "weights": [round(temperature * best, 6), round(temperature * (1.0 - best), 6)],
        "network_share": best,
        "temperature": temperature,
        "val_log_loss_by_share": {f"{w:.1f}": round(losses[w][0], 4) for w in NETWORK_SHARES},
        "val_accuracy_by_share": {f"{w:.1f}": round(accuracies[w], 4) for w in NETWORK_SHARES},
    }


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


def fuse_with_baseline(
    network, pipeline, options, sample_rate, weights=None, features="handcrafted"
):
    """One model: `network`'s probabilities times the baseline's, renormalised.

    Args:
        network: a waveform -> probabilities `keras.Model` (one input).
        pipeline: the baseline's fitted scikit-learn pipeline.
        options: the `FeatureOptions` the baseline's features used.
        sample_rate: Hz of the waveforms.
        weights: the two exponents `[network, baseline]` (`choose_weights`);
            None for equal ones.
        features: the baseline's feature set, `handcrafted` or `mfcc` (the
            MFCC group of the same layer).

    Returns:
        A `keras.Model` on `network`'s input whose layers are `network`'s
        (so `get_layer("log_mel")` and the like still work) plus
        `baseline_features`, `baseline_scaler`, `baseline_regression` and
        `fusion`.
    """
    num_classes = network.output.shape[-1]
    normalisation, dense = baseline_layers(pipeline, num_classes)
    groups = {"handcrafted": None, "mfcc": ["mfcc"]}[features]
    layer = handcrafted_layer(sample_rate, options, groups, name="baseline_features")
    waveform = network.input
    baseline = dense(normalisation(layer(waveform)))
    fused = GeometricMean(weights, name="fusion")([network.output, baseline])
    return keras.Model(waveform, fused, name=f"{network.name}_fused")
