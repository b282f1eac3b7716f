"""WaveNet: the model, its layers, mu-law coding, training data and fast generation.

Example:
    >>> from zoo.wavenet import WaveNet, FastGenerator, mu_law_encode, waveform_pairs
"""

from zoo.wavenet.builders import wavenet, wavenet_small
from zoo.wavenet.data import shifted_pairs, training_dataset, waveform_pairs
from zoo.wavenet.generation import FastGenerator, NaiveGenerator
from zoo.wavenet.model import DEFAULT_DILATIONS, WaveNet
from zoo.wavenet.mu_law import mu_law_decode, mu_law_encode, mu_law_error_bound

__all__ = [
    "WaveNet",
    "wavenet",
    "wavenet_small",
    "mu_law_encode",
    "mu_law_decode",
    "mu_law_error_bound",
    "shifted_pairs",
    "waveform_pairs",
    "training_dataset",
    "DEFAULT_DILATIONS",
    "FastGenerator",
    "NaiveGenerator",
]
