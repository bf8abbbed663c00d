"""Reading order: digits into lines (top to bottom) and numbers (left to right).

Pure functions over boxes; the only scale is the median digit height, so the
same rules read a page of small digits and a single large one.
"""

from __future__ import annotations

import numpy as np

from edge.vision.separators import JOINING, WRITTEN, Mark, between, marks_in_line

LINE_TOLERANCE = 0.6  # a digit joins a line if its centre is this many digit heights from its neighbour's
NUMBER_GAP = 0.7  # a horizontal gap wider than this many digit heights starts a new number
BASELINE = 0.3  # digits whose feet are this many (smaller) digit heights apart stand on one baseline
SIZE_CHANGE = 2.5  # neighbours whose heights differ this many times over are two numbers (a small note beside a big one)


def group_lines(boxes: np.ndarray, row_y: np.ndarray | None = None) -> list[list[int]]:
    """Indices of `boxes` (x, y, w, h) per text line, lines top to bottom, digits left to right.

    Boxes are taken left to right and each joins the line whose latest digit is
    nearest in height (within the tolerance): following the line's latest digit
    rather than its mean keeps a line whole when perspective tilts it. The tolerance
    grows with the smaller of the two digits (lines of big digits), and digits of any size
    standing on one baseline are one line (a small number written beside a big one); a
    tall blob alone (a remnant of a line) reaches no further than the page's digits do.
    `row_y`: per box, the centre of its grid cell's row (NaN outside a grid), used for its centre.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    if len(boxes) == 0:
        return []
    digit_h = float(np.median(boxes[:, 3]))
    centre_y = boxes[:, 1] + boxes[:, 3] / 2
    bottom = boxes[:, 1] + boxes[:, 3]
    if row_y is not None:
        centre_y = np.where(np.isfinite(row_y), row_y, centre_y)
    lines: list[list[int]] = []
    for i in np.argsort(boxes[:, 0] + boxes[:, 2] / 2, kind="stable"):
        best, best_dist = None, np.inf
        for n, line in enumerate(lines):
            dist = abs(centre_y[i] - centre_y[line[-1]])
            small = min(boxes[i, 3], boxes[line[-1], 3])
            near = dist <= LINE_TOLERANCE * max(digit_h, small)
            baseline = abs(bottom[i] - bottom[line[-1]]) <= BASELINE * small and (row_y is None or not np.isfinite(row_y[i]))
            if (near or baseline) and dist < best_dist:
                best, best_dist = n, dist
        if best is None:
            lines.append([int(i)])
        else:
            lines[best].append(int(i))
    lines.sort(key=lambda line: float(np.mean(centre_y[line])))
    return lines


def split_numbers(boxes: np.ndarray, line: list[int], digit_h: float, separators=(), column=None,
                  fields: bool = False) -> list[list[int]]:
    """Split one line (indices, left to right) into numbers at gaps wider than NUMBER_GAP heights;
    a `.` or `,` in the gap joins (`25.441`), a `-` or `/` parts (edge.vision.separators);
    digits in two cells of a grid (`column`: per box, its cell's column or NaN) are two numbers,
    whatever lies between them (a piece of the cell's line reads as a `.` or a comb box's side);
    with `fields` (a column is a comb field), the digits in one are one number unless a `-` or `/`
    parts them."""
    numbers: list[list[int]] = []
    right_edge = -np.inf
    for i in line:
        x, _, w, _ = boxes[i]
        other_cell = same_cell = False
        if numbers and column is not None:
            mine, before = column[i], column[numbers[-1][-1]]
            other_cell = mine != before  # NaN (outside cells) differs from everything too
            if fields:  # only two fields part a number: a digit outside every field keeps the usual rules
                other_cell &= bool(np.isfinite(mine) and np.isfinite(before))
                same_cell = mine == before
        mark = between(separators, boxes[numbers[-1][-1]], boxes[i]) if numbers and separators else None
        wide = x - right_edge > NUMBER_GAP * digit_h
        if numbers:
            small, big = sorted((boxes[i, 3], boxes[numbers[-1][-1], 3]))
            # big digits are spaced more widely than the page's median digit; and a number keeps
            # its size: a small one written just beside a big one is another
            wide = x - right_edge > NUMBER_GAP * max(digit_h, small) or big > SIZE_CHANGE * small
        joins = same_cell or (mark in JOINING and not other_cell)
        if not numbers or (mark is not None and mark not in JOINING) or ((wide or other_cell) and not joins):
            numbers.append([i])
        else:
            numbers[-1].append(i)
        right_edge = max(right_edge, x + w)
    return numbers


def reading_order(boxes: np.ndarray, *, one_line: bool = False, marks: np.ndarray | None = None,
                  slash_boxes: np.ndarray | None = None, cells: tuple | None = None,
                  box_sides: np.ndarray | None = None) -> list[list[list[int]]]:
    """Indices of `boxes` as lines (top to bottom) of numbers (left to right) of digits.

    `one_line`: the boxes are one field, read as one line. `marks`: boxes of non-digit blobs,
    the separators among which join or part numbers; `slash_boxes`: blobs known to be `/`.
    `cells`: (row centre y, column) per box where the boxes lie in a grid, and whether its cells are
    comb fields (edge.vision.grid.cells);
    `box_sides`: the sides of comb boxes, which join the digits either side into one number.
    """
    return reading_order_and_marks(boxes, one_line=one_line, marks=marks, slash_boxes=slash_boxes, cells=cells,
                                   box_sides=box_sides)[0]


def reading_order_and_marks(boxes: np.ndarray, *, one_line: bool = False, marks: np.ndarray | None = None,
                            slash_boxes: np.ndarray | None = None, cells: tuple | None = None,
                            box_sides: np.ndarray | None = None,
                            comma_boxes: np.ndarray | None = None) -> tuple[list[list[list[int]]], list[tuple[Mark, ...]]]:
    """`reading_order`, and per line the written separators it used (`.`, `,`, `-`, `/`, `=`, left
    to right; a comb box's side is no writing), each in the first line that found it."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    if len(boxes) == 0:
        return [], []
    digit_h = float(np.median(boxes[:, 3]))
    row_y, column, fields = cells if cells is not None else (None, None, False)
    lines = [[int(i) for i in np.argsort(boxes[:, 0], kind="stable")]] if one_line else group_lines(boxes, row_y)
    marks = np.zeros((0, 4)) if marks is None else np.asarray(marks, np.float64).reshape(-1, 4)
    slash_boxes = np.zeros((0, 4)) if slash_boxes is None else np.asarray(slash_boxes, np.float64).reshape(-1, 4)
    box_sides = np.zeros((0, 4)) if box_sides is None else np.asarray(box_sides, np.float64).reshape(-1, 4)
    comma_boxes = np.zeros((0, 4)) if comma_boxes is None else np.asarray(comma_boxes, np.float64).reshape(-1, 4)
    order, written, seen = [], [], set()
    for line in lines:
        found = marks_in_line(marks, boxes, line, slash_boxes, box_sides, comma_boxes)
        order.append(split_numbers(boxes, line, digit_h, found, column, fields))
        mine = sorted((m for m in found if m.kind in WRITTEN and m.box not in seen), key=lambda m: m.box[0])
        seen.update(m.box for m in mine)
        written.append(tuple(mine))
    return order, written


def lines_text(order: list[list[list[int]]], values: np.ndarray) -> list[str]:
    """Per line, its numbers separated by one space."""
    return [" ".join("".join(str(int(values[i])) for i in number) for number in line) for line in order]


def read_lines(boxes: np.ndarray, values: np.ndarray) -> list[str]:
    """The text read: per line, its numbers separated by one space, lines top to bottom."""
    return lines_text(reading_order(boxes), values)
