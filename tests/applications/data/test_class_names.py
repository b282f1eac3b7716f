"""Issue 28, item 11: a folder `b\\xff` (literal backslash) and one named with the byte 0xff."""

import os

import numpy as np
import pytest
import soundfile

from applications.data.folders import scan_folder


def _classes(root, names):
    """Class folders `names` (bytes) of three silent WAVs each (written, then renamed)."""
    for i, name in enumerate(names):
        made = os.path.join(root, b"made%d" % i)
        os.mkdir(made)
        for j in range(3):
            soundfile.write(os.fsdecode(os.path.join(made, b"%d.wav" % j)), np.zeros(800), 8000)
        os.rename(made, os.path.join(root, name))


def test_two_class_folders_that_print_alike_are_refused(tmp_path):
    root = os.fsencode(tmp_path)
    _classes(root, (b"b\\xff", b"b\xff", b"c"))
    with pytest.raises(ValueError) as error:
        scan_folder(str(tmp_path))
    message = str(error.value)
    assert "class folders b'b\\\\xff' and b'b\\xff' both read as class 'b\\\\xff'" in message
    assert message.endswith("rename one of them.") and "\n" not in message


def test_one_non_utf8_class_folder_keeps_its_escaped_name(tmp_path):
    root = os.fsencode(tmp_path)
    _classes(root, (b"b\xff", b"c"))
    _, names, _ = scan_folder(str(tmp_path))
    assert names == ["b\\xff", "c"]
