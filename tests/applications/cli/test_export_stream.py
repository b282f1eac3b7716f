"""`audiozoo export --stream-hop`: one hop of audio per call, the window's context kept.

Fed a file hop by hop, the streaming TFLite file gives the windows of
`predict_windows` (the `audiozoo predict --window` path) in float32, and in int8
the numbers of the int8 clip export on the same windows.
"""

import json
import os

import keras
import numpy as np
import pytest
import soundfile as sf

from applications import cli
from applications.export import interpreter, read_tflite_metadata, run_tflite
from applications.export.ops import custom_ops, op_types
from applications.export.stream import run_stream
from applications.reporting.windows import predict_windows
from tests.applications.hear.tiny_models import CLIP, RATE, tone_run, tones

HOP = CLIP // 4  # 0.125 s: a window is the context and 4 hops


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("stream")
    out, data = tone_run(root, 4)
    # 2.5 s of changing tones: windows that differ from one another
    audio = np.concatenate(list(tones(5, seed=9))).astype(np.float32)
    sf.write(str(root / "long.wav"), audio, RATE, subtype="FLOAT")
    return out, data, str(root / "long.wav")


def _export(capsys, *flags):
    assert cli.main(["export", *flags, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _offline_windows(run, path):
    model = keras.saving.load_model(os.path.join(run, "model.keras"))
    window, hop = CLIP / RATE, HOP / RATE
    return np.stack([p for _, _, p in predict_windows(model, path, RATE, CLIP, window, hop)])


@pytest.mark.parametrize("quantize, tolerance", [(None, 1e-4), ("int8", 0.15)])
def test_a_file_fed_hop_by_hop_gives_the_offline_windows(
    run, quantize, tolerance, capsys, tmp_path
):
    model_dir, data, long_file = run
    out = str(tmp_path / "stream.tflite")
    flags = ["--model", model_dir, "--format", "tflite", "--stream-hop", str(HOP / RATE)]
    flags += ["--out", out] + (
        ["--quantize", "int8", "--calibration-data", data] if quantize else []
    )
    report = _export(capsys, *flags)
    assert report["stream"] == {"hop_samples": HOP, "context_samples": CLIP - HOP}
    assert report["max_abs_diff"] <= tolerance and custom_ops(open(out, "rb").read()) == []
    assert interpreter(out).get_signature_list() == {
        "stream": {"inputs": ["audio", "context"], "outputs": ["context", "probabilities"]}
    }
    assert read_tflite_metadata(out)["stream"]["hop_samples"] == HOP
    audio, _ = sf.read(long_file, dtype="float32")
    (streamed,) = run_stream(out, audio[None], HOP)
    offline = _offline_windows(model_dir, long_file)
    assert len(streamed) == len(audio) // HOP
    # call m classifies [(m + 1) * hop - clip, (m + 1) * hop): window m - 3; the first
    # 3 calls see the zero context before the stream
    lag = CLIP // HOP - 1
    full = min(len(offline), len(streamed) - lag)
    assert full >= 15
    np.testing.assert_allclose(streamed[lag : lag + full], offline[:full], atol=tolerance)
    if quantize:  # the network in integers, and the same numbers as the int8 clip export
        network = op_types(open(out, "rb").read())["network"]
        assert network.get("CONV_2D int8") and not network.get("CONV_2D float32")
        clip_file = str(tmp_path / "clips.tflite")
        _export(capsys, "--model", model_dir, "--format", "tflite", "--out", clip_file,
                "--quantize", "int8", "--calibration-data", data)  # fmt: skip
        windows = np.stack([audio[k * HOP : k * HOP + CLIP] for k in range(full)])
        # within a few output steps (1/256 each): equal floats may round apart
        np.testing.assert_allclose(
            streamed[lag : lag + full], run_tflite(clip_file, windows), atol=0.01
        )


def test_the_context_output_is_the_windows_tail(run, capsys, tmp_path):
    model_dir, _, _ = run
    out = str(tmp_path / "s.tflite")
    _export(capsys, "--model", model_dir, "--format", "tflite", "--stream-hop", "0.2", "--out", out)
    hop = int(0.2 * RATE)  # 1600: does not divide the clip; any hop up to the clip works
    runner = interpreter(out).get_signature_runner("stream")
    context = np.arange(CLIP - hop, dtype=np.float32)[None] / CLIP
    audio = -np.arange(hop, dtype=np.float32)[None] / CLIP
    result = runner(audio=audio, context=context)
    np.testing.assert_array_equal(result["context"], np.concatenate([context, audio], 1)[:, hop:])


def test_default_out_names_the_stream(run, capsys):
    model_dir, _, _ = run
    report = _export(capsys, "--model", model_dir, "--format", "tflite", "--stream-hop", "0.25")
    assert report["out"] == os.path.join(model_dir, "model_stream.tflite")


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--format", "saved_model", "--stream-hop", "0.1"], "--stream-hop applies to --format"),
        (["--format", "tflite", "--stream-hop", "2"], "--stream-hop 2 is 16000 samples at 8000"),
        (["--format", "tflite", "--stream-hop", "0"], "--stream-hop"),
    ],
)
def test_bad_stream_flags_are_one_line_errors(run, flags, message, capsys):
    model_dir, _, _ = run
    assert cli.main(["export", "--model", model_dir, *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
