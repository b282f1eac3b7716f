"""Rotating backups: a damaged newest file is reported in one line and the previous one is used."""

import os

import keras
import numpy as np
import pytest

from applications.training import custom_loop
from applications.training.backup import Backup, load_rotating, save_rotating
from applications.numerics import check_losses, nonfinite_weights
from applications.errors import JobFailed


def _write(text):
    def write(tmp):
        with open(tmp, "w") as f:
            f.write(text)

    return write


def _read(path):
    with open(path) as f:
        text = f.read()
    if not text.startswith("ok"):
        raise ValueError("bad object header version number")
    return text


def test_save_rotating_keeps_the_previous_file_until_the_new_one_is_complete(tmp_path):
    path = str(tmp_path / "state.txt")
    save_rotating(path, _write("ok 1"))
    save_rotating(path, _write("ok 2"))
    assert sorted(os.listdir(tmp_path)) == ["state.txt"]  # prev- goes once the new one is in

    def torn(tmp):
        _write("ok 3, half")(tmp)
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        save_rotating(path, torn)
    assert _read(path) == "ok 2" and sorted(os.listdir(tmp_path)) == ["state.txt"]


def test_a_damaged_backup_is_reported_removed_and_the_previous_one_used(tmp_path):
    path = str(tmp_path / "state.txt")
    (tmp_path / "state.txt").write_text("garbage")
    (tmp_path / "prev-state.txt").write_text("ok previous")
    lines = []
    assert load_rotating(path, _read, lines.append) == "ok previous"
    assert len(lines) == 1 and "state.txt is damaged (bad object header" in lines[0]
    assert not os.path.exists(path)
    (tmp_path / "prev-state.txt").write_text("garbage too")
    assert load_rotating(path, _read, lines.append) is None  # nothing good: restart
    assert len(lines) == 2 and os.listdir(tmp_path) == []


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy")
    return model


def _fit(model, backup, epochs, lines):
    x = np.random.RandomState(0).rand(32, 4).astype("float32")
    y = (x[:, 0] > 0.5).astype("int32")
    return model.fit(
        x,
        y,
        batch_size=8,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=[Backup(str(backup), lines.append)],
    )


def test_fit_backup_resumes_from_the_previous_file_when_the_newest_is_truncated(tmp_path):
    lines = []
    reference = _model()
    _fit(reference, tmp_path / "clean", 3, lines)
    model = _model()
    _fit(model, tmp_path / "b", 2, lines)  # epochs 1 and 2 backed up
    latest = tmp_path / "b" / "latest.weights.h5"
    data = latest.read_bytes()
    latest.write_bytes(data[: len(data) // 3])  # epoch 2's file torn
    # The epoch-1 state is gone once epoch 2's is complete, so plant one as prev-.
    first = _model()
    _fit(first, tmp_path / "one", 1, lines)
    os.replace(tmp_path / "one" / "latest.weights.h5", tmp_path / "b" / "prev-latest.weights.h5")
    resumed = _model()
    history = _fit(resumed, tmp_path / "b", 3, lines)
    assert len(history.history["loss"]) == 2  # epochs 2 and 3: resumed after epoch 1
    assert len(lines) == 1 and "latest.weights.h5 is damaged" in lines[0]
    for a, b in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_fit_backup_skips_an_epoch_whose_loss_is_nan(tmp_path):
    model = _model()
    backup = Backup(str(tmp_path), print)
    backup.set_model(model)
    backup.on_epoch_end(0, {"loss": float("nan")})
    assert not os.listdir(tmp_path)
    backup.on_epoch_end(0, {"loss": 0.5})
    assert os.listdir(tmp_path) == ["latest.weights.h5"]


def test_custom_loop_state_falls_back_to_the_previous_one(tmp_path):
    model = _model()
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)
    custom_loop.save_state(str(tmp_path), model, optimizer, 1, {"loss": [1.0]})
    custom_loop.save_state(str(tmp_path), model, optimizer, 2, {"loss": [1.0, 0.5]})
    state = tmp_path / "state.npz"
    os.replace(state, str(state) + ".keep")
    custom_loop.save_state(str(tmp_path), model, optimizer, 1, {"loss": [1.0]})
    os.replace(state, tmp_path / "prev-state.npz")
    os.replace(str(state) + ".keep", state)
    state.write_bytes(state.read_bytes()[:100])
    lines = []
    assert custom_loop.load_state(str(tmp_path), model, optimizer, lines.append) == (
        1,
        {"loss": [1.0]},
    )
    assert len(lines) == 1 and "state.npz is damaged" in lines[0]


def test_numerical_guards():
    with pytest.raises(JobFailed, match="loss became nan in epoch 2 at learning rate 1e\\+30"):
        check_losses({"loss": [0.9, float("nan")]}, "Phase head", 1e30)
    check_losses({"loss": [0.9, 0.5]}, "Phase head")
    model = _model()
    assert nonfinite_weights(model) == []
    kernel = model.layers[0].kernel
    kernel.assign(np.where(np.eye(4, 3) > 0, np.inf, kernel.numpy()))
    assert nonfinite_weights(model) == [kernel.path]
