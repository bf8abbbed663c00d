"""An 11-output model's "not a digit" answer reaches the device: such crops are dropped, and a
cut whose pieces are not digits loses to the uncut blob. The JSON contract does not change."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge.reader import DigitReader
from edge.runtime.interpreter import NOT_A_DIGIT, DigitClassifier
from edge.vision.choices import Alternative, settle

tf = pytest.importorskip("tensorflow")


def constant_model(tmp_path, name: str, probs: list[float]):
    """A real TFLite model (N, 28, 28, 1) -> (N, len(probs)) that answers `probs` for any crop."""
    logits = np.log(np.asarray(probs, np.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])
    def model(x):
        zero = tf.reduce_sum(x, axis=[1, 2, 3])[:, None] * 0.0
        return tf.nn.softmax(zero + logits)

    converter = tf.lite.TFLiteConverter.from_concrete_functions([model.get_concrete_function()], model)
    path = tmp_path / name
    path.write_bytes(converter.convert())
    return DigitClassifier(path)


def page_with_marks() -> np.ndarray:
    page = np.full((120, 260), 255, np.uint8)
    for i, text in enumerate("347"):
        cv2.putText(page, text, (20 + 80 * i, 90), cv2.FONT_HERSHEY_SIMPLEX, 2.5, 0, 6)
    return page


def test_an_11_output_model_loads_and_scores_11_classes(tmp_path):
    classifier = constant_model(tmp_path, "eleven.tflite", [0.01] * 10 + [0.9])
    probs = classifier.classify(np.zeros((3, 28, 28), np.uint8))
    assert classifier.classes == 11 and probs.shape == (3, 11)
    assert (probs.argmax(axis=1) == NOT_A_DIGIT).all()


def test_crops_answered_not_a_digit_are_dropped_even_when_their_digit_score_passes(tmp_path):
    # digit 3 at 0.3 clears --min-confidence 0.2, but "not a digit" at 0.69 is the best answer
    rejecting = constant_model(tmp_path, "reject.tflite", [0.001] * 3 + [0.3] + [0.001] * 6 + [0.691])
    result = DigitReader(rejecting, min_confidence=0.2).read(page_with_marks())
    assert result.digits == [] and result.lines == []
    assert len(result.rejected) == 3  # still reported as rejected, as low-confidence ones are
    assert set(result.as_json()) == {"source", "frame", "lines", "digits", "timing_ms"}


def test_a_digit_answer_still_reads_and_min_confidence_still_applies(tmp_path):
    threes = constant_model(tmp_path, "threes.tflite", [0.001] * 3 + [0.6] + [0.001] * 6 + [0.391])
    read = DigitReader(threes, min_confidence=0.5).read(page_with_marks())
    assert [d.value for d in read.digits] == [3, 3, 3] and read.lines == ["3 3 3"]
    assert DigitReader(threes, min_confidence=0.7).read(page_with_marks()).lines == []


def test_a_cut_whose_pieces_are_not_digits_loses():
    whole = np.full((1, 11), 0.01, np.float32)
    whole[0, 8] = 0.6  # the uncut blob: an 8, fairly sure
    fragments = np.full((2, 11), 0.001, np.float32)
    fragments[:, 1] = 0.09  # each piece looks a little like a 1 ...
    fragments[:, NOT_A_DIGIT] = 0.9  # ... but is a fragment
    cut = (Alternative(replaces=(0,), start=0, count=2),)
    keep, taken = settle(whole, fragments, cut)
    assert keep.tolist() == [True] and taken == []
    # the same cut whose pieces are confidently digits wins
    digits = np.full((2, 11), 0.001, np.float32)
    digits[:, 1] = 0.99
    keep, taken = settle(whole, digits, cut)
    assert keep.tolist() == [False] and taken == [0]
