"""The whole hand-crafted set, summarised per clip: waveform in, one vector per clip out."""

import keras

from zoo.features.frame_features import FrameFeatures
from zoo.features.summary import summarize, summary_names

__all__ = ["HandcraftedFeatures"]


@keras.saving.register_keras_serializable(package="zoo")
class HandcraftedFeatures(FrameFeatures):
    """Waveform `(batch, samples)` -> `(batch, 3 D)`: `ClipSummary` of `FrameFeatures`.

    Takes exactly `FrameFeatures`' arguments. The output holds, for each of the `D`
    per-frame columns (`frame_feature_names()`), its mean over frames, its standard
    deviation, and its mean absolute first difference, statistic-major; the names
    are `feature_names()`, e.g. `rms_mean, .., periodicity_mean, rms_std, ..,
    periodicity_absdelta`. With the defaults `D = 76` and the vector has 228 values.
    Meant as the input of a standardise + logistic-regression baseline.

    Args:
        **kwargs: the arguments of `FrameFeatures` (`sample_rate`, `n_fft`,
            `hop_length`, `n_mels`, `n_mfcc`, `n_cepstrum`, `lpc_order`, ...) and of
            `keras.layers.Layer`.

    Example:
        >>> layer = HandcraftedFeatures(sample_rate=16000, n_fft=1024, hop_length=256)
        >>> layer(np.zeros((2, 16000), "float32")).shape
        TensorShape([2, 228])
    """

    def frame_feature_names(self):
        """The `D` per-frame column names (`FrameFeatures.feature_names`).

        Example:
            >>> HandcraftedFeatures(features=["rms"]).frame_feature_names()
            ['rms']
        """
        return super().feature_names()

    def feature_names(self):
        """The `3 D` output names: `<column>_mean`, then `_std`, then `_absdelta`.

        Example:
            >>> HandcraftedFeatures(features=["rms", "f0"]).feature_names()[:2]
            ['rms_mean', 'f0_mean']
        """
        return summary_names(self.frame_feature_names())

    def call(self, inputs):
        return summarize(self._compute(inputs))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.feature_names()))
