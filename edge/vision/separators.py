"""Separators and marks between digits (`.`, `,`, `-`, `/`): known by shape, never read as digits.

They are told apart by their size and place against the digits of their own line, so the
rules hold at any scale: a dot is small and sits on the baseline, a comma is a little taller
and hangs from it, a dash is flat and in the middle of the line, a slash is a thin straight
stroke leaning far over, an `=` is two dashes one above the other. In a number, `.` and `,`
join digit groups (`25.441` is one number); `-`, `=` and `/` part them (`12/05` is two). Flat
marks are kept out of the digits by the segmenter's shape rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

JOINING = (".", ",", "|")  # between digit groups these keep one number whole ("|": a comb box's side)
DOT_SIZE = 0.3  # a dot is at most this many line heights across
DOT_MIN = 0.07  # ... and at least this many (and 3 px): smaller specks are the camera's noise
DOT_ROUND = 1.4  # ... and at most this many times taller than wide: a taller one is a comma
COMMA_HEIGHT = 0.6  # a comma at most this tall ...
COMMA_WIDTH = 0.35  # ... and this wide
LOW = 0.55  # dots and commas begin below this share of the line's height (from its top)
# among a field's digits a comma may begin higher, as a hand's often does, where it reaches
# the baseline (or hangs below it): `commas`. On a page such a blob is as often a fragment
FIELD_COMMA_TOP = 0.4
FIELD_COMMA_BOTTOM = 0.85
DASH_HEIGHT = 0.25  # a dash is at most this many line heights tall
MIDDLE = (0.3, 0.75)  # dashes are centred within this band of the line
SLASH_LEAN = 0.36  # a slash's top is at least this share of its height right of its foot (20 degrees; upright 1s lean less)
SLASH_STRAIGHT = 0.2  # ... and no ink row strays farther than this share of its width from the straight line
EQUALS_GAP = 0.5  # two dashes whose middles are at most this many line heights apart, one above the other, are `=`
EQUALS_OVERLAP = 0.5  # ... and which share this much of the narrower one's width
WRITTEN = (".", ",", "-", "/", "=")  # the marks a writer made ("|" is a printed comb box's side)


@dataclass(frozen=True)
class Mark:
    kind: str  # one of . , - / = (and | for a comb box's side)
    box: tuple[int, int, int, int]  # x, y, w, h in frame pixels

    def as_json(self, line: int) -> dict:
        return {"mark": self.kind, "box": list(self.box), "line": line}


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
    if w <= DOT_SIZE * line_h and h <= DOT_SIZE * line_h and top >= LOW and h <= DOT_ROUND * w:
        return "."
    if _comma_sized(w, h, line_h) and top >= LOW:
        return ","
    if MIDDLE[0] <= centre <= MIDDLE[1] and w > h and h <= DASH_HEIGHT * line_h:
        return "-"
    # a flat blob outside the dash's band is not named: it is no digit (too flat), and a blob of
    # its size in a line is as often a broken-off bar of a 5 or a 7, which must not part a number
    return None


def is_bar(box, line_top: float, line_h: float) -> bool:
    """A flat mark within the line's height: a dash, or one bar of an `=` (above or below the dash's band)."""
    x, y, w, h = (float(v) for v in box)
    return w > h and h <= DASH_HEIGHT * line_h and 0.0 <= (y + h / 2 - line_top) / line_h <= 1.0


def join_equals(marks: list[Mark], bars: list[tuple[int, int, int, int]], line_h: float) -> list[Mark]:
    """Each dash with a bar just above or below it and as wide (`bars`, boxes from `is_bar`) as
    one `=` over both: it parts numbers as the dash alone did."""
    out, used = list(marks), set()
    for dash in [m for m in marks if m.kind == "-"]:
        ax, ay, aw, ah = dash.box
        for bar in bars:
            bx, by, bw, bh = bar
            if bar == dash.box or bar in used:
                continue
            overlap = min(ax + aw, bx + bw) - max(ax, bx)
            apart = abs((ay + ah / 2) - (by + bh / 2))
            if overlap >= EQUALS_OVERLAP * max(aw, bw) and ah <= apart <= EQUALS_GAP * line_h:
                x0, y0, x1, y1 = min(ax, bx), min(ay, by), max(ax + aw, bx + bw), max(ay + ah, by + bh)
                out[out.index(dash)] = Mark("=", (x0, y0, x1 - x0, y1 - y0))
                out = [m for m in out if m.box != bar]  # the other bar, when it was a dash too
                used.update((bar, dash.box))
                break
    return out


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


def commas(boxes: np.ndarray) -> np.ndarray:
    """Which of a field's digit boxes (N, 4: one line) are commas: a comma's size (COMMA_WIDTH,
    COMMA_HEIGHT) and from below FIELD_COMMA_TOP of the line down to FIELD_COMMA_BOTTOM,
    against the line's median top and height. A comma is one stroke and reads as a sure 1;
    in a field, where every digit is of one size and stands on one line, no digit is so
    short and low."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    if len(boxes) < 3:  # a median of fewer is no line
        return np.zeros(len(boxes), bool)
    line_top, line_h = float(np.median(boxes[:, 1])), float(np.median(boxes[:, 3]))
    x, y, w, h = (boxes[:, i] for i in range(4))
    top = (y - line_top) / line_h
    return _comma_sized(w, h, line_h) & (top >= FIELD_COMMA_TOP) & (top + h / line_h >= FIELD_COMMA_BOTTOM)


def _comma_sized(w, h, line_h: float):
    """A comma's size against its line's height: narrow, short, taller than wide (scalars or arrays)."""
    return (w <= COMMA_WIDTH * line_h) & (h <= COMMA_HEIGHT * line_h) & (h > w)


def marks_in_line(marks: np.ndarray, boxes: np.ndarray, line: list[int], slash_boxes=(), box_sides=(),
                  comma_boxes=()) -> list[Mark]:
    """The separators among `marks` (N, 4) that sit in the line of digit boxes `line`, and the
    slashes (found by `slashes`), comb box sides and a field's commas (`commas`) whose middle
    lies within the line's height."""
    if not len(line) or not (len(marks) or len(slash_boxes) or len(box_sides) or len(comma_boxes)):
        return []
    line_boxes = boxes[line]
    line_top = float(np.median(line_boxes[:, 1]))
    line_h = float(np.median(line_boxes[:, 3]))
    left = float(line_boxes[:, 0].min()) - line_h
    right = float((line_boxes[:, 0] + line_boxes[:, 2]).max()) + line_h
    found, bars = [], []
    for box in marks:
        cx = box[0] + box[2] / 2
        if left <= cx <= right:
            box = tuple(int(v) for v in box)
            kind = mark_kind(box, line_top, line_h)
            if kind is not None:
                found.append(Mark(kind, box))
            if is_bar(box, line_top, line_h):
                bars.append(box)
    found = join_equals(found, bars, line_h)
    for kind, known in (("/", slash_boxes), ("|", box_sides), (",", comma_boxes)):
        for box in known:
            cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
            # a comma hangs from the baseline: its top within the line is enough
            within = line_top <= (box[1] if kind == "," else cy) <= line_top + line_h
            if left <= cx <= right and within:
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
