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

LAYOUTS = ("auto", "field", "page")
FIELD_HEIGHT = 0.6  # the ink's typical blob is at least this share of the image's height: a field
FRAME_LINE = 0.9  # in a field, a blob this share of the width wide is the field's printed frame


def is_field(stats: np.ndarray, image_h: int) -> bool:
    """Whether the blobs (cv2 stats rows x, y, w, h, area; no background row) fill a field.

    The area-weighted median blob height is used, so specks, dots and a security pattern's
    fragments do not pull it down, while the digits, holding most of the ink, decide.
    """
    if len(stats) == 0 or image_h <= 0:
        return False
    heights = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    order = np.argsort(heights)
    cumulative = np.cumsum(area[order])
    median_h = heights[order][int(np.searchsorted(cumulative, cumulative[-1] / 2))]
    return bool(median_h >= FIELD_HEIGHT * image_h)


def resolve(layout: str, stats: np.ndarray, image_h: int) -> bool:
    """True where the image is read as one field: forced by `layout`, or detected under 'auto'."""
    if layout == "field":
        return True
    if layout == "page":
        return False
    return is_field(stats, image_h)


def field_keep(stats: np.ndarray, image_w: int) -> np.ndarray:
    """Which blobs of a field stay: all but a printed frame's long sides that rule removal left."""
    return stats[:, cv2.CC_STAT_WIDTH] < FRAME_LINE * image_w
