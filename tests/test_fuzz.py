"""Property tests: segmentation and crop normalisation survive any array thrown at them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from edge.vision.normalize import normalize_crop
from edge.vision.segment import segment_digits

DTYPES = st.sampled_from([np.uint8, np.uint16, np.float32, np.bool_])
SHAPES = st.tuples(st.integers(0, 120), st.integers(0, 120))


def frames():
    return st.builds(
        lambda dtype, shape, seed: _random(dtype, shape, seed), DTYPES, SHAPES, st.integers(0, 2**31 - 1)
    )


def _random(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    kind = seed % 3
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    top = {np.uint8: 255, np.uint16: 65535, np.float32: 1.0}[dtype]
    if kind == 0:
        values = rng.random(shape) * top  # noise
    elif kind == 1:
        values = np.full(shape, top * rng.random())  # flat
    else:
        values = np.full(shape, top * 0.9)  # paper with dark blobs
        for _ in range(rng.integers(0, 6)):
            if shape[0] and shape[1]:
                y, x = rng.integers(0, shape[0]), rng.integers(0, shape[1])
                values[y : y + rng.integers(1, 30), x : x + rng.integers(1, 20)] = 0
    return values.astype(dtype)


@settings(max_examples=100, deadline=None)
@given(frames())
def test_segmentation_never_fails_and_boxes_stay_inside(frame):
    seg = segment_digits(frame)
    assert seg.crops.dtype == np.uint8 and seg.crops.shape == (len(seg.boxes), 28, 28)
    h, w = frame.shape
    for x, y, bw, bh in seg.boxes:
        assert 0 <= x and 0 <= y and bw > 0 and bh > 0 and x + bw <= w and y + bh <= h


@settings(max_examples=100, deadline=None)
@given(arrays(DTYPES, st.tuples(st.integers(1, 120), st.integers(1, 120))))
def test_normalize_crop_always_gives_a_28x28_uint8(crop):
    out = normalize_crop(crop)
    assert out.shape == (28, 28) and out.dtype == np.uint8


@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
def test_normalize_crop_of_an_empty_non_uint8_crop(dtype):
    assert normalize_crop(np.zeros((0, 0), dtype)).shape == (28, 28)
