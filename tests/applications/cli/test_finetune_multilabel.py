"""`audiozoo finetune --multilabel` and `predict` with its model, at tiny sizes (8 kHz tones, 3 epochs)."""

import csv
import io
import json
import os

import numpy as np
import pytest
import soundfile as sf
import tensorflow as tf

from applications import cli
from applications.finetune.augment import augment_batches
from tests.applications.cli.test_finetune import TINY_COMMON

TINY = [*TINY_COMMON, "--backbone", "cnn10_compact", "--weights", "none", "--seed", "3"]
TONES = {"low": 220.0, "mid": 660.0, "high": 1760.0}


def make_tagged_tones(root, clips=30, rate=8000):
    """Half-second clips each mixing one or two of three tones, with labels.csv."""
    rng = np.random.default_rng(0)
    os.makedirs(root, exist_ok=True)
    t = np.arange(rate // 2) / rate
    rows = []
    for i in range(clips):
        tags = sorted(rng.choice(list(TONES), size=1 + i % 2, replace=False))
        x = sum(0.4 * np.sin(2 * np.pi * TONES[g] * t) for g in tags)
        x = x + 0.05 * rng.standard_normal(t.size)
        sf.write(os.path.join(root, f"{i}.wav"), x.astype("float32"), rate, subtype="PCM_16")
        rows.append(f"{i}.wav,{';'.join(tags)}\n")
    with open(os.path.join(root, "labels.csv"), "w") as f:
        f.writelines(["filename,tags\n", *rows])
    return str(root)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("tagged")
    data, out = make_tagged_tones(root / "data"), str(root / "out")
    assert cli.main(["finetune", "--multilabel", "--data", data, "--out", out, *TINY]) == 0
    with open(os.path.join(out, "report.json")) as f:
        return data, out, json.load(f)


def test_report_has_map_roc_auc_thresholds_and_the_one_vs_rest_baseline(run):
    _, out, rep = run
    assert rep["task"] == "multilabel" and rep["class_names"] == ["high", "low", "mid"]
    for key in ("macro_map", "micro_map", "macro_roc_auc", "micro_roc_auc"):
        assert 0.0 <= rep[key] <= 1.0, key
        assert 0.0 <= rep["baseline"][key] <= 1.0, key
    assert set(rep["per_tag"]) == {"high", "low", "mid"} and rep["clips"] == rep["counts"]["test"]
    assert "OneVsRestClassifier" in rep["baseline"]["classifier"]
    assert rep["beats_baseline"] == (rep["macro_map"] > rep["baseline"]["macro_map"])
    assert rep["fused_with_baseline"] is False and rep["recipe"] == "scratch"
    with open(os.path.join(out, "thresholds.json")) as f:
        assert json.load(f)["thresholds"] == rep["thresholds"]
    with open(os.path.join(out, "labels.json")) as f:
        assert json.load(f)["multilabel"] is True
    assert not os.path.exists(os.path.join(out, "backup"))


def _predict(capsys, out, *args):
    capsys.readouterr()
    assert cli.main(["predict", "--model", os.path.join(out, "model.keras"), *args]) == 0
    return capsys.readouterr().out


def test_predict_prints_every_tag_over_its_threshold(run, capsys):
    data, out, rep = run
    files = [os.path.join(data, f"{i}.wav") for i in range(4)]
    items = json.loads(_predict(capsys, out, *files, "--json"))
    assert len(items) == 4
    for item in items:
        over = [n for n, p in item["probabilities"].items() if p >= rep["thresholds"][n]]
        assert sorted(t["label"] for t in item["tags"]) == sorted(over)
        assert all(t["threshold"] == rep["thresholds"][t["label"]] for t in item["tags"])
    text = _predict(capsys, out, *files).splitlines()
    assert len(text) == 4
    for line, item in zip(text, items):
        shown = [t["label"] for t in item["tags"]]
        assert line.startswith(item["file"] + ": ")
        assert all(name in line for name in shown) or "no tag over its threshold" in line


def test_predict_windows_csv_and_json(run, capsys):
    data, out, rep = run
    path = os.path.join(data, "1.wav")
    rows = list(
        csv.DictReader(io.StringIO(_predict(capsys, out, path, "--window", "0.25", "--csv")))
    )
    assert [(r["start"], r["end"]) for r in rows] == [("0.000", "0.250"), ("0.250", "0.500")]
    for r in rows:
        over = [n for n in rep["class_names"] if float(r[n]) >= rep["thresholds"][n] + 1e-4]
        assert set(over) <= set(filter(None, r["tags"].split(";")))
    items = json.loads(_predict(capsys, out, path, "--window", "0.25", "--json"))
    assert [(i["start"], i["end"]) for i in items] == [(0.0, 0.25), (0.25, 0.5)]
    assert [";".join(t["label"] for t in i["tags"]) for i in items] == [r["tags"] for r in rows]


def test_evaluate_refuses_a_tagger_and_thresholds_are_checked(run, capsys, tmp_path):
    data, out, _ = run
    model = os.path.join(out, "model.keras")
    assert cli.main(["evaluate", "--model", model, "--data", data]) == 2
    assert "multi-label tagger" in capsys.readouterr().err
    copy = tmp_path / "copy"
    os.makedirs(copy)
    for name in ("model.keras", "labels.json"):
        (copy / name).write_bytes(open(os.path.join(out, name), "rb").read())
    wav = os.path.join(data, "0.wav")
    assert cli.main(["predict", "--model", str(copy / "model.keras"), wav]) == 2
    assert "thresholds.json' is missing" in capsys.readouterr().err
    (copy / "thresholds.json").write_text(json.dumps({"thresholds": {"high": 0.5}}))
    assert cli.main(["predict", "--model", str(copy / "model.keras"), wav]) == 2
    assert "must map each tag" in capsys.readouterr().err


def test_bad_labels_csv_stops_with_the_row(tmp_path, capsys):
    data = make_tagged_tones(tmp_path / "data", clips=6)
    with open(os.path.join(data, "labels.csv"), "a") as f:
        f.write("0.wav,\n")
    args = ["finetune", "--multilabel", "--data", data, "--out", str(tmp_path / "o"), *TINY]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "row 8: the tags column of '0.wav' is empty" in err and "filename,tags" in err


def test_the_transfer_recipe_is_refused(tmp_path, capsys):
    data = make_tagged_tones(tmp_path / "data", clips=9)
    args = ["finetune", "--multilabel", "--data", data, "--out", str(tmp_path / "o")]
    assert cli.main(args + [*TINY_COMMON, "--backbone", "vgg11", "--weights", "none"]) == 2
    assert "--multilabel trains the from-scratch recipe" in capsys.readouterr().err


def test_mixup_mixes_multi_hot_rows():
    x = np.random.RandomState(0).rand(4, 10, 4, 1).astype("float32")
    y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]], np.float32)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    kwargs = dict(num_classes=3, seed=7, mean=np.zeros(4), time_mask=0, freq_mask=0)
    ((_, plain),) = augment_batches(data, mixup_alpha=0.0, **kwargs)
    np.testing.assert_array_equal(plain.numpy(), y)  # no one-hot of multi-hot rows
    ((_, mixed),) = augment_batches(data, mixup_alpha=0.4, **kwargs)
    mixed = mixed.numpy()
    assert mixed.shape == (4, 3) and not np.array_equal(mixed, y)
    # Each row is lam * its own multi-hot row + (1 - lam) * one other row of the batch.
    for row, own in zip(mixed, y):
        assert any(_is_mix(row, own, other) for other in y), row


def _is_mix(row, own, other):
    differ = own != other
    if not np.allclose(row[~differ], own[~differ], atol=1e-6):
        return False
    lam = (row[differ] - other[differ]) / (own[differ] - other[differ])
    return lam.size == 0 or (np.ptp(lam) < 1e-5 and -1e-6 <= lam[0] <= 1 + 1e-6)


def test_auto_backbone_means_the_compact_cnn_for_multilabel():
    from applications.finetune.config import FinetuneConfig
    from applications.finetune.multilabel import scratch_backbone

    lines = []
    picked = scratch_backbone(FinetuneConfig(multilabel=True), lines.append)
    assert (picked.backbone, picked.weights) == ("cnn10_compact", "auto") and len(lines) == 1
    for kept in (FinetuneConfig(), FinetuneConfig(multilabel=True, weights="imagenet")):
        assert scratch_backbone(kept, lines.append) is kept
