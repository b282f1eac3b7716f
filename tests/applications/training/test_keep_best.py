"""`KeepBest`: best weights kept, early stopping after `patience`, never before `min_epochs`."""

import keras

from applications.training.callbacks import KeepBest


def _epochs_run(tmp_path, scores, patience, min_epochs):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    keep = KeepBest(str(tmp_path / "best"), 0.0, patience=patience, min_epochs=min_epochs)
    keep.set_model(model)
    model.stop_training = False
    keep.on_train_begin()
    for epoch, score in enumerate(scores):
        keep.on_epoch_end(epoch, {"loss": 1.0, "val_accuracy": score})
        if model.stop_training:
            return epoch + 1, keep.best_epoch
    return len(scores), keep.best_epoch


def test_patience_stops_after_that_many_epochs_without_a_better_score(tmp_path):
    scores = [0.3, 0.5, 0.4, 0.4, 0.4, 0.4, 0.9, 0.9]
    assert _epochs_run(tmp_path, scores, patience=3, min_epochs=0) == (5, 1)


def test_no_stop_before_min_epochs_so_a_late_improvement_is_kept(tmp_path):
    scores = [0.3, 0.5, 0.4, 0.4, 0.4, 0.4, 0.9, 0.9]
    # The same noisy start, but the first half of an 8-epoch schedule always runs.
    assert _epochs_run(tmp_path / "a", scores, patience=3, min_epochs=7) == (8, 6)
    assert _epochs_run(tmp_path / "b", scores, patience=0, min_epochs=0) == (8, 6)
