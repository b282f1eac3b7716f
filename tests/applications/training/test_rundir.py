"""`--out` of a fine-tuning run: one run at a time, and a rerun must repeat the settings."""

import json
import os

import pytest

from applications.errors import UsageError
from applications.finetune.config import FinetuneConfig
from applications.training.rundir import LOCK, SETTINGS, claim_out, release


def _config(out, **changes):
    return FinetuneConfig(**{"data": "builtin", "out": str(out), "epochs": 3, **changes})


def test_a_second_run_into_the_same_out_fails_at_once_naming_the_pid(tmp_path):
    first = claim_out(_config(tmp_path))
    try:
        # flock locks belong to an open file, so a second claim conflicts even in one process.
        with pytest.raises(UsageError, match=f"in use by PID {os.getpid()}"):
            claim_out(_config(tmp_path))
    finally:
        release(first)
    release(claim_out(_config(tmp_path)))  # free again once released
    assert (tmp_path / LOCK).read_text().strip() == str(os.getpid())


def test_rerun_with_other_settings_is_refused_naming_the_differences(tmp_path):
    release(claim_out(_config(tmp_path)))
    (tmp_path / "model.keras").write_text("the first run's model")
    with pytest.raises(UsageError) as error:
        claim_out(_config(tmp_path, image_size=64, epochs=10))
    assert "epochs: 3 -> 10" in str(error.value) and "image_size: 96 -> 64" in str(error.value)
    assert "--overwrite" in error.value.hint
    # Same settings (verbosity aside): resumes; nothing is discarded.
    release(claim_out(_config(tmp_path, verbose=0)))
    assert (tmp_path / "model.keras").exists()


def test_a_run_that_wrote_only_its_settings_does_not_bind_the_folder(tmp_path):
    # E.g. the first run stopped at a data check before writing anything else.
    release(claim_out(_config(tmp_path)))
    release(claim_out(_config(tmp_path, epochs=10)))
    assert json.loads((tmp_path / SETTINGS).read_text())["epochs"] == 10
    (tmp_path / "backup").mkdir()
    with pytest.raises(UsageError, match="epochs: 10 -> 3"):
        claim_out(_config(tmp_path))


def test_overwrite_discards_the_earlier_run_and_stores_the_new_settings(tmp_path):
    release(claim_out(_config(tmp_path)))
    for name in ("model.keras", "backup/head.done.weights.h5", "mine.txt"):
        os.makedirs(os.path.dirname(tmp_path / name), exist_ok=True)
        (tmp_path / name).write_text("old")
    lines = []
    release(claim_out(_config(tmp_path, epochs=10), overwrite=True, log=lines.append))
    assert sorted(os.listdir(tmp_path)) == sorted(
        [LOCK, SETTINGS, "mine.txt"]
    )  # not the user's file
    assert json.loads((tmp_path / SETTINGS).read_text())["epochs"] == 10
    assert any("--overwrite" in line for line in lines)


def test_orphan_temporary_files_are_removed(tmp_path):
    (tmp_path / "backup" / "head").mkdir(parents=True)
    (tmp_path / "backup" / "head" / ".tmp-abc.weights.h5").write_text("torn")
    (tmp_path / ".tmp-backup").mkdir()
    lines = []
    release(claim_out(_config(tmp_path), log=lines.append))
    assert os.listdir(tmp_path / "backup" / "head") == []
    assert not (tmp_path / ".tmp-backup").exists()
    assert lines == [f"Removed 2 temporary file(s) a killed run left in {tmp_path}."]


def test_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "out").write_text("")
    with pytest.raises(UsageError, match="is a file"):
        claim_out(_config(tmp_path / "out"))
