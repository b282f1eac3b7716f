"""Bad input, as a new user would try it (issue 16's "Why" list): every probe ends in one
clear line (plus a hint) naming the flag or file, a non-zero exit, and no traceback.

Each case stops in the checks that run before any data is decoded or model trained,
so the whole file takes seconds. The multi-worker probes use loopback addresses only.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile

import h5py
import keras
import pytest

import applications
from applications import cli
from tests.applications.cli.test_finetune import make_tones

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(applications.__file__)))
# Small, valid settings; each probe breaks one thing.
QUIET = ["--sample-rate", "8000", "--n-mels", "16", "--image-size", "32", "--verbose", "0"]
QUIET += ["--precision", "float32", "--no-baseline", "--weights", "none"]
FT = ["finetune", "--data", "{d3}", "--out", "{tmp}/out", *QUIET]
BATCHED = [*FT, "--strategy", "default", "--batch-size", "4"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Tiny folders and damaged files, made once; `{name}` in a probe's argv is its path."""
    root = tmp_path_factory.mktemp("probes")
    paths = {"tmp": str(root)}
    paths["d3"] = make_tones(root / "d3", per_class=3)
    paths["d1"] = make_tones(root / "d1", per_class=3)
    for name in ("mid", "high"):  # one class left
        for f in os.listdir(root / "d1" / name):
            os.remove(root / "d1" / name / f)
        os.rmdir(root / "d1" / name)
    paths["dpc1"] = make_tones(root / "dpc1", per_class=1)
    (root / "afile").write_text("x")
    paths["afile"] = str(root / "afile")
    (root / "x.wav").mkdir()
    paths["wavdir"] = str(root / "x.wav")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    labels = {"class_names": ["a", "b", "c"], "sample_rate": 8000, "clip_samples": 100, "seed": 0}
    variants = {
        "good": json.dumps(labels),
        "lab_empty": "{}",
        "lab_bad": "{not json",
        "lab_few": json.dumps({**labels, "class_names": ["a", "b"]}),
    }
    for name, text in variants.items():
        (root / name).mkdir()
        model.save(root / name / "model.keras")
        (root / name / "labels.json").write_text(text)
        paths[name] = str(root / name / "model.keras")
    whole = (root / "good" / "model.keras").read_bytes()
    for name, data in (("garbage", b"garbage" * 10), ("empty", b""), ("trunc", whole[:-300])):
        (root / name).mkdir()
        (root / name / "model.keras").write_bytes(data)
        paths[name] = str(root / name / "model.keras")
    # A model trained at 8 kHz (its wavenet.json); the rate is checked before loading.
    (root / "wn8k").mkdir()
    (root / "wn8k" / "model.keras").write_bytes(whole)
    (root / "wn8k" / "wavenet.json").write_text(json.dumps({"sample_rate": 8000}))
    paths["wn8k"] = str(root / "wn8k" / "model.keras")
    (root / "zip").mkdir()
    zipfile.ZipFile(root / "zip" / "model.keras", "w").close()
    paths["zip"] = str(root / "zip" / "model.keras")
    (root / "dirmodel" / "model.keras").mkdir(parents=True)
    paths["dirmodel"] = str(root / "dirmodel" / "model.keras")
    with h5py.File(root / "k2.h5", "w") as f:  # Keras-2 layout, its dataset missing
        f.attrs["layer_names"] = [b"block1_conv1"]
        f.create_group("block1_conv1").attrs["weight_names"] = [b"block1_conv1/kernel:0"]
    paths["k2"] = str(root / "k2.h5")
    for name, config in {
        "c_float": {"epochs": 1.7},
        "c_str": {"epochs": "5"},
        "c_null": {"batch_size": None},
        "c_clip": {"clip_seconds": "1"},
        "c_bool": {"batch_size": True},
    }.items():
        (root / f"{name}.json").write_text(json.dumps(config))
        paths[name] = str(root / f"{name}.json")
    return paths


# (id, argv, TF_CONFIG or None, text the message must contain)
PROBES = [
    ("clip-seconds-inf", [*BATCHED, "--clip-seconds", "inf"], None, "clip_seconds"),
    ("clip-seconds-nan", [*BATCHED, "--clip-seconds", "nan"], None, "clip_seconds"),
    ("clip-seconds-huge", [*BATCHED, "--clip-seconds", "1e6"], None, "clip_seconds"),
    ("sample-rate-1", [*BATCHED, "--sample-rate", "1"], None, "sample_rate"),
    ("n-mels-too-many", [*BATCHED, "--n-mels", "100000"], None, "n_mels"),
    ("learning-rate-nan", [*BATCHED, "--learning-rate", "nan"], None, "learning_rate"),
    ("learning-rate-inf", [*BATCHED, "--learning-rate", "inf"], None, "learning_rate"),
    ("seed-negative", [*BATCHED, "--seed", "-1"], None, "--seed"),
    ("epochs-zero", [*BATCHED, "--epochs", "0"], None, "--epochs"),
    ("out-is-a-file", [*BATCHED, "--out", "{afile}"], None, "--out"),
    ("out-under-a-file", [*BATCHED, "--out", "{afile}/run"], None, "--out"),
    ("out-unwritable", [*BATCHED, "--out", "/proc/audiozoo/run"], None, "--out"),
    ("data-missing", [*BATCHED, "--data", "{tmp}/nope"], None, "--data"),
    ("single-class", [*BATCHED, "--data", "{d1}"], None, "two classes"),
    ("one-file-per-class", [*BATCHED, "--data", "{dpc1}"], None, "at least 3"),
    ("config-epochs-float", [*FT, "--config", "{c_float}"], None, "epochs"),
    ("config-epochs-string", [*FT, "--config", "{c_str}"], None, "epochs"),
    ("config-batch-size-null", [*FT, "--config", "{c_null}"], None, "batch_size"),
    ("config-clip-string", [*FT, "--config", "{c_clip}"], None, "clip_seconds"),
    ("config-batch-bool", [*FT, "--config", "{c_bool}"], None, "batch_size"),
    ("config-missing", [*FT, "--config", "{tmp}/none.json"], None, "none.json"),
    ("config-not-json", [*FT, "--config", "{afile}"], None, "afile"),
    (
        "keras2-weights-missing-dataset",
        [*BATCHED[:-4], "--backbone", "vgg11", "--weights", "{k2}"],
        None,
        "k2.h5",
    ),
    (
        "mirrored-batch-not-divisible",
        [*FT, "--strategy", "mirrored", "--logical-cpus", "3", "--batch-size", "4"],
        None,
        "--batch-size",
    ),
    ("tf-config-list", [*FT, "--strategy", "auto"], "[]", "TF_CONFIG"),
    ("tf-config-cluster-string", [*FT, "--strategy", "auto"], '{"cluster": "x"}', "TF_CONFIG"),
    ("tf-config-not-json", [*FT, "--strategy", "auto"], "{worker", "TF_CONFIG"),
    ("baseline-out-file", ["baseline", "--data", "{d3}", "--out", "{afile}"], None, "--out"),
    ("baseline-clip-inf", ["baseline", "--data", "{d3}", "--clip-seconds", "inf"], None, "clip"),
    ("baseline-single-class", ["baseline", "--data", "{d1}", "--out", "{tmp}/b"], None, "two"),
    (
        "wavenet-train-out-file",
        ["wavenet", "train", "--data", "{d3}", "--out", "{afile}"],
        None,
        "--out",
    ),
    (
        "wavenet-train-clip-inf",
        ["wavenet", "train", "--data", "{d3}", "--out", "{tmp}/w", "--clip-seconds", "inf"],
        None,
        "--clip-seconds",
    ),
    (
        "wavenet-train-lr-nan",
        ["wavenet", "train", "--data", "{d3}", "--out", "{tmp}/w", "--learning-rate", "nan"],
        None,
        "--learning-rate",
    ),
    (
        "wavenet-train-seed",
        ["wavenet", "train", "--data", "{d3}", "--out", "{tmp}/w", "--seed", "-1"],
        None,
        "--seed",
    ),
]
GEN = ["wavenet", "generate", "--model", "{good}", "--seconds", "1", "--out", "{tmp}/g.wav"]
PROBES += [
    ("generate-seconds-inf", [*GEN, "--seconds", "inf"], None, "--seconds"),
    ("generate-sample-rate-0", [*GEN, "--sample-rate", "0"], None, "--sample-rate"),
    (
        "generate-sample-rate-mismatch",
        [a.replace("{good}", "{wn8k}") for a in GEN] + ["--sample-rate", "16000"],
        None,
        "trained at",
    ),
    ("generate-temperature-nan", [*GEN, "--temperature", "nan"], None, "--temperature"),
    ("generate-out-is-a-folder", [*GEN, "--out", "{wavdir}"], None, "--out"),
    ("generate-out-unwritable", [*GEN, "--out", "/proc/audiozoo/g.wav"], None, "--out"),
    ("generate-garbage-model", [*GEN, "--model", "{garbage}"], None, "garbage"),
    ("generate-folder-model", [*GEN, "--model", "{dirmodel}"], None, "is a folder"),
    ("generate-not-a-wavenet", GEN, None, "Not a WaveNet"),
]
EV = ["evaluate", "--data", "{d3}", "--model"]
PROBES += [
    ("evaluate-garbage-model", [*EV, "{garbage}"], None, "garbage"),
    ("evaluate-empty-model", [*EV, "{empty}"], None, "empty"),
    ("evaluate-truncated-model", [*EV, "{trunc}"], None, "trunc"),
    ("evaluate-empty-zip-model", [*EV, "{zip}"], None, "config.json"),
    ("evaluate-folder-model", [*EV, "{dirmodel}"], None, "is a folder"),
    ("evaluate-missing-model", [*EV, "{tmp}/none.keras"], None, "does not exist"),
    ("evaluate-labels-empty-object", [*EV, "{lab_empty}"], None, "labels.json"),
    ("evaluate-labels-not-json", [*EV, "{lab_bad}"], None, "labels.json"),
    ("evaluate-batch-zero", [*EV, "{good}", "--batch-size", "0"], None, "--batch-size"),
    ("evaluate-seed-negative", [*EV, "{good}", "--seed", "-1"], None, "--seed"),
    (
        "predict-fewer-labels-than-outputs",
        ["predict", "--model", "{lab_few}", "{d3}/low/0.wav"],
        None,
        "labels.json",
    ),
    ("predict-folder-as-file", ["predict", "--model", "{good}", "{d3}"], None, "is a folder"),
    (
        "predict-top-k-zero",
        ["predict", "--model", "{good}", "--top-k", "0", "{d3}"],
        None,
        "--top-k",
    ),
]


def _assert_one_clear_line(err, expected):
    lines = err.strip().splitlines()
    assert "Traceback" not in err and "internal error" not in err, err
    assert 1 <= len(lines) <= 2, err
    assert lines[0].startswith("audiozoo ") and ": error: " in lines[0], err
    if len(lines) == 2:
        assert lines[1].startswith("  hint: "), err
    assert expected in err, err


@pytest.mark.parametrize(
    "argv, tf_config, expected", [p[1:] for p in PROBES], ids=[p[0] for p in PROBES]
)
def test_probe_gives_one_clear_line(files, monkeypatch, capsys, argv, tf_config, expected):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    code = cli.main([a.format(**files) for a in argv])
    assert code not in (0, None)
    _assert_one_clear_line(capsys.readouterr().err, expected.format(**files))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cluster(own, peer):
    workers = [f"127.0.0.1:{own}", f"127.0.0.1:{peer}"]
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": 0}})


def test_missing_peer_fails_after_cluster_timeout_naming_it(files, monkeypatch, capsys):
    peer = _free_port()
    monkeypatch.setenv("TF_CONFIG", _cluster(_free_port(), peer))
    argv = [*FT, "--strategy", "multi_worker", "--cluster-timeout", "1.5"]
    start = time.monotonic()
    code = cli.main([a.format(**files) for a in argv])
    assert code == 1 and time.monotonic() - start < 30
    captured = capsys.readouterr()
    assert f"waiting for 1 peer(s): 127.0.0.1:{peer}" in captured.out
    _assert_one_clear_line(captured.err, f"127.0.0.1:{peer}")
    assert "--cluster-timeout" in captured.err


def test_two_waiting_workers_find_each_other():
    from applications.training.cluster import wait_for_peers

    a, b = _free_port(), _free_port()
    other = json.loads(_cluster(a, b))
    other["task"]["index"] = 1
    # The peer waits the same way, then listens on its port as TensorFlow's server would.
    script = (
        "import json, socket, sys, time\n"
        "from applications.training.cluster import wait_for_peers\n"
        "wait_for_peers(20, env={'TF_CONFIG': sys.argv[1]})\n"
        "server = socket.create_server(('127.0.0.1', int(sys.argv[2])))\n"
        "time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    argv = [sys.executable, "-u", "-c", script, json.dumps(other), str(b)]
    peer = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
    lines = []
    try:
        wait_for_peers(20, env={"TF_CONFIG": _cluster(a, b)}, log=lines.append)
        assert "every peer is reachable" in lines[-1]
        while "every peer is reachable" not in (line := peer.stdout.readline()):
            assert line, "the peer ended without finding this worker"
    finally:
        peer.kill()
        peer.wait()


@pytest.mark.parametrize(
    "sig, raised", [(signal.SIGTERM, "JobFailed"), (signal.SIGINT, "KeyboardInterrupt")]
)
def test_a_signal_ends_the_wait_at_once(sig, raised):
    # The wait alone (no TensorFlow start-up); the CLI turns JobFailed into exit 1
    # and KeyboardInterrupt into exit 130 (tested above and in tests/applications).
    script = (
        "import signal, sys\n"
        # A shell's background job inherits SIGINT ignored (CI may run so); a
        # terminal's Ctrl-C reaches Python's default handler, as set here.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from applications.training.cluster import wait_for_peers\n"
        "try:\n"
        "    wait_for_peers(120, interval=0.2)\n"
        "except BaseException as e:\n"
        "    print(type(e).__name__, e, file=sys.stderr)\n"
        "    sys.exit(3)\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT, "TF_CONFIG": _cluster(_free_port(), _free_port())}
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", script],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "waiting for 1 peer(s)" in proc.stdout.readline()
        start = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 3 and time.monotonic() - start < 5, err
    assert err.startswith(raised), err
    if sig == signal.SIGTERM:
        assert "stopped by SIGTERM while waiting for peer(s) 127.0.0.1:" in err


def test_keras_layer_errors_and_pipeline_decode_errors_read_as_one_line():
    import tensorflow as tf

    from applications.errors import describe

    keras_style = ValueError(
        "Exception encountered when calling Functional.call().\n\n"
        "\x1b[1mComputed output size would be zero.\x1b[0m\n\nArguments received:\n  • x=1"
    )
    assert describe(keras_style) == (2, ["Computed output size would be zero."])
    in_pipeline = tf.errors.InvalidArgumentError(
        None, None, "ValueError: Traceback...\nAudioDecodeError: /d/a.flac: corrupt body\n"
    )
    code, lines = describe(in_pipeline)
    assert code == 2 and lines[0] == "/d/a.flac: corrupt body" and "--skip-bad" in lines[1]
    assert describe(tf.errors.InvalidArgumentError(None, None, "shape mismatch")) is None
