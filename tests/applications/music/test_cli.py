"""`audiozoo music`: a tiny train -> harmonize / duet -> evaluate run, and the melody errors."""

import json

import pytest

import zoo
from applications import cli
from applications.music.render import write_score
from zoo.music.vocab import HOLD, pitch_token

TINY = ["--limit", "3", "--epochs", "1", "--units", "8", "--length", "16", "--batch-size", "8"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("music_cli")
    mp = pytest.MonkeyPatch()
    mp.setenv("AUDIOZOO_CACHE", str(root / "cache"))
    args = ["music", "train", "--model", "harmonize", "--out", str(root / "harmonize")]
    assert cli.main(args + TINY) == 0
    # The duet trains the same way; an untrained one is enough to stream (and saves a fit).
    (root / "duet").mkdir()
    zoo.create_model("bachduet", units=8, num_layers=1).save(root / "duet" / "model.keras")
    melody = [pitch_token(p) if i % 4 == 0 else HOLD for i, p in enumerate([67] * 4 + [69] * 4)]
    write_score([[t] for t in melody * 4], root / "melody.mid", ["Soprano"])
    yield root
    mp.undo()


def test_harmonize_writes_four_parts(runs, capsys):
    out = runs / "chorale.musicxml"
    args = ["music", "harmonize", "--model", str(runs / "harmonize" / "model.keras")]
    assert cli.main(args + [str(runs / "melody.mid"), "--out", str(out), "--beam", "2"]) == 0
    from music21 import converter

    assert len(converter.parse(str(out)).parts) == 4
    assert json.loads((runs / "harmonize" / "report.json").read_text())["pieces"]["train"] == 3


@pytest.mark.parametrize("value", ["0", "1.5", "nan"])
def test_top_p_outside_0_1_is_a_usage_error(runs, capsys, value):
    args = ["music", "harmonize", "--model", str(runs / "harmonize" / "model.keras")]
    args += [str(runs / "melody.mid"), "--out", str(runs / "x.mid"), "--top-p", value]
    assert cli.main(args) == 2
    assert "--top-p must be" in capsys.readouterr().err and not (runs / "x.mid").exists()


def test_harmonize_samples_from_the_nucleus_by_default(runs, monkeypatch):
    import inspect

    import zoo.music
    from applications.cli.music import TOP_P

    real, used = zoo.music.harmonize, []

    def recording(*args, **kwargs):
        used.append(inspect.signature(real).bind(*args, **kwargs).arguments.get("top_p", 1.0))
        return real(*args, **kwargs)

    monkeypatch.setattr(zoo.music, "harmonize", recording)
    args = ["music", "harmonize", "--model", str(runs / "harmonize" / "model.keras")]
    args += [str(runs / "melody.mid")]
    assert cli.main(args + ["--out", str(runs / "nucleus.mid")]) == 0
    assert cli.main(args + ["--out", str(runs / "whole.mid"), "--top-p", "1"]) == 0
    assert used == [TOP_P, 1.0] and 0 < TOP_P < 1


def test_duet_streams_the_human_voice(runs):
    out = runs / "duet.mid"
    args = ["music", "duet", "--model", str(runs / "duet" / "model.keras")]
    assert cli.main(args + ["--input", str(runs / "melody.mid"), "--out", str(out)]) == 0
    assert out.stat().st_size > 0


def test_duet_estimates_the_key_as_it_goes_with_a_key_model(runs, monkeypatch):
    from zoo.music import DuetStream

    key_out = str(runs / "key")
    assert cli.main(["music", "train", "--model", "key", "--out", key_out] + TINY) == 0
    seen = []
    respond = DuetStream.respond

    def spy(self, human, beat, key=None, *rest):
        token = respond(self, human, beat, key, *rest)
        seen.append((key, self.key_model is not None, int(self.key[0])))
        return token

    monkeypatch.setattr(DuetStream, "respond", spy)
    out = runs / "duet_key.mid"
    args = ["music", "duet", "--model", str(runs / "duet" / "model.keras")]
    args += ["--key-model", key_out + "/model.keras", "--input", str(runs / "melody.mid")]
    assert cli.main(args + ["--out", str(out)]) == 0
    assert len(seen) == 32 and all(k is None and has for k, has, _ in seen)
    assert all(0 <= estimate < 24 for _, _, estimate in seen) and out.stat().st_size > 0


def test_a_duet_model_is_refused_as_key_model(runs, capsys):
    args = ["music", "duet", "--model", str(runs / "duet" / "model.keras"), "--key-model"]
    args += [str(runs / "duet" / "model.keras"), "--input", str(runs / "melody.mid")]
    assert cli.main(args + ["--out", str(runs / "x.mid")]) == 2
    assert "--key-model" in capsys.readouterr().err and not (runs / "x.mid").exists()


def test_a_model_of_the_other_kind_is_refused(runs, capsys):
    args = ["music", "duet", "--model", str(runs / "harmonize" / "model.keras")]
    assert cli.main(args + ["--input", str(runs / "melody.mid"), "--out", "x.mid"]) == 2
    assert "is not a duet model" in capsys.readouterr().err


def _melody_file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


XML = """<?xml version="1.0"?><score-partwise version="3.1"><part-list>{parts}</part-list>{body}
</score-partwise>"""


def _part(i, notes):
    return (
        f'<part id="P{i}"><measure number="1"><attributes><divisions>8</divisions></attributes>'
        + notes
        + "</measure></part>"
    )


def _note(step, duration, chord=False):
    return (
        f"<note>{'<chord/>' if chord else ''}<pitch><step>{step}</step><octave>4</octave></pitch>"
        f"<duration>{duration}</duration><type>quarter</type></note>"
    )


def _xml(*parts):
    heads = "".join(
        f'<score-part id="P{i}"><part-name>p{i}</part-name></score-part>' for i in range(len(parts))
    )
    return XML.format(parts=heads, body="".join(_part(i, n) for i, n in enumerate(parts)))


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("bad.musicxml", "<score-partwise><oops", "cannot be parsed"),
        ("empty.musicxml", _xml("<forward><duration>32</duration></forward>"), "no notes"),
        ("chord.musicxml", _xml(_note("C", 8) + _note("E", 8, chord=True)), "measure 1: a chord"),
        ("two.musicxml", _xml(_note("C", 32), _note("E", 32)), "2 parts have notes"),
        (
            "fine.musicxml",
            _xml(_note("C", 1) + _note("D", 7)),
            "measure 1: end at 0.125 quarter notes is finer than the 16th",
        ),
    ],
)
def test_bad_melodies_are_usage_errors_naming_file_and_measure(
    runs, tmp_path, capsys, name, text, message
):
    path = _melody_file(tmp_path, name, text)
    out = tmp_path / "out.mid"
    args = ["music", "harmonize", "--model", str(runs / "harmonize" / "model.keras"), str(path)]
    assert cli.main(args + ["--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert name in err and message in err, err
    assert not out.exists() and not list(tmp_path.glob(".tmp*"))


def test_unknown_output_suffix_is_refused(runs, capsys):
    args = ["music", "harmonize", "--model", str(runs / "harmonize" / "model.keras")]
    assert cli.main(args + [str(runs / "melody.mid"), "--out", "x.wav"]) == 2
    assert "unknown score format .wav" in capsys.readouterr().err


def test_wav_without_fluidsynth_says_what_is_missing(runs, capsys, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = runs / "nowav.mid"
    args = ["music", "harmonize", "--model", str(runs / "harmonize" / "model.keras")]
    assert cli.main(args + [str(runs / "melody.mid"), "--out", str(out), "--wav"]) == 1
    err = capsys.readouterr().err
    assert "--wav needs fluidsynth, which is not installed" in err and out.exists()


def test_a_rerun_with_other_settings_is_refused_naming_them(runs, capsys):
    out = str(runs / "harmonize")
    more = [a if a != "1" else "2" for a in TINY]  # --epochs 2
    other = [
        "music",
        "train",
        "--model",
        "harmonize",
        "--out",
        out,
        *more,
        "--learning-rate",
        "0.01",
    ]
    assert cli.main(other) == 2
    err = capsys.readouterr().err
    assert "holds a run with other settings (epochs: 1 -> 2, learning_rate: 0.002 -> 0.01)" in err
    assert "--overwrite" in err
    assert len(json.loads((runs / "harmonize" / "report.json").read_text())["history"]["loss"]) == 1


def test_evaluate_reports_scores_rules_notes_and_the_decoding(runs):
    from applications.cli.music import TOP_P

    out = runs / "evaluation"
    args = ["music", "evaluate", "--model", str(runs / "harmonize" / "model.keras")]
    assert cli.main(args + ["--out", str(out), "--pieces", "10", "--limit", "1"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["pieces"] == 1 and report["decoding"]["top_p"] == TOP_P
    rules = report["rules_per_100_beats"]
    assert set(rules) == {"bach", "model", "baseline"}
    # Notes the lower voices strike, per 100 beats: at most 3 voices x 4 steps a beat.
    for figures in rules.values():
        assert 0 < figures["lower_voice_notes"] <= 1200
    assert (out / "piano_roll.png").stat().st_size > 0
