"""Atomic writes leave the old file or the new one, never half of one; only the chief writes OUT."""

import json
import os

import pytest

from applications.atomic_io import atomic_path, writable_dir, write_json


def test_atomic_path_leaves_old_file_when_writer_fails(tmp_path):
    target = tmp_path / "report.json"
    write_json(str(target), {"ok": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(str(target)) as tmp:
            with open(tmp, "w") as f:
                f.write("{partial")
            raise RuntimeError("killed mid-write")
    assert json.loads(target.read_text()) == {"ok": 1}
    assert os.listdir(tmp_path) == ["report.json"]


def test_atomic_path_keeps_suffix_for_keras(tmp_path):
    with atomic_path(str(tmp_path / "model.keras")) as tmp:
        assert tmp.endswith(".keras") and os.path.dirname(tmp) == str(tmp_path)
        open(tmp, "w").close()
    assert (tmp_path / "model.keras").exists()


def test_writable_dir_sends_non_chief_elsewhere(tmp_path):
    out = str(tmp_path / "out")
    assert writable_dir(out, is_chief=True) == out and os.path.isdir(out)
    elsewhere = writable_dir(out, is_chief=False)
    assert os.path.isdir(elsewhere) and not elsewhere.startswith(str(tmp_path))
    os.rmdir(elsewhere)


def test_write_json_is_strictly_valid_with_nan_and_numpy_values(tmp_path):
    import numpy as np

    path = tmp_path / "report.json"
    write_json(
        str(path), {"loss": [0.5, float("nan")], "acc": np.float32(np.inf), "n": np.int64(3)}
    )
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"loss": [0.5, None], "acc": None, "n": 3}
