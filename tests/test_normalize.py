"""normalize_crop makes MNIST-style digits: ink in a 20x20 box, aspect kept, centre of mass at (14, 14)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge.demo.mnist import load_split
from edge.vision.normalize import centre_of_mass, normalize_crop


def _ink_box(image: np.ndarray) -> tuple[int, int]:
    ys, xs = np.nonzero(image)
    return ys.max() - ys.min() + 1, xs.max() - xs.min() + 1


def _shapes():
    tall = np.zeros((300, 90), np.uint8)
    cv2.line(tall, (45, 10), (45, 290), 255, 20)
    wide = np.zeros((60, 400), np.uint8)
    cv2.ellipse(wide, (200, 30), (180, 20), 0, 0, 360, 255, 6)
    seven = np.zeros((120, 100), np.uint8)
    cv2.polylines(seven, [np.array([[10, 10], [90, 10], [40, 110]])], False, 255, 9)
    tiny = np.zeros((9, 6), np.uint8)
    tiny[1:8, 2:4] = 200
    return {"tall": tall, "wide": wide, "seven": seven, "tiny": tiny}


@pytest.mark.parametrize("name", ["tall", "wide", "seven", "tiny"])
def test_centre_of_mass_and_box(name):
    crop = _shapes()[name]
    out = normalize_crop(crop)
    assert out.shape == (28, 28) and out.dtype == np.uint8
    r, c = centre_of_mass(out)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5
    h, w = _ink_box(out)
    assert max(h, w) == 20
    src_h, src_w = _ink_box(crop)
    assert abs(w / h - src_w / src_h) <= 0.15 * max(1.0, src_w / src_h) + 1 / 20


def test_real_digits_scaled_up_come_back_like_mnist(mnist_dir):
    digits = load_split("t10k", mnist_dir).images[:200]
    for digit in digits:
        big = cv2.resize(digit, (112, 112), interpolation=cv2.INTER_CUBIC)
        out = normalize_crop(big)
        r, c = centre_of_mass(out)
        assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5
        assert max(_ink_box(out)) <= 20


def test_dark_ink_on_light_paper_matches_bright_ink():
    crop = _shapes()["seven"]
    np.testing.assert_array_equal(normalize_crop(255 - crop, dark_ink=True), normalize_crop(crop))


def test_empty_and_degenerate_crops_give_blank_digits():
    assert not normalize_crop(np.zeros((0, 5), np.uint8)).any()
    assert not normalize_crop(np.zeros((10, 10), np.uint8)).any()
    assert normalize_crop(np.full((1, 1), 255, np.uint8)).any()
