"""The demo generator: deterministic, truth consistent with its frames, held-out digits only."""

import inspect

import numpy as np
from edge_fixtures import synth_frames

import edge.cli


def test_same_seed_same_frames():
    a, b = synth_frames(2, seed=4), synth_frames(2, seed=4)
    assert all(np.array_equal(x.image, y.image) and x.lines == y.lines for x, y in zip(a, b, strict=True))


def test_truth_matches_the_digits_drawn_and_boxes_lie_in_the_frame():
    for frame in synth_frames(5, seed=9, frame_wh=(320, 240)):
        assert frame.image.shape == (240, 320) and frame.image.dtype == np.uint8
        assert sum(len(line.replace(" ", "")) for line in frame.lines) == len(frame.digits)
        for d in frame.digits:
            x, y, w, h = d.box
            assert x >= -1 and y >= -1 and x + w <= 321 and y + h <= 241


def test_the_demo_draws_on_test_digits_never_training_digits():
    assert 'load_split("t10k"' in inspect.getsource(edge.cli._make_source)
