"""`audiozoo demo-data`: the README's input files, readable by the commands that use them."""

import soundfile as sf

from applications import cli
from applications.data import load_dataset
from applications.music.grid import read_melody


def test_demo_data_writes_every_input_the_readme_reads(tmp_path, capsys):
    out = tmp_path / "demo-data"
    assert cli.main(["demo-data", "--out", str(out)]) == 0
    listed = capsys.readouterr().out
    for name in ("my_sounds/", "day.wav", "mix.wav", "my_tags/", "melody.mid", "human.mid"):
        assert name in listed and (out / name.rstrip("/")).exists(), name
    assert sorted(p.name for p in (out / "my_sounds").iterdir()) == [
        "augmented", "diminished", "major", "minor"
    ]  # fmt: skip
    assert len(list((out / "my_sounds" / "major").glob("*.wav"))) == 20
    day = sf.info(str(out / "day.wav"))
    assert (day.samplerate, day.frames) == (16000, 30 * 16000)
    assert sf.info(str(out / "mix.wav")).frames == 5 * 16000
    tags = load_dataset(str(out / "my_tags"), multilabel=True, sample_rate=16000)
    assert tags.class_names == ["high", "low", "mid"] and sum(tags.counts.values()) == 40
    tokens, beat, _ = read_melody(str(out / "melody.mid"))
    assert len(tokens) == 64 and len(beat) == 64  # 4 bars of 16ths, one voice
