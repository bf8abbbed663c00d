"""Close-ups: a number or two filling a small frame, where a paper line is a few pixels thick and
a digit's straight rows are as long as the runs a line is found by (bench/closeup.py's frames)."""

from __future__ import annotations

import cv2
from read_scenes import reader

from bench.closeup import DIGITS, frames
from edge.demo.mnist import load_split


def test_a_close_up_grid_line_through_a_digit_takes_only_the_line(mnist_dir):
    # squared paper held close: a grid line runs along a 7's bar (`74`), another along a 1's
    # stem (`184`); the line's run held the digit's straight rows, and all of it went (read `4`
    # and `4`). Only the line's band goes now, and its crossings come back
    train = load_split("train", mnist_dir)
    shots = list(frames("squared", 16, train.images[:DIGITS], train.labels[:DIGITS]))
    for k in (10, 15):
        image, truth = shots[k]
        assert reader().read(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)).lines == truth, k
