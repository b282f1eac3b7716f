"""WaveNet jobs: train one on a dataset's clips, then sample audio from it.

`train.run_train` fits a registered WaveNet (labels as the global condition)
and writes `model.keras` + `wavenet.json`; `generate.run_generate` samples a
WAV and a PNG from them; `checks` holds what both share (`wavenet.json`, flag
errors). Importing this package imports no TensorFlow, so the `audiozoo`
parser can.

Example:
    >>> from applications.wavenet import run_generate, run_train
    >>> run_train("builtin", "runs/wn", epochs=2)
    >>> run_generate("runs/wn/model.keras", 2.0, "chord.wav", condition="minor")
"""

from applications.wavenet.checks import METADATA
from applications.wavenet.generate import run_generate
from applications.wavenet.train import run_train

__all__ = ["METADATA", "run_generate", "run_train"]
