"""A file resampled block by block with edge context equals the whole file resampled at once."""

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from applications.data.resampled import read_resampled, resampled_blocks


@pytest.mark.parametrize("rate_in", [44100, 22050, 48000, 8000, 16000])
def test_blocks_join_into_the_whole_file_resampled(tmp_path, rate_in):
    rng = np.random.default_rng(rate_in)
    stereo = (0.1 * rng.standard_normal((rate_in * 2 + 123, 2))).astype(np.float32)
    path = str(tmp_path / "x.wav")
    sf.write(path, stereo, rate_in, subtype="FLOAT")
    g = np.gcd(rate_in, 16000)
    mono = stereo.mean(axis=1).astype(np.float64)
    whole = resample_poly(mono, 16000 // g, rate_in // g).astype(np.float32)
    blocks = list(resampled_blocks(path, 16000, block_periods=7))  # many small blocks
    assert len(blocks) > 3
    np.testing.assert_allclose(np.concatenate(blocks), whole, atol=1e-6)
    np.testing.assert_allclose(read_resampled(path, 16000), whole, atol=1e-6)


def test_an_unreadable_file_is_named(tmp_path):
    path = tmp_path / "bad.wav"
    path.write_bytes(b"not audio")
    with pytest.raises(ValueError, match="bad.wav"):
        read_resampled(str(path), 16000)
