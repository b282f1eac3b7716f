"""`audiozoo finetune --multilabel`: the end of a multi-label run, after training.

The network (sigmoid per tag, trained with binary cross-entropy by the
from-scratch recipe) is scored on test with macro and micro mAP and ROC-AUC
(`applications.reporting.tagging`); per-tag thresholds maximising F1 on
validation go to `OUT/thresholds.json`, which `audiozoo predict` reads. The
in-run baseline is one-vs-rest logistic regression on the same hand-crafted
features (`applications.baseline.tagging`), reported with the same scores;
`beats_baseline` compares macro mAP. The network is saved alone (no fusion).
"""

import dataclasses
import os
import time

from applications.atomic_io import fault_point, write_json
from applications.errors import UsageError
from applications.finetune.outputs import write_model_and_labels
from applications.reporting import plots
from applications.reporting.predictions import predict_batches
from applications.reporting.tagging import choose_thresholds, tag_scores, thresholded_f1
from applications.trained import THRESHOLDS_FILE  # predict reads it from there too

__all__ = ["scratch_backbone", "check_multilabel_plan", "finish_multilabel", "THRESHOLDS_FILE"]


def scratch_backbone(config, log=print):
    """`config` with `--backbone auto --weights auto` read as the compact CNN when `--multilabel`.

    `auto` would pick the VGG transfer recipe wherever ImageNet weights load,
    and only the from-scratch recipe trains sigmoid tags.

    Args:
        config: a `FinetuneConfig`.
        log: prints the choice.

    Returns:
        The config to plan the run with.
    """
    if not (config.multilabel and config.backbone == "auto" and config.weights == "auto"):
        return config
    from applications.finetune.backbones import DEFAULT_SCRATCH

    log(f"--multilabel: backbone {DEFAULT_SCRATCH} trained from scratch (sigmoid per tag).")
    return dataclasses.replace(config, backbone=DEFAULT_SCRATCH)


def check_multilabel_plan(plan, info):
    """Refuse what `--multilabel` does not support, before training.

    Args:
        plan: the run's `applications.finetune.backbones.Plan`.
        info: the resolved strategy (`applications.training.strategy`).

    Raises:
        UsageError: the VGG transfer recipe, or multi-worker training.
    """
    if plan.recipe != "scratch":
        raise UsageError(
            f"--multilabel trains the from-scratch recipe; --backbone {plan.backbone} "
            f"uses the {plan.recipe} recipe. Received: recipe={plan.recipe}",
            hint="pass --backbone cnn10_compact (or cnn6, cnn10, cnn14)",
        )
    if info.uses_custom_loop:
        raise UsageError(
            "--multilabel is not supported under multi-worker training (its custom loop "
            f"trains softmax classifiers). Received: strategy={info.kind}",
            hint="run on one machine: --strategy auto, mirrored or default",
        )


def _baseline(config, data, log):
    if not config.baseline:
        return None
    from applications.baseline import FeatureOptions
    from applications.baseline.tagging import run_tag_baseline

    options = FeatureOptions(
        n_fft=config.n_fft, hop_length=config.hop_length, n_mels=config.n_mels, fmax=config.fmax
    )
    scores, _ = run_tag_baseline(data, config.seed, log, options)
    return scores


def finish_multilabel(job, data, parts, plan, epochs, total):
    """Choose thresholds on val, score test, run the baseline, write the outputs (chief).

    Args:
        job: the run's `Run`.
        data: the multi-label `AudioDataset`.
        parts: the trained `ScratchParts`.
        plan: the run's `Plan`.
        epochs: the recipe's epochs setting.
        total: `time.perf_counter()` at the start of the run.

    Returns:
        The report dict (also `OUT/report.json`).
    """
    config, log, names = job.config, job.log, list(data.class_names)
    start = time.perf_counter()
    val_probs, val_true, _ = predict_batches(parts.full, data.val)
    thresholds, notes = choose_thresholds(val_true, val_probs, names)
    probs, y_true, _ = predict_batches(parts.full, data.test)
    job.timings["evaluate_s"] = round(time.perf_counter() - start, 2)
    scores = tag_scores(y_true, probs, names)
    scores.update(thresholded_f1(y_true, probs, thresholds))
    baseline = _baseline(config, data, log) if job.info.is_chief else None
    job.timings["total_s"] = round(time.perf_counter() - total, 2)
    result = {
        "task": "multilabel",
        "dataset": data.describe(config.data),
        "class_names": names,
        "counts": dict(data.counts),
        "weights_used": plan.weights_used,
        "backbone": plan.backbone,
        "recipe": plan.recipe,
        "strategy": job.info.kind,
        "precision": job.precision,
        "epochs": epochs,
        **scores,
        "thresholds": dict(zip(names, thresholds)),
        "threshold_notes": notes,
        "selection": "best epoch by validation macro mAP (logged as val_accuracy)",
        "fused_with_baseline": False,
        "baseline": baseline,
        "beats_baseline": None
        if baseline is None or baseline["macro_map"] is None
        else bool(scores["macro_map"] > baseline["macro_map"]),
        "history": job.phases,
        "timings": job.timings,
        "throughput": job.throughput,
        "settings": config.to_dict(),
    }
    if job.info.is_chief:
        _write_outputs(job.out, parts.full, result)
        fault_point("outputs:written")
        job.remove_backup()
    log(
        f"Test macro mAP {scores['macro_map']}, micro mAP {scores['micro_map']}, macro ROC-AUC "
        f"{scores['macro_roc_auc']}, micro ROC-AUC {scores['micro_roc_auc']} on {len(y_true)} "
        f"clips; F1 at the validation thresholds: macro {scores['macro_f1']}, micro "
        f"{scores['micro_f1']}. {scores['macro_note']}."
    )
    if baseline is not None:
        verdict = "beaten" if result["beats_baseline"] else "NOT beaten"
        log(f"Baseline macro mAP {baseline['macro_map']} (one-vs-rest, same split): {verdict}.")
    log(f"Outputs in {config.out}/" if job.info.is_chief else "Worker: the chief writes outputs.")
    return result


def _write_outputs(out, model, result):
    write_model_and_labels(out, model, result, multilabel=True)
    write_json(
        os.path.join(out, THRESHOLDS_FILE),
        {"thresholds": result["thresholds"], "chosen_on": "validation, best F1 per tag"},
    )
    baseline = result["baseline"]
    plots.plot_history(
        result["history"],
        os.path.join(out, "history.png"),
        baseline=None if baseline is None else baseline["macro_map"],
    )
    write_json(os.path.join(out, "report.json"), result)
