"""load_dataset: builtin, folders, Kaggle layouts, clip handling."""

import os

import numpy as np
import pytest
import soundfile as sf

from applications import data as data_module
from applications.data import kaggle
from applications.data import load_dataset


@pytest.fixture
def builtin(builtin_cache, monkeypatch):
    monkeypatch.setenv("AUDIOZOO_CACHE", builtin_cache)


def _wav(path, seconds=0.25, rate=16000, channels=1, freq=440.0):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    n = int(seconds * rate)
    wave = 0.4 * np.sin(2 * np.pi * freq * np.arange(n) / rate)
    sf.write(path, np.tile(wave[:, None], (1, channels)) if channels > 1 else wave, rate)


def _first_batch(ds):
    x, y = next(iter(ds))
    return x.numpy(), y.numpy()


def test_builtin_dataset(builtin):
    data = load_dataset("builtin", batch_size=16)
    assert len(data.class_names) >= 6 and sum(data.counts.values()) >= 1200
    assert data.counts["val"] > 0 and data.counts["test"] > 0
    assert (data.sample_rate, data.clip_samples, data.skipped) == (16000, 16000, [])
    x, y = _first_batch(data.train)
    assert x.shape == (16, 16000) and x.dtype == np.float32 and y.dtype == np.int32
    assert np.isfinite(x).all() and 0 <= y.min() and y.max() < len(data.class_names)
    assert "builtin" in data.summary() and "train" in data.summary()
    n = sum(len(yb) for _, yb in data.test)
    assert n == data.counts["test"]


def test_same_seed_repeats_other_seed_differs(builtin):
    a = _first_batch(load_dataset("builtin", batch_size=8, seed=3).train)
    b = _first_batch(load_dataset("builtin", batch_size=8, seed=3).train)
    c = _first_batch(load_dataset("builtin", batch_size=8, seed=4).train)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_class_folders_split_stratified(tmp_path):
    for label, n in (("cat", 10), ("dog", 20)):
        for i in range(n):
            _wav(str(tmp_path / label / f"{i}.wav"), freq=300 + i)
    (tmp_path / "README.txt").write_text("ignored")
    data = load_dataset(str(tmp_path), batch_size=4, seed=1)
    assert data.class_names == ["cat", "dog"]
    assert data.counts == {"train": 24, "val": 3, "test": 3}
    labels = np.concatenate([y.numpy() for _, y in data.val])
    assert sorted(labels) == [0, 1, 1]


def test_explicit_split_folders_and_missing_val(tmp_path):
    for split, n in (("train", 6), ("test", 2)):
        for label in ("a", "b"):
            for i in range(n):
                _wav(str(tmp_path / split / label / f"{i}.wav"))
    data = load_dataset(str(tmp_path), batch_size=4)
    assert data.counts == {"train": 10, "val": 2, "test": 4}
    assert any("no val/ folder" in note for note in data.notes)
    _wav(str(tmp_path / "val" / "a" / "v.wav"))
    assert load_dataset(str(tmp_path)).counts == {"train": 12, "val": 1, "test": 4}
    _wav(str(tmp_path / "test" / "zebra" / "z.wav"))
    with pytest.raises(ValueError, match=r"\['zebra'\] are not in"):
        load_dataset(str(tmp_path))


def test_folder_errors_name_the_path_and_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere does not exist.*<root>/<class>"):
        load_dataset(str(tmp_path / "nowhere"))
    (tmp_path / "a").mkdir()
    _wav(str(tmp_path / "b" / "1.wav"))
    with pytest.raises(ValueError, match=r"a: class folder has no audio files"):
        load_dataset(str(tmp_path))
    loose = tmp_path / "loose"
    _wav(str(loose / "1.wav"))
    with pytest.raises(ValueError, match=r"loose: no class sub-folders\. It holds 1 audio"):
        load_dataset(str(loose))


def test_lengths_rates_and_channels_are_handled_and_reported(tmp_path):
    _wav(str(tmp_path / "a" / "short.wav"), seconds=0.1)
    _wav(str(tmp_path / "a" / "long.wav"), seconds=0.5, rate=22050, channels=2)
    _wav(str(tmp_path / "b" / "mid.wav"), seconds=0.25, rate=8000)
    with pytest.raises(ValueError, match="different lengths.*Received: clip_seconds=None"):
        load_dataset(str(tmp_path), val_fraction=0, test_fraction=0)
    data = load_dataset(
        str(tmp_path), clip_seconds=0.25, val_fraction=0, test_fraction=0, batch_size=8
    )
    notes = "\n".join(data.notes)
    assert "from 22050 Hz to 16000 Hz" in notes and "from 8000 Hz to 16000 Hz" in notes
    assert "mixed 1 multi-channel" in notes and "cropped 1 and zero-padded 1" in notes
    x, y = _first_batch(data.train)
    assert x.shape == (3, 4000) and np.isfinite(x).all()
    padded = [row for row in x if np.count_nonzero(row) <= 1600 + 2]  # 0.1 s of audio padded
    assert len(padded) == 1


def test_train_crops_vary_by_epoch_eval_crops_do_not(tmp_path):
    rng = np.random.default_rng(0)
    for label in ("a", "b"):
        for i in range(4):
            sf.write(str(tmp_path / f"{label}{i}.wav"), 0.3 * rng.uniform(-1, 1, 16000), 16000)
            os.makedirs(tmp_path / label, exist_ok=True)
            os.replace(tmp_path / f"{label}{i}.wav", tmp_path / label / f"{i}.wav")
    data = load_dataset(
        str(tmp_path), clip_seconds=0.1, batch_size=16, val_fraction=0.25, test_fraction=0.25
    )

    def rows(ds):  # the epoch's clips as a set, whatever the shuffle order
        return {x.tobytes() for batch, _ in ds for x in batch.numpy()}

    train1, train2 = rows(data.train), rows(data.train)
    assert len(train1) == data.counts["train"] and train1 != train2
    val1, val2 = [np.concatenate([x.numpy() for x, _ in data.val]) for _ in range(2)]
    np.testing.assert_array_equal(val1, val2)


def _fake_kaggle(root, name):
    """A tiny copy of each corpus' layout."""
    if name == "gtzan":
        for genre in ("blues", "jazz"):
            for i in range(3):
                _wav(f"{root}/Data/genres_original/{genre}/{genre}.0000{i}.wav")
    elif name == "esc50":
        rows = ["filename,fold,target,category,esc10,src_file,take"]
        for fold in range(1, 6):
            for target, cat in ((0, "dog"), (1, "rain")):
                fname = f"{fold}-{target}-A-{target}.wav"
                rows.append(f"{fname},{fold},{target},{cat},False,x,A")
                _wav(f"{root}/ESC-50-master/audio/{fname}")
        os.makedirs(f"{root}/ESC-50-master/meta")
        with open(f"{root}/ESC-50-master/meta/esc50.csv", "w") as f:
            f.write("\n".join(rows) + "\n")
    elif name == "urbansound8k":
        rows = ["slice_file_name,fsID,start,end,salience,fold,classID,class"]
        for fold in range(1, 11):
            for cid, cls in ((3, "dog_bark"), (1, "car_horn")):
                fname = f"{fold}{cid}-0-0.wav"
                rows.append(f"{fname},1,0,1,1,{fold},{cid},{cls}")
                _wav(f"{root}/UrbanSound8K/audio/fold{fold}/{fname}")
        os.makedirs(f"{root}/UrbanSound8K/metadata")
        with open(f"{root}/UrbanSound8K/metadata/UrbanSound8K.csv", "w") as f:
            f.write("\n".join(rows) + "\n")
    elif name == "speech_commands":
        for word in ("yes", "no"):
            for i in range(4):
                _wav(f"{root}/{word}/{i}_nohash_0.wav")
        _wav(f"{root}/_background_noise_/noise.wav", seconds=2.0)
        with open(f"{root}/validation_list.txt", "w") as f:
            f.write("yes/0_nohash_0.wav\nno/0_nohash_0.wav\n")
        with open(f"{root}/testing_list.txt", "w") as f:
            f.write("yes/1_nohash_0.wav\n")


@pytest.mark.parametrize(
    "name,classes,counts",
    [
        ("gtzan", ["blues", "jazz"], {"train": 2, "val": 2, "test": 2}),
        ("esc50", ["dog", "rain"], {"train": 6, "val": 2, "test": 2}),
        ("urbansound8k", ["car_horn", "dog_bark"], {"train": 16, "val": 2, "test": 2}),
        ("speech_commands", ["no", "yes"], {"train": 5, "val": 2, "test": 1}),
    ],
)
def test_kaggle_layouts_parse_with_official_splits(tmp_path, monkeypatch, name, classes, counts):
    import kagglehub

    root = str(tmp_path / "download")
    _fake_kaggle(root, name)
    handles = []
    monkeypatch.setattr(kagglehub, "dataset_download", lambda h, *a, **k: handles.append(h) or root)
    data = load_dataset(name, batch_size=4)
    assert handles == [kaggle.DATASETS[name].handle]
    assert (data.class_names, data.counts) == (classes, counts)
    assert kaggle.DATASETS[name].handle in data.summary()
    if name == "esc50":
        test_files = [p for p, _ in kaggle.resolve("esc50")[0]["test"]]
        assert all(os.path.basename(p).startswith("5-") for p in test_files)


def test_kaggle_offline_error_names_handle_and_folder_fallback(monkeypatch):
    import kagglehub

    def offline(handle, *args, **kwargs):
        raise ConnectionError("Failed to resolve 'www.kaggle.com'")

    monkeypatch.setattr(kagglehub, "dataset_download", offline)
    handle = kaggle.DATASETS["esc50"].handle
    with pytest.raises(RuntimeError, match=rf"{handle}.*ConnectionError.*folder as the spec"):
        load_dataset("esc50")


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        load_dataset("builtin", batch_size=0)
    with pytest.raises(ValueError, match="Received: clip_seconds=-1"):
        load_dataset("builtin", clip_seconds=-1)
    assert data_module.SPLITS == ("train", "val", "test")
