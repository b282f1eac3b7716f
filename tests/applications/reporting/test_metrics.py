"""Metrics, CSV history and plots of a fine-tuning report."""

import numpy as np
import pytest

from applications.reporting import metrics, plots


def test_confusion_matrix_and_per_class_metrics():
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 0, 2]
    summary = metrics.classification_summary(y_true, y_pred, ["a", "b", "c"])
    assert summary["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert summary["accuracy"] == pytest.approx(4 / 6)
    b = summary["per_class"]["b"]
    assert b["precision"] == pytest.approx(2 / 3) and b["recall"] == 1.0
    assert b["f1"] == pytest.approx(0.8)
    c = summary["per_class"]["c"]
    assert (c["precision"], c["recall"], c["support"]) == (1.0, 0.5, 2)
    assert summary["chance_accuracy"] == pytest.approx(1 / 3)


def test_never_predicted_class_scores_zero_not_nan():
    summary = metrics.classification_summary([0, 1], [0, 0], ["a", "b"])
    assert summary["per_class"]["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    with pytest.raises(ValueError, match="empty split"):
        metrics.classification_summary([], [], ["a"])


def test_csv_history_keeps_last_row_per_epoch(tmp_path):
    log = tmp_path / "full.csv"
    log.write_text("epoch,accuracy,loss\n0,0.1,2.0\n1,0.2,1.5\n1,0.25,1.4\n2,0.3,1.2\n")
    assert metrics.read_csv_history(str(log)) == {"accuracy": [0.1, 0.25, 0.3], "loss": [2.0, 1.4, 1.2]}
    assert metrics.read_csv_history(str(tmp_path / "missing.csv")) == {}


def test_plots_write_pngs(tmp_path):
    history = {"head": {"loss": [2.0, 1.0], "accuracy": [0.2, 0.5], "val_loss": [2.1, 1.2]},
               "full": {"loss": [0.9], "accuracy": [0.6]}}
    plots.plot_history(history, str(tmp_path / "history.png"))
    plots.plot_confusion_matrix(np.array([[3, 1], [0, 4]]), ["x", "y"], str(tmp_path / "cm.png"))
    mels = np.random.default_rng(0).normal(size=(3, 16, 10, 1))
    plots.plot_examples(mels, [0, 1, 1], [0, 0, 1], ["x", "y"], str(tmp_path / "ex.png"))
    for name in ("history.png", "cm.png", "ex.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_predict_batches_keeps_order_and_one_example_per_class():
    import keras
    import tensorflow as tf

    from applications.finetune.callbacks import predict_batches

    x = np.arange(10, dtype="float32").reshape(5, 2)
    y = np.array([0, 0, 1, 1, 2], dtype="int32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    probs, labels, (inputs, positions) = predict_batches(
        model, tf.data.Dataset.from_tensor_slices((x, y)).batch(2), keep_inputs=2)
    np.testing.assert_array_equal(labels, y)
    np.testing.assert_allclose(probs, model.predict(x, verbose=0), rtol=1e-5)
    np.testing.assert_array_equal(positions, [0, 2])  # first of class 0, first of class 1
    np.testing.assert_array_equal(inputs, x[[0, 2]])
