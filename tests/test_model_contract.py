"""A TFLite model that is not a digit model is refused at load time, by name of what was expected."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge.cli import main
from edge.errors import UserError
from edge.runtime.interpreter import DigitClassifier

tf = pytest.importorskip("tensorflow")


def _tflite(tmp_path, name, in_shape, out_units):
    @tf.function(input_signature=[tf.TensorSpec(in_shape, tf.float32)])
    def model(x):
        flat = tf.reshape(x, [in_shape[0], -1])
        return tf.nn.softmax(flat[:, :out_units])

    converter = tf.lite.TFLiteConverter.from_concrete_functions([model.get_concrete_function()], model)
    path = tmp_path / name
    path.write_bytes(converter.convert())
    return path


def test_wrong_input_shape_is_refused_with_what_was_expected(tmp_path, capsys):
    rgb = _tflite(tmp_path, "rgb32.tflite", [1, 32, 32, 3], 10)
    with pytest.raises(UserError, match=r"expected one single-channel digit image \(N, 28, 28, 1\)"):
        DigitClassifier(rgb)
    page = tmp_path / "page.png"
    cv2.imwrite(str(page), np.full((60, 80), 255, np.uint8))
    assert main(["--source", str(page), "--model", str(rgb)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "single-channel digit image" in err[0]


def test_wrong_output_is_refused(tmp_path):
    five = _tflite(tmp_path, "five.tflite", [1, 28, 28, 1], 5)
    with pytest.raises(UserError, match="expected 10 digit scores"):
        DigitClassifier(five)


def test_a_fixed_batch_model_is_fed_in_chunks(tmp_path):
    # an Edge TPU compile fixes the batch size; a frame's crops must still all be read
    fixed = _tflite(tmp_path, "batch1.tflite", [1, 28, 28, 1], 10)
    classifier = DigitClassifier(fixed)
    assert classifier.fixed_batch == 1
    crops = np.zeros((3, 28, 28), np.uint8)
    crops[1, 0, 0] = 255  # the toy model scores digit d by pixel d of the first row
    probs = classifier.classify(crops)
    assert probs.shape == (3, 10) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-3)
    assert probs[1, 0] > probs[0, 0]


def test_an_11_output_model_digits_and_not_a_digit_is_accepted(tmp_path):
    eleven = _tflite(tmp_path, "eleven.tflite", [1, 28, 28, 1], 11)
    classifier = DigitClassifier(eleven)
    probs = classifier.classify(np.zeros((2, 28, 28), np.uint8))
    assert classifier.classes == 11 and probs.shape == (2, 11)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-3)
