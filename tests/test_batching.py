"""A frame's crops go in one batch padded to a fixed size: one interpreter per size, the same answers."""

import numpy as np
from edge_fixtures import mnist_test, model_path

from edge.runtime.interpreter import BATCH_SIZES, DigitClassifier


def test_crop_counts_share_padded_batch_sizes_and_padding_changes_no_answer():
    classifier = DigitClassifier(model_path())
    digits = mnist_test().images[:40]
    one_by_one = np.concatenate([classifier.classify(digits[i : i + 1]) for i in range(len(digits))])
    for n in (3, 5, 7, 20, 21, 23, 40):
        probs = classifier.classify(digits[:n])
        assert probs.shape == (n, classifier.classes)
        assert np.allclose(probs, one_by_one[:n], atol=1e-6)
    # seven crop counts, four batch sizes: each interpreter was allocated once, at its first use
    assert classifier.allocated_batches == (1, 8, 24, 40)
    assert set(classifier.allocated_batches) <= set(BATCH_SIZES)


def test_the_shipped_int8_model_is_known_to_output_probabilities_at_load():
    classifier = DigitClassifier(model_path())
    assert classifier.outputs_probabilities
    probs = classifier.classify(mnist_test().images[:16])
    assert np.allclose(probs.sum(axis=1), 1.0, atol=0.02)
    assert (probs.argmax(axis=1) == mnist_test().labels[:16]).mean() >= 0.9
