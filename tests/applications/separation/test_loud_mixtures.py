"""`separate apply` on mixtures above full scale (issue 28, item 1): kept, said once."""

import numpy as np
import soundfile

import zoo
from applications.separation.apply import separate_files


def test_summed_mixtures_above_full_scale_are_separated_at_their_scale(tmp_path):
    model = zoo.get_entry("unmix").build_tiny(sources=("voice", "piano"), sample_rate=8000)
    rng = np.random.default_rng(0)
    paths = []
    for i in range(2):  # a mix of two full-scale sources, as a DAW would sum them
        mix = (rng.uniform(-1, 1, 4000) + np.sin(np.arange(4000) * 0.3)).astype("float32")
        paths.append(str(tmp_path / f"mix{i}.wav"))
        soundfile.write(paths[-1], mix, 8000, subtype="FLOAT")
    assert np.abs(mix).max() > 1.5
    lines = []
    written = separate_files(model, paths, str(tmp_path / "out"), log=lines.append)
    assert len(written) == 4
    notes = [line for line in lines if "above full scale" in line]
    assert len(notes) == 1 and notes[0].startswith("2 of 2 mixtures peak above full scale")
    voice, _ = soundfile.read(tmp_path / "out" / "mix1_voice.wav")
    piano, _ = soundfile.read(tmp_path / "out" / "mix1_piano.wav")
    # Mixture consistency: the sources add up to the mixture, at its level (no clipping).
    np.testing.assert_allclose(voice + piano, mix, atol=1e-3)
