"""Redraw the README's pictures: run the commands that draw them, then copy small PNGs here.

    python docs/images/make.py              # runs what is missing under runs/, then copies
    python docs/images/make.py --runs DIR   # reuse finished runs in DIR/finetune, ...
    python docs/images/make.py --runs DIR --copy-only   # only copy from DIR's runs

Each picture comes from the command beside it (a finished run is not rerun):

    history.png, confusion_matrix.png   audiozoo finetune --out DIR/finetune
    separation.png                      audiozoo separate train --out DIR/separation
    events.png                          audiozoo events train --epochs 10 --out DIR/events

The copies are scaled to at most 900 pixels wide and saved as 8-bit palette PNGs, so
the folder stays a few hundred KB.
"""

import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMMANDS = {
    "finetune": ["finetune"],
    "separation": ["separate", "train"],
    "events": ["events", "train", "--epochs", "10"],
}
PICTURES = {  # picture here: (run, file in the run; a folder means its first PNG)
    "history.png": ("finetune", "history.png"),
    "confusion_matrix.png": ("finetune", "confusion_matrix.png"),
    "separation.png": ("separation", "separation.png"),
    "events.png": ("events", "plots"),
}


def _audiozoo():
    found = shutil.which("audiozoo")
    return [found] if found else [sys.executable, "-m", "applications.cli"]


def _source(runs, run, name):
    path = os.path.join(runs, run, name)
    if os.path.isdir(path):
        pngs = sorted(p for p in os.listdir(path) if p.endswith(".png"))
        return os.path.join(path, pngs[0]) if pngs else None
    return path if os.path.exists(path) else None


def _shrink(source, target, width=900):
    from PIL import Image

    image = Image.open(source).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    image.save(target + ".tmp", format="PNG", optimize=True)
    os.replace(target + ".tmp", target)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="runs", help="folder of the runs (default: runs)")
    parser.add_argument("--copy-only", action="store_true", help="run nothing, only copy")
    args = parser.parse_args(argv)
    for run, command in {} if args.copy_only else COMMANDS.items():
        out = os.path.join(args.runs, run)
        # A rerun of a finished run only says it is complete.
        subprocess.run([*_audiozoo(), *command, "--out", out], check=True)
    for picture, (run, name) in PICTURES.items():
        source = _source(args.runs, run, name)
        if source is None:
            sys.exit(f"{picture}: {os.path.join(args.runs, run, name)} is missing")
        _shrink(source, os.path.join(HERE, picture))
        print(f"{picture}: from {source}, {os.path.getsize(os.path.join(HERE, picture)):,} bytes")


if __name__ == "__main__":
    main()
