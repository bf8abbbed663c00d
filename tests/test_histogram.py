"""Histogram percentiles answer exactly as np.percentile does, for any uint8 array."""

from __future__ import annotations

import numpy as np
import pytest

from edge.vision.histogram import uint8_percentiles

QS = (0, 1, 5, 25, 50, 75, 95, 99, 99.8, 100)


@pytest.mark.parametrize("shape", [(1,), (2,), (7, 3), (180, 320), (481, 641)])
def test_uint8_percentiles_equal_numpys_on_every_shape(shape):
    rng = np.random.default_rng(sum(shape))
    for values in (rng.integers(0, 256, shape), rng.integers(100, 104, shape), np.full(shape, 7)):
        image = values.astype(np.uint8)
        assert uint8_percentiles(image, QS) == pytest.approx(np.percentile(image, QS).tolist(), abs=1e-9)


def test_a_strided_view_and_an_empty_array():
    image = np.random.default_rng(0).integers(0, 256, (720, 1280), dtype=np.uint8)
    view = image[::4, ::4]
    assert uint8_percentiles(view, (1, 50)) == pytest.approx(np.percentile(view, (1, 50)).tolist())
    assert uint8_percentiles(image[:, :0], (50,)) == [0.0]


def test_a_crops_peak_from_its_histogram_equals_numpys_with_a_mask():
    import cv2

    from edge.vision.histogram import percentile_of_histogram

    rng = np.random.default_rng(3)
    for _ in range(200):
        ink = rng.integers(0, 256, (int(rng.integers(1, 40)), int(rng.integers(1, 40))), dtype=np.uint8)
        mask = (rng.random(ink.shape) < rng.uniform(0.05, 1.0)).astype(np.uint8) * 255
        histogram = cv2.calcHist([ink], [0], mask, [256], [0, 256]).ravel()
        q = float(rng.choice([10, 50, 90, 99.5]))
        expected = float(np.percentile(ink[mask > 0], q)) if (mask > 0).any() else 0.0
        assert percentile_of_histogram(histogram, q) == pytest.approx(expected, abs=1e-9)
