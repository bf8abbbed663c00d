"""Reading order: lines top to bottom, numbers split on wide gaps, tilted lines kept whole."""

import numpy as np
from edge_fixtures import synth_frames

from edge.smoothing import LineVote
from edge.vision.layout import group_lines, read_lines


def test_two_lines_and_numbers_in_reading_order():
    boxes = np.array([
        [200, 100, 20, 30], [10, 100, 20, 30], [34, 102, 20, 30],   # line 1: "12", then "3" far right
        [10, 200, 20, 30], [30, 198, 20, 30], [52, 201, 20, 30],    # line 2: "456"
    ])
    values = np.array([3, 1, 2, 4, 5, 6])
    assert read_lines(boxes, values) == ["12 3", "456"]


def test_a_tilted_line_stays_one_line():
    boxes = np.array([[10 + 25 * i, 100 + 4 * i, 20, 30] for i in range(12)])  # drifts 44 px down
    assert len(group_lines(boxes)) == 1


def test_truth_boxes_of_generated_pages_read_back_as_their_lines():
    frames = synth_frames(20, seed=7)
    exact = sum(
        read_lines(np.array([d.box for d in f.digits]), np.array([d.value for d in f.digits])) == f.lines
        for f in frames
    )
    assert exact >= 19, f"{exact}/20 pages grouped exactly"


def test_vote_holds_a_steady_reading_against_one_bad_frame():
    vote = LineVote(5)
    for lines in (["12 3"], ["12 3"], ["12 8"], ["12 3"]):
        out = vote.update(lines)
    assert out == ["12 3"]
    for _ in range(3):
        out = vote.update(["99"])
    assert out == ["99"]
