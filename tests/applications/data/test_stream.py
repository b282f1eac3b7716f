"""Long files in blocks: window starts and ends, and windows read block by block equal
slices of the whole file (stereo mixed to mono the same way)."""

import numpy as np
import pytest
import soundfile as sf

from applications.data.stream import window_starts, windows
from applications.errors import UsageError


@pytest.mark.parametrize(
    "total, window, hop, expected",
    [
        (10, 4, 3, [0, 3, 6]),  # 6 + 4 = 10: the last regular window reaches the end
        (11, 4, 3, [0, 3, 6, 9]),  # one sample left: one more, padded window
        (10, 2, 5, [0, 5]),  # hop > window: gaps, nothing after the end
        (3, 4, 2, [0]),  # shorter than a window: one padded window
        (8, 4, 4, [0, 4]),
    ],
)
def test_window_starts(total, window, hop, expected):
    assert window_starts(total, window, hop) == expected


@pytest.mark.parametrize("window, hop, block", [(400, 150, 97), (400, 400, 1000), (300, 700, 64)])
def test_blocks_equal_the_whole_file(tmp_path, window, hop, block):
    rng = np.random.default_rng(0)
    stereo = rng.uniform(-0.5, 0.5, (2345, 2)).astype(np.float32)
    path = str(tmp_path / "long.wav")
    sf.write(path, stereo, 8000, subtype="FLOAT")
    whole = sf.read(path, dtype="float32")[0].mean(axis=1)
    got = list(windows(path, 8000, window, hop, block=block))
    assert [w.start for w in got] == window_starts(len(whole), window, hop)
    for w in got:
        assert w.end == min(w.start + window, len(whole))
        expected = np.zeros(window, np.float32)
        expected[: w.end - w.start] = whole[w.start : w.end]
        np.testing.assert_array_equal(w.samples, expected)


def test_another_rate_is_refused_not_resampled(tmp_path):
    path = str(tmp_path / "a.wav")
    sf.write(path, np.zeros(100, np.float32), 22050)
    with pytest.raises(UsageError, match="is at 22050 Hz; the model takes 16000 Hz"):
        next(windows(path, 16000, 10, 10))
