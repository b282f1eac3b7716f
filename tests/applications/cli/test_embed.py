"""`audiozoo embed`: scene and timestamp embeddings of files into one .npz; one-line errors."""

import numpy as np
import pytest
import soundfile as sf

from applications import cli, hear
from tests.applications.hear.tiny_models import RATE, save_run, tones


@pytest.fixture(scope="module")
def run_and_files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embed")
    save_run(str(tmp / "run"), "scratch")
    audio = tones(2, samples=6000, seed=3)
    files = []
    for i, clip in enumerate(audio):
        files.append(str(tmp / f"clip{i}.wav"))
        sf.write(files[-1], clip, RATE, subtype="FLOAT")
    return str(tmp / "run"), files, audio


def test_embed_writes_scene_and_timestamp_embeddings(run_and_files, tmp_path, capsys):
    run, files, audio = run_and_files
    out = str(tmp_path / "emb.npz")
    assert cli.main(["embed", "--model", run, *files, "--out", out, "--timestamps"]) == 0
    assert "Wrote 2 x 128 scene embeddings" in capsys.readouterr().out
    data = np.load(out)
    assert data["scene_embeddings"].shape == (2, 128) and int(data["sample_rate"]) == RATE
    assert list(data["files"]) == files
    expected = hear.get_scene_embeddings(audio, hear.load_model(run)).numpy()
    np.testing.assert_allclose(data["scene_embeddings"], expected, atol=1e-5)
    assert data["timestamp_embeddings_1"].shape == (1 + 6000 // 400, 128)
    np.testing.assert_allclose(np.diff(data["timestamps_1"]), 50.0)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--hop-ms", "60"], "--hop-ms must be at most 50"),
        (["--out", "emb.txt"], "--out 'emb.txt' must end in .npz"),
        (["missing.wav"], "'missing.wav' does not exist"),
    ],
)
def test_bad_flags_and_files_are_one_line_errors(run_and_files, extra, message, capsys):
    run, files, _ = run_and_files
    assert cli.main(["embed", "--model", run, files[0], *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_model_is_named(run_and_files, tmp_path, capsys):
    _, files, _ = run_and_files
    assert cli.main(["embed", "--model", str(tmp_path), files[0]]) == 2
    assert "is a folder without model.keras" in capsys.readouterr().err
