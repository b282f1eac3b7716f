"""finetune, evaluate and predict on a folder with non-UTF-8 class and file
names and a FLAC whose body is corrupt: one clear line naming the file and the
command's own `--skip-bad`, or the right result with it; never a traceback."""

import io
import json
import os

import numpy as np
import pytest
import soundfile as sf

from applications import cli
from tests.applications.cli.test_finetune import TINY_COMMON, make_tones

SCRATCH = ["--weights", "none", "--backbone", "cnn10_compact", "--no-baseline", *TINY_COMMON]
SCRATCH += ["--epochs", "1"]  # the last --epochs wins


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """Tones whose class `high` is named b"hi\\xffgh" and one file b"\\xff0.wav", plus a corrupt FLAC."""
    root = make_tones(tmp_path_factory.mktemp("messy") / "data", per_class=6)
    broot = os.fsencode(root)
    os.rename(os.path.join(broot, b"high"), os.path.join(broot, b"hi\xffgh"))
    os.rename(os.path.join(broot, b"low", b"0.wav"), os.path.join(broot, b"low", b"\xff0.wav"))
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(4000, "float32") + 0.1, 8000, format="FLAC", subtype="PCM_16")
    data = bytearray(buffer.getvalue())
    data[len(data) // 3 :: 5] = b"\x5a" * len(data[len(data) // 3 :: 5])  # header intact
    with open(os.path.join(broot, b"mid", b"corrupt.flac"), "wb") as f:
        f.write(bytes(data))
    return root


@pytest.fixture(scope="module")
def run_out(messy, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("messy_run") / "out")
    assert cli.main(["finetune", "--data", messy, "--out", out, "--skip-bad", *SCRATCH]) == 0
    return out


def _no_traceback(captured):
    assert "Traceback" not in captured.err + captured.out
    assert "surrogates" not in captured.err + captured.out


def test_finetune_names_the_corrupt_flac_and_its_flag(messy, tmp_path, capsys):
    out = str(tmp_path / "out")
    assert cli.main(["finetune", "--data", messy, "--out", out, *SCRATCH]) == 2
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "corrupt.flac: not a readable audio file" in captured.err
    assert "--skip-bad" in captured.err and "skip_bad=True" not in captured.err


def test_finetune_skips_it_and_keeps_odd_names(run_out, capsys):
    with open(os.path.join(run_out, "labels.json")) as f:
        labels = json.load(f)
    assert labels["class_names"] == ["hi\\xffgh", "low", "mid"]
    with open(os.path.join(run_out, "report.json")) as f:
        skipped = json.load(f)["dataset"]["skipped"]
    assert [os.path.basename(p) for p, _ in skipped] == ["corrupt.flac"]


def test_evaluate_has_skip_bad(run_out, messy, capsys):
    model = os.path.join(run_out, "model.keras")
    assert cli.main(["evaluate", "--model", model, "--data", messy]) == 2
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "corrupt.flac" in captured.err and "Pass --skip-bad" in captured.err
    assert cli.main(["evaluate", "--model", model, "--data", messy, "--skip-bad", "--json"]) == 0
    captured = capsys.readouterr()
    _no_traceback(captured)
    scores = json.loads(captured.out)
    assert scores["count"] == 3 and set(scores["per_class"]) == {"hi\\xffgh", "low", "mid"}
    assert "skipped" in captured.err and "corrupt.flac" in captured.err


def test_predict_odd_name_and_garbage_mp3(run_out, messy, tmp_path, capsys):
    model = os.path.join(run_out, "model.keras")
    odd = os.fsdecode(os.path.join(os.fsencode(messy), b"low", b"\xff0.wav"))
    assert cli.main(["predict", "--model", model, odd, "--top-k", "1"]) == 0
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "low/\\xff0.wav: " in captured.out
    garbage = tmp_path / "song.mp3"
    garbage.write_bytes(np.random.default_rng(0).bytes(4096))
    assert cli.main(["predict", "--model", model, str(garbage)]) == 2
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "song.mp3: not a readable audio file (its contents are not MP3" in captured.err
    assert "possibly a pipe" not in captured.err
