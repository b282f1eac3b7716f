"""Multi-label folders: labels.csv parsing, its errors (each naming the row), the tag-stratified split."""

import os

import numpy as np
import pytest
import soundfile as sf

from applications.data import load_dataset
from applications.data.tags import multilabel_split, read_labels, scan_tagged
from applications.errors import UsageError

TAGS = ("a;b", "b", "a", "c;a", "c", "b;c")


def make_tagged(root, rows=None, rate=8000, extra=()):
    """Write one short WAV per row and `labels.csv` with `rows` (filename, tags) + `extra` lines."""
    rows = rows if rows is not None else [(f"{i}.wav", t) for i, t in enumerate(TAGS * 2)]
    os.makedirs(root, exist_ok=True)
    for name, _ in rows:
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        sf.write(path, np.zeros(rate // 4, np.float32), rate, subtype="PCM_16")
    with open(os.path.join(root, "labels.csv"), "w") as f:
        f.write("filename,tags\n")
        f.writelines(f"{n},{t}\n" for n, t in rows)
        f.writelines(line + "\n" for line in extra)
    return str(root)


def test_rows_become_paths_and_tag_tuples(tmp_path):
    root = make_tagged(tmp_path / "d", [("x.wav", "dog; outdoor"), ("sub/y.wav", "cat")])
    rows = read_labels(root)
    assert [(os.path.relpath(p, root), t) for p, t in rows] == [
        ("x.wav", ("dog", "outdoor")),
        (os.path.join("sub", "y.wav"), ("cat",)),
    ]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["0.wav,"], "row 14: the tags column of '0.wav' is empty"),
        (["0.wav,a"], "row 14: names '0.wav' again (first on row 2)"),
        (["missing.wav,a"], "row 14: names 'missing.wav', which does not exist"),
        (["1.wav,a;;b"], "row 14: an empty tag between ';' separators"),
        (["1.wav,a;a"], "row 14: a tag is repeated"),
        (["1.wav"], "row 14: needs 2 columns"),
        (["../0.wav,a"], "row 14: filename '../0.wav' must be a path inside the folder"),
        (["labels.csv,a"], "row 14: 'labels.csv' is not an audio file"),
    ],
)
def test_each_bad_row_is_named(tmp_path, extra, message):
    root = make_tagged(tmp_path / "d", extra=extra)
    with pytest.raises(UsageError, match="labels.csv") as error:
        read_labels(root)
    assert message in str(error.value)


def test_a_file_without_a_row_is_an_error_not_dropped(tmp_path):
    root = make_tagged(tmp_path / "d")
    sf.write(os.path.join(root, "stray.wav"), np.zeros(100, np.float32), 8000)
    with pytest.raises(UsageError, match=r"1 audio file\(s\) in the folder have no row.*stray.wav"):
        read_labels(root)


def test_missing_file_and_bad_header(tmp_path):
    os.makedirs(tmp_path / "empty")
    with pytest.raises(UsageError, match="labels.csv: missing"):
        read_labels(str(tmp_path / "empty"))
    root = make_tagged(tmp_path / "d")
    with open(os.path.join(root, "labels.csv"), "w") as f:
        f.write("file,labels\n0.wav,a\n")
    with pytest.raises(UsageError, match="header must be `filename,tags`"):
        read_labels(root)


def test_one_tag_overall_is_refused(tmp_path):
    root = make_tagged(tmp_path / "d", [(f"{i}.wav", "only") for i in range(6)])
    with pytest.raises(UsageError, match=r"at least 2 tags; found \['only'\]"):
        scan_tagged(root)


def test_a_tag_missing_from_train_is_refused(tmp_path):
    root = tmp_path / "d"
    make_tagged(root / "train", [(f"{i}.wav", "a;b") for i in range(4)])
    make_tagged(root / "val", [("v.wav", "a")])
    make_tagged(root / "test", [("t.wav", "c")])
    with pytest.raises(UsageError, match=r"tag\(s\) \['c'\] occur in no training clip"):
        scan_tagged(str(root))


def test_split_keeps_every_tag_with_three_clips_in_every_split():
    rows = [(f"{i}", ("common",)) for i in range(40)] + [(f"r{i}", ("rare",)) for i in range(3)]
    rows += [(f"m{i}", ("common", "mid")) for i in range(10)]
    splits = multilabel_split(rows, ["common", "mid", "rare"], 0, 0.1, 0.1)
    assert sorted(p for s in splits.values() for p, _ in s) == sorted(p for p, _ in rows)
    for split in splits.values():
        carried = {t for _, tags in split for t in tags}
        assert carried == {"common", "mid", "rare"}
    # Per-tag targets first: val and test each get one rare clip beside 10 % of the rest.
    assert [len(splits[s]) for s in ("train", "val", "test")] == [41, 6, 6]
    assert multilabel_split(rows, ["common", "mid", "rare"], 0, 0.1, 0.1) == splits


def test_load_dataset_gives_multi_hot_labels(tmp_path):
    root = make_tagged(tmp_path / "d")
    data = load_dataset(root, multilabel=True, sample_rate=8000, batch_size=64)
    assert data.multilabel and data.class_names == ["a", "b", "c"]
    assert sum(data.counts.values()) == 12 and min(data.counts.values()) >= 1
    x, y = next(iter(data.train))
    assert x.shape == (data.counts["train"], 2000) and y.shape == (data.counts["train"], 3)
    assert y.dtype.name == "float32" and set(np.unique(y.numpy())) <= {0.0, 1.0}
    rows = [tuple(np.flatnonzero(r)) for s in (data.train, data.val, data.test) for r in _labels(s)]
    expected = [tuple("abc".index(t) for t in sorted(tags)) for _, tags in read_labels(root)]
    assert sorted(rows) == sorted(expected)


def _labels(dataset):
    return np.concatenate([y.numpy() for _, y in dataset])


def test_the_single_label_baseline_refuses_multi_label_data(tmp_path):
    from applications.baseline import run_baseline

    data = load_dataset(make_tagged(tmp_path / "d"), multilabel=True, sample_rate=8000)
    with pytest.raises(UsageError, match="is multi-label; this baseline scores single-label"):
        run_baseline(data)


def test_a_skipped_bad_file_cannot_take_a_tags_only_training_clip(tmp_path):
    root = make_tagged(tmp_path / "d", [(f"{i}.wav", "a;b" if i % 2 else "a") for i in range(8)])
    rows = open(os.path.join(root, "labels.csv")).read() + "bad.wav,c\n"
    open(os.path.join(root, "labels.csv"), "w").write(rows)
    with open(os.path.join(root, "bad.wav"), "wb") as f:
        f.write(b"not audio at all")
    with pytest.raises(UsageError, match=r"tag\(s\) \['c'\] occur in no training clip"):
        load_dataset(root, multilabel=True, sample_rate=8000, skip_bad=True)
