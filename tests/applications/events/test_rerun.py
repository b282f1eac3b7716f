"""Issue 28, item 5: `events train` into an OUT that holds another task's run."""

import json

from applications.cli import main
from applications.events.scenes import _progression, _scene
from tests.applications.events.test_train import _data

TINY = ["--epochs", "1", "--clip-seconds", "1", "--batch-size", "4", "--no-plots"]


def test_a_chords_rerun_into_an_events_out_is_refused_unless_overwrite(tmp_path, capsys):
    events = _data(tmp_path / "events", _scene, "event_label", files=(3, 1), seconds=2.0)
    chords = _data(tmp_path / "chords", _progression, "chord", files=(3, 1), seconds=2.0)
    out = tmp_path / "O"
    assert main(["events", "train", "--data", str(events), "--out", str(out), *TINY]) == 0
    model, report = (out / "model.keras").read_bytes(), (out / "report.json").read_text()
    capsys.readouterr()
    chord_run = ["events", "train", "--task", "chords", "--data", str(chords), "--out", str(out)]
    assert main([*chord_run, *TINY]) == 2
    err = capsys.readouterr().err
    assert "holds a run with other settings" in err and "task: 'events' -> 'chords'" in err
    assert err.startswith("audiozoo events: error: --out ") and "Traceback" not in err
    assert "--overwrite" in err.splitlines()[1]  # the one hint line
    # The first run is untouched.
    assert (out / "model.keras").read_bytes() == model
    assert (out / "report.json").read_text() == report
    assert main([*chord_run, *TINY, "--overwrite"]) == 0
    assert json.loads((out / "settings.json").read_text())["task"] == "chords"
    assert "majmin" in json.loads((out / "report.json").read_text())["test"]
