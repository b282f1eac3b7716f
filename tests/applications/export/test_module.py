"""`applications.export` pieces: the in-graph centre fit, the report figures, TFLite metadata."""

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.lite.tools import flatbuffer_utils

import zoo.audio
from applications.export import centre_fit
from applications.export.report import compare, probe_clips
from applications.export.writer import _add_metadata, read_tflite_metadata


@pytest.mark.parametrize("samples", [5, 8, 11, 12])
def test_centre_fit_is_fix_length_per_row(samples):
    x = np.arange(2 * samples, dtype="float32").reshape(2, samples) + 1
    out = centre_fit(tf.constant(x), 8).numpy()
    for row, fitted in zip(x, out):
        np.testing.assert_array_equal(fitted, zoo.audio.fix_length(row, 8).numpy())


def test_compare_reports_difference_agreement_and_accuracy_change():
    ref = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])
    out = np.array([[0.8, 0.2], [0.6, 0.4], [0.2, 0.8]])
    got = compare(ref, out, labels=np.array([0, 1, 0]))
    assert got["max_abs_diff"] == pytest.approx(0.2)
    assert got["top1_agreement"] == pytest.approx(2 / 3)
    assert got["accuracy_keras"] == pytest.approx(2 / 3)
    assert got["accuracy_export"] == pytest.approx(1 / 3)
    assert got["accuracy_change"] == pytest.approx(-1 / 3)


def test_probe_clips_are_deterministic_and_bounded():
    a, b = probe_clips(8000, 1000), probe_clips(8000, 1000)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (8, 1000) and np.abs(a).max() <= 0.8


def test_metadata_round_trips_through_a_tflite_flatbuffer():
    fn = tf.function(lambda x: {"y": x * 2.0}, input_signature=[tf.TensorSpec([None, 4])])
    blob = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()]).convert()
    assert read_tflite_metadata(blob) is None
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(blob))
    _add_metadata(model, {"class_names": ["a", "b"], "sample_rate": 16000})
    tagged = bytes(flatbuffer_utils.convert_object_to_bytearray(model))
    assert read_tflite_metadata(tagged) == {"class_names": ["a", "b"], "sample_rate": 16000}
