"""Generated data written once into a cache folder keyed by its parameters, atomically.

The built-in sets (`applications.data.chords`, `applications.events.scenes`)
are made on first use: written into a temporary folder, marked finished by a
`builtin.json` of their parameters, then renamed into place, so an interrupted
or failed first use leaves nothing behind and concurrent first uses are safe.
"""

import hashlib
import json
import os
import shutil
import tempfile

__all__ = ["MARKER", "cached_folder"]

MARKER = "builtin.json"  # written last: a folder without it is unfinished


def cached_folder(root, name, params, fill, key_extra=None):
    """The folder `root/<name>-<key>` holding what `fill(folder)` writes, made on first use.

    Args:
        root: the cache root (made if missing).
        name: the folder's prefix, e.g. `builtin`.
        params: JSON-ready parameters of the data: hashed into the key and
            written to the folder's `builtin.json`.
        fill: `fill(folder)` writes the data into `folder` (a temporary one).
        key_extra: values hashed into the key as well but not written, or None.

    Returns:
        The folder's path.

    Example:
        >>> cached_folder(cache_root(), "builtin", {"seed": 0}, lambda folder: None)
        '/home/me/.cache/keras-audio-zoo/builtin-...'
    """
    key = hashlib.sha256(json.dumps({**params, **(key_extra or {})}, sort_keys=True).encode())
    final = os.path.join(root, f"{name}-{key.hexdigest()[:12]}")
    marker = os.path.join(final, MARKER)
    if os.path.exists(marker):
        return final
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{name}-tmp-", dir=root)
    try:
        fill(tmp)
        with open(os.path.join(tmp, MARKER), "w") as f:
            json.dump(params, f, indent=1)
        if os.path.isdir(final) and not os.path.exists(marker):
            shutil.rmtree(final)  # not ours (no marker): e.g. a copy that was interrupted
        try:
            os.replace(tmp, final)
        except OSError:
            if not os.path.exists(marker):  # not a concurrent winner: a real failure
                raise
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    return final
