"""Segmentation finds the digits of camera-like frames, at any scale, and nothing on blank paper."""

import cv2
import numpy as np
from edge_fixtures import match_boxes, mnist_test, synth_frames

from edge.vision.components import has_peer
from edge.vision.grid import removed_lines
from edge.vision.paper_lines import _straight_part, remove_rules
from edge.vision.segment import inside_edge_band, segment_digits
from edge.vision.threshold import binarize, ink_map


def test_finds_almost_every_digit_on_camera_like_pages():
    hits = total = extra = 0
    for frame in synth_frames(12, seed=11):
        seg = segment_digits(frame.image)
        h, e = match_boxes([d.box for d in frame.digits], seg.boxes)
        hits, total, extra = hits + h, total + len(frame.digits), extra + e
    assert hits / total >= 0.95, f"recall {hits}/{total}"
    assert extra / total <= 0.10, f"{extra} boxes that are no digit, for {total} digits"


def test_reads_small_digits_on_a_720p_page_as_well():
    hits = total = 0
    for frame in synth_frames(4, frame_wh=(1280, 720), seed=3):
        seg = segment_digits(frame.image)
        hits += match_boxes([d.box for d in frame.digits], seg.boxes)[0]
        total += len(frame.digits)
    assert hits / total >= 0.95


def test_one_digit_filling_a_cropped_scan_is_one_box():
    test = mnist_test()
    for i in range(10):
        digit = cv2.resize(test.images[i], (300, 300), interpolation=cv2.INTER_LINEAR)
        scan = (255 - digit * 0.8).astype(np.uint8)  # dark ink on white paper
        seg = segment_digits(scan)
        assert len(seg.boxes) == 1, f"digit {i}: {len(seg.boxes)} boxes"
        x, y, w, h = seg.boxes[0]
        assert h > 0.5 * 300


def test_blank_white_and_black_frames_give_no_digits():
    rng = np.random.default_rng(0)
    white = np.clip(230 + rng.normal(0, 4, (480, 640)), 0, 255).astype(np.uint8)
    for frame in (white, np.zeros((480, 640), np.uint8), np.full((480, 640), 255, np.uint8)):
        assert len(segment_digits(frame).boxes) == 0


def test_ruled_and_squared_paper_lines_are_not_digits():
    extra = total = 0
    for paper in ("ruled", "squared"):
        for frame in synth_frames(4, seed=21, papers=(paper,)):
            seg = segment_digits(frame.image)
            extra += match_boxes([d.box for d in frame.digits], seg.boxes)[1]
            total += len(frame.digits)
    assert extra / total <= 0.10


def _bold_close_up(text: str) -> np.ndarray:
    """A bold printed number filling much of a small frame (a close-up)."""
    frame = np.full((200, 300), 235, np.uint8)
    cv2.putText(frame, text, (50, 150), cv2.FONT_HERSHEY_SIMPLEX, 4, 20, 12, cv2.LINE_AA)
    return frame


def test_a_bold_slanted_stroke_filling_a_small_frame_is_no_ruled_line():
    # the 7's stroke is some 20 px wide in every row: its rows' runs pass for a line's pieces
    # and, each a row below the last, joined into a "line" as steep as the stroke (taken out:
    # the 7 was lost and 73 read 3)
    binary = binarize(ink_map(_bold_close_up("73")))
    assert np.array_equal(remove_rules(binary), binary)
    assert len(segment_digits(_bold_close_up("73")).boxes) == 2


def test_a_ruled_line_joined_by_a_bold_stroke_s_runs_is_still_a_line():
    # a horizontal line's run (x y w h) and a bold stroke's runs stacked above its end, each a
    # row over the last: one joined group, as steep as the stroke; its straight part is the line
    line = [(0, 150, 300, 3)]
    stack = [(40 + 2 * i, 148 - 2 * i, 21, 1) for i in range(25)]
    on_line = _straight_part(np.array(line + stack), 0, thickness=3.0, min_extent=36)
    assert on_line[0] and not on_line[4:].any()
    # the stroke's runs alone: no line at all
    assert not _straight_part(np.array(stack), 0, thickness=1.0, min_extent=36).any()


def test_crops_are_mnist_shaped_and_boxes_inside_the_frame():
    frame = synth_frames(1, seed=5)[0]
    seg = segment_digits(frame.image)
    assert seg.crops.shape == (len(seg.boxes), 28, 28) and seg.crops.dtype == np.uint8
    h, w = frame.image.shape
    x, y, bw, bh = seg.boxes.T
    assert (x >= 0).all() and (y >= 0).all() and (x + bw <= w).all() and (y + bh <= h).all()


def test_the_surround_deep_at_a_page_corner_is_no_printed_line():
    # the desk above the page, 12 px along the frame's top and 28 px where a hand's shadow meets
    # the page's edge (the field test's dev scale scene 6): rule removal takes it out, and its deep
    # part reaches out of the edge band as straight vertical runs, though no line of it is thin.
    # Taken for printed lines, every pale component of the page went as their debris: small digits
    before = np.zeros((720, 1280), np.uint8)
    before[:12] = 255
    before[:28, 850:990] = 255
    grid, removed = removed_lines(before, np.zeros_like(before))
    assert len(grid.vertical) and not inside_edge_band(removed, grid)
    ruled = before.copy()
    ruled[300:303, 100:1180] = 255  # one printed line across the page: lined after all
    grid, removed = removed_lines(ruled, np.zeros_like(ruled))
    assert inside_edge_band(removed, grid)


def test_peers_of_the_first_boxes_alone_are_their_rows_of_every_pair():
    # a cut's odd pieces are looked up against a page's ~100 blobs: only their rows are computed
    rng = np.random.default_rng(3)
    xy = rng.integers(0, 600, (120, 2))
    wh = rng.integers(8, 60, (120, 2))
    boxes = np.concatenate([xy, wh], axis=1).astype(np.int32)
    every = has_peer(boxes)
    assert every.any() and not every.all()  # the draw holds boxes with and without peers
    for k in (1, 3, 40, 120):
        assert np.array_equal(has_peer(boxes, first=k), every[:k])
