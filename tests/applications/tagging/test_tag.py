"""`audiozoo tag`: windows read in blocks at any rate, repeat-padding, outputs, and clear errors."""

import json

import numpy as np
import pytest
import soundfile as sf

from applications import cli
from applications.tagging.report import files_json, top_tags_line, write_taggram
from applications.tagging.tag import RATE, tag_file, window_samples

TAGS = ("a", "b", "c")


class MeanModel:
    """A stand-in tagger: each tag's 'probability' is a statistic of the window, so
    the windows it saw can be checked from its outputs."""

    def __init__(self):
        self.windows = []

    def predict_on_batch(self, batch):
        self.windows.extend(np.asarray(batch))
        batch = np.asarray(batch)
        return np.stack([batch.mean(axis=1), np.abs(batch).max(axis=1), batch[:, 0]], axis=1)


def _write(path, seconds, rate, seed=0):
    rng = np.random.default_rng(seed)
    samples = (0.1 * rng.standard_normal(int(seconds * rate))).astype(np.float32)
    sf.write(path, samples, rate, subtype="FLOAT")
    return samples


def test_the_published_window_is_187_frames():
    assert window_samples(3.0) == 186 * 256 and 1 + window_samples(3.0) // 256 == 187


def test_a_16k_file_is_cut_into_whole_windows_as_the_official_tagger(tmp_path):
    path = str(tmp_path / "x.wav")
    samples = _write(path, 10.0, RATE)
    model = MeanModel()
    result = tag_file(model, TAGS, path)
    window = window_samples(3.0)
    assert len(model.windows) == 3  # 10 s: three whole 3 s windows, the tail dropped
    for k, seen in enumerate(model.windows):
        start = round(k * 3.0 * RATE)
        np.testing.assert_array_equal(seen, samples[start : start + window])
    np.testing.assert_allclose(result.starts, [0.0, 3.0, 6.0])
    assert result.probabilities["a"] == pytest.approx(result.taggram[:, 0].mean())


def test_another_rate_is_resampled_in_blocks_like_the_whole_file(tmp_path):
    from scipy.signal import resample_poly

    path = str(tmp_path / "x.wav")
    samples = _write(path, 40.0, 44100)  # longer than one read block
    whole = resample_poly(samples.astype(np.float64), 160, 441).astype(np.float32)
    model = MeanModel()
    tag_file(model, TAGS, path, hop_seconds=1.5)
    window = window_samples(3.0)
    assert len(model.windows) == (len(whole) - window) // 24000 + 1
    for k, seen in enumerate(model.windows):
        np.testing.assert_allclose(seen, whole[k * 24000 : k * 24000 + window], atol=1e-6)


def test_a_short_file_is_repeat_padded_and_a_tiny_one_refused(tmp_path):
    path = str(tmp_path / "short.wav")
    samples = _write(path, 1.0, RATE)
    model = MeanModel()
    tag_file(model, TAGS, path)
    (seen,) = model.windows
    np.testing.assert_array_equal(seen, np.resize(samples, window_samples(3.0)))
    _write(str(tmp_path / "tiny.wav"), 0.01, RATE)
    with pytest.raises(ValueError, match="too short to tag"):
        tag_file(MeanModel(), TAGS, str(tmp_path / "tiny.wav"))


def test_outputs_text_json_and_taggram_files(tmp_path):
    path = str(tmp_path / "song.wav")
    _write(path, 7.0, RATE)
    result = tag_file(MeanModel(), TAGS, path, window_seconds=2.0, hop_seconds=1.0)
    line = top_tags_line(result, 2)
    assert line.startswith(f"{path}: ") and line.count(",") == 1
    parsed = json.loads(files_json("musicnn (mtt)", [result]))
    assert parsed["model"] == "musicnn (mtt)" and set(parsed["files"][0]["probabilities"]) == {
        "a",
        "b",
        "c",
    }
    written = write_taggram(result, str(tmp_path / "out"), plot=True)
    assert [p.rsplit(".", 1)[1] for p in written] == ["csv", "json", "png"]
    rows = open(written[0]).read().splitlines()
    assert rows[0] == "start_s,a,b,c" and len(rows) == 1 + len(result.starts)
    assert json.load(open(written[1]))["starts_s"] == result.starts.round(3).tolist()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--top", "0"], "--top must be >= 1"),
        (["--window", "0.5"], "--window must be >= 1"),
        (["--backbone", "musicnn_vgg", "--window", "2"], "musicnn_vgg takes only 3 s"),
    ],
)
def test_bad_flags_are_one_line_before_any_model_loads(tmp_path, capsys, argv, message):
    path = str(tmp_path / "x.wav")
    _write(path, 1.0, RATE)
    assert cli.main(["tag", path, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_missing_file_is_named(tmp_path, capsys):
    assert cli.main(["tag", str(tmp_path / "nope.wav")]) == 2
    assert "nope.wav" in capsys.readouterr().err
