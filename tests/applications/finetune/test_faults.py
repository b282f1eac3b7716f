"""Fault injection: `kill -9` at named instants, concurrent runs, NaN losses and NaN models.

`AUDIOZOO_FAULT=POINT[#N][=pause]` makes the run kill itself (or sleep) the
N-th time it reaches POINT (`applications.atomic_io.fault_point`), so each
instant is hit deterministically. After every kill the same command is run
again; the chain ends with a run that finishes, and its history and weights
must equal an uninterrupted run's.
"""

import json
import os
import re
import signal
import time

import h5py
import numpy as np
import pytest

from applications import cli
from tests.applications.cli.test_finetune import TINY, TINY_COMMON, make_tones
from tests.applications.training.test_resume import ENV, saved_weights, start_cli

# From scratch, every epoch trained (no early stop), no baseline: the cheapest full run.
SCRATCH = [*TINY_COMMON, "--seed", "3", "--patience", "0", "--no-baseline"]


def _start(data, out, flags, fault=None):
    env = {k: v for k, v in ENV.items() if k != "AUDIOZOO_FAULT"}
    if fault:
        env["AUDIOZOO_FAULT"] = fault
    args = ["finetune", "--data", data, "--weights", "none", "--out", str(out), *flags]
    return start_cli(args, env)


def _finish(proc, code=0):
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == code, output[-3000:]
    return output


def _refuse(constant):
    raise AssertionError(f"report.json holds {constant}, which is not JSON")


def _assert_backup_finite(folder, epochs):
    """The phase's backup holds the finite epochs only (none: no file), never a NaN state."""
    path = folder / "latest.weights.h5"
    if not epochs:
        assert not path.exists()
        return
    arrays = []
    with h5py.File(path, "r") as f:
        assert f.attrs["audiozoo_epoch"] == epochs
        f.visititems(
            lambda _, item: arrays.append(item[()]) if isinstance(item, h5py.Dataset) else None
        )
    assert arrays and all(np.isfinite(a).all() for a in arrays if a.dtype.kind == "f")


def _kill_chain(tmp_path, flags, faults, check=None):
    """Run with each fault in turn (each run resumes the last), then to the end; compare."""
    data = make_tones(tmp_path / "data")
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    reference = _start(data, clean, flags)
    outputs = []
    for fault in faults:
        outputs.append(_finish(_start(data, killed, flags, fault), code=-signal.SIGKILL))
        if check:
            check(fault, killed)
    outputs.append(_finish(_start(data, killed, flags)))
    _finish(reference)
    reports = [json.loads((out / "report.json").read_text()) for out in (killed, clean)]
    assert reports[0]["history"] == reports[1]["history"]
    for a, b in zip(saved_weights(killed), saved_weights(clean)):
        np.testing.assert_array_equal(a, b)
    assert not (killed / "backup").exists()
    assert not [n for n in os.listdir(killed) if n.startswith(".tmp-")]
    return reports[0], outputs


def test_kill_during_first_backup_write_and_final_model_write_resumes_to_identical_weights(
    tmp_path,
):
    def check(fault, out):
        names = os.listdir(out / "backup" / "scratch") if fault.startswith("write:latest") else []
        if names:
            # The first backup's temporary file exists, never a torn latest.weights.h5.
            assert [n for n in names if not n.startswith(".tmp-")] == [], names
        if fault == "write:model.keras":
            assert not (out / "model.keras").exists()

    report, outputs = _kill_chain(
        tmp_path, SCRATCH, ["write:latest.weights.h5", "write:model.keras"], check
    )
    assert len(report["history"]["scratch"]["loss"]) == 3
    assert "temporary file(s) a killed run left" in outputs[1]
    assert "Phase scratch: already complete" in outputs[2]


def test_refit_on_train_and_val_resumes_from_the_same_initial_weights_after_kills(tmp_path):
    # Kill while writing the initial weights, in refit's first epoch (before its
    # first backup: the rerun must start refit from the saved initial weights),
    # and while writing its second backup.
    faults = ["write:initial.weights.h5", "write:refit.best.npz#2", "write:latest.weights.h5#2"]
    report, outputs = _kill_chain(tmp_path, [*SCRATCH, "--refit", "on"], faults)
    assert report["epochs"] == {"scratch": 3, "refit": 3}
    assert len(report["history"]["refit"]["loss"]) == 3
    assert report["history"]["refit"]["best_epoch"] == 3  # the last epoch, not selected on val
    clips = report["counts"]["train"] + report["counts"]["val"]
    assert f"on train + val ({clips} clips" in outputs[1]
    assert "Phase scratch: already complete" in outputs[2]
    assert "Phase refit: kept its last epoch, 3." in outputs[-1]
    # Loading the initial weights into the compiled model is no news to the user.
    assert not any("Skipping variable loading" in output for output in outputs)


@pytest.mark.slow
def test_kill_at_many_instants_of_a_two_phase_run_resumes_to_identical_weights(tmp_path):
    flags = [*TINY, "--seed", "5", "--no-baseline"]
    flags[flags.index("--finetune-epochs") + 1] = "2"
    faults = [
        "write:head.best.npz",  # the phase's start kept as best
        "wrote:latest.weights.h5#2",  # the second backup in place, the first not yet removed
        "write:head.done.weights.h5",
        "write:latest.weights.h5#2",  # phase full: epoch 1 backup rotated to prev-, 2 not in
        "write:full.best.npz#2",
        "write:report.json",
        "remove:backup",
    ]
    report, _ = _kill_chain(tmp_path, flags, faults)
    assert [len(report["history"][p]["loss"]) for p in ("head", "full")] == [3, 2]


def test_a_second_run_into_the_same_out_fails_at_once_naming_the_pid(tmp_path):
    data = make_tones(tmp_path / "data", per_class=4)
    out = tmp_path / "out"
    first = _start(data, out, SCRATCH, fault="write:latest.weights.h5=pause")
    try:
        lock = out / ".audiozoo.lock"
        deadline = time.monotonic() + 120
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
            assert first.poll() is None and time.monotonic() < deadline, "first run did not start"
            time.sleep(0.05)
        output = _finish(_start(data, out, SCRATCH), code=2)
        assert f"in use by PID {first.pid}" in output and "Traceback" not in output
        assert first.poll() is None  # the first run goes on
    finally:
        first.kill()
        first.wait()


def test_nan_loss_fails_the_run_clearly_and_saves_no_model(tmp_path, capsys):
    data = make_tones(tmp_path / "data", per_class=4)
    out = tmp_path / "out"
    args = ["finetune", "--data", data, "--weights", "none", "--out", str(out), *SCRATCH]
    code = cli.main([*args, "--learning-rate", "1e30"])  # finite, valid, and diverges
    err = capsys.readouterr().err
    assert code == 1, err
    found = re.search(r"Phase scratch: the training loss became nan in epoch (\d) at learning", err)
    assert found and "rate 1e+30; training stopped and no model was saved" in err, err
    assert "Traceback" not in err
    assert not (out / "model.keras").exists() and not (out / "report.json").exists()
    _assert_backup_finite(out / "backup" / "scratch", epochs=int(found.group(1)) - 1)
    # The settings changed: refused without --overwrite, named.
    assert cli.main([*args, "--learning-rate", "1e-3"]) == 2
    assert "learning_rate: 1e+30 -> 0.001" in capsys.readouterr().err
    assert cli.main([*args, "--learning-rate", "1e-3", "--overwrite"]) == 0
    report = json.loads((out / "report.json").read_text(), parse_constant=_refuse)  # strict JSON
    assert report["settings"]["learning_rate"] == 1e-3
