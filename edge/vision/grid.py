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
SIDE_LINE = 1.5  # ... or this many times as wide as the lines it ends on (a bold box's sides are bold) ...
SIDE_PEERS = 2  # ... where that many more sides stand between the same lines (a comb of boxes) ...
SIDE_DIGIT = 4  # ink off a side's line at least this many of its strokes tall is a digit against it ...
MIN_DIGIT = 9  # ... and at least this many px (edge.vision.segment.MIN_READABLE)
SIDE_LEAN = 0.25  # ... and its box at most this share (a side in perspective leans a little)
GRID_SPAN = 2.5  # a grid's lines are at least this many digit heights long
CELL = (1.2, 3.0)  # and its cells this many digit heights across (larger: a block whose inner lines were missed)
MAX_FILL = 3  # a gap of up to this many cells between two found lines of a grid is filled (a 3x3 block)
PITCH_SLACK = 0.15  # ... where it is that many cells to within this share of one
PALE_RUN = 1.2  # ... each runs on longer than this many digit heights
PALE_BANDS = 4  # ... its pale inner lines are looked for in this many bands along its block lines
LINE_SHARE = 0.04  # ... each a peak of this share of its block lines' ink across its cells
SLANT_END = 0.1  # a line's slant is read from where it lies in this share of its length at each end
RUN_ON = 0.8  # a line this share as long as the grid's longest is one of its long lines
IN_CELLS = 0.6  # share of the digits that must lie in cells for the page to be read as a grid
FIELD_HEIGHT = (0.9, 2.5)  # a form's box (or comb) is this many of its digits' heights tall ...
FIELD_ENDS = 0.5  # ... its top and bottom lines start and end within this many of each other ...
FIELD_REACH = 3.0  # ... and no farther than this beyond the digits written in it


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
    their boxes: digits either side of a box side are one number written in a comb of boxes.
    Ink of such a component off its line, a digit's size, stays (`_off_the_line`)."""
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
    upright = (w <= SIDE_LEAN * h) & (h >= 4)
    if not upright.any():
        return binary, none
    on_both = np.zeros(n - 1, bool)
    bold = np.zeros(n - 1, bool)
    for i in np.flatnonzero(upright):
        top, bottom, left, right = y[i], y[i] + h[i] - 1, x[i], x[i] + w[i]
        if not (near[top, left:right].any() and near[bottom, left:right].any()):
            continue
        lines = min(_line_width(removed, top, left, right, h[i]), _line_width(removed, bottom, left, right, h[i]))
        on_both[i] = area[i] <= max(3, SIDE_THICK * h[i], SIDE_LINE * lines) * h[i]
        bold[i] = area[i] > max(3, SIDE_THICK * h[i]) * h[i]
    # a side as bold as a digit's stroke goes only with a comb's other sides: SIDE_PEERS more
    # between the same two lines (a 1 written from line to line in a grid's cell stands alone)
    drop = np.zeros(n, bool)
    reach = np.maximum(SIDE_REACH, 0.1 * h)
    for i in np.flatnonzero(on_both):
        peers = on_both & (np.abs(y - y[i]) <= reach[i]) & (np.abs(y + h - y[i] - h[i]) <= reach[i])
        drop[i + 1] = not bold[i] or peers.sum() - 1 >= SIDE_PEERS
    if not drop.any():
        return binary, none
    out = binary.copy()
    out[drop[labels]] = 0
    for i in np.flatnonzero(drop[1:]):
        sl = (slice(y[i], y[i] + h[i]), slice(x[i], x[i] + w[i]))
        kept = _off_the_line(labels[sl] == i + 1)
        if kept is not None:
            out[sl][kept] = 255
    return out, stats[drop[1:].nonzero()[0] + 1, :4].astype(np.int32)


def _off_the_line(mask: np.ndarray) -> np.ndarray | None:
    """The ink of a side's component (`mask`, its box) that lies off its straight line, where
    that is a digit's size (at least SIDE_DIGIT times the line's stroke tall, and MIN_DIGIT px):
    a digit written against a grid's pale inner line, which rule removal left (it breaks up
    under the camera), joins the line's piece from one removed line to the next; None where
    the component is the line alone (its blur's bumps stay with it)."""
    rows = mask.sum(axis=1)
    inked = rows > 0
    if inked.sum() < 4:
        return None
    stroke = float(np.median(rows[inked]))
    tall = max(MIN_DIGIT, SIDE_DIGIT * stroke)
    if (rows > stroke + 1).sum() < tall / 2:  # too few rows hold more than the line: no digit's worth
        return None
    plain = inked & (rows <= 1.5 * stroke + 1)  # the rows that hold the line alone
    if plain.sum() < 4:
        return None
    ys = np.flatnonzero(plain)
    cols = (mask[ys] * np.arange(mask.shape[1])).sum(axis=1) / rows[ys]  # each row's mean column
    slope, at = np.polyfit(ys, cols, 1)
    yy, xx = np.nonzero(mask)
    line = np.abs(xx - (at + slope * yy)) <= stroke / 2 + 1
    off = np.zeros(mask.shape, np.uint8)
    off[yy[~line], xx[~line]] = 255
    n, labels, stats = components(off)
    hs, ws = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    # ... and no line itself (where a bent or crossing line misled the fit)
    big = np.flatnonzero((hs >= tall) & (ws > SIDE_LEAN * hs)) + 1
    if not len(big):
        return None
    return np.isin(labels, big)


def _line_width(removed: np.ndarray, row: int, left: int, right: int, h: int) -> float:
    """How thick the removed line is that a side `h` tall, from column `left` to `right`, ends on
    at `row`: the median run of removed pixels down the columns beside and under it, within a
    quarter of the side's height (a box's line is far thinner than its box is tall)."""
    reach, span = max(SIDE_REACH, h // 4), right - left
    window = removed[max(0, row - reach) : row + reach + 1, max(0, left - span) : right + span] > 0
    runs = window.sum(axis=0)
    return float(np.median(runs[runs > 0])) if runs.any() else 0.0


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


def regular_lines(lines: np.ndarray, axis: int, digit_h: float, ink: np.ndarray | None = None) -> np.ndarray:
    """(N, 4) float64 lines across `axis` (0: vertical lines, at x; 1: horizontal, at y), with the
    lines a regular grid has where rule removal missed them: a grid's thin inner lines are printed
    paler than its block lines and break up under the camera, where the block lines are found.

    Between two found lines that run together, the missing ones go in at even steps: where their
    gap is a whole number (2 to MAX_FILL) of the grid's pitch (the typical gap of cell size, CELL),
    within PITCH_SLACK of it; or, where no found gap is of cell size (only the block lines were
    found), where the soft `ink` map holds a pale line at every step of the smallest number of
    cells (of CELL size) the gap divides into (`_pale_steps`)."""
    if len(lines) < 2:
        return lines
    along = 1 - axis  # the direction a line runs
    position = lines[:, axis] + lines[:, axis + 2] / 2
    order = np.argsort(position)
    lines, position = lines[order].copy(), position[order]
    _run_on(lines, axis)
    gaps = np.diff(position)
    cellish = gaps[(gaps >= CELL[0] * digit_h) & (gaps <= CELL[1] * digit_h)]
    pitch = float(np.median(cellish[cellish <= 1.3 * cellish.min()])) if len(cellish) else None
    added = []
    for k, gap in enumerate(gaps):
        a, b = lines[k], lines[k + 1]
        start = max(a[along], b[along])
        end = min(a[along] + a[along + 2], b[along] + b[along + 2])
        if end - start < GRID_SPAN * digit_h:
            continue
        steps = round(gap / pitch) if pitch else 0
        if not (2 <= steps <= MAX_FILL and abs(gap - steps * pitch) <= PITCH_SLACK * pitch):
            steps = 0
            if ink is not None and gap >= 2 * CELL[0] * digit_h:
                steps = _pale_steps(ink, axis, a, b, int(start), int(end), digit_h)
        for j in range(1, steps):
            line = np.zeros(lines.shape[1])  # a 5th column, a slant, goes between its neighbours'
            line[axis], line[axis + 2] = position[k] + j * gap / steps - 1, 2
            line[along], line[along + 2] = start, end - start
            line[4:] = a[4:] + j / steps * (b[4:] - a[4:])
            added.append(line)
    return np.concatenate([lines, np.array(added)]) if added else lines


def _with_slants(lines: np.ndarray, axis: int, ink: np.ndarray) -> np.ndarray:
    """`lines` (N, 4) with a 5th column: how far each runs across `axis` per pixel along it,
    from where the ink map's line lies in its box's first and last SLANT_END of its length."""
    out = np.zeros((len(lines), 5))
    out[:, :4] = lines
    along = 1 - axis
    for line in out:
        lo, width = int(line[axis]), int(line[axis + 2])
        first, length = int(line[along]), int(line[along + 2])
        end = max(1, round(SLANT_END * length))
        if width < 3 or length < 4 * end:
            continue
        box = ink[first : first + length, lo : lo + width]  # rows along the line
        if axis == 1:
            box = ink[lo : lo + width, first : first + length].T
        head = np.argmax(box[:end].sum(axis=0, dtype=np.int64))
        tail = np.argmax(box[-end:].sum(axis=0, dtype=np.int64))
        line[4] = (tail - head) / (length - end)
    return out


def _at(lines: np.ndarray, axis: int, along_at: float) -> np.ndarray:
    """Where each of `lines` lies across `axis` at `along_at` along it (with a 5th column, slanted)."""
    centre = lines[:, axis] + lines[:, axis + 2] / 2
    if lines.shape[1] < 5:
        return centre
    along = 1 - axis
    return centre + lines[:, 4] * (along_at - lines[:, along] - lines[:, along + 2] / 2)


def _run_on(lines: np.ndarray, axis: int) -> None:
    """A found line shorter than the grid's long lines (RUN_ON of the longest), lying between two of
    them, runs on where they run together (in place; `lines` sorted by position across `axis`):
    where the camera lost the rest of a pale inner line, the grid's cells still reach it."""
    along = 1 - axis
    start, end = lines[:, along], lines[:, along] + lines[:, along + 2]
    long = np.flatnonzero(end - start >= RUN_ON * (end - start).max())
    for i in range(len(lines)):
        before, after = long[long < i], long[long > i]
        if i in long or not len(before) or not len(after):
            continue
        a, b = before[-1], after[0]
        lo, hi = max(start[a], start[b]), min(end[a], end[b])
        if lo <= start[i] and end[i] <= hi:
            lines[i, along], lines[i, along + 2] = lo, hi - lo


def _pale_steps(ink: np.ndarray, axis: int, a: np.ndarray, b: np.ndarray, start: int, end: int, digit_h: float) -> int:
    """Into how many cells the pale lines printed between found lines `a` and `b` (running
    together from `start` to `end`) divide their gap: the fewest, of CELL size, for which the ink
    map's profile across the gap peaks at every even step (by LINE_SHARE of the profile's own
    highest, its found lines') in PALE_BANDS - 1 of PALE_BANDS bands along the lines, the steps
    taken between where the found lines run in that band (a line in perspective drifts across
    its box), the digits eroded away (PALE_RUN); 0 where none does."""
    lo, hi = int(a[axis]), int(b[axis] + b[axis + 2])
    strip = np.ascontiguousarray(ink[start:end, lo:hi] if axis == 0 else ink[lo:hi, start:end].T)
    if strip.shape[0] < PALE_BANDS or strip.shape[1] < 8:
        return 0
    # the least ink along each line's direction over PALE_RUN digit heights: a printed line runs
    # on, the digits in the cells (whose rows would peak like lines) do not
    strip = cv2.erode(strip, np.ones((max(3, int(PALE_RUN * digit_h)) | 1, 1), np.uint8))
    profiles = [band.mean(axis=0) for band in np.array_split(strip.astype(np.float64), PALE_BANDS, axis=0)]
    # where the found lines run in each band: a line in perspective drifts across its box
    a_span, b_span = (int(a[axis]) - lo, int(a[axis] + a[axis + 2]) - lo + 1), (int(b[axis]) - lo, hi - lo)
    ends = [(a_span[0] + int(np.argmax(q[slice(*a_span)])), b_span[0] + int(np.argmax(q[slice(*b_span)])))
            for q in profiles]
    gap = b[axis] + b[axis + 2] / 2 - a[axis] - a[axis + 2] / 2
    for steps in range(max(2, int(np.ceil(gap / (CELL[1] * digit_h)))), int(gap / (CELL[0] * digit_h)) + 1):
        cell = gap / steps
        reach, side = max(2, round(0.1 * cell)), round(0.35 * cell)
        found = sum(all(_peaks(q, round(pa + j * (pb - pa) / steps), reach, side) for j in range(1, steps))
                    for q, (pa, pb) in zip(profiles, ends, strict=True))
        if found >= PALE_BANDS - 1:
            return steps
    return 0


def _peaks(profile: np.ndarray, at: int, reach: int, side: int) -> bool:
    """The profile's highest within `reach` of `at` stands LINE_SHARE of its overall highest
    above its lowest on both sides (from `reach` to `side` away): a line there."""
    left, right = profile[max(0, at - side) : max(1, at - reach)], profile[at + reach + 1 : at + side + 1]
    if not len(left) or not len(right):
        return False
    near = profile[max(0, at - reach) : at + reach + 1].max()
    return near - max(left.min(), right.min()) >= max(LINE_SHARE * profile.max(), 1.0)


def cells(grid: Grid, boxes: np.ndarray, ink: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """Per digit box, the centre y of its cell's row and its cell's column (the x of the line left
    of it), NaN outside cells, and whether the cells are comb fields stacked into a grid's lines
    (then a column is one field, whose digits are one number); None where the page is no grid
    (too few digits in cells larger than themselves).
    With the soft `ink` map the boxes index, a grid's pale inner lines count too (regular_lines)."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    if len(boxes) == 0 or len(grid.vertical) < 2 or len(grid.horizontal) < 2:
        return None
    digit_h = float(np.median(boxes[:, 3]))
    vert = grid.vertical[grid.vertical[:, 3] >= GRID_SPAN * digit_h].astype(np.float64)
    horiz = grid.horizontal[grid.horizontal[:, 2] >= GRID_SPAN * digit_h].astype(np.float64)
    if len(vert) < 2 or len(horiz) < 2:
        return None
    if ink is not None:
        vert, horiz = _with_slants(vert, 0, ink), _with_slants(horiz, 1, ink)
    vert, horiz = regular_lines(vert, 0, digit_h, ink), regular_lines(horiz, 1, digit_h, ink)
    centre = vert[:, 0] + vert[:, 2] / 2
    rows: set[tuple[int, int]] = set()  # each cell row's top and bottom line
    tops = np.zeros(len(boxes))
    row_y = np.full(len(boxes), np.nan)
    column = np.full(len(boxes), np.nan)
    for i, (x, y, w, h) in enumerate(boxes):
        cx, cy = x + w / 2, y + h / 2
        # where each line runs beside the digit (a line in perspective slants across its box)
        vx, hy = _at(vert, 0, cy), _at(horiz, 1, cx)
        row = _either_side(hy, horiz[:, 0], horiz[:, 0] + horiz[:, 2], cx, cy)
        col = _either_side(vx, vert[:, 1], vert[:, 1] + vert[:, 3], cy, cx)
        if row is None or col is None:
            continue
        (top, bottom), (left, right) = row, col
        height, width = hy[bottom] - hy[top], vx[right] - vx[left]
        if CELL[0] * digit_h <= height <= CELL[1] * digit_h and CELL[0] * digit_h <= width <= CELL[1] * digit_h:
            row_y[i], column[i] = (hy[top] + hy[bottom]) / 2, centre[left]  # a column: its left line, wherever it runs
            rows.add(row)
            tops[i] = top
    if np.isfinite(row_y).mean() < IN_CELLS:
        return None
    # a grid's rows of cells share their lines; rows of boxes each between lines of their own are
    # comb fields that stand one above the other: each is one number, its boxes one "cell"
    fields = not _shared(rows)
    if fields:
        column = np.where(np.isfinite(column), -1.0 - tops, np.nan)
    return row_y, column, fields


def _either_side(position: np.ndarray, start: np.ndarray, end: np.ndarray, along: float,
                 across: float) -> tuple[int, int] | None:
    """The nearest of the lines (at `position` across them, running from `start` to `end`) that
    pass `along` on the near side of `across` (at or before it) and on the far side; None
    where a side has none."""
    passing = (start <= along) & (end >= along)
    near, far = np.flatnonzero(passing & (position <= across)), np.flatnonzero(passing & (position > across))
    if not len(near) or not len(far):
        return None
    return int(near[np.argmax(position[near])]), int(far[np.argmin(position[far])])


def _shared(pairs) -> set[int]:
    """The lines that are one (top, bottom) pair's bottom and another's top: a grid's rows of
    cells share their lines, where boxes standing apart each have their own."""
    return {b for _, b in pairs} & {t for t, _ in pairs}


def box_fields(grid: Grid, boxes: np.ndarray) -> np.ndarray | None:
    """Per digit box, which printed box (a form's field, or a comb of them) it is written in, as
    a number (its top line's index), NaN where none; None where no digit is in one. A field is
    the nearest removed line above a digit's centre and the nearest below it, FIELD_HEIGHT digit
    heights apart, that start and end together (FIELD_ENDS: a rectangle's top and bottom) and end
    within FIELD_REACH digit heights of the digits between them (a ruled page's lines run on past
    its numbers), sharing neither with another such pair (a grid's rows of cells share them).
    Its digits are one number however far apart they stand in its boxes (a digit across a comb's
    side takes the side with it, and the `|` that kept the number whole)."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    horiz = grid.horizontal.astype(np.float64)
    if len(boxes) == 0 or len(horiz) < 2:
        return None
    digit_h = float(np.median(boxes[:, 3]))
    hy = horiz[:, 1] + horiz[:, 3] / 2
    start, end = horiz[:, 0], horiz[:, 0] + horiz[:, 2]
    cx, cy = boxes[:, 0] + boxes[:, 2] / 2, boxes[:, 1] + boxes[:, 3] / 2
    field = np.full(len(boxes), np.nan)
    between: dict[tuple[int, int], list[int]] = {}  # the digits between each two lines
    for i in range(len(boxes)):
        if (pair := _either_side(hy, start, end, cx[i], cy[i])) is not None:
            between.setdefault(pair, []).append(i)
    shared = _shared(between)
    for (top, bottom), members in between.items():
        if not FIELD_HEIGHT[0] * digit_h <= hy[bottom] - hy[top] <= FIELD_HEIGHT[1] * digit_h:
            continue
        if max(abs(start[top] - start[bottom]), abs(end[top] - end[bottom])) > FIELD_ENDS * digit_h:
            continue
        x0, x1 = boxes[members, 0].min(), (boxes[members, 0] + boxes[members, 2]).max()
        left, right = min(start[top], start[bottom]), max(end[top], end[bottom])
        if left < x0 - FIELD_REACH * digit_h or right > x1 + FIELD_REACH * digit_h or {top, bottom} & shared:
            continue
        field[members] = top
    return field if np.isfinite(field).any() else None
