"""`audiozoo finetune`: train a classifier of raw waveforms, with or without pretrained weights.

`applications.finetune.backbones.choose_plan` resolves `--backbone` and
`--weights` into a recipe: musicnn's audio-pretrained recipe (a linear probe,
then fine-tuned, the better on val kept; `applications.finetune.recipes.pretrained`,
16 kHz) for `--weights mtt|msd` or when those weights are cached, the two-phase VGG
transfer recipe (`applications.finetune.recipes.transfer`) when ImageNet weights
load, else a compact CNN trained from scratch (`applications.finetune.recipes.scratch`).
All train through `applications.training.run.Run.train_phase` (resumable,
best validation weights kept, `fit` or the multi-worker custom loop). Each
run also scores the hand-crafted-feature baseline on the same split
(`--no-baseline` skips it), and the saved model is the network joined to
that baseline (`applications.finetune.fusion`; `--no-fuse-baseline` saves the
network alone). Outputs are written atomically, by the chief only,
which holds `OUT`'s lock for the run (`applications.training.rundir`).
"""

import dataclasses
import functools
import os
import time

import numpy as np

from applications.atomic_io import fault_point, write_json
from applications.finetune.outputs import write_model_and_labels
from applications.finetune import ensemble
from applications.finetune.backbones import choose_plan, pretrained_choice
from applications.finetune.fusion import choose_weights, fuse_with_baseline
from applications.finetune.model import build_parts
from applications.finetune.multilabel import check_multilabel_plan, finish_multilabel
from applications.finetune.multilabel import scratch_backbone
from applications.training.run import Run
from applications.finetune.recipes.scratch import check_val, train_from_scratch
from applications.finetune.recipes.scratch_model import build_scratch_parts
from applications.finetune.recipes.transfer import train_transfer
from applications.finetune.recipes.pretrained import at_16k, train_pretrained
from applications.finetune.recipes.pretrained_model import build_pretrained_parts
from applications.reporting import metrics, plots
from applications.reporting.predictions import predict_batches
from applications.numerics import refuse_nonfinite

__all__ = ["run_finetune"]


def _baseline(config, data, log):
    """The hand-crafted-feature baseline on the run's split, or None (skipped).

    Returns:
        `(scores, seconds, BaselineRun, FeatureOptions)`, or None.
    """
    if not config.baseline:
        return None
    from applications.baseline import FeatureOptions, run_baseline

    start = time.perf_counter()
    # The run's frame settings, as `audiozoo baseline` uses them.
    options = FeatureOptions(
        n_fft=config.n_fft, hop_length=config.hop_length, n_mels=config.n_mels, fmax=config.fmax
    )
    # The hand-crafted or the MFCC set, whichever scores better on val (`auto`).
    run = run_baseline(data, "auto", config.seed, log, options)
    return run.scores, round(time.perf_counter() - start, 2), run, options


def _fusion_weights(job, parts, data, run, log, companion_val=None):
    """`choose_weights` on val, from predictions of models that did not train on it."""
    if job.val_predictions is None:
        network, labels, _ = predict_batches(parts.full, data.val)
    else:  # the recipe's, before a refit on train + val
        network, labels = job.val_predictions
    if companion_val is not None:
        return ensemble.choose_members((network, labels), companion_val, run.val_probabilities, log)
    chosen = choose_weights(network, run.val_probabilities, labels)
    chosen["chosen_on"] = (
        f"{len(labels)} val clips: the network before any refit, the regression fitted on train"
    )
    share = chosen["network_share"]
    log(
        f"Joining the network and the baseline: weights {share:.1f} / {1 - share:.1f} "
        f"(temperature {chosen['temperature']:g}) fit the val clips best "
        f"(log loss {chosen['val_log_loss_by_share'][f'{share:.1f}']:.3f}; "
        f"equal weights {chosen['val_log_loss_by_share']['0.5']:.3f})."
    )
    return chosen


def run_finetune(config, log=print, overwrite=False):
    """Run the fine-tuning job that `config` describes.

    Args:
        config: a `FinetuneConfig`.
        log: prints progress lines.
        overwrite: discard an earlier run in `config.out` (one with other
            settings is refused otherwise) and start afresh.

    Returns:
        The report dict (also written to `OUT/report.json` by the chief).

    Example:
        >>> report = run_finetune(FinetuneConfig(data="my_sounds", out="runs/1"))
        >>> report["test_accuracy"]
    """
    total = time.perf_counter()
    if pretrained_choice(config) is not None:  # before OUT is claimed: settings.json says 16 kHz
        config = at_16k(config, log)
    job = Run(config, log, overwrite)
    try:
        return _run(job, config, log, total)
    finally:
        job.close()


def _run(job, config, log, total):
    from applications.data import load_dataset

    log(
        f"Strategy {job.info.kind} ({job.info.num_replicas} replica(s)), precision {job.precision}, "
        f"global batch {config.batch_size}."
    )
    start = time.perf_counter()
    data = load_dataset(config.data, **config.dataset_options())
    job.timings["data_s"] = round(time.perf_counter() - start, 2)
    log(data.summary())
    check_val(data)
    plan = choose_plan(scratch_backbone(config, log), log, scratch_dir=job.backup)
    if config.multilabel:
        check_multilabel_plan(plan, job.info)
    built = dataclasses.replace(config, backbone=plan.backbone)
    num_classes = len(data.class_names)
    with job.info.strategy.scope():
        if plan.recipe == "pretrained":
            parts = build_pretrained_parts(built, num_classes, data.clip_samples, plan.weights)
            if plan.companion:
                companion = ensemble.build_companion(built, num_classes, data.clip_samples)
        elif plan.recipe == "scratch":
            parts = build_scratch_parts(
                built, num_classes, data.clip_samples, plan.weights, plan.reuse
            )
        else:
            parts = build_parts(built, num_classes, data.clip_samples, plan.weights)
    if plan.weights is not None or plan.reuse is not None:
        refuse_nonfinite(
            parts.full,
            f"--weights {config.weights}",
            "a model built from it would only output NaN or a constant",
            "pass weights from a run that finished, or --weights none",
        )
    transfer = companion_val = None
    if plan.recipe == "pretrained":
        epochs, transfer = train_pretrained(
            job, parts, data, num_classes, plan.weights_name, finetune=not plan.companion
        )
        if plan.companion:
            more, companion_val = ensemble.train_companion(job, companion, data, num_classes)
            epochs.update(more)
            transfer["companion"] = ensemble.companion_scores(companion, data, companion_val)
    elif plan.recipe == "scratch":
        epochs = train_from_scratch(job, parts, data, num_classes)
    else:
        epochs = train_transfer(job, parts, data, pretrained=plan.weights is not None)
    if config.multilabel:  # sigmoid tags: mAP, thresholds, a one-vs-rest baseline, no fusion
        return finish_multilabel(job, data, parts, plan, epochs, total)
    # Only the chief reports, so only the chief scores the baseline.
    baseline = _baseline(config, data, log) if job.info.is_chief else None
    model, network_accuracy, fusion = parts.full, None, None
    if baseline is not None:
        baseline, job.timings["baseline_s"], run, options = baseline
        if config.fuse_baseline:
            fusion = _fusion_weights(job, parts, data, run, log, companion_val)
        fuse = functools.partial(
            fuse_with_baseline,
            pipeline=run.classifier,
            options=options,
            sample_rate=data.sample_rate,
            features=baseline["features"],
        )
        if fusion is not None and companion_val is not None:
            model = ensemble.join_members(
                parts.full,
                companion.full,
                fusion,
                lambda net, weights, others: fuse(net, weights=weights, companions=others),
            )
        elif fusion is not None and fusion["network_share"] < 1.0:
            model = fuse(parts.full, weights=fusion["weights"])

    start = time.perf_counter()
    probs, labels, examples = predict_batches(model, data.test, keep_inputs=8)
    if model is not parts.full:
        alone, _, _ = predict_batches(parts.full, data.test)
        network_accuracy = float(np.mean(alone.argmax(axis=1) == labels))
    job.timings["evaluate_s"] = round(time.perf_counter() - start, 2)
    predicted = probs.argmax(axis=1)
    scores = metrics.classification_summary(labels, predicted, data.class_names)
    job.timings["total_s"] = round(time.perf_counter() - total, 2)
    result = {
        "dataset": data.describe(config.data),
        "class_names": list(data.class_names),
        "counts": dict(data.counts),
        "weights_used": plan.weights_used,
        "weights_notice": plan.notice,
        "backbone": plan.backbone,
        "backbone_requested": config.backbone,
        "backbone_reason": plan.reason,
        "recipe": plan.recipe,
        "strategy": job.info.kind,
        "num_replicas": job.info.num_replicas,
        "precision": job.precision,
        "epochs": epochs,
        "test_accuracy": scores["accuracy"],
        "fused_with_baseline": model is not parts.full
        and not (fusion and "members" in fusion and fusion["shares"][2] == 0),
        "fusion": fusion,
        "network_test_accuracy": scores["accuracy"]
        if network_accuracy is None
        else network_accuracy,
        **{k: v for k, v in scores.items() if k != "accuracy"},
        "baseline": baseline,
        "beats_baseline": None if baseline is None else scores["accuracy"] > baseline["accuracy"],
        "history": job.phases,
        "timings": job.timings,
        "throughput": job.throughput,
        "settings": config.to_dict(),
    }
    if transfer is not None:
        result["transfer"] = transfer
    if job.info.is_chief:
        _write_outputs(job.out, model, parts, result, examples, labels, predicted)
        fault_point("outputs:written")
        job.remove_backup()
    where = (
        f"Outputs in {config.out}/"
        if job.info.is_chief
        else "Worker: the chief writes the outputs."
    )
    what = plan.backbone
    if network_accuracy is not None:
        what = f"{plan.backbone} joined to the baseline; the network alone {network_accuracy:.3f}"
        if fusion and "members" in fusion:  # auto's probe + companion (+ baseline)
            what = f"{ensemble.describe(fusion)}; the probe alone {network_accuracy:.3f}"
    log(
        f"Test accuracy {scores['accuracy']:.3f} ({what}) on {len(labels)} held-out "
        f"clips (chance {scores['chance_accuracy']:.3f}); total {job.timings['total_s']:.0f}s."
    )
    if baseline is not None:
        verdict = "beaten" if result["beats_baseline"] else "NOT beaten"
        log(
            f"Baseline accuracy {baseline['accuracy']:.3f} ({baseline['features']} features, "
            f"same split): {verdict}."
        )
    log(where)
    return result


def _write_outputs(out, model, parts, result, examples, labels, predicted):
    write_model_and_labels(out, model, result)
    baseline = result["baseline"]
    plots.plot_history(
        result["history"],
        os.path.join(out, "history.png"),
        baseline=None if baseline is None else baseline["accuracy"],
    )
    plots.plot_confusion_matrix(
        result["confusion_matrix"], result["class_names"], os.path.join(out, "confusion_matrix.png")
    )
    waves, positions = examples
    mels = np.asarray(parts.front_end(waves, training=False), dtype=np.float32)
    plots.plot_examples(
        mels,
        labels[positions],
        predicted[positions],
        result["class_names"],
        os.path.join(out, "examples.png"),
    )
    write_json(os.path.join(out, "report.json"), result)
