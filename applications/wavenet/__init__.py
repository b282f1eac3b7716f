"""WaveNet jobs: train one on a dataset's clips, then sample audio from it.

`train.train` fits a registered WaveNet (labels as the global condition) as a
resumable run in OUT (`WaveNetConfig`'s settings; `run_train` takes them as
plain values) and writes `model.keras` + `wavenet.json`;
`generate.run_generate` samples a WAV and a PNG from them; `checks` holds what
both share (`wavenet.json`, flag errors). Importing this package imports no
TensorFlow, so the `audiozoo` parser can.

Example:
    >>> from applications.wavenet import run_generate, run_train
    >>> run_train("builtin", "runs/wn", epochs=2)
    >>> run_generate("runs/wn/model.keras", 2.0, "chord.wav", condition="minor")
"""

from applications.wavenet.checks import METADATA
from applications.wavenet.config import WaveNetConfig
from applications.wavenet.generate import run_generate
from applications.wavenet.train import run_train, train

__all__ = ["METADATA", "WaveNetConfig", "run_generate", "run_train", "train"]
