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

from applications.baseline.features import feature_layer
from zoo.layers import EPSILON, GeometricMean

__all__ = ["baseline_layers", "choose_shares", "choose_weights", "fuse_with_baseline"]

NETWORK_SHARES = tuple(i / 10 for i in range(11))
SHARE_STEPS = 10  # shares of several members: every split of 1 in steps of 0.1
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
    chosen = choose_shares([network_probs, baseline_probs], labels)
    best = chosen["shares"][0]
    by_share = {key.split("/")[0]: value for key, value in chosen["val_log_loss_by_share"].items()}
    accuracy = {key.split("/")[0]: value for key, value in chosen["val_accuracy_by_share"].items()}
    return {
        "weights": chosen["weights"],
        "network_share": best,
        "temperature": chosen["temperature"],
        "val_log_loss_by_share": {f"{w:.1f}": by_share[f"{w:.1f}"] for w in NETWORK_SHARES},
        "val_accuracy_by_share": {f"{w:.1f}": accuracy[f"{w:.1f}"] for w in NETWORK_SHARES},
    }


def _splits(members, steps=SHARE_STEPS):
    """Every way to share `steps` tenths among `members` (first member's share descending)."""
    if members == 1:
        return [(steps,)]
    return [(k, *rest) for k in range(steps, -1, -1) for rest in _splits(members - 1, steps - k)]


def choose_shares(member_probs, labels):
    """Shares of several classifiers' probabilities that fit held-out clips best.

    `choose_weights` for any number of members: every split of 1 into shares of
    0.1 (`w_i`, summing to 1) and a temperature `s` over `TEMPERATURES`, scoring
    `softmax(s sum_i w_i log p_i)` by its mean log loss on `labels`.

    Args:
        member_probs: `[(clips, classes), ...]` probabilities of models that did
            not train on these clips.
        labels: `(clips,)` int classes.

    Returns:
        A dict: `weights` (`s w_i`), `shares` (`w_i`), `temperature`, and per
        split (`"w_1/w_2/..."`) the best `val_log_loss` and the `val_accuracy`.

    Example:
        >>> choose_shares([p_probe, p_scratch, p_baseline], y_val)["shares"]
        [0.5, 0.3, 0.2]
    """
    labels = np.asarray(labels, dtype=np.int64)
    logs = [np.log(np.maximum(np.asarray(p, np.float64), EPSILON)) for p in member_probs]
    losses, accuracies, best = {}, {}, None
    for split in _splits(len(logs)):
        shares = tuple(k / SHARE_STEPS for k in split)
        mixed = sum(w * log for w, log in zip(shares, logs))
        accuracies[shares] = float(np.mean(mixed.argmax(axis=1) == labels))
        losses[shares] = min((_log_loss(s * mixed, labels), s) for s in TEMPERATURES)
        if best is None or losses[shares][0] < losses[best][0]:
            best = shares
    temperature = losses[best][1]

    def key(shares):
        return "/".join(f"{w:.1f}" for w in shares)

    return {
        "weights": [round(temperature * w, 6) for w in best],
        "shares": list(best),
        "temperature": temperature,
        "val_log_loss_by_share": {key(w): round(loss, 4) for w, (loss, _) in losses.items()},
        "val_accuracy_by_share": {key(w): round(a, 4) for w, a in accuracies.items()},
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
    network, pipeline, options, sample_rate, weights=None, features="handcrafted", companions=()
):
    """One model: `network`'s probabilities times the baseline's, renormalised.

    Args:
        network: a waveform -> probabilities `keras.Model` (one input).
        pipeline: the baseline's fitted scikit-learn pipeline.
        options: the `FeatureOptions` the baseline's features used.
        sample_rate: Hz of the waveforms.
        weights: the two exponents `[network, baseline]` (`choose_weights`);
            None for equal ones.
        features: the baseline's feature set, `handcrafted` or `mfcc` (MFCCs
            and their deltas, mean and std).
        companions: other waveform -> probabilities networks on the same input,
            joined between `network` and the baseline (`weights` then holds
            `[network, *companions, baseline]`).

    Returns:
        A `keras.Model` on `network`'s input whose layers are `network`'s
        (so `get_layer("log_mel")` and the like still work) plus
        `baseline_features`, `baseline_scaler`, `baseline_regression` and
        `fusion`.
    """
    num_classes = network.output.shape[-1]
    normalisation, dense = baseline_layers(pipeline, num_classes)
    layer = feature_layer(features, sample_rate, options, name="baseline_features")
    waveform = network.input
    baseline = dense(normalisation(layer(waveform)))
    others = [companion(waveform) for companion in companions]
    fused = GeometricMean(weights, name="fusion")([network.output, *others, baseline])
    return keras.Model(waveform, fused, name=f"{network.name}_fused")
