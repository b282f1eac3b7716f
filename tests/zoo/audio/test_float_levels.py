"""Float audio above full scale is valid audio (issue 28, item 1): read as librosa reads it."""

import librosa
import numpy as np
import pytest
import soundfile

import zoo


@pytest.mark.parametrize("fmt, subtype", [("WAV", "FLOAT"), ("WAV", "DOUBLE"), ("FLAC", None)])
def test_float_audio_above_full_scale_loads_as_written(tmp_path, fmt, subtype):
    rng = np.random.default_rng(0)
    loud = (rng.uniform(-1, 1, 4000) * 4.064).astype("float32")
    path = tmp_path / f"mix.{fmt.lower()}"
    if fmt == "FLAC":  # FLAC is integer: a sum of two full-scale sources is clipped there
        loud = np.clip(loud, -1, 1 - 2**-15)
    soundfile.write(path, loud, 8000, format=fmt, subtype=subtype)
    wave, rate = zoo.audio.load(path)
    reference, _ = librosa.load(path, sr=None, mono=True)
    assert rate == 8000
    np.testing.assert_allclose(wave, reference, rtol=0, atol=1e-7)
    assert zoo.audio.info(path).frames == 4000


def test_float_audio_above_full_scale_decodes_in_tf_data(tmp_path):
    loud = np.linspace(-4.0, 4.0, 3000, dtype="float32")
    soundfile.write(tmp_path / "loud.wav", loud, 8000, subtype="FLOAT")
    wave, rate = zoo.audio.decode_file(str(tmp_path / "loud.wav"))
    np.testing.assert_array_equal(wave.numpy(), loud)
    assert int(rate) == 8000


def test_non_finite_float_audio_is_still_refused(tmp_path):
    bad = np.ones(100, "float32") * 5.0
    bad[7] = np.inf
    soundfile.write(tmp_path / "bad.wav", bad, 8000, subtype="FLOAT")
    with pytest.raises(zoo.audio.AudioDecodeError, match=r"bad\.wav: has 1 NaN/Inf samples"):
        zoo.audio.load(tmp_path / "bad.wav")
