"""`events detect` streams long files: windows with context on the whole file's frame grid."""

import numpy as np
import pytest
import soundfile

import zoo
from applications.events.detect import score_file
from applications.events.streaming import score_path

BLOCKS = ((4, 2, 2), (4, 2, 2))  # 4 log-mel frames of 128 samples per output frame: 512
STEP = 512 / 8000


@pytest.fixture(scope="module")
def model():
    model = zoo.events.crnn(3, blocks=BLOCKS, sample_rate=8000, n_fft=256, hop_length=128,
                            n_mels=16, gru_units=4)  # fmt: skip
    # A random GRU may remember for minutes (its update gate near 1); a trained one
    # forgets within seconds. Open the update gates and shrink the recurrent weights,
    # so a few frames of context reach the one-pass scores and the test checks the
    # windows' placement on the frame grid.
    for variable in model.get_layer("bigru").weights:
        value = variable.numpy()
        if variable.path.endswith("bias"):
            value[..., :4] = -12.0  # update gate z (gates z, r, h; 4 units)
        elif "recurrent" in variable.path:
            value = 0.3 * value
        variable.assign(value)
    return model


def _file(tmp_path, samples, rate=8000):
    t = np.arange(samples) / rate
    wave = 0.3 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
    wave += 0.02 * np.random.default_rng(0).standard_normal(samples)
    path = tmp_path / f"clip{samples}.wav"
    soundfile.write(path, wave.astype("float32"), rate, subtype="FLOAT")
    return str(path), wave.astype("float32")


def test_a_file_that_fits_one_window_is_scored_whole(tmp_path, model):
    path, wave = _file(tmp_path, 5000)
    seen = []

    def whole(p):
        seen.append(p)
        return score_file(model, wave)

    scores = score_path(model, path, 8000, STEP, whole, block=8, context=2)
    assert seen == [path]
    np.testing.assert_array_equal(scores, score_file(model, wave))


def test_a_long_file_streamed_in_windows_matches_one_pass(tmp_path, model):
    path, wave = _file(tmp_path, 120 * 512 + 300)  # 120 frames: 15 windows of 8

    def refuse(p):
        raise AssertionError("a long file must be streamed, not decoded whole")

    whole = score_file(model, wave)
    frames = zoo.events.output_frames(len(wave), 128, BLOCKS)
    errors = {}
    for context in (0, 4):
        streamed = score_path(model, path, 8000, STEP, refuse, block=8, context=context)
        assert streamed.shape == whole.shape == (frames, 3)
        errors[context] = float(np.abs(streamed - whole).max())
    # Without context the convolutions at each window's edges see other samples;
    # with 4 frames they see all they need, and the short-memory GRU too.
    assert errors[4] < 1e-5 < errors[0], errors
