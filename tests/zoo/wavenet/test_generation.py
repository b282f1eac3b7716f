"""WaveNet sampling: the fast queued loop matches the naive reference, conditioning, state."""

import numpy as np
import pytest

from zoo.wavenet.mu_law import mu_law_decode
from zoo.wavenet import WaveNet
from zoo.wavenet.generation import FastGenerator, NaiveGenerator

SMALL = dict(
    dilations=(1, 2, 4, 8, 1, 2, 4, 8),
    residual_channels=8,
    dilation_channels=8,
    skip_channels=16,
    quantization_channels=32,
)
CONDITIONED = dict(
    SMALL,
    global_condition_classes=3,
    global_condition_channels=4,
    local_condition_channels=5,
    local_condition_hop=4,
)


def _sharpened(**kwargs):
    """A model whose next-sample distributions are peaked, not near uniform.

    An untrained WaveNet predicts almost uniform classes, so its samples
    follow the noise whatever the logits; scaling the last layer makes the
    samples depend on the network, so equal samples mean equal computations.
    """
    model = WaveNet(**kwargs)
    kernel = model.get_layer("logits").kernel
    kernel.assign(kernel * 40.0)
    return model


@pytest.mark.parametrize("kwargs", [SMALL, dict(SMALL, kernel_size=3, initial_kernel_size=3)])
def test_fast_equals_naive_for_the_same_seed(kwargs):
    model = _sharpened(**kwargs)
    steps = 2 * model.receptive_field + 7  # past the receptive field: queues wrap, windows slide
    fast = model.generate(steps, batch_size=2, seed=11, fast=True)
    naive = model.generate(steps, batch_size=2, seed=11, fast=False)
    assert fast.shape == (2, steps) and fast.dtype == np.float32
    np.testing.assert_array_equal(fast, naive)
    assert fast.min() >= -1.0 and fast.max() <= 1.0
    assert not np.array_equal(fast[0], fast[1])  # streams are independent draws
    assert len(np.unique(fast)) > 5
    # The samples depend on the weights, not only on the noise.
    other_weights = _sharpened(**kwargs).generate(steps, batch_size=2, seed=11)
    assert np.mean(other_weights != fast) > 0.5


def test_fast_equals_naive_with_conditioning_and_a_prime():
    model = _sharpened(**CONDITIONED)
    rng = np.random.default_rng(0)
    prime = 0.5 * np.sin(np.arange(40) / 3.0)
    steps = 50
    frames = rng.standard_normal((2, (40 + steps + 3) // 4, 5)).astype("float32")
    kwargs = dict(
        batch_size=2, seed=3, global_condition=[0, 2], local_condition=frames, prime=prime
    )
    fast = FastGenerator(model, **kwargs).generate_classes(steps)
    naive = NaiveGenerator(model, **kwargs).generate_classes(steps)
    np.testing.assert_array_equal(fast, naive)
    # A different global id or different local features change what is sampled.
    other_id = FastGenerator(model, **{**kwargs, "global_condition": [1, 2]}).generate_classes(
        steps
    )
    assert not np.array_equal(other_id[0], fast[0])
    other_frames = FastGenerator(
        model, **{**kwargs, "local_condition": frames[::-1]}
    ).generate_classes(steps)
    assert not np.array_equal(other_frames, fast)


def test_chunks_continue_the_same_streams_and_seeds_repeat():
    model = WaveNet(**SMALL)
    whole = FastGenerator(model, batch_size=3, seed=7).generate_classes(60)
    chunked = FastGenerator(model, batch_size=3, seed=7)
    parts = [chunked.generate_classes(20) for _ in range(3)]
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), whole)
    other_seed = FastGenerator(model, batch_size=3, seed=8).generate_classes(60)
    assert not np.array_equal(other_seed, whole)
    # generate() is the decoded classes.
    np.testing.assert_allclose(
        FastGenerator(model, batch_size=3, seed=7).generate(60), mu_law_decode(whole, 32), atol=0
    )


def test_temperature_sharpens_the_distribution():
    model = _sharpened(**SMALL)
    cold = model.generate(200, seed=1, temperature=0.05)
    hot = model.generate(200, seed=1, temperature=1.0)
    assert len(np.unique(cold)) < len(np.unique(hot))


def test_uncompiled_loop_gives_the_same_samples():
    model = _sharpened(**SMALL)
    a = FastGenerator(model, seed=4, jit_compile=True).generate_classes(40)
    b = FastGenerator(model, seed=4, jit_compile=False).generate_classes(40)
    np.testing.assert_array_equal(a, b)


def test_bad_generation_arguments_say_what_to_pass():
    model = WaveNet(**CONDITIONED)
    frames = np.zeros((3, 5), "float32")  # covers 12 samples
    with pytest.raises(ValueError, match="Received: global_condition=None"):
        model.generate(4, local_condition=frames)
    with pytest.raises(ValueError, match="Received: global_condition=3"):
        model.generate(4, global_condition=3, local_condition=frames)
    with pytest.raises(ValueError, match="Received: local_condition='<3 frames>'"):
        model.generate(20, global_condition=0, local_condition=frames)
    with pytest.raises(ValueError, match="Received: temperature=0"):
        model.generate(4, global_condition=0, local_condition=frames, temperature=0)
    with pytest.raises(ValueError, match="has no global conditioning"):
        WaveNet(**SMALL).generate(4, global_condition=1)
