"""Separators and marks between digits (`.`, `,`, `-`, `/`): known by shape, never read as digits.

They are told apart by their size and place against the digits of their own line, so the
rules hold at any scale: a dot is small and sits on the baseline, a comma is a little taller
and hangs from it, a dash is flat and in the middle of the line, a slash is a thin straight
stroke leaning far over. In a number, `.` and `,` join digit groups (`25.441` is one number);
`-` and `/` part them (`12/05` is two). `=` and other flat marks are kept out of the digits
by the segmenter's shape rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

JOINING = (".", ",", "|")  # between digit groups these keep one number whole ("|": a comb box's side)
DOT_SIZE = 0.3  # a dot is at most this many line heights across
DOT_MIN = 0.07  # ... and at least this many (and 3 px): smaller specks are the camera's noise
COMMA_HEIGHT = 0.6  # a comma at most this tall ...
COMMA_WIDTH = 0.35  # ... and this wide
LOW = 0.55  # dots and commas begin below this share of the line's height (from its top)
DASH_HEIGHT = 0.25  # a dash is at most this many line heights tall
MIDDLE = (0.3, 0.75)  # dashes are centred within this band of the line
SLASH_LEAN = 0.36  # a slash's top is at least this share of its height right of its foot (20 degrees; upright 1s lean less)
SLASH_STRAIGHT = 0.2  # ... and no ink row strays farther than this share of its width from the straight line


@dataclass(frozen=True)
class Mark:
    kind: str  # one of . , - /
    box: tuple[int, int, int, int]

    def as_json(self) -> dict:
        return {"mark": self.kind, "box": list(self.box)}


def mark_kind(box, line_top: float, line_h: float) -> str | None:
    """Which separator a non-digit blob is, by its size and height in a line (or None)."""
    x, y, w, h = (float(v) for v in box)
    if line_h <= 0:
        return None
    top, centre = (y - line_top) / line_h, (y + h / 2 - line_top) / line_h
    if top > 1.0 or top + h / line_h < 0:
        return None  # above or below the line
    if min(w, h) < max(3.0, DOT_MIN * line_h):
        return None
    if w <= DOT_SIZE * line_h and h <= DOT_SIZE * line_h and top >= LOW:
        return "."
    if w <= COMMA_WIDTH * line_h and h <= COMMA_HEIGHT * line_h and top >= LOW and h > w:
        return ","
    if MIDDLE[0] <= centre <= MIDDLE[1] and w > h and h <= DASH_HEIGHT * line_h:
        return "-"
    # `=` is not named: it is no digit (too flat), and a blob of its size in a line is as often
    # a broken-off bar of a 5 or a 7, which must not part a number
    return None


def is_slash(mask: np.ndarray) -> bool:
    """A thin straight stroke leaning far right (`/`), from its own ink mask (h, w)."""
    h, w = mask.shape
    if h < 6 or w < 0.35 * h:
        return False
    rows = np.flatnonzero(mask.any(axis=1))
    centres = np.array([np.flatnonzero(mask[r]).mean() for r in rows])
    if len(rows) < 0.8 * h:
        return False
    slope, offset = np.polyfit(rows, centres, 1)
    lean = -slope * h  # columns moved right from foot to top
    straight = np.abs(centres - (slope * rows + offset)).max() <= SLASH_STRAIGHT * w + 1
    thin = np.median(mask[rows].sum(axis=1)) <= 0.45 * w
    return bool(lean >= SLASH_LEAN * h and straight and thin)


def slashes(ink: np.ndarray, boxes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which boxes read as 1 are slashes: their ink (a soft ink map) is one thin straight leaning stroke."""
    out = np.zeros(len(boxes), bool)
    for i in np.flatnonzero(values == 1):
        x, y, w, h = (int(v) for v in boxes[i])
        region = ink[y : y + h, x : x + w]
        if region.size:
            out[i] = is_slash(region > 0.5 * float(np.percentile(region, 95)))
    return out


def marks_in_line(marks: np.ndarray, boxes: np.ndarray, line: list[int], slash_boxes=(), box_sides=()) -> list[Mark]:
    """The separators among `marks` (N, 4) that sit in the line of digit boxes `line`, and the
    slashes (found by `slashes`) and comb box sides whose middle lies within the line's height."""
    if not len(line) or not (len(marks) or len(slash_boxes) or len(box_sides)):
        return []
    line_boxes = boxes[line]
    line_top = float(np.median(line_boxes[:, 1]))
    line_h = float(np.median(line_boxes[:, 3]))
    left = float(line_boxes[:, 0].min()) - line_h
    right = float((line_boxes[:, 0] + line_boxes[:, 2]).max()) + line_h
    found = []
    for box in marks:
        cx = box[0] + box[2] / 2
        if left <= cx <= right:
            kind = mark_kind(box, line_top, line_h)
            if kind is not None:
                found.append(Mark(kind, tuple(int(v) for v in box)))
    for kind, known in (("/", slash_boxes), ("|", box_sides)):
        for box in known:
            cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
            if left <= cx <= right and line_top <= cy <= line_top + line_h:
                found.append(Mark(kind, tuple(int(v) for v in box)))
    return found


def between(marks: list[Mark], left_box, right_box) -> str | None:
    """The separator lying in the gap between two neighbouring digits (or None)."""
    gap_start = left_box[0] + left_box[2]
    gap_end = right_box[0]
    for mark in marks:
        cx = mark.box[0] + mark.box[2] / 2
        if gap_start - 0.25 * mark.box[2] <= cx <= gap_end + 0.25 * mark.box[2]:
            return mark.kind
    return None
