"""Classification metrics per class and the training history read back from CSV logs."""

import pytest

from applications.reporting import metrics


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
    assert metrics.read_csv_history(str(log)) == {
        "accuracy": [0.1, 0.25, 0.3],
        "loss": [2.0, 1.4, 1.2],
    }
    assert metrics.read_csv_history(str(tmp_path / "missing.csv")) == {}
