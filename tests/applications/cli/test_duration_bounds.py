"""Issue 28, item 7: every duration flag is bounded up front, naming the flag and its limit."""

import numpy as np
import pytest
import soundfile

from applications.cli import main


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "a.wav"
    soundfile.write(path, np.zeros(800, "float32"), 8000)
    return str(path)


@pytest.mark.parametrize(
    "args, message",
    [
        (["separate", "train", "--segment-seconds", "1e9"], "`segment_seconds` must be in (0, 600] s"),
        (["separate", "train", "--test-seconds", "1e9"], "`test_seconds` must be in (0, 600] s"),
        (["separate", "train", "--sample-rate", "1000000000"], "`sample_rate` must be an integer in"),
        (["events", "train", "--data", ".", "--clip-seconds", "1e9"], "`clip_seconds` must be in [0.5, 600] s"),
        (["events", "train", "--data", ".", "--median-ms", "1e12"], "`median_ms` must be in [0, 600000] ms"),
        (["wavenet", "train", "--clip-seconds", "1e9"], "`clip_seconds` must be in (0, 600] s"),
        (["finetune", "--clip-seconds", "1e9"], "`clip_seconds` must be in (0, 600] s"),
        (["wavenet", "generate", "--model", "m.keras", "--seconds", "1e300"], "--seconds must be <= 600"),
        (["separate", "apply", "--model", "m.keras", "WAV", "--chunk-seconds", "1e9"], "--chunk-seconds must be <= 600"),
        (["predict", "--model", "m.keras", "WAV", "--window", "1e9"], "--window must be <= 600"),
        (["predict", "--model", "m.keras", "WAV", "--window", "1", "--hop", "1e9"], "--hop must be <= 600"),
    ],
)  # fmt: skip
def test_a_huge_duration_stops_at_once_naming_its_flag_and_limit(
    tmp_path, capsys, wav, args, message
):
    args = [wav if a == "WAV" else a for a in args]
    if args[1] in ("train",) or args[0] == "finetune":
        args += ["--out", str(tmp_path / "out")]
    elif args[1] in ("generate",):
        args += ["--out", str(tmp_path / "g.wav")]
    elif args[1] == "apply":
        args += ["--out", str(tmp_path / "sep")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err.splitlines()[0] and "Traceback" not in err
    assert not (tmp_path / "out").exists()
