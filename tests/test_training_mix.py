"""The crops training adds to MNIST look like what the camera loop hands the classifier:
28x28, normalised by the loop's own normalize_crop, labelled right, drawn reproducibly."""

from __future__ import annotations

import numpy as np

from edge.demo.mnist import load_split
from edge.vision.normalize import centre_of_mass
from train.cli import _kinds
from train.hands import TRAIN_FONTS
from train.handwriting import STYLE_LABELS, fonts_with_glyphs, other_hands
from train.mix import build_mix
from train.models import NOT_A_DIGIT
from train.negatives import KINDS, MEASURED_KINDS, NEGATIVE_TEST_SEED, negative_test_set, negatives
from train.neighbours import SLIVER, beside, with_neighbours


def assert_normalised(crops: np.ndarray) -> None:
    assert crops.shape[1:] == (28, 28) and crops.dtype == np.uint8
    for crop in crops:
        ys, xs = np.nonzero(crop > 8)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 <= 20  # the longer side fits MNIST's 20 px box
        r, c = centre_of_mass(crop)
        # centred on its mass, unless that would push ink off the canvas (an arrow's heavy head)
        assert abs(r - 14) <= 2.5 or ys.min() == 0 or ys.max() == 27
        assert abs(c - 14) <= 2.5 or xs.min() == 0 or xs.max() == 27


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


def test_lookalike_letters_are_never_drawn_tall_and_thin_like_a_1(mnist_dir):
    digits = load_split("train", mnist_dir).images[:100]
    crops = negatives(60, seed=9, mnist=digits, kinds=("lookalikes",))
    assert_normalised(crops)
    for crop in crops:
        ys, xs = np.nonzero(crop > 40)
        assert np.ptp(xs) + 1 >= 0.45 * (np.ptp(ys) + 1)


def test_crosses_spread_two_ways_as_an_x_does_where_a_1_is_one_stroke(mnist_dir):
    digits = load_split("train", mnist_dir).images[:100]
    crosses = negatives(40, seed=4, mnist=digits, kinds=("crosses",))
    assert_normalised(crosses)

    def two_ways(crop: np.ndarray) -> bool:  # ink spread along two directions: no lone stroke (a 1)
        ys, xs = np.nonzero(crop > 40)
        spread = np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(np.float64)))
        return spread[0] > 0.2 * spread[1]

    assert np.mean([two_ways(crop) for crop in crosses]) >= 0.9
    # drawn when asked for, not by default: the default draws what the shipped model learned
    assert "crosses" not in KINDS and _kinds("marks,crosses") == ["marks", "crosses"]


def test_the_measuring_set_keeps_its_eight_kinds_whatever_training_draws(mnist_dir):
    test = load_split("t10k", mnist_dir).images[:300]
    assert set(MEASURED_KINDS) < set(KINDS)
    measured = negative_test_set(test, count=80)
    assert np.array_equal(measured, negatives(80, NEGATIVE_TEST_SEED, test, MEASURED_KINDS))
    assert not np.array_equal(measured, negatives(80, NEGATIVE_TEST_SEED, test, KINDS))


def test_a_cached_mix_drawn_with_other_negative_kinds_is_drawn_again(mnist_dir, tmp_path):
    train = load_split("train", mnist_dir)
    x, y = train.images[:200], train.labels[:200]
    cache = tmp_path / "pools.npz"
    shares = {"hands_share": 0.0, "negative_share": 0.2, "augment": True, "cache": cache, "camera": False}
    marks = build_mix(x, y, 0, negative_kinds=("marks",), **shares)
    lines = build_mix(x, y, 0, negative_kinds=("lines",), **shares)
    assert not np.array_equal(marks.x[-40:], lines.x[-40:])
    assert np.array_equal(lines.x, build_mix(x, y, 0, negative_kinds=("lines",), **shares).x)


def test_the_mix_labels_negatives_not_a_digit_and_is_cached_for_a_resume(mnist_dir, tmp_path):
    train = load_split("train", mnist_dir)
    x, y = train.images[:400], train.labels[:400]
    cache = tmp_path / "pools.npz"
    mix = build_mix(x, y, 0, hands_share=0.25, negative_share=0.15, augment=True, cache=cache)
    assert mix.counts == {"digits": 400, "other_hands": 100, "with_neighbours": 0, "not_a_digit": 75}
    assert (mix.y[-75:] == NOT_A_DIGIT).all() and (mix.y[:500] < 10).all()
    assert len(mix.x) == len(mix.y) == len(mix.camera_x) == 575
    again = build_mix(x, y, 0, hands_share=0.25, negative_share=0.15, augment=True, cache=cache)
    assert np.array_equal(mix.x, again.x) and np.array_equal(mix.camera_x, again.camera_x)


def test_a_digit_beside_its_neighbours_keeps_all_its_ink_and_only_a_sliver_of_theirs(mnist_dir):
    train = load_split("train", mnist_dir)
    rng = np.random.default_rng(0)
    for i in range(50):
        digit, left, right = train.images[3 * i : 3 * i + 3]
        width = [np.ptp(np.flatnonzero(d.max(axis=0) > 40)) + 1 for d in (digit, left, right)]
        out = beside(digit, left, right, rng)
        assert out.shape[0] == 36 and out.max() == digit.max()
        # the digit whole, plus at most a quarter of each neighbour's width on either side
        assert width[0] <= out.shape[1] <= width[0] + int(np.ceil(SLIVER[1] * width[1])) + int(np.ceil(SLIVER[1] * width[2]))
        assert out[:, 0].max() > 40  # the left sliver is its neighbour's right edge
        only_left = beside(digit, left, None, rng)
        assert only_left.shape[1] < out.shape[1] + 4


def test_digits_with_neighbours_are_labelled_as_the_middle_digit_and_join_the_mix(mnist_dir):
    train = load_split("train", mnist_dir)
    x, y = train.images[:400], train.labels[:400]
    crops, labels = with_neighbours(60, seed=4, x=x, y=y)
    assert_normalised(crops)
    assert np.array_equal(crops, with_neighbours(60, seed=4, x=x, y=y)[0])
    assert set(labels.tolist()) <= set(y.tolist()) and len(set(labels.tolist())) >= 8
    mix = build_mix(x, y, 0, hands_share=0.25, negative_share=0.15, neighbour_share=0.1, augment=True, camera=False)
    assert mix.counts == {"digits": 400, "other_hands": 100, "with_neighbours": 40, "not_a_digit": 81}
    near = slice(500, 540)
    assert (mix.y[near] < 10).all() and (mix.y[-81:] == NOT_A_DIGIT).all()
