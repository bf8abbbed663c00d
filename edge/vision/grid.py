"""Grids and boxed forms: their lines go like ruled lines, and their cells order the reading.

Rule removal (paper_lines) takes out long lines and gives back the band where a digit crosses
one. What it leaves of a form are the short sides of comb boxes (one box tall: as tall as a
digit, thin and straight, a confident 1); what it takes out tells where the cells are:

- a box side is a thin component whose top and bottom both end on a removed line: no pen
  stroke of a digit runs exactly from one printed line to the next;
- a grid is long vertical and horizontal lines whose cells are larger than the digits in them
  (squared paper's cells are smaller than the writing, so it is no grid); a digit belongs to
  the cell its centre lies in, even where it strays over the cell's line, so the rows of cells
  are the lines read (a 9x9 grid reads as nine lines) and each cell is its own number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from edge.vision.components import components

LINE_RUN = 0.03  # pieces of a grid line run straight at least this share of the frame ...
JOIN = 3  # ... and pieces this many runs apart along it are one line (a thin, tilted line breaks up)
SIDE_REACH = 3  # px: a box side's ends lie this close to a removed line
SIDE_THICK = 0.12  # a box side's stroke is at most this share of its height wide ...
SIDE_LEAN = 0.25  # ... and its box at most this share (a side in perspective leans a little)
GRID_SPAN = 2.5  # a grid's lines are at least this many digit heights long
CELL = (1.2, 3.0)  # and its cells this many digit heights across (larger: a block whose inner lines were missed)
IN_CELLS = 0.6  # share of the digits that must lie in cells for the page to be read as a grid


@dataclass(frozen=True)
class Grid:
    vertical: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))  # x, y, w, h of long vertical lines
    horizontal: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))


def removed_lines(before: np.ndarray, after: np.ndarray) -> tuple[Grid, np.ndarray]:
    """The lines rule removal took out of `before` (as segments), and their pixels."""
    removed = cv2.bitwise_and(before, cv2.bitwise_not(after))
    if not removed.any():
        return Grid(), removed
    h, w = removed.shape
    found = []
    for size in ((1, max(8, round(LINE_RUN * h))), (max(8, round(LINE_RUN * w)), 1)):
        opened = cv2.morphologyEx(removed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))
        # join a line's pieces across the bands given back to digits that cross it
        across = (3, JOIN * size[1]) if size[0] == 1 else (JOIN * size[0], 3)
        joined = cv2.dilate(opened, cv2.getStructuringElement(cv2.MORPH_RECT, across))
        n, _, stats = components(joined)
        found.append(stats[1:, :4].astype(np.int32))
    return Grid(found[0], found[1]), removed


def drop_box_sides(binary: np.ndarray, removed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`binary` without thin components whose top and bottom both end on a removed line, and
    their boxes: digits either side of a box side are one number written in a comb of boxes."""
    none = np.zeros((0, 4), np.int32)
    if not removed.any():
        return binary, none
    n, labels, stats = components(binary)
    if n <= 1:
        return binary, none
    near = cv2.dilate(removed, np.ones((2 * SIDE_REACH + 1, 3), np.uint8)) > 0
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    # thin by its ink (area over height), not its box: a side seen in perspective leans, and a
    # leaning line's box is wider than its stroke (8-10 px boxes round 5.6 px sides 60 px tall)
    thin = (area <= np.maximum(3, SIDE_THICK * h) * h) & (w <= SIDE_LEAN * h) & (h >= 4)
    if not thin.any():
        return binary, none
    drop = np.zeros(n, bool)
    for i in np.flatnonzero(thin):
        top, bottom, left, right = y[i], y[i] + h[i] - 1, x[i], x[i] + w[i]
        drop[i + 1] = near[top, left:right].any() and near[bottom, left:right].any()
    if not drop.any():
        return binary, none
    out = binary.copy()
    out[drop[labels]] = 0
    return out, stats[drop[1:].nonzero()[0] + 1, :4].astype(np.int32)


def on_lines(grid: Grid, boxes: np.ndarray) -> np.ndarray:
    """Per (x, y, w, h) box: it stands on a printed line. A long vertical line runs through it
    (the band rule removal gave back where a digit crossed the line, or a cell line's stub), or
    its top and bottom both end on horizontal lines (a comb box's side, which rule removal
    leaves; drop_box_sides takes those that touch no digit). Such a piece reads as a sure 1."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    out = np.zeros(len(boxes), bool)
    if not len(boxes):
        return out
    x, y, w, h = (boxes[:, i, None] for i in range(4))
    cx, cy = x + w / 2, y + h / 2
    if len(grid.vertical):
        v = grid.vertical.astype(np.float64)
        vx = v[:, 0] + v[:, 2] / 2
        out |= ((vx >= x) & (vx <= x + w) & (v[:, 1] <= cy) & (v[:, 1] + v[:, 3] >= cy)).any(axis=1)
    if len(grid.horizontal):
        hz = grid.horizontal.astype(np.float64)
        spans = (hz[:, 0] <= cx) & (hz[:, 0] + hz[:, 2] >= cx)
        reach = np.maximum(SIDE_REACH, 0.1 * h)

        def ends_on(edge):
            return (spans & (hz[:, 1] - reach <= edge) & (edge <= hz[:, 1] + hz[:, 3] + reach)).any(axis=1)

        out |= ends_on(y) & ends_on(y + h)
    return out


def cells(grid: Grid, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Per digit box, the centre y of its cell's row and its cell's column (the x of the line left
    of it); None where the page is no grid (too few digits in cells larger than themselves)."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    if len(boxes) == 0 or len(grid.vertical) < 2 or len(grid.horizontal) < 2:
        return None
    digit_h = float(np.median(boxes[:, 3]))
    vert = grid.vertical[grid.vertical[:, 3] >= GRID_SPAN * digit_h].astype(np.float64)
    horiz = grid.horizontal[grid.horizontal[:, 2] >= GRID_SPAN * digit_h].astype(np.float64)
    if len(vert) < 2 or len(horiz) < 2:
        return None
    vx = vert[:, 0] + vert[:, 2] / 2
    hy = horiz[:, 1] + horiz[:, 3] / 2
    row_y = np.full(len(boxes), np.nan)
    column = np.full(len(boxes), np.nan)
    for i, (x, y, w, h) in enumerate(boxes):
        cx, cy = x + w / 2, y + h / 2
        spans_x = (horiz[:, 0] <= cx) & (horiz[:, 0] + horiz[:, 2] >= cx)
        spans_y = (vert[:, 1] <= cy) & (vert[:, 1] + vert[:, 3] >= cy)
        above, below = hy[spans_x & (hy <= cy)], hy[spans_x & (hy > cy)]
        left, right = vx[spans_y & (vx <= cx)], vx[spans_y & (vx > cx)]
        if not (len(above) and len(below) and len(left) and len(right)):
            continue
        top, bottom, x0, x1 = above.max(), below.min(), left.max(), right.min()
        if CELL[0] * digit_h <= bottom - top <= CELL[1] * digit_h and CELL[0] * digit_h <= x1 - x0 <= CELL[1] * digit_h:
            row_y[i], column[i] = (top + bottom) / 2, x0
    if np.isfinite(row_y).mean() < IN_CELLS:
        return None
    return row_y, column
