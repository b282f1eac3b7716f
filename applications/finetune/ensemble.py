"""`--backbone auto` with audio weights: the probe, a network from scratch and the baseline, joined.

On clips unlike its training data (instruments never heard, another sample
library) each of the three errs on other clips: the frozen musicnn probe knows
real audio, the compact CNN trained from scratch knows this task's spectra,
the hand-crafted baseline knows spectral shape. Measured on held-out
instruments (`benchmarks/transfer.py`, seed 0; docs/musicnn.md): the probe
0.567, `cnn10_compact` 0.542, the two joined 0.642. Fine-tuning musicnn
itself never beat its probe on val there (it distorts the features that
carry over to new instruments), so `auto` fits the probe only and spends the
time on the from-scratch network instead; `--backbone musicnn` fine-tunes.

The companion is `cnn10_compact` trained by the from-scratch recipe (phases
`scratch`, `refit`) on the same 16 kHz clips. `applications.finetune.fusion.
choose_shares` weighs the members on val, from predictions of models that
never trained on it; a member with share 0 is left out of the saved model.
"""

import dataclasses

import numpy as np

from applications.finetune.fusion import choose_shares
from applications.finetune.recipes.scratch import train_from_scratch
from applications.finetune.recipes.scratch_model import build_scratch_parts
from applications.reporting.predictions import predict_batches

__all__ = [
    "COMPANION",
    "build_companion",
    "train_companion",
    "choose_members",
    "companion_scores",
    "join_members",
    "describe",
]

COMPANION = "cnn10_compact"


def build_companion(config, num_classes, clip_samples):
    """The from-scratch `ScratchParts` joined to the probe; call under the strategy's scope."""
    built = dataclasses.replace(config, backbone=COMPANION)
    return build_scratch_parts(built, num_classes, clip_samples, None, None)


def train_companion(job, companion, data, num_classes):
    """Train the companion (from-scratch recipe); `job.val_predictions` stays the probe's.

    Returns:
        `(epochs, val_predictions)`: the phases' epochs and the companion's
        `(probs, labels)` on val before any refit.
    """
    job.log(
        f"Training {COMPANION} from scratch beside the probe: on unlike recordings the two "
        "err on different clips, and the join is weighed on val."
    )
    probe = job.val_predictions
    job.val_predictions = None
    epochs = train_from_scratch(job, companion, data, num_classes)
    held_out = job.val_predictions
    job.val_predictions = probe
    return epochs, held_out


def choose_members(network_val, companion_val, baseline_val, log):
    """`choose_shares` over probe, companion and baseline; the report's `fusion` block.

    Returns:
        The dict of `choose_shares`, plus `members`, `network_share` (the
        probe's) and `companion_share`.
    """
    labels = network_val[1]
    if not np.array_equal(labels, companion_val[1]):
        raise RuntimeError("The probe's and the companion's val predictions are in other orders.")
    chosen = choose_shares([network_val[0], companion_val[0], baseline_val], labels)
    chosen["members"] = ["network", COMPANION, "baseline"]
    chosen["network_share"], chosen["companion_share"] = chosen["shares"][:2]
    chosen["chosen_on"] = (
        f"{len(labels)} val clips: the probe fitted on train, {COMPANION} before any refit, "
        "the regression fitted on train"
    )
    shares = " / ".join(f"{name} {w:.1f}" for name, w in zip(chosen["members"], chosen["shares"]))
    log(
        f"Joining the probe, {COMPANION} and the baseline: shares {shares} (temperature "
        f"{chosen['temperature']:g}) fit the val clips best."
    )
    return chosen


def companion_scores(companion, data, companion_val):
    """The companion alone: val accuracy (before any refit) and test accuracy."""
    probs, labels = predict_batches(companion.full, data.test)[:2]
    val_probs, val_labels = companion_val
    return {
        "backbone": COMPANION,
        "val_accuracy": float(np.mean(val_probs.argmax(axis=1) == val_labels)),
        "test_accuracy": float(np.mean(probs.argmax(axis=1) == labels)),
    }


def join_members(network, companion, fusion, fuse):
    """The saved model: the members of non-zero share, joined; one alone when only it counts.

    Args:
        network: the probe's waveform -> probabilities model.
        companion: the from-scratch waveform -> probabilities model.
        fusion: `choose_members`' dict.
        fuse: `fuse(primary, weights, others)` -> a model joined to the baseline
            (`applications.finetune.fusion.fuse_with_baseline` with the run's baseline).

    Returns:
        A waveform -> probabilities `keras.Model`. The first network kept is the
        primary: the embedding and `--network-only` export cut there, so a
        member of share 0 never stands for the model.
    """
    weights = fusion["weights"]
    nets = [(net, w) for net, w in zip((network, companion), weights[:2]) if w > 0]
    nets = nets or [(network, 0.0)]  # the baseline alone: it still needs the model's input
    if len(nets) == 1 and weights[2] == 0:
        return nets[0][0]
    primary, *others = [net for net, _ in nets]
    return fuse(primary, [w for _, w in nets] + [weights[2]], others)


def describe(fusion):
    """`musicnn probe + cnn10_compact + the baseline`: the members of non-zero share."""
    names = ("the musicnn probe", COMPANION, "the baseline")
    return " + ".join(name for name, w in zip(names, fusion["shares"]) if w > 0)
