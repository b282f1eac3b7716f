"""benchmarks/transfer.py: margins, the probe choice, per-class subsets and report parsing."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))

import transfer


def _results():
    return {
        "mfcc20": {"test_accuracy": 0.30, "val_accuracy": None},
        "audiozoo_baseline": {"test_accuracy": 0.35, "val_accuracy": 0.40},
        "probe_mtt": {"test_accuracy": 0.50, "val_accuracy": 0.60},
        "probe_msd": {"test_accuracy": 0.55, "val_accuracy": 0.55},
        "finetuned_musicnn_mtt": {"skipped": "exit 2: error: unknown backbone"},
    }


def test_margins_are_points_over_the_baseline_and_the_probe_chosen_on_val():
    summary = transfer.margins(_results())
    assert summary["probe"] == "probe_mtt"  # best val, although probe_msd tests higher
    assert summary["over_audiozoo_baseline"] == {
        "mfcc20": -5.0,
        "audiozoo_baseline": 0.0,
        "probe_mtt": 15.0,
        "probe_msd": 20.0,
    }
    assert summary["over_probe"]["mfcc20"] == -20.0 and summary["over_probe"]["probe_msd"] == 5.0
    assert "finetuned_musicnn_mtt" not in summary["over_probe"]


def test_margins_without_a_reference_are_none():
    summary = transfer.margins({"mfcc20": {"test_accuracy": 0.3, "val_accuracy": None}})
    assert summary["probe"] is None
    assert summary["over_audiozoo_baseline"] == {"mfcc20": None}
    assert summary["over_probe"] == {"mfcc20": None}


def test_best_probe_breaks_val_ties_in_listed_order():
    results = {
        "probe_msd": {"test_accuracy": 0.9, "val_accuracy": 0.5},
        "probe_mtt": {"test_accuracy": 0.1, "val_accuracy": 0.5},
    }
    assert transfer.best_probe(results) == "probe_mtt"


def test_per_class_subset_takes_k_of_each_class_or_all_of_a_small_one():
    labels = ["a"] * 7 + ["b"] * 3 + ["c"] * 10
    index = transfer.per_class_subset(labels, 5, np.random.default_rng(0))
    chosen = [labels[i] for i in index]
    assert (chosen.count("a"), chosen.count("b"), chosen.count("c")) == (5, 3, 5)
    assert len(set(index.tolist())) == len(index) and list(index) == sorted(index)
    again = transfer.per_class_subset(labels, 5, np.random.default_rng(0))
    assert np.array_equal(index, again)
    assert len(transfer.per_class_subset(labels, None, None)) == 20


def test_learning_curve_points_on_separable_fake_features():
    rng = np.random.default_rng(0)

    def split(n):
        y = np.repeat(["x", "y"], n)
        return rng.normal(size=(2 * n, 3)) + (y == "y")[:, None] * 6.0, list(y)

    features = {"train": split(25), "val": split(5), "test": split(10)}
    curve = transfer.learning_curve(features, seed=0, sizes=(5, None), draws=2)
    assert [p["per_class"] for p in curve] == [5, "all"]
    assert [p["train_clips"] for p in curve] == [10, 50]
    assert len(curve[0]["test_accuracy_by_draw"]) == 2 and len(curve[1]["C_by_draw"]) == 1
    assert all(p["test_accuracy"] == 1.0 for p in curve)


def test_tune_c_prefers_the_smaller_c_on_ties():
    x = np.array([[0.0], [0.1], [5.0], [5.1]])
    y = ["a", "a", "b", "b"]
    c, scores, model = transfer.tune_c(x, y, x, y, grid=(1.0, 0.1))
    assert c == 0.1 and scores == {1.0: 1.0, 0.1: 1.0}
    assert model.get_params()["logisticregression__C"] == 0.1
    assert transfer.tune_c(x, y, x, y, grid=(1.0, 0.1))[2] is model  # fitted once


def test_finetune_summary_reads_the_fused_val_accuracy_and_in_run_baseline():
    report = {
        "test_accuracy": 0.61,
        "network_test_accuracy": 0.55,
        "fused_with_baseline": True,
        "fusion": {"network_share": 0.6, "val_accuracy_by_share": {"0.6": 0.7, "1.0": 0.65}},
        "baseline": {"accuracy": 0.5, "features": "handcrafted"},
        "history": {"scratch": {"val_accuracy": [0.2, 0.4, 0.3], "best_epoch": 1}},
        "backbone": "cnn10_compact",
        "recipe": "scratch",
    }
    summary = transfer.finetune_summary(report)
    assert summary["val_accuracy"] == 0.7 and summary["in_run_baseline_accuracy"] == 0.5
    assert summary["network_test_accuracy"] == 0.55 and summary["kept"] is None
    report["fusion"] = None
    assert transfer.finetune_summary(report)["val_accuracy"] == 0.4


def test_standard_error_in_points():
    assert transfer.standard_error_points(0.5, 100) == 5.0
    assert transfer.standard_error_points(1.0, 120) == 0.0
