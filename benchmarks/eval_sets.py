"""Generate the two held-out evaluation folders of issue 12 (audio is never committed).

    python benchmarks/eval_sets.py words --out DIR [--seed S]
    python benchmarks/eval_sets.py instruments --out DIR [--seed S]

`words`: spoken digits by espeak-ng speakers; the test speakers never occur
in training. `instruments`: single notes of General MIDI instrument families
rendered by fluidsynth; the test instruments (GM programs) never occur in
training. Both write `DIR/{train,val,test}/<class>/*.wav` (16 kHz mono PCM16,
1.0 s) and `DIR/manifest.json` (split, counts, every clip's parameters, tool
versions), atomically. Needs: apt-get install -y espeak-ng fluidsynth
fluid-soundfont-gm sox.

From Python: `make_words_set(out, seed=0)`, `make_instruments_set(out, seed=0)`.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eval_sets_common import MissingToolError
from eval_sets_instruments import make_instruments_set
from eval_sets_words import make_words_set

__all__ = ["MissingToolError", "main", "make_instruments_set", "make_words_set"]
MAKERS = {"words": make_words_set, "instruments": make_instruments_set}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set", choices=sorted(MAKERS))
    parser.add_argument("--out", required=True, help="folder to create")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="clips processed in parallel")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    args = parser.parse_args(argv)
    try:
        manifest = MAKERS[args.set](
            args.out, seed=args.seed, workers=args.workers, overwrite=args.overwrite
        )
    except (MissingToolError, FileExistsError) as error:
        print(f"eval_sets.py: error: {error}", file=sys.stderr)
        return 2
    summary = {k: manifest[k] for k in ("set", "seed", "total_clips", "counts", "seconds")}
    print(json.dumps({"out": os.path.abspath(args.out), **summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
