"""Windows and resampling against scipy.signal.

Each test names the scipy function it matches and its tolerance.
"""

import numpy as np
import pytest
import scipy.signal
import tensorflow as tf

import zoo
from zoo.audio.resample import kaiser_sinc_filter


def test_periodic_hann_is_scipy_get_window_fftbins_for_every_length():
    """`zoo.audio.periodic_hann(n)` = `scipy.signal.get_window("hann", n, fftbins=True)`
    (librosa's STFT window) for every n in 1..256 and the usual FFT sizes around powers of
    two up to 4097, odd and even: absolute 1e-15 in float64, 3e-7 in float32.
    `tf.signal.hann_window(n, periodic=True)` is not, at odd n."""
    worst64 = worst32 = 0.0
    sizes = [*range(1, 257), *(p + d for p in (400, 512, 1024, 2048, 4096) for d in (-1, 0, 1))]
    for n in sizes:
        ref = scipy.signal.get_window("hann", n, fftbins=True)
        worst64 = max(worst64, np.abs(zoo.audio.periodic_hann(n, tf.float64).numpy() - ref).max())
        worst32 = max(worst32, np.abs(zoo.audio.periodic_hann(n).numpy() - ref).max())
    assert worst64 <= 1e-15 and worst32 <= 3e-7
    # The reason for the helper: TensorFlow's "periodic" window is the symmetric one at odd n.
    tf_window = tf.signal.hann_window(511, periodic=True, dtype=tf.float64).numpy()
    assert abs(tf_window.sum() - 255.0) < 1e-9
    assert abs(zoo.audio.periodic_hann(511, tf.float64).numpy().sum() - 255.5) < 1e-9


@pytest.mark.parametrize("up, down", [(2, 1), (1, 3), (160, 441), (441, 320), (3, 2)])
def test_kaiser_sinc_filter_is_resample_polys_filter(up, down):
    """`kaiser_sinc_filter` = the filter `scipy.signal.resample_poly` designs:
    `firwin(2 * 10 * max(up, down) + 1, 1 / max(up, down), window=("kaiser", 5.0)) * up`,
    relative 1e-12."""
    max_rate = max(up, down)
    ref = scipy.signal.firwin(2 * 10 * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * up
    np.testing.assert_allclose(kaiser_sinc_filter(up, down).numpy(), ref, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "rate_in, rate_out",
    [(22050, 16000), (16000, 22050), (44100, 8000), (8000, 11025), (48000, 16000)],
)
@pytest.mark.parametrize("channels", [None, 2])
def test_resample_is_scipy_resample_poly(rate_in, rate_out, channels):
    """`zoo.audio.resample` = `scipy.signal.resample_poly(x, up, down)` (coprime factors),
    absolute 1e-6 on a unit-scale signal, mono and multi-channel, and the same length."""
    rng = np.random.default_rng(0)
    shape = (rate_in // 10 + 7,) if channels is None else (rate_in // 10 + 7, channels)
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    ours = zoo.audio.resample(tf.constant(x), rate_in, rate_out).numpy()
    g = np.gcd(rate_in, rate_out)
    ref = scipy.signal.resample_poly(x.astype(np.float64), rate_out // g, rate_in // g, axis=0)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=1e-6, rtol=0)
