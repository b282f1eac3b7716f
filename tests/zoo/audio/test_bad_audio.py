"""A corpus of malformed and unusual files: each loads correctly or raises an
error naming the file and the problem; datasets stop at, or skip and list, them."""

import io
import os

import numpy as np
import pytest
import soundfile as sf
import tensorflow as tf

import zoo.audio as audio
from applications.data import load_dataset

RATE = 16000


def _tone(n, rate=RATE, channels=1):
    wave = 0.5 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)
    return np.tile(wave[:, None], (1, channels)).astype("float32") if channels > 1 else wave


def _write_corpus(folder):
    """{filename: (expectation, detail)}; expectation "ok" carries (rate, channels, frames)."""
    os.makedirs(folder, exist_ok=True)
    p = lambda name: os.path.join(folder, name)  # noqa: E731
    expect = {}
    open(p("empty.wav"), "wb").close()
    expect["empty.wav"] = ("error", "empty file")
    sf.write(p("good.wav"), _tone(800), RATE, subtype="PCM_16")
    with open(p("good.wav"), "rb") as f:
        good = f.read()
    with open(p("truncated_header.wav"), "wb") as f:
        f.write(good[:20])
    expect["truncated_header.wav"] = ("error", "not a readable audio file")
    with open(p("truncated_data.wav"), "wb") as f:
        f.write(good[: len(good) // 2])  # header promises 800 frames, half are there
    expect["truncated_data.wav"] = ("either", None)
    with open(p("text.wav"), "w") as f:
        f.write("this is a text file renamed to .wav\n" * 20)
    expect["text.wav"] = ("error", "not a readable audio file")
    with open(p("garbage.mp3"), "wb") as f:
        f.write(np.random.default_rng(0).bytes(4096))
    expect["garbage.mp3"] = ("error", "not a readable audio file")
    for name, fmt, subtype in (("body.flac", "FLAC", "PCM_16"), ("body.ogg", "OGG", "VORBIS")):
        # A valid header, then a corrupt body: caught where it is decoded.
        buffer = io.BytesIO()
        sf.write(buffer, _tone(4000), RATE, format=fmt, subtype=subtype)
        data = bytearray(buffer.getvalue())
        data[len(data) // 3 :: 7] = bytes(len(data[len(data) // 3 :: 7]))
        with open(p(name), "wb") as f:
            f.write(bytes(data))
        expect[name] = ("error", "not a readable audio file")
    for name, bad in (("nan.wav", np.nan), ("inf.wav", np.inf)):
        wave = _tone(400)
        wave[100] = bad
        sf.write(p(name), wave, RATE, subtype="FLOAT")
        expect[name] = ("error", "NaN/Inf")
    # Float audio above full scale is valid (a mix, headroom): read as written.
    sf.write(p("loud_float.wav"), 3.0 * _tone(400), RATE, subtype="FLOAT")
    expect["loud_float.wav"] = ("ok", (RATE, 1, 400))
    sf.write(p("zero_frames.wav"), np.zeros(0, "float32"), RATE, subtype="PCM_16")
    expect["zero_frames.wav"] = ("error", "zero audio frames")
    sf.write(p("one_sample.wav"), np.array([0.25], "float32"), RATE, subtype="PCM_16")
    expect["one_sample.wav"] = ("ok", (RATE, 1, 1))
    sf.write(p("six_channels.wav"), _tone(500, channels=6), RATE, subtype="PCM_16")
    expect["six_channels.wav"] = ("ok", (RATE, 6, 500))
    sf.write(p("rate_96k.wav"), _tone(960, 96000), 96000, subtype="PCM_16")
    expect["rate_96k.wav"] = ("ok", (96000, 1, 960))
    for name, subtype in (
        ("pcm_u8.wav", "PCM_U8"),
        ("pcm_24.wav", "PCM_24"),
        ("float32.wav", "FLOAT"),
        ("pcm_32.wav", "PCM_32"),
    ):
        sf.write(p(name), _tone(700), RATE, subtype=subtype)
        expect[name] = ("ok", (RATE, 1, 700))
    sf.write(p("flac_named.wav"), _tone(600), RATE, format="FLAC", subtype="PCM_16")
    expect["flac_named.wav"] = ("ok", (RATE, 1, 600))
    sf.write(p("wav_named.flac"), _tone(600), RATE, format="WAV", subtype="PCM_16")
    expect["wav_named.flac"] = ("ok", (RATE, 1, 600))
    os.makedirs(p("directory.wav"))
    expect["directory.wav"] = ("error", "is a directory")
    sf.write(p("unreadable.wav"), _tone(300), RATE, subtype="PCM_16")
    expect["unreadable.wav"] = ("error", "permission denied")
    return expect


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    folder = str(tmp_path / "corpus")
    expect = _write_corpus(folder)
    # Tests run as root, for whom chmod 000 changes nothing; simulate the
    # unreadable file at the access check and in libsndfile itself.
    unreadable = os.path.join(folder, "unreadable.wav")
    real_access, real_info = os.access, sf.info
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode, **kw: (
            False if os.fspath(path) == unreadable else real_access(path, mode, **kw)
        ),
    )

    def info(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == unreadable:
            raise PermissionError(13, "Permission denied", unreadable)
        return real_info(file, *args, **kwargs)

    monkeypatch.setattr(sf, "info", info)
    return folder, expect


def test_corpus_is_large_and_varied(corpus):
    _, expect = corpus
    kinds = [kind for kind, _ in expect.values()]
    assert len(expect) >= 15 and kinds.count("error") >= 8 and kinds.count("ok") >= 6


def test_each_file_loads_correctly_or_names_itself_and_the_problem(corpus):
    folder, expect = corpus
    for name, (kind, detail) in sorted(expect.items()):
        path = os.path.join(folder, name)
        if kind == "error":
            with pytest.raises(audio.AudioDecodeError) as err:
                audio.load(path)
            assert name in str(err.value) and detail in str(err.value), str(err.value)
            with pytest.raises(audio.AudioDecodeError, match=name):
                audio.info(path)
            continue
        try:
            wave, rate = audio.load(path, mono=False)
        except audio.AudioDecodeError as e:  # "either": an error is fine if it names the file
            assert kind == "either" and name in str(e)
            continue
        full_scale = 1.5 if name == "loud_float.wav" else 1.0  # 3 x a 0.5 tone
        assert wave.dtype == np.float32 and np.isfinite(wave).all()
        assert np.abs(wave).max() <= full_scale
        if kind == "ok":
            rate_expected, channels, frames = detail
            assert (rate, wave.shape) == (rate_expected, (frames, channels)), name
            resampled, new_rate = audio.load(path, sample_rate=RATE)
            assert new_rate == RATE and resampled.shape == (int(np.ceil(frames * RATE / rate)),)
        else:
            assert wave.shape[0] <= 800


def test_corpus_through_tf_data_never_yields_nan(corpus):
    folder, expect = corpus
    for name, (kind, _) in sorted(expect.items()):
        if name in ("unreadable.wav", "directory.wav"):
            continue  # tf.io.read_file's own errors (the monkeypatch cannot reach it)
        ds = tf.data.Dataset.from_tensor_slices([os.path.join(folder, name)])
        ds = ds.map(lambda p: audio.decode_file(p, RATE)[0])
        if kind == "error":
            with pytest.raises(tf.errors.OpError, match=name if name != "empty.wav" else "empty"):
                list(ds)
        elif kind == "ok":
            (wave,) = list(ds)
            assert np.isfinite(wave.numpy()).all()


def _dataset_folder(root, bad_files):
    for label in ("a", "b"):
        os.makedirs(os.path.join(root, label))
        for i in range(5):
            sf.write(os.path.join(root, label, f"{label}{i}.wav"), _tone(RATE // 4), RATE)
    for src in bad_files:
        os.replace(src, os.path.join(root, "a", os.path.basename(src)))


def test_dataset_stops_at_first_bad_file_or_skips_and_lists(corpus, tmp_path):
    folder, expect = corpus
    bad = sorted(n for n, (k, _) in expect.items() if k == "error")
    root = str(tmp_path / "data")
    _dataset_folder(root, [os.path.join(folder, n) for n in bad if n != "unreadable.wav"])
    with pytest.raises(
        audio.AudioDecodeError, match=r"directory\.wav: is a directory.*skip_bad=True"
    ):
        load_dataset(root, clip_seconds=0.25, batch_size=4)
    data = load_dataset(root, clip_seconds=0.25, batch_size=4, skip_bad=True)
    skipped = {os.path.basename(p) for p, _ in data.skipped}
    assert skipped == set(bad) - {"unreadable.wav"}
    assert sum(data.counts.values()) == 10
    summary = data.summary()
    assert f"skipped {len(skipped)} bad file(s)" in summary and "nan.wav" in summary
    for split in (data.train, data.val, data.test):
        for x, _ in split:
            assert np.isfinite(x.numpy()).all()


def test_non_utf8_names_load_and_errors_print(tmp_path):
    folder = os.path.join(os.fsencode(tmp_path), b"cl\xffass")
    os.mkdir(folder)
    good, bad = os.path.join(folder, b"\xfe.wav"), os.path.join(folder, b"bad\xff.wav")
    sf.write(good, _tone(400), RATE, subtype="PCM_24")
    with open(bad, "wb") as f:
        f.write(b"RIFF not really")
    for path in (good, os.fsdecode(good)):  # bytes, or text with surrogates
        wave, rate = audio.load(path)
        assert rate == RATE and wave.shape == (400,) and audio.info(path).frames == 400
    (wave,) = list(tf.data.Dataset.from_tensors(good).map(lambda p: audio.decode_file(p)[0]))
    assert wave.shape == (400,)
    with pytest.raises(audio.AudioDecodeError) as err:
        audio.load(os.fsdecode(bad))
    assert "cl\\xffass/bad\\xff.wav: not a readable audio file" in str(err.value)
    str(err.value).encode("utf-8")  # printable: no surrogates
    assert err.value.path == os.fsdecode(bad)  # still the real path
