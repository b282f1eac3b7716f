"""Power spectra of windowed frames: by FFT, or by a four-step DFT of matrix products.

TFLite's RFFT2D kernel runs in double precision with copies around it: on one core
it costs about 18 us per 2048-point frame, most of a small classifier's front end.
The same spectrum as two small matrix products (Cooley-Tukey's four-step split
`n = n1 * n2`, Bailey 1990) runs on TFLite's FULLY_CONNECTED kernels in about half
the time, and only for the bins a mel filterbank reads. `method="fft"` is
`tf.signal.rfft`; `method="matmul"` is the four-step product, equal to it within
float32 rounding (about 1e-6 of the largest bin).
"""

import numpy as np
import tensorflow as tf

from zoo.validation import check_choice, check_positive_int, argument_error

__all__ = ["DFT_METHODS", "four_step_split", "power_spectrum"]

DFT_METHODS = ("fft", "matmul")


def four_step_split(n, bins):
    """`(n1, n2, k2)`: the split `n = n1 * n2` with the fewest multiply-adds for `bins` bins.

    The first pass costs `2 n n1` multiply-adds per frame (an `n1`-point DFT of each
    of `n2` real columns), the second `4 n k2` (`k2 = ceil(bins / n1)` outputs of an
    `n2`-point complex DFT per row); ties go to the smaller `n1`. A prime `n` has no
    split: its direct DFT's matrix holds `n x 2 bins` values (4 MB at n = 1021), so
    prefer FFT sizes with small factors.

    Example:
        >>> four_step_split(2048, 513), four_step_split(2048, 1025)
        ((32, 64, 17), (32, 64, 33))
    """
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    cost = {d: 2 * n * d + 4 * n * -(-bins // d) for d in divisors}
    n1 = min(divisors, key=lambda d: (cost[d], d))
    return n1, n // n1, -(-bins // n1)


def _four_step_matrices(n, n1, n2, k2):
    """The first pass's DFT, the twiddles and the second pass's DFT as float32 arrays."""
    rows = np.arange(n1)
    first = 2 * np.pi * np.outer(rows, rows) / n1  # x @ [cos | -sin] -> [re | im]
    columns = np.arange(n2)
    twiddle = -2 * np.pi * np.outer(columns, rows) / n  # exp(-2 pi i n2 k1 / n), (n2, n1)
    second = 2 * np.pi * np.outer(columns, np.arange(k2)) / n2
    matrices = (
        np.concatenate([np.cos(first), -np.sin(first)], axis=1),
        np.cos(twiddle),
        np.sin(twiddle),
        np.concatenate([np.cos(second), np.sin(second)], axis=1),
    )
    return [m.astype(np.float32) for m in matrices]


def _four_step_power(frames, n, bins):
    n1, n2, k2 = four_step_split(n, bins)
    first, twiddle_cos, twiddle_sin, second = _four_step_matrices(n, n1, n2, k2)
    # Sample n2 * j1 + j2 sits at [j1, j2]; the first pass transforms over j1.
    x = tf.transpose(tf.reshape(frames, [-1, n1, n2]), [0, 2, 1])
    a = tf.reshape(tf.matmul(tf.reshape(x, [-1, n1]), first), [-1, n2, 2 * n1])
    re, im = a[..., :n1], a[..., n1:]
    twisted = tf.concat(
        [re * twiddle_cos - im * twiddle_sin, re * twiddle_sin + im * twiddle_cos], axis=1
    )
    # The second pass transforms over j2: bin k1 + n1 * k2 lands at row k1, column k2.
    # Real and imaginary rows share one [cos | sin] matrix (half the constants of the
    # complex block matrix): (re + i im)(cos - i sin) = re cos + im sin + i (im cos - re sin).
    z = tf.reshape(tf.transpose(tf.reshape(twisted, [-1, 2, n2, n1]), [0, 1, 3, 2]), [-1, n2])
    parts = tf.reshape(tf.matmul(z, second), [-1, 2, n1, 2 * k2])
    re, im = parts[:, 0], parts[:, 1]
    real = re[..., :k2] + im[..., k2:]
    imag = im[..., :k2] - re[..., k2:]
    power = real**2 + imag**2
    power = tf.reshape(tf.transpose(power, [0, 2, 1]), [-1, n1 * k2])
    return power[:, :bins]


def power_spectrum(frames, n_fft, bins=None, method="fft"):
    """`|rfft(frames)|^2` of the first `bins` bins: `(..., n_fft)` -> `(..., bins)`.

    Args:
        frames: windowed float32 frames, last axis `n_fft` long.
        n_fft: the frame (and DFT) length.
        bins: how many of the `n_fft // 2 + 1` bins to return, from 0 Hz; None for all.
        method: `"fft"` (`tf.signal.rfft`) or `"matmul"` (the four-step product: TFLite
            FULLY_CONNECTED kernels instead of RFFT2D).

    Example:
        >>> frames = tf.random.normal((2, 5, 512))
        >>> fast = power_spectrum(frames, 512, 100, "matmul")
        >>> bool(np.allclose(fast, power_spectrum(frames, 512, 100), rtol=1e-4, atol=1e-3))
        True
    """
    check_choice("method", method, DFT_METHODS)
    check_positive_int("n_fft", n_fft)
    if frames.shape[-1] is not None and frames.shape[-1] != n_fft:
        raise argument_error(
            "frames", tuple(frames.shape), f"The frames' last axis must be n_fft = {n_fft} long."
        )
    half = n_fft // 2 + 1
    bins = half if bins is None else bins
    if not 1 <= bins <= half:
        raise argument_error("bins", bins, f"`bins` must be in 1..n_fft // 2 + 1 = {half}.")
    if method == "fft":
        spectrum = tf.signal.rfft(frames, [n_fft])
        # Sliced after the squares: TFLite has no builtin slice of complex tensors.
        return (tf.math.real(spectrum) ** 2 + tf.math.imag(spectrum) ** 2)[..., :bins]
    power = _four_step_power(frames, n_fft, bins)
    return tf.reshape(power, tf.concat([tf.shape(frames)[:-1], [bins]], axis=0))
