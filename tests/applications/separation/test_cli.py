"""`audiozoo separate train|apply` end to end at tiny sizes, and their bad-input errors."""

import json

import keras
import numpy as np
import pytest
import soundfile

import zoo
from applications.cli import main
from applications.errors import UsageError
from applications.separation.apply import separate_files

TINY_TRAIN = [
    "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2", "--segment-seconds", "0.1",
    "--test-mixtures", "2", "--test-seconds", "0.2",
]  # fmt: skip


def test_train_writes_model_report_and_picture(tmp_path, monkeypatch):
    # The job at its tiny registered size: the default U-Net takes minutes to compile here.
    monkeypatch.setattr(zoo, "create_model", lambda n, **kw: zoo.get_entry(n).build_tiny(**kw))
    out = tmp_path / "run"
    assert main(["separate", "train", "--out", str(out), "--model", "unet", *TINY_TRAIN]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["sources"] == ["bursts", "chirps", "tones"]
    for name in report["sources"]:
        for key in ("si_sdr_mixture", "si_sdr", "si_sdri", "sdr", "sir", "sar"):
            assert len(report["per_mixture"][name][key]) == 2
            assert np.isfinite(report["median"][name][key])
        assert report["oracle_median"][name]["si_sdri"] > 5  # ideal masks do separate
    assert (out / "separation.png").stat().st_size > 0
    assert not (out / "backup").exists()
    model = keras.saving.load_model(out / "model.keras", safe_mode=True)
    assert model(np.zeros((1, 3000), "float32")).shape == (1, 3, 3000)


def test_a_few_steps_lower_the_loss():
    from applications.separation.mixing import training_batch
    from applications.separation.synthetic import builtin_sources

    clips = builtin_sources(train_clips=2, test_clips=1, seconds=0.5)
    x, y = training_batch(clips.train, clips.names, 2000, 4, seed=0, step=0)
    keras.utils.set_random_seed(0)
    model = zoo.get_entry("unet").build_tiny(sources=clips.names)
    # SGD: its train step compiles in a fraction of Adam's time.
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=zoo.separation.negative_snr)
    before = model.evaluate(x, y, verbose=0)
    for _ in range(6):
        model.train_on_batch(x, y)
    assert model.evaluate(x, y, verbose=0) < before - 0.2  # dB


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.keras"
    zoo.get_entry("unmix").build_tiny(sources=("voice", "piano"), sample_rate=8000).save(path)
    return path


@pytest.mark.parametrize("rate", [8000, 11025])
def test_apply_writes_each_source_at_the_input_rate_and_length(tmp_path, model_file, rate):
    mix = tmp_path / "song.wav"
    soundfile.write(mix, np.random.default_rng(0).uniform(-0.5, 0.5, 5001), rate)
    out = tmp_path / "out"
    args = ["separate", "apply", "--model", str(model_file), str(mix), "--out", str(out)]
    assert main([*args, "--chunk-seconds", "0.2"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["song_piano.wav", "song_voice.wav"]
    for name in ("piano", "voice"):
        wave, written_rate = soundfile.read(out / f"song_{name}.wav")
        assert (written_rate, len(wave)) == (rate, 5001)


def test_chunks_match_one_pass_away_from_the_seams():
    from applications.separation.apply import separate_waveform

    model = zoo.get_entry("unet").build_tiny()
    wave = np.random.default_rng(1).standard_normal(4000).astype("float32")
    whole = separate_waveform(model, wave, 4000, 0)
    # Chunks on the U-Net's grid (hop 16 x 2**3 levels) with more context than it sees,
    # in batches of two windows; the file's ends differ (zero padding vs the U-Net's own).
    chunked = separate_waveform(model, wave, 1000, 1000, align=128, batch=2)
    assert chunked.shape == whole.shape == (2, 4000)
    np.testing.assert_allclose(chunked[:, 600:-600], whole[:, 600:-600], atol=1e-4)


@pytest.mark.parametrize(
    "write, message",
    [
        (lambda p: soundfile.write(p, np.zeros(4000), 8000), "is silent"),
        (lambda p: p.write_bytes(b"RIFF nonsense"), "bad.wav"),
        (lambda p: soundfile.write(p, np.ones(10) * 0.1, 8000), "is too short"),
    ],
    ids=["silent", "unreadable", "too-short"],
)
def test_apply_refuses_a_bad_mixture_before_writing_anything(tmp_path, model_file, write, message):
    good, bad = tmp_path / "good.wav", tmp_path / "bad.wav"
    soundfile.write(good, np.random.default_rng(0).uniform(-0.5, 0.5, 4000), 8000)
    write(bad)
    model = keras.saving.load_model(model_file, safe_mode=True)
    with pytest.raises(UsageError, match=message):
        separate_files(model, [str(good), str(bad)], str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_train_refuses_a_bad_sources_folder_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "data" / "a").mkdir(parents=True)
    (tmp_path / "data" / "b").mkdir()
    out = tmp_path / "run"
    code = main(["separate", "train", "--sources", str(tmp_path / "data"), "--out", str(out)])
    assert code == 2
    assert "has 0 audio file(s)" in capsys.readouterr().err
    assert not out.exists()
