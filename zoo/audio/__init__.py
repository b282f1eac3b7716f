"""Audio front end: decoding, resampling, clips, log-mel, SpecAugment, image adaptor.

Importing this package does not touch tensorflow-io; `backend()` probes it on
first use, silently.

Example:
    >>> import zoo
    >>> import soundfile  # a half-second clip at 8 kHz, in the current folder
    >>> soundfile.write("clip.wav", np.zeros(4000, "float32"), 8000)
    >>> wave, rate = zoo.audio.load("clip.wav", sample_rate=16000)
    >>> mel = zoo.audio.LogMelSpectrogram(sample_rate=rate)(wave[None])
    >>> mel.shape
    TensorShape([1, 64, 32, 1])
"""

from zoo.audio.adaptors import IMAGENET_BGR_MEANS, SpectrogramToImage
from zoo.audio.augment import SpecAugment
from zoo.audio.backend import backend
from zoo.audio.clips import fix_length, to_mono
from zoo.audio.dft import DFT_METHODS, power_spectrum
from zoo.audio.features import LogMelSpectrogram, mel_filterbank
from zoo.audio.io import AudioDecodeError, AudioInfo, decode_file, info, load
from zoo.audio.pipeline import log_mel_dataset, map_batches
from zoo.audio.presets import FRONT_ENDS, front_end
from zoo.audio.resample import resample
from zoo.audio.windows import periodic_hann

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff")

__all__ = [
    "AUDIO_EXTENSIONS",
    "AudioDecodeError",
    "DFT_METHODS",
    "AudioInfo",
    "FRONT_ENDS",
    "IMAGENET_BGR_MEANS",
    "LogMelSpectrogram",
    "SpecAugment",
    "SpectrogramToImage",
    "backend",
    "decode_file",
    "fix_length",
    "front_end",
    "info",
    "load",
    "log_mel_dataset",
    "map_batches",
    "mel_filterbank",
    "periodic_hann",
    "power_spectrum",
    "resample",
    "to_mono",
]
