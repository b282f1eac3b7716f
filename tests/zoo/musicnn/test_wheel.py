"""The wheel source, offline: a fake wheel (hash swapped in), the cache, the errors."""

import base64
import hashlib
import sys
import threading
import zipfile

import pytest

from zoo.weights import musicnn_wheel
from zoo.weights.sources import WeightsUnavailableError


def _record_line(member, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{member},sha256={digest},{len(data)}"


def _fake_wheel(path, checkpoints=musicnn_wheel.CHECKPOINTS, damage=None):
    members = {"musicnn/models.py": b"# not extracted\n"}
    for name in checkpoints:
        for file in (".index", ".data-00000-of-00001", ".meta", "config.json"):
            members[f"musicnn/{name}/{file}"] = f"{name}{file}".encode() * 10
    members["musicnn-0.1.0.dist-info/LICENSE.md"] = b"ISC License\n"
    record = [_record_line(m, d) for m, d in members.items()]
    if damage:
        members[damage] = b"damaged"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, data in members.items():
            wheel.writestr(member, data)
        wheel.writestr("musicnn-0.1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return str(path)


def _trust(monkeypatch, path):
    monkeypatch.setattr(musicnn_wheel, "WHEEL_SHA256", musicnn_wheel.file_digest(path))


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))


def test_a_wheel_unpacks_only_checkpoints_and_licence(tmp_path, monkeypatch):
    wheel = _fake_wheel(tmp_path / musicnn_wheel.WHEEL)
    _trust(monkeypatch, wheel)
    root = musicnn_wheel.fetch_weights(wheel=wheel)
    assert root == musicnn_wheel.cache_root()
    assert sorted(p.name for p in (tmp_path / "keras_home" / "models").iterdir()) == [
        "musicnn-0.1.0"
    ]
    report = musicnn_wheel.cached_weights()
    assert report["complete"] and report["licence"] == "ISC"
    assert sorted(report["checkpoints"]) == sorted(musicnn_wheel.CHECKPOINTS)
    files = report["checkpoints"]["MTT_musicnn"]["files"]
    assert files[".index"]["ok"] and files[".index"]["bytes"] == len(b"MTT_musicnn.index") * 10
    assert not (tmp_path / "keras_home/models/musicnn-0.1.0/models.py").exists()
    # A damaged cached file shows in the report.
    (tmp_path / "keras_home/models/musicnn-0.1.0/MTT_vgg/.meta").write_bytes(b"x")
    assert not musicnn_wheel.cached_weights()["complete"]


def test_wrong_hash_is_named(tmp_path):
    wheel = _fake_wheel(tmp_path / musicnn_wheel.WHEEL)
    with pytest.raises(ValueError, match=f"{musicnn_wheel.WHEEL} has sha256"):
        musicnn_wheel.fetch_weights(wheel=wheel)
    assert not musicnn_wheel.cached_weights()["complete"]


def test_a_wheel_without_checkpoints_is_named(tmp_path, monkeypatch):
    wheel = _fake_wheel(tmp_path / "other.whl", checkpoints=("MTT_musicnn",))
    _trust(monkeypatch, wheel)
    with pytest.raises(ValueError, match=r"other\.whl lacks .*MSD_musicnn/\.index"):
        musicnn_wheel.install_wheel(wheel)
    assert not musicnn_wheel.cached_weights()["complete"]


def test_a_damaged_member_is_named(tmp_path, monkeypatch):
    wheel = _fake_wheel(tmp_path / "w.whl", damage="musicnn/MSD_vgg/.data-00000-of-00001")
    _trust(monkeypatch, wheel)
    with pytest.raises(ValueError, match=r"MSD_vgg/\.data-00000-of-00001 has sha256"):
        musicnn_wheel.install_wheel(wheel)


def test_offline_raises_weights_unavailable_naming_the_fix(monkeypatch):
    fail = [sys.executable, "-c", "import sys; sys.exit('ERROR: No matching distribution')"]
    monkeypatch.setattr(musicnn_wheel, "pip_command", lambda dest: fail)
    with pytest.raises(WeightsUnavailableError) as info:
        musicnn_wheel.fetch_weights()
    message = str(info.value)
    assert "pip download musicnn==0.1.0 --no-deps" in message
    assert f'weights="path/to/{musicnn_wheel.WHEEL}"' in message
    assert "No matching distribution" in message


def test_two_fetches_at_once_both_end_with_a_complete_cache(tmp_path, monkeypatch):
    wheel = _fake_wheel(tmp_path / musicnn_wheel.WHEEL)
    _trust(monkeypatch, wheel)
    results, errors = [], []

    def fetch():
        try:
            results.append(musicnn_wheel.install_wheel(wheel))
        except Exception as e:  # noqa: BLE001 - the test reports any failure
            errors.append(e)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results)) == 1
    assert musicnn_wheel.cached_weights()["complete"]
    leftovers = [p.name for p in (tmp_path / "keras_home" / "models").iterdir()]
    assert leftovers == ["musicnn-0.1.0"]
