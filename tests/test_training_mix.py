"""The crops training adds to MNIST look like what the camera loop hands the classifier:
28x28, normalised by the loop's own normalize_crop, labelled right, drawn reproducibly."""

from __future__ import annotations

import numpy as np

from edge.demo.mnist import load_split
from edge.vision.normalize import centre_of_mass
from train.hands import TRAIN_FONTS
from train.handwriting import STYLE_LABELS, fonts_with_glyphs, other_hands
from train.mix import build_mix
from train.models import NOT_A_DIGIT
from train.negatives import KINDS, negatives


def assert_normalised(crops: np.ndarray) -> None:
    assert crops.shape[1:] == (28, 28) and crops.dtype == np.uint8
    for crop in crops:
        ys, xs = np.nonzero(crop > 8)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 <= 20  # the longer side fits MNIST's 20 px box
        r, c = centre_of_mass(crop)
        assert abs(r - 14) <= 2.5 and abs(c - 14) <= 2.5


def test_other_hands_are_normalised_digits_of_every_kind_from_training_fonts_only():
    x, y = other_hands(200, seed=3)
    assert_normalised(x)
    assert set(y.tolist()) == set(range(10))
    assert set(fonts_with_glyphs("0123456789")) <= set(TRAIN_FONTS)
    again, _ = other_hands(200, seed=3)
    assert np.array_equal(x, again)  # same seed, same crops
    assert set(STYLE_LABELS.values()) == {1, 4, 5, 7, 9}


def test_negatives_of_every_kind_are_normalised_and_reproducible(mnist_dir):
    digits = load_split("train", mnist_dir).images[:500]
    crops = negatives(len(KINDS) * 10, seed=5, mnist=digits)
    assert len(crops) == len(KINDS) * 10
    assert_normalised(crops)
    assert np.array_equal(crops, negatives(len(KINDS) * 10, seed=5, mnist=digits))
    # no negative is one of the MNIST digits it was cut from
    whole = {d.tobytes() for d in digits}
    assert not any(c.tobytes() in whole for c in crops)


def test_the_mix_labels_negatives_not_a_digit_and_is_cached_for_a_resume(mnist_dir, tmp_path):
    train = load_split("train", mnist_dir)
    x, y = train.images[:400], train.labels[:400]
    cache = tmp_path / "pools.npz"
    mix = build_mix(x, y, 0, hands_share=0.25, negative_share=0.15, augment=True, cache=cache)
    assert mix.counts == {"digits": 400, "other_hands": 100, "not_a_digit": 75}
    assert (mix.y[-75:] == NOT_A_DIGIT).all() and (mix.y[:500] < 10).all()
    assert len(mix.x) == len(mix.y) == len(mix.camera_x) == 575
    again = build_mix(x, y, 0, hands_share=0.25, negative_share=0.15, augment=True, cache=cache)
    assert np.array_equal(mix.x, again.x) and np.array_equal(mix.camera_x, again.camera_x)
