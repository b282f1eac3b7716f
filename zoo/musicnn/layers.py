"""The musicnn front end as a Keras layer, and the labels of its two datasets.

`MusicnnLogMel` computes what the official `musicnn.extractor.batch_data` feeds
the networks: `log10(10000 * librosa.feature.melspectrogram(y, sr=16000,
n_fft=512, hop_length=256, n_mels=96) + 1)`, time first. It computes in float32
(the official casts the mel power to float16 before the log, which overflows to
inf on loud input).
"""

import keras
import numpy as np
import tensorflow as tf

from zoo.audio import DFT_METHODS, front_end, mel_filterbank, periodic_hann, power_spectrum
from zoo.validation import argument_error, check_choice, check_positive_int

__all__ = ["MSD_LABELS", "MTT_LABELS", "MusicnnLogMel", "PAD_MODES"]

_PRESET = front_end("musicnn")
PAD_MODES = ("constant", "reflect")

# musicnn/configuration.py (musicnn 0.1.0): the tags in output order.
MTT_LABELS = (
    "guitar, classical, slow, techno, strings, drums, electronic, rock, fast, piano, ambient, "
    "beat, violin, vocal, synth, female, indian, opera, male, singing, vocals, no vocals, "
    "harpsichord, loud, quiet, flute, woman, male vocal, no vocal, pop, soft, sitar, solo, man, "
    "classic, choir, voice, new age, dance, male voice, female vocal, beats, harp, cello, "
    "no voice, weird, country, metal, female voice, choral"
).split(", ")
MSD_LABELS = (
    "rock, pop, alternative, indie, electronic, female vocalists, dance, 00s, alternative rock, "
    "jazz, beautiful, metal, chillout, male vocalists, classic rock, soul, indie rock, Mellow, "
    "electronica, 80s, folk, 90s, chill, instrumental, punk, oldies, blues, hard rock, ambient, "
    "acoustic, experimental, female vocalist, guitar, Hip-Hop, 70s, party, country, "
    "easy listening, sexy, catchy, funk, electro, heavy metal, Progressive rock, 60s, rnb, "
    "indie pop, sad, House, happy"
).split(", ")


@keras.saving.register_keras_serializable(package="zoo")
class MusicnnLogMel(keras.layers.Layer):
    """Waveform `(batch, samples)` -> musicnn log-mel `(batch, frames, n_mels)`.

    Equals `np.log10(10000 * librosa.feature.melspectrogram(y=y, sr=sample_rate,
    n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, pad_mode=pad_mode).T + 1)`:
    periodic Hann window, frames centred (`frames = 1 + samples // hop_length`),
    Slaney mel filters (`zoo.audio.mel_filterbank`), power 2. librosa >= 0.10
    pads with zeros (`"constant"`, the default here); librosa 0.6-0.9, which
    computed the published models' training data, reflected (`"reflect"`). The
    two differ only in the first and last frame.

    Args:
        sample_rate: input rate in Hz (the models were trained at 16000).
        n_fft: FFT and window length.
        hop_length: samples between frames.
        n_mels: mel bands.
        pad_mode: `"constant"` or `"reflect"` (see above).
        dft: `"fft"` or `"matmul"` (TFLite's faster kernels; `zoo.audio.dft`).
        **kwargs: `keras.layers.Layer` arguments; `dtype` defaults to float32.

    Example:
        >>> layer = MusicnnLogMel()
        >>> layer(np.zeros((2, 47616), "float32")).shape
        TensorShape([2, 187, 96])
    """

    def __init__(
        self,
        sample_rate=_PRESET["sample_rate"],
        n_fft=_PRESET["n_fft"],
        hop_length=_PRESET["hop_length"],
        n_mels=_PRESET["n_mels"],
        pad_mode="constant",
        dft="fft",
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        check_positive_int("sample_rate", sample_rate)
        check_positive_int("n_fft", n_fft, minimum=2)
        check_positive_int("hop_length", hop_length)
        check_positive_int("n_mels", n_mels)
        check_choice("pad_mode", pad_mode, PAD_MODES)
        self.sample_rate, self.n_fft, self.hop_length = sample_rate, n_fft, hop_length
        self.n_mels, self.pad_mode = n_mels, pad_mode
        self.dft = check_choice("dft", dft, DFT_METHODS)
        self._filters = mel_filterbank(sample_rate, n_fft, n_mels)

    def call(self, inputs):
        x = tf.cast(inputs, tf.float32)
        pad = self.n_fft // 2
        x = tf.pad(x, [[0, 0], [pad, pad]], mode=self.pad_mode.upper())
        frames = tf.signal.frame(x, self.n_fft, self.hop_length)
        power = power_spectrum(frames * periodic_hann(self.n_fft), self.n_fft, method=self.dft)
        mel = tf.tensordot(power, tf.constant(self._filters), axes=1)
        out = tf.math.log1p(10000.0 * mel) / np.log(10.0)
        return tf.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        frames = None if samples is None else 1 + samples // self.hop_length
        return (input_shape[0], frames, self.n_mels)

    def get_config(self):
        return {
            **super().get_config(),
            "sample_rate": self.sample_rate,
            "n_fft": self.n_fft,
            "hop_length": self.hop_length,
            "n_mels": self.n_mels,
            "pad_mode": self.pad_mode,
            "dft": self.dft,
        }


def check_samples(samples, n_fft, pad_mode):
    """Raise unless `samples` (or None) is long enough for one centred frame."""
    if samples is not None and pad_mode == "reflect" and samples <= n_fft // 2:
        raise argument_error(
            "input_shape",
            (samples,),
            f"pad_mode='reflect' needs more than n_fft // 2 = {n_fft // 2} samples.",
        )
