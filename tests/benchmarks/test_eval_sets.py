"""benchmarks/eval_sets.py: held-out splits, manifest, MIDI bytes, atomic writes, tool errors.

The split logic, the MIDI writer and the error paths run everywhere; making
audio needs espeak-ng / fluidsynth / sox and runs where they are installed.
"""

import json
import os
import shutil
import stat
import sys

import numpy as np
import pytest
import soundfile as sf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))

import eval_sets
import eval_sets_common as common
import eval_sets_instruments as instruments
import eval_sets_words as words

HAVE_ESPEAK = all(shutil.which(t) for t in ("espeak-ng", "sox"))
HAVE_FLUIDSYNTH = all(shutil.which(t) for t in ("fluidsynth", "sox")) and os.path.isfile(
    instruments.SOUNDFONT
)


def test_split_groups_deals_whole_groups_once():
    groups = [f"g{i}" for i in range(10)]
    split = common.split_groups(groups, {"train": 5, "val": 2, "test": 3}, seed=0)
    assert {k: len(v) for k, v in split.items()} == {"train": 5, "val": 2, "test": 3}
    dealt = split["train"] + split["val"] + split["test"]
    assert sorted(dealt) == sorted(groups)
    assert common.split_groups(groups, {"train": 5, "val": 2, "test": 3}, seed=0) == split
    assert common.split_groups(groups, {"train": 5, "val": 2, "test": 3}, seed=1) != split
    with pytest.raises(ValueError, match="Need 11 groups"):
        common.split_groups(groups, {"train": 8, "test": 3}, seed=0)


def test_words_plan_keeps_every_speaker_and_variant_in_one_split():
    people, clips = words.plan(seed=3)
    ids = {s: {p["id"] for p in people[s]} for s in common.SPLITS}
    variants = {s: {p["variant"] for p in people[s]} for s in common.SPLITS}
    for a, b in [("train", "test"), ("train", "val"), ("val", "test")]:
        assert not ids[a] & ids[b] and not variants[a] & variants[b]
    assert {s: len(v) for s, v in ids.items()} == words.SPEAKERS
    for clip in clips:
        assert clip["speaker"] in ids[clip["split"]]
    assert len({c["file"] for c in clips}) == len(clips)
    per_class = common.counts(clips)
    for split in common.SPLITS:
        expected = words.SPEAKERS[split] * words.TAKES[split]
        assert per_class[split] == {w: expected for w in sorted(words.WORDS)}


def test_instruments_plan_tests_on_unseen_programs_of_each_family():
    programs, clips = instruments.plan(seed=5)
    for family, (first, (low, high)) in instruments.FAMILIES.items():
        dealt = [p for s in common.SPLITS for p in programs[s][family]]
        assert sorted(dealt) == list(range(first, first + 8))  # each program in one split
        assert {s: len(programs[s][family]) for s in common.SPLITS} == instruments.PROGRAMS
    for clip in clips:
        assert clip["program"] in programs[clip["split"]][clip["label"]]
        low, high = instruments.FAMILIES[clip["label"]][1]
        assert low <= clip["pitch"] <= high and 40 <= clip["velocity"] <= 127
    assert len({c["file"] for c in clips}) == len(clips)
    assert common.counts(clips)["test"]["brass"] == 2 * instruments.NOTES["test"]


def _read_midi_notes(data):
    """(tick, status, key, velocity) of each note event in a type-0 MIDI file."""
    assert data[:4] == b"MThd" and data[14:18] == b"MTrk"
    track, i, tick, out = data[22:], 0, 0, []
    while i < len(track):
        delta = 0
        while True:
            delta = (delta << 7) | (track[i] & 0x7F)
            i += 1
            if not track[i - 1] & 0x80:
                break
        tick += delta
        status = track[i]
        if status == 0xFF:
            break
        size = 2 if status >> 4 in (0xC, 0xD) else 3
        if status >> 4 in (0x8, 0x9):
            out.append((tick, status, track[i + 1], track[i + 2]))
        i += size
    return out


def test_midi_file_plays_each_note_in_its_slot():
    assert [instruments._vlq(n) for n in (0, 0x7F, 0x80, 0x3FFF, 0x200000)] == [
        b"\x00", b"\x7f", b"\x81\x00", b"\xff\x7f", b"\x81\x80\x80\x00"
    ]  # fmt: skip
    _, clips = instruments.plan(seed=0, notes={"train": 1, "val": 1, "test": 1})
    notes = _read_midi_notes(instruments.midi_file(clips[:3]))
    slot = round(instruments.SLOT_SECONDS * instruments.TICKS_PER_SECOND)
    ons = [(t, k, v) for t, s, k, v in notes if s == 0x90]
    assert ons == [(i * slot + 1, c["pitch"], c["velocity"]) for i, c in enumerate(clips[:3])]
    offs = [t for t, s, _, _ in notes if s == 0x80]
    lengths = [round(c["seconds"] * instruments.TICKS_PER_SECOND) for c in clips[:3]]
    assert offs == [i * slot + 1 + n for i, n in enumerate(lengths)]


def test_atomic_folder_leaves_nothing_on_error_and_refuses_to_clobber(tmp_path):
    out = tmp_path / "set"
    with pytest.raises(RuntimeError), common.atomic_folder(str(out)) as tmp:
        open(os.path.join(tmp, "a.wav"), "w").close()
        raise RuntimeError("killed")
    assert os.listdir(tmp_path) == []
    with common.atomic_folder(str(out)) as tmp:
        open(os.path.join(tmp, "old"), "w").close()
    with pytest.raises(FileExistsError, match="--overwrite"), common.atomic_folder(str(out)):
        pass
    with common.atomic_folder(str(out), overwrite=True) as tmp:
        open(os.path.join(tmp, "new"), "w").close()
    assert os.listdir(out) == ["new"] and os.listdir(tmp_path) == ["set"]


def test_place_crops_with_a_fade_and_noise_is_colored():
    clip = common.place(np.ones(20000, np.float32), 16000, 100)
    assert clip.shape == (16000,) and clip[:100].max() == 0 and clip[5000] == 1
    assert clip[-1] == 0 and 0 < clip[-160] < 1
    rng = np.random.default_rng(0)
    white, brown = common.colored_noise(rng, 16000, 0.0), common.colored_noise(rng, 16000, 2.0)
    assert np.sqrt(np.mean(brown**2)) == pytest.approx(1.0)
    low = [np.abs(np.fft.rfft(n)[:400]).mean() / np.abs(np.fft.rfft(n)[4000:]).mean()
           for n in (white, brown)]  # fmt: skip
    assert low[1] > 10 * low[0]


def _fake_tools(tmp_path, names):
    """A PATH holding only do-nothing `names`, so the real tools are not found."""
    folder = tmp_path / "bin"
    folder.mkdir(parents=True)
    for name in names:
        path = folder / name
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(folder)


def test_missing_tool_is_one_line_naming_the_apt_package(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", _fake_tools(tmp_path, ["sox"]))
    with pytest.raises(common.MissingToolError) as error:
        words.make_words_set(str(tmp_path / "w"))
    assert (
        str(error.value)
        == "espeak-ng not found on PATH; install with: apt-get install -y espeak-ng"
    )
    assert eval_sets.main(["instruments", "--out", str(tmp_path / "i")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "apt-get install -y fluidsynth" in err
    monkeypatch.setenv("PATH", _fake_tools(tmp_path / "x", ["fluidsynth", "sox"]))
    with pytest.raises(common.MissingToolError, match="apt-get install -y fluid-soundfont-gm"):
        instruments.make_instruments_set(str(tmp_path / "i"), soundfont=str(tmp_path / "no.sf2"))
    assert not os.path.exists(tmp_path / "w") and not os.path.exists(tmp_path / "i")


def _check_set(out, manifest, group_key):
    """Every listed clip is a 1 s 16 kHz mono PCM16 file with sound; groups never cross splits."""
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        assert json.load(f) == json.loads(json.dumps(manifest))
    groups = {}
    for clip in manifest["clips"]:
        info = sf.info(os.path.join(out, clip["file"]))
        assert (info.samplerate, info.channels, info.frames, info.subtype) == (
            16000, 1, 16000, "PCM_16"
        )  # fmt: skip
        audio, _ = sf.read(os.path.join(out, clip["file"]))
        assert np.abs(audio).max() > 0.05
        groups.setdefault(clip[group_key], set()).add(clip["split"])
    assert all(len(splits) == 1 for splits in groups.values())
    files = sum(len(fs) for _, _, fs in os.walk(out) if fs)
    assert files == manifest["total_clips"] + 1 == len(manifest["clips"]) + 1


@pytest.mark.skipif(not HAVE_ESPEAK, reason="needs espeak-ng and sox (apt-get install)")
def test_tiny_words_set_is_written(tmp_path):
    out = str(tmp_path / "words")
    sizes = {"train": 2, "val": 1, "test": 1}
    manifest = words.make_words_set(out, seed=0, speakers=sizes, takes=sizes, words=("one", "two"))
    _check_set(out, manifest, "speaker")
    assert manifest["counts"] == {"train": {"one": 4, "two": 4}, "val": {"one": 1, "two": 1},
                                  "test": {"one": 1, "two": 1}}  # fmt: skip
    assert "espeak-ng" in manifest["tools"] and "sox" in manifest["tools"]


@pytest.mark.skipif(not HAVE_FLUIDSYNTH, reason="needs fluidsynth, sox, fluid-soundfont-gm")
def test_tiny_instruments_set_is_written(tmp_path):
    out = str(tmp_path / "instruments")
    manifest = instruments.make_instruments_set(
        out, seed=0, programs={"train": 2, "val": 1, "test": 1},
        notes={"train": 1, "val": 1, "test": 2}, families=("bass", "pipe"),
    )  # fmt: skip
    _check_set(out, manifest, "program")
    assert manifest["counts"]["test"] == {"bass": 2, "pipe": 2}
    assert manifest["classes"] == ["bass", "pipe"] and "fluidsynth" in manifest["tools"]
