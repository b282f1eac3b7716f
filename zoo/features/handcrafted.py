"""The whole hand-crafted set, summarised per clip: waveform in, one vector per clip out."""

import keras
import tensorflow as tf

from zoo.features.frame_features import FrameFeatures
from zoo.features.summary import STATISTICS, check_statistics, delta, summarize, summary_names

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

    With `deltas=True` each column's first-order delta (`zoo.features.delta`, as
    `librosa.feature.delta`) joins the columns as `<column>_delta` before the
    summary; `features=["mfcc"], deltas=True, statistics=("mean", "std")` is the
    field's standard MFCC + delta mean/std vector (80 values with 20 MFCCs).

    Args:
        deltas: also summarise each column's delta over frames.
        statistics: which of `STATISTICS` (`mean`, `std`, `absdelta`) to take.
        **kwargs: the arguments of `FrameFeatures` (`sample_rate`, `n_fft`,
            `hop_length`, `n_mels`, `n_mfcc`, `n_cepstrum`, `lpc_order`, ...) and of
            `keras.layers.Layer`.

    Example:
        >>> layer = HandcraftedFeatures(sample_rate=16000, n_fft=1024, hop_length=256)
        >>> layer(np.zeros((2, 16000), "float32")).shape
        TensorShape([2, 228])
    """

    def __init__(self, deltas=False, statistics=STATISTICS, **kwargs):
        super().__init__(**kwargs)
        self.deltas = bool(deltas)
        self.statistics = check_statistics(statistics)

    def frame_feature_names(self):
        """The `D` per-frame column names (`FrameFeatures.feature_names`, then deltas).

        Example:
            >>> HandcraftedFeatures(features=["rms"]).frame_feature_names()
            ['rms']
        """
        names = super().feature_names()
        return names + [f"{name}_delta" for name in names] if self.deltas else names

    def feature_names(self):
        """The `3 D` output names: `<column>_mean`, then `_std`, then `_absdelta`.

        Example:
            >>> HandcraftedFeatures(features=["rms", "f0"]).feature_names()[:2]
            ['rms_mean', 'f0_mean']
        """
        return summary_names(self.frame_feature_names(), self.statistics)

    def call(self, inputs):
        frames = self._compute(inputs)
        if self.deltas:
            frames = tf.concat([frames, delta(frames)], axis=-1)
        return summarize(frames, self.statistics)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.feature_names()))

    def get_config(self):
        config = {**super().get_config(), "deltas": self.deltas}
        return {**config, "statistics": list(self.statistics)}
