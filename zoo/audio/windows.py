"""The periodic Hann window of librosa and scipy, for every length, in the graph.

`tf.signal.hann_window(n, periodic=True)` is scipy's periodic window only for even
`n`: for odd `n` TensorFlow builds the symmetric one (its window sums 255.0 where
librosa's sums 255.5 at n = 511), and spectra at odd FFT sizes drift from librosa's.
"""

import tensorflow as tf

__all__ = ["periodic_hann"]


def periodic_hann(n, dtype=tf.float32):
    """`scipy.signal.get_window("hann", n, fftbins=True)` as a tensor (librosa's STFT window).

    `w[k] = 0.5 - 0.5 cos(2 pi k / n)`, `k = 0..n-1`: the first `n` samples of the
    symmetric window of length `n + 1`, computed in float64 and cast once, so float32
    values are scipy's rounded (within 3e-7 for every n up to 1100).

    Args:
        n: window length (a Python int >= 1; scipy's length-1 window is `[1.0]`).
        dtype: the returned tensor's float dtype.

    Returns:
        A `(n,)` tensor of `dtype`.

    Example:
        >>> periodic_hann(3).numpy()
        array([0.  , 0.75, 0.75], dtype=float32)
    """
    n = int(n)
    if n == 1:
        return tf.ones([1], dtype)
    window = tf.signal.hann_window(n + 1, periodic=False, dtype=tf.float64)[:n]
    return tf.cast(window, dtype)
