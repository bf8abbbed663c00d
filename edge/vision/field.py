"""One field: an image that is a crop of a single written entry (an amount, a form box, a cell).

A page holds lines of digits that are small against the frame; a field's digits fill most of
its height and often touch its edges. The page rules that drop blobs at the frame border
(the page's edge, the surround) would throw a field's digits away, and a field is one line
whatever its small baseline wander says. The test is scale-free: the height of the ink,
weighted by how much ink each blob holds, against the image's height.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge.vision.components import components

LAYOUTS = ("auto", "field", "page")
FIELD_HEIGHT = 0.6  # the ink's typical blob is at least this share of the image's height: a field
EDGE_BAND = 0.2  # ... within this share of its height from its top or bottom edge
PRINTED_RUN = 0.6  # a straight horizontal run this share of a field's width is printed, not written
MAYBE_FIELD = 0.35  # a page whose ink fills this much may be a field whose thick strokes the page's ink map broke
LONG_RULE = 0.8  # in a field, a printed line spans this share of its width (a side: of its height)
FRAME_LINE = 0.9  # in a field, a blob this share of the width wide is the field's printed frame


def field_share(stats: np.ndarray, image_h: int) -> float:
    """How much of the image's height the blobs (cv2 stats rows x, y, w, h, area; no background
    row) fill: their area-weighted median height over the image's. A field is FIELD_HEIGHT or more.

    Weighted by area, specks, dots and a security pattern's fragments do not pull it down,
    while the digits, holding most of the ink, decide.
    """
    if len(stats) == 0 or image_h <= 0:
        return 0.0
    heights = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    order = np.argsort(heights)
    cumulative = np.cumsum(area[order])
    median_h = heights[order][int(np.searchsorted(cumulative, cumulative[-1] / 2))]
    return float(median_h / image_h)


def resolve(layout: str, stats: np.ndarray, image_h: int) -> bool:
    """True where the image is read as one field: forced by `layout`, or detected under 'auto'."""
    if layout == "field":
        return True
    if layout == "page":
        return False
    return field_share(stats, image_h) >= FIELD_HEIGHT


def strip_printed_lines(binary: np.ndarray) -> np.ndarray:
    """A field's binary ink without its printed baseline and frame's long sides: horizontal runs
    across PRINTED_RUN of its width near its top or bottom (EDGE_BAND), which no digit or
    separator has. Rule removal misses them where the digits stand on them (the bands are
    given back) or the crop cut them thick. Mid-height, touching digits make such runs too."""
    h, w = binary.shape
    run = max(8, int(PRINTED_RUN * w))
    lines = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    band = max(1, int(EDGE_BAND * h))
    lines[band : h - band] = 0
    return cv2.subtract(binary, lines)


def long_rules_only(binary: np.ndarray, ruled: np.ndarray) -> np.ndarray:
    """Rule removal's result (`ruled`) on a field, with what it took that is no printed line given back.

    Rule removal's lengths are shares of the image; in a field, an image a few digits wide,
    a 7's bar or a 4's crossbar is that long. Only removed pieces that span most of the field
    (LONG_RULE of its width, or of its height for a side) were printed lines.
    """
    removed = cv2.subtract(binary, ruled)
    n, labels, stats = components(removed)
    if n <= 1:
        return ruled
    h, w = binary.shape
    long = (stats[:, cv2.CC_STAT_WIDTH] >= LONG_RULE * w) | (stats[:, cv2.CC_STAT_HEIGHT] >= LONG_RULE * h)
    long[0] = False
    return cv2.subtract(binary, (long[labels] * 255).astype(np.uint8))


def field_keep(stats: np.ndarray, image_w: int) -> np.ndarray:
    """Which blobs of a field stay: all but a printed frame's long sides that rule removal left."""
    return stats[:, cv2.CC_STAT_WIDTH] < FRAME_LINE * image_w
