"""Linear prediction coefficients by Burg's method, per frame, equal to `librosa.lpc`."""

import tensorflow as tf

from zoo.features.framing import autocorrelation, frame, tiny
from zoo.validation import check_positive_int, argument_error

__all__ = ["lpc", "lpc_frames"]


def _covariances(y, order, acf):
    """`Q[i, j] = sum_{n=p}^{N-1} y[n-i] y[n-j]` for `i, j = 0..p`, from the autocorrelation.

    Row 0 is `r[j]` less the products that start before sample `p`; the rest follows
    from the shift identity `Q[i+1, j+1] = Q[i, j] + y[p-1-i] y[p-1-j] - y[N-1-i] y[N-1-j]`.
    """
    n, p = y.shape[-1], order
    head = y[..., :p]
    early = [tf.reduce_sum(head[..., : p - j] * head[..., j:p], -1) for j in range(p)]
    first = acf[..., : p + 1] - tf.stack(early + [tf.zeros_like(early[0])], -1)
    u = tf.reverse(head, [-1])
    v = tf.reverse(y[..., n - p :], [-1])
    edges = u[..., :, None] * u[..., None, :] - v[..., :, None] * v[..., None, :]
    rows = [first]
    for i in range(p):
        rows.append(
            tf.concat([first[..., i + 1 : i + 2], rows[-1][..., :-1] + edges[..., i, :]], -1)
        )
    return tf.stack(rows, -2)


def lpc(frames, order, acf=None, dtype=tf.float64):
    """All-pole coefficients `[1, a_1, .., a_p]` of each frame by Burg's method.

    Burg's method (Marple 1980, as `librosa.lpc`) raises the order one step at a time:
    with forward and backward prediction errors `f_n`, `b_{n-1}` of the current model
    over `n = m..N-1`, the reflection coefficient `k_m = -2 sum f_n b_{n-1} /
    (sum f_n^2 + b_{n-1}^2)` minimises their summed energy, and Levinson's update
    `a <- [a, 0] + k_m [0, reverse(a)]` gives the next model; `x[n] ~ -sum_i a_i x[n - i]`.
    The sums are quadratic forms of the frame's covariance matrix (Vos 2013, "A fast
    implementation of Burg's method"), built from the frame's autocorrelation
    (`autocorrelation`) instead of `2p` passes of error updates; all in float64, the
    precision librosa uses on float64 input. Two guards act only where rounding breaks
    exact identities, on noiseless pure tones (a singular problem, where librosa returns
    coefficients near 1e12): the energy is floored at 0 before adding float64's `tiny`,
    and `|k_m| <= 1`, so every `|a_i| <= binomial(p, i)`. An all-zero frame gives
    `[1, 0, .., 0]`.

    Args:
        frames: `(..., frame_length)` float tensor with `frame_length > order`.
        order: model order `p`, a positive int.
        acf: optional `autocorrelation(frames, L)` with `L >= order`, to share it.
        dtype: `tf.float64` (librosa's precision), or `tf.float32` for TFLite's builtins.

    Returns:
        float32 `(..., order + 1)`; the first coefficient is always 1.

    Example:
        >>> lpc(tf.random.normal((2, 10, 512)), order=12).shape
        TensorShape([2, 10, 13])
    """
    check_positive_int("order", order)
    y = tf.cast(frames, dtype)
    if y.shape[-1] is not None and y.shape[-1] <= order:
        raise argument_error("order", order, f"Frames of {y.shape[-1]} samples allow order < that.")
    if dtype != tf.float64:
        return _burg_by_errors(y, order)
    if acf is None:
        acf = autocorrelation(y, order, dtype)
    q = _covariances(y, order, tf.cast(acf, dtype))
    # The first p samples as rows of lagged copies, head[n, j] = y[n - j] (0 for n < j):
    # the sums over n = m..p-1 that Q leaves out at order m.
    lead = y[..., :order]
    pads = [[0, 0]] * (len(y.shape) - 1)
    head = tf.stack([tf.pad(lead[..., : order - j], pads + [[j, 0]]) for j in range(order + 1)], -1)
    a = tf.ones_like(q[..., 0, :1])
    for m in range(1, order + 1):
        w = head[..., m:, : m + 1]
        phi = q[..., : m + 1, : m + 1] + tf.einsum("...ni,...nj->...ij", w, w)
        zero = tf.zeros_like(a[..., :1])
        h = tf.concat([a, zero], -1)  # forward error filter over x[n], .., x[n-m]
        g = tf.concat([zero, tf.reverse(a, [-1])], -1)  # backward error, one sample late
        phi_h = tf.einsum("...ij,...j->...i", phi, h)
        phi_g = tf.einsum("...ij,...j->...i", phi, g)
        cross = tf.reduce_sum(g * phi_h, -1, keepdims=True)
        energy = tf.reduce_sum(h * phi_h, -1, keepdims=True) + tf.reduce_sum(
            g * phi_g, -1, keepdims=True
        )
        reflect = tf.clip_by_value(
            -2.0 * cross / (tf.maximum(energy, 0.0) + tiny(dtype)), -1.0, 1.0
        )
        a = h + reflect * g
    return tf.cast(a, tf.float32)


def _burg_by_errors(y, order):
    """Burg's method by its prediction-error updates, librosa's own loop, in `y`'s dtype.

    In float32 the covariance form of `lpc` cancels catastrophically on tonal frames
    (coefficients off by 1e3 on a chord); updating the errors stays as accurate as
    `librosa.lpc` on float32 input, and uses only ops TFLite has builtin kernels for.
    """
    forward, backward = y[..., 1:], y[..., :-1]
    energy = tf.reduce_sum(tf.square(forward), -1) + tf.reduce_sum(tf.square(backward), -1)
    a = [tf.ones_like(energy)]
    for _ in range(order):
        cross = tf.reduce_sum(backward * forward, -1)
        k = tf.clip_by_value(-2.0 * cross / (tf.maximum(energy, 0.0) + tiny(y.dtype)), -1.0, 1.0)
        padded = a + [tf.zeros_like(k)]
        a = [padded[j] + k * padded[len(a) - j] for j in range(len(a) + 1)]
        step = tf.expand_dims(k, -1)
        forward, backward = forward + step * backward, backward + step * forward
        energy = (1.0 - k * k) * energy - backward[..., -1] ** 2 - forward[..., 0] ** 2
        forward, backward = forward[..., 1:], backward[..., :-1]
    return tf.cast(tf.stack(a, -1), tf.float32)


def lpc_frames(waveform, order, frame_length=2048, hop_length=512, center=True):
    """Burg LPC of each centred, unwindowed frame: `lpc(frame(waveform, ..), order)`.

    Frames are those of `librosa.feature.rms` (zero padding `frame_length // 2` on both
    sides), so frame `t` lines up with every other feature's frame `t`.

    Args:
        waveform: `(batch, samples)` float tensor.
        order: model order.
        frame_length: samples per frame, more than `order`.
        hop_length: samples between frames.
        center: centre frames with zero padding.

    Returns:
        float32 `(batch, frames, order + 1)`.

    Example:
        >>> lpc_frames(tf.random.normal((1, 8000)), order=10).shape
        TensorShape([1, 16, 11])
    """
    return lpc(frame(waveform, frame_length, hop_length, center=center), order)
