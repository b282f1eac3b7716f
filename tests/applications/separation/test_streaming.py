"""`separate apply` streams long files: blocks in, blocks out, the whole-file result."""

import numpy as np
import pytest
import soundfile

import zoo
from applications.separation.apply import separate_files, separate_stream, separate_waveform


@pytest.fixture(scope="module")
def model():
    return zoo.get_entry("unmix").build_tiny(sources=("voice", "piano"), sample_rate=8000)


def test_any_block_sizes_give_the_whole_waveforms_result(model):
    wave = np.random.default_rng(0).uniform(-0.5, 0.5, 9001).astype("float32")
    whole = separate_waveform(model, wave, 1000, 300, align=128, batch=2)
    cuts = np.cumsum(np.random.default_rng(1).integers(1, 1500, 20))
    blocks = [b for b in np.split(wave, cuts[cuts < len(wave)]) if len(b)]
    streamed = np.concatenate(list(separate_stream(model, blocks, 1000, 300, 128, 2)), axis=1)
    np.testing.assert_array_equal(streamed, whole)


@pytest.mark.parametrize("rate", [8000, 11025])
def test_files_read_in_small_blocks_equal_the_file_separated_whole(tmp_path, model, rate):
    wave = np.random.default_rng(2).uniform(-0.5, 0.5, 3 * rate + 7).astype("float32")
    mix = tmp_path / "long.wav"
    soundfile.write(mix, wave, rate, subtype="FLOAT")
    # Blocks of 32 rate periods (1-2 k samples): dozens of reads and writes per file.
    written = separate_files(model, [str(mix)], str(tmp_path / "out"), 0.25, 0.1, block=32)
    at_model_rate = wave if rate == 8000 else zoo.audio.resample(wave, rate, 8000).numpy()
    hop = model.get_layer("magnitude").hop_length
    whole = separate_waveform(model, at_model_rate, 2000, 800, align=hop * 64)
    for source, name in enumerate(("voice", "piano")):
        got, got_rate = soundfile.read(tmp_path / "out" / f"long_{name}.wav", dtype="float32")
        assert (got_rate, len(got)) == (rate, len(wave))
        expected = whole[source]
        if rate != 8000:
            expected = zoo.audio.resample(expected, 8000, rate).numpy()[: len(wave)]
            np.testing.assert_allclose(got, expected, atol=2e-5)
        else:
            np.testing.assert_array_equal(got, expected)
    assert sorted(written) == sorted(
        str(tmp_path / "out" / f"long_{n}.wav") for n in ("voice", "piano")
    )
