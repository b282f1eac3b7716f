import numpy as np
import pytest

from zoo.wavenet.mu_law import mu_law_error_bound
from zoo.wavenet import mu_law_decode, mu_law_encode


@pytest.mark.parametrize("q", [256, 16])
def test_classes_cover_zero_to_q_minus_one_and_silence_is_the_middle(q):
    x = np.linspace(-1.0, 1.0, 100001, dtype="float32")
    classes = np.asarray(mu_law_encode(x, q))
    assert classes.dtype == np.int32
    assert classes.min() == 0 and classes.max() == q - 1
    assert set(np.unique(classes)) == set(range(q))  # every level is reachable
    assert int(mu_law_encode(0.0, q)) == q // 2
    assert np.all(np.diff(classes) >= 0)  # monotonic


def test_paper_formula_at_known_points():
    # f(0.5) = ln(1 + 127.5) / ln(256) = 0.87513...; class = round((f + 1) / 2 * 255) = 239.
    assert int(mu_law_encode(0.5)) == 239
    assert int(mu_law_encode(-0.5)) == 255 - 239  # odd symmetry about 127.5
    np.testing.assert_allclose(mu_law_decode([0, 255]), [-1.0, 1.0], atol=1e-6)


def test_decode_stays_in_range_and_out_of_range_input_is_clipped():
    decoded = np.asarray(mu_law_decode(np.arange(256)))
    assert decoded.min() >= -1.0 and decoded.max() <= 1.0
    assert np.all(np.diff(decoded) > 0)
    np.testing.assert_array_equal(mu_law_encode([-3.0, 7.0]), [0, 255])


@pytest.mark.parametrize("q", [256, 64])
def test_round_trip_error_is_within_the_companding_bound(q):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-1, 1, 20000), rng.uniform(-0.01, 0.01, 20000)]).astype(
        "float32"
    )
    error = np.abs(x - np.asarray(mu_law_decode(mu_law_encode(x, q), q)))
    bound = np.asarray(mu_law_error_bound(x, q))
    assert np.all(error <= bound + 1e-6)
    # The bound is tight to within a few percent: some value gets close to it.
    assert np.max(error / bound) > 0.9
    # Companding: small amplitudes are quantised far more finely than loud ones.
    quiet, loud = np.abs(x) < 0.01, np.abs(x) > 0.9
    assert error[quiet].max() < error[loud].max() / 20


def test_quantization_channels_are_validated():
    with pytest.raises(ValueError, match="Received: quantization_channels=1"):
        mu_law_encode([0.0], 1)
