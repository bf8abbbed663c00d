"""Pale components: printed lines' debris goes, pale writing stays (edge.vision.threshold)."""

import cv2
import numpy as np

from edge.vision.components import components
from edge.vision.threshold import faint_components


def _page(pale_bars: int, pale_crosses: int, pale_digits: int):
    """Binary ink and its ink map: three dark digits (full ink), and pale pieces (a third of it):
    bars and crosses as faint squared paper leaves them, and small ring-shaped digits."""
    binary = np.zeros((480, 640), np.uint8)
    ink = np.zeros_like(binary)

    def draw(shape, level):
        mask = np.zeros_like(binary)
        shape(mask)
        binary[mask > 0] = 255
        ink[mask > 0] = level

    for i in range(3):
        draw(lambda m, i=i: cv2.rectangle(m, (40 + 60 * i, 40), (70 + 60 * i, 100), 255, 5), 230)
    for i in range(pale_bars):
        draw(lambda m, i=i: cv2.line(m, (40 + 30 * (i % 18), 200 + 40 * (i // 18)), (60 + 30 * (i % 18), 200 + 40 * (i // 18)), 255, 2), 80)
    for i in range(pale_crosses):
        x, y = 40 + 40 * i, 400
        draw(lambda m, x=x, y=y: (cv2.line(m, (x - 8, y), (x + 8, y), 255, 2), cv2.line(m, (x, y - 8), (x, y + 8), 255, 2)), 80)
    for i in range(pale_digits):
        draw(lambda m, i=i: cv2.circle(m, (300 + 25 * i, 60), 7, 255, 2), 80)
    n, labels, stats = components(binary)
    return labels, n, stats[1:], ink, binary


def _is_cross(stats):
    return (stats[:, 1] > 380) & (stats[:, 2] > 10)


def test_on_unlined_paper_pale_writing_that_is_not_a_bar_stays():
    labels, n, stats, ink, binary = _page(pale_bars=2, pale_crosses=0, pale_digits=6)
    faint, pale = faint_components(labels, n, stats, ink, binary, lined=False, min_area=18)
    rings = stats[:, 0] >= 290
    assert pale[rings].all() and not faint[rings].any()  # small pale digits are writing
    assert faint[pale & ~rings].all()  # the two bars are not


def test_where_the_pale_pieces_are_mostly_bars_they_are_printed_lines_and_all_go():
    # squared paper too faint for rule removal to find still leaves bars and crosses; the crosses
    # spread both ways like writing, and read as 4s and 7s if they stay
    labels, n, stats, ink, binary = _page(pale_bars=30, pale_crosses=8, pale_digits=0)
    faint, pale = faint_components(labels, n, stats, ink, binary, lined=False, min_area=18)
    assert faint[_is_cross(stats)].all() and faint[pale].all()
    assert not faint[stats[:, 1] < 120].any()  # the dark digits stay
