"""Issue 28, item 8: a file shorter than the model's minimum is named, with the minimum."""

import numpy as np
import pytest
import soundfile

import zoo
from applications.errors import UsageError
from applications.events.detect import detect_files
from applications.trained.minimum import minimum_samples

BLOCKS = ((4, 2, 2), (4, 2, 2))  # time pooled 2 x 2: four log-mel frames per output frame


@pytest.fixture(scope="module")
def model():
    return zoo.events.crnn(3, blocks=BLOCKS, sample_rate=8000, n_fft=256, hop_length=128,
                           n_mels=16, gru_units=4)  # fmt: skip


def test_the_minimum_is_the_crnn_formula(model):
    # output_frames >= 1 <=> 1 + n // 128 >= 4 <=> n >= 384.
    assert zoo.events.output_frames(384, 128, BLOCKS) == 1
    assert zoo.events.output_frames(383, 128, BLOCKS) == 0
    assert minimum_samples(model) == 384


def test_detect_names_the_short_file_and_the_minimum(model, tmp_path):
    long, short = tmp_path / "long.wav", tmp_path / "short.wav"
    soundfile.write(long, np.zeros(4000, "float32"), 8000)
    soundfile.write(short, np.full(10, 0.1, "float32"), 8000)
    with pytest.raises(UsageError) as error:
        detect_files(model, {"sample_rate": 8000}, [str(short), str(long)])
    assert str(error.value) == (
        f"{short}: 10 samples at 8000 Hz (0.00125 s) is shorter than the model's minimum "
        "of 384 samples (0.048 s)."
    )
