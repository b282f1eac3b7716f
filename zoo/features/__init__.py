"""Hand-crafted audio features as batched, in-graph TensorFlow functions and Keras layers.

Every function takes waveforms `(batch, samples)` or magnitude/power spectrograms
`(batch, frames, bins)` and returns float32 `(batch, frames[, k])`, equal to
librosa 0.11 where librosa defines the feature. `HandcraftedFeatures` computes the
whole set and summarises each clip as one vector for a baseline classifier.

Example:
    >>> import zoo
    >>> layer = zoo.features.HandcraftedFeatures(sample_rate=16000)
    >>> layer(np.zeros((2, 16000), "float32")).shape
    TensorShape([2, 228])
"""

from zoo.features.cepstral import dct_matrix, log_mel_spectrogram, mfcc, real_cepstrum
from zoo.features.chroma import CHROMA_NAMES, chroma_filterbank, chroma_stft
from zoo.features.contrast import contrast_bands, spectral_contrast
from zoo.features.frame_features import FEATURES, FrameFeatures
from zoo.features.framing import (
    autocorrelation,
    center_pad,
    even_inverse_rfft,
    fft_frequencies,
    frame,
    framed_autocorrelation,
    magnitude_spectrogram,
    num_frames,
)
from zoo.features.handcrafted import HandcraftedFeatures
from zoo.features.lpc import lpc, lpc_frames
from zoo.features.moments import (
    spectral_centroid,
    spectral_kurtosis,
    spectral_moments,
    spectral_skewness,
    spectral_spread,
)
from zoo.features.pitch import yin, yin_frames, yin_periods
from zoo.features.spectral import (
    spectral_flatness,
    spectral_flux,
    spectral_irregularity,
    spectral_rolloff,
)
from zoo.features.summary import STATISTICS, ClipSummary, delta, summarize, summary_names
from zoo.features.temporal import rms, zero_crossing_rate
from zoo.features.tuning import estimate_tuning

__all__ = [
    "CHROMA_NAMES",
    "FEATURES",
    "STATISTICS",
    "ClipSummary",
    "FrameFeatures",
    "HandcraftedFeatures",
    "autocorrelation",
    "center_pad",
    "chroma_filterbank",
    "chroma_stft",
    "contrast_bands",
    "dct_matrix",
    "estimate_tuning",
    "even_inverse_rfft",
    "fft_frequencies",
    "framed_autocorrelation",
    "frame",
    "log_mel_spectrogram",
    "lpc",
    "lpc_frames",
    "magnitude_spectrogram",
    "mfcc",
    "num_frames",
    "real_cepstrum",
    "rms",
    "spectral_centroid",
    "spectral_contrast",
    "spectral_flatness",
    "spectral_flux",
    "spectral_irregularity",
    "spectral_kurtosis",
    "spectral_moments",
    "spectral_rolloff",
    "spectral_skewness",
    "spectral_spread",
    "summarize",
    "summary_names",
    "delta",
    "yin",
    "yin_frames",
    "yin_periods",
    "zero_crossing_rate",
]
