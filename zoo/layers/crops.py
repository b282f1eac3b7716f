"""Time crops of log-mels inside the model: a random crop per clip in training, the
average over evenly spaced crops at inference (test-time augmentation).

`TimeCrops` turns `(batch, frames, mels, C)` into one random crop per clip
when training and into `num_crops` evenly spaced crops per clip otherwise
(`(batch * num_crops, crop_frames, mels, C)`); `CropMean` after the classifier
averages each clip's crop predictions back to `(batch, classes)`. Both live in
the saved model, so a loaded model averages over crops at inference too.
"""

import keras
import numpy as np
from keras import ops

from zoo.layers.config import attribute_config

__all__ = ["TimeCrops", "CropMean", "crop_offsets"]


def crop_offsets(clip_frames, crop_frames, num_crops):
    """First frames of `num_crops` evenly spaced crops; one crop is centred.

    Args:
        clip_frames: frames of the clip.
        crop_frames: frames of each crop (at most `clip_frames`).
        num_crops: how many crops.

    Returns:
        A list of ints from 0 to `clip_frames - crop_frames`.

    Example:
        >>> crop_offsets(10, 4, 3)
        [0, 3, 6]
    """
    span = clip_frames - crop_frames
    if span < 0:
        raise ValueError(
            f"A crop of {crop_frames} frames does not fit a clip of {clip_frames}. "
            f"Received: crop_frames={crop_frames}"
        )
    if num_crops == 1:
        return [span // 2]
    return [int(v) for v in np.round(np.linspace(0, span, num_crops))]


@keras.saving.register_keras_serializable(package="zoo")
class TimeCrops(keras.layers.Layer):
    """Random time crop in training; `num_crops` evenly spaced crops at inference.

    Args:
        crop_frames: frames per crop.
        num_crops: crops per clip at inference (stacked into the batch axis).
        seed: seeds the training crops.
        **kwargs: base layer arguments.

    Example:
        >>> layer = TimeCrops(8, num_crops=3)
        >>> layer(np.zeros((2, 20, 16, 1), "float32")).shape
        TensorShape([6, 8, 16, 1])
    """

    def __init__(self, crop_frames, num_crops=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.crop_frames, self.num_crops, self.seed = int(crop_frames), int(num_crops), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        frames = inputs.shape[1]
        if training:
            # One offset per clip in [0, frames - crop]; gather its frames.
            starts = keras.random.randint(
                (ops.shape(inputs)[0], 1),
                0,
                frames - self.crop_frames + 1,
                seed=self.seed_generator,
            )
            index = starts + ops.arange(self.crop_frames)[None, :]
            return ops.take_along_axis(inputs, index[:, :, None, None], axis=1)
        crops = [
            inputs[:, start : start + self.crop_frames]
            for start in crop_offsets(frames, self.crop_frames, self.num_crops)
        ]
        # Clip-major: rows b * num_crops ... b * num_crops + num_crops - 1 are clip b.
        return ops.reshape(ops.stack(crops, axis=1), (-1, self.crop_frames, *inputs.shape[2:]))

    def compute_output_shape(self, input_shape):
        return (None, self.crop_frames, *input_shape[2:])

    def get_config(self):
        return {
            **super().get_config(),
            **attribute_config(self, "crop_frames", "num_crops", "seed"),
        }


@keras.saving.register_keras_serializable(package="zoo")
class CropMean(keras.layers.Layer):
    """Average the predictions of each clip's `num_crops` crops (identity in training).

    Args:
        num_crops: crops per clip, as in the `TimeCrops` before it.
        **kwargs: base layer arguments.

    Example:
        >>> CropMean(2)(np.array([[1.0, 0.0], [0.0, 1.0]], "float32")).numpy()
        array([[0.5, 0.5]], dtype=float32)
    """

    def __init__(self, num_crops=1, **kwargs):
        super().__init__(**kwargs)
        self.num_crops = int(num_crops)

    def call(self, inputs, training=False):
        if training:
            return inputs
        return ops.mean(ops.reshape(inputs, (-1, self.num_crops, inputs.shape[-1])), axis=1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "num_crops": self.num_crops}
