"""A digit with a printed line's remnant joined to it, and the piece without the remnant.

Rule and box-side removal take out the lines a form prints, but a digit touching one keeps
the stretch it touches: one component, a box side beside the digit or a line's stub above or
below it. The piece is then taller than the digits round it and reads as "not a digit". Its
remnant is straight and thin: whole columns of ink at its side (a side runs past the digit
top and bottom) or rows at its top or bottom that hold one thin run only. The piece without
them is one more cut of the blob for the classifier to settle; nothing is taken out on sight
(a 4's or 7's stem is such a run too, and there the whole piece reads as the digit).

Where a grid's line runs across a piece, digits of two cells may have joined through the band
rule removal gave back where they cross it: the piece parted along the line is a cut too.
"""

from __future__ import annotations

import numpy as np

from edge.vision.box import Box
from edge.vision.crops import piece_mask
from edge.vision.cuts import Piece
from edge.vision.grid import Grid

TALL = 1.3  # a piece this many times the median digit height may carry a remnant
SIDE_COVER = 0.9  # a column inked over this share of the piece's rows is a side's
SIDE_BAND = 0.3  # ... found within this share of the piece's width from its left or right
STUB_WIDTH = 0.2  # a row holding one run at most this share of the piece's width is a stub's
STUB_LENGTH = 0.3  # ... straight for at least this share of the median digit height
STUB_SLOPE = 0.1  # ... and upright: its middle moves at most this many px a row
KEEP = 0.5  # the piece without its remnant is at least this share of the median digit height
CROSS_SLACK = 0.1  # a line runs across a piece when it reaches within this share of its box's ends


def without_remnant(piece: Piece, labels: np.ndarray, median_h: float) -> Piece | None:
    """`piece` with its box shrunk off a line's remnant (see the module), or None where it is no
    taller than TALL digits, has no such remnant, or would keep too little."""
    box = piece.box
    if box.h <= TALL * median_h:
        return None
    mask = piece_mask(labels, piece) > 0
    h, w = mask.shape
    left, right = 0, w
    side = np.flatnonzero(mask.sum(axis=0) >= SIDE_COVER * h)
    band = max(1, int(SIDE_BAND * w))
    if side.size and side.min() < band:  # a side at the left: it and what lies left of it go
        left = int(side[side < band].max()) + 1
    if side.size and side.max() >= w - band:
        right = int(side[side >= w - band].min())
    if right - left < 2:
        return None
    inner = mask[:, left:right]
    rows = np.flatnonzero(inner.any(axis=1))
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    thin = max(2, int(STUB_WIDTH * w))
    stub = STUB_LENGTH * median_h
    top += _stub(inner[top:bottom], thin, stub)
    bottom -= _stub(inner[top:bottom][::-1], thin, stub)
    if bottom - top < KEEP * median_h or (left, right, top, bottom) == (0, w, 0, h):
        return None
    cols = np.flatnonzero(inner[top:bottom].any(axis=0))
    x0, x1 = left + int(cols[0]), left + int(cols[-1]) + 1
    return Piece(Box(box.x + x0, box.y + top, x1 - x0, bottom - top), piece.labels)


def _stub(rows: np.ndarray, thin: int, length: float) -> int:
    """How many of `rows` (from the first on) are a straight stub: one run each, at most `thin`
    px wide, its middle off the first row's by at most STUB_SLOPE a row (a printed line is
    upright, a pen's stroke tip slants); 0 where fewer than `length`."""
    first = None
    for n, row in enumerate(rows):
        ink = np.flatnonzero(row)
        if not ink.size or ink[-1] - ink[0] >= thin or ink.size != ink[-1] - ink[0] + 1:
            return n if n >= length else 0
        middle = (ink[0] + ink[-1]) / 2
        first = middle if first is None else first
        if abs(middle - first) > max(1.5, STUB_SLOPE * n):
            return n if n >= length else 0
    return 0  # the whole piece: no digit below or above it


def across_lines(piece: Piece, labels: np.ndarray, grid: Grid, median_h: float) -> tuple[Piece, ...] | None:
    """`piece` parted along the grid's lines that run across it (a printed line from side to side
    of its box, at least KEEP digit heights in from its ends): digits in neighbouring cells that
    touch through the band rule removal gave back where they cross a line come out one a cell.
    Each part is its box's ink, tightened; parts shorter than KEEP digit heights (a stray
    stroke's end) are left out. None where no line runs across it or a single part is left."""
    box = piece.box
    margin = KEEP * median_h
    xs = [box.x] + _across(grid.vertical, (box.x, box.w), (box.y, box.h), margin, along=1)
    ys = [box.y] + _across(grid.horizontal, (box.y, box.h), (box.x, box.w), margin, along=0)
    if len(xs) == 1 and len(ys) == 1:
        return None
    xs, ys = sorted(set(xs)) + [box.x + box.w], sorted(set(ys)) + [box.y + box.h]
    whole = piece_mask(labels, piece) > 0
    parts = []
    for y0, y1 in zip(ys[:-1], ys[1:]):
        for x0, x1 in zip(xs[:-1], xs[1:]):
            mask = whole[y0 - box.y : y1 - box.y, x0 - box.x : x1 - box.x]
            rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
            if rows.size and rows[-1] + 1 - rows[0] >= margin:
                parts.append(Piece(Box(x0 + int(cols[0]), y0 + int(rows[0]), int(cols[-1] + 1 - cols[0]),
                                       int(rows[-1] + 1 - rows[0])), piece.labels))
    return tuple(parts) if len(parts) > 1 else None


def _across(lines: np.ndarray, span: tuple[int, int], length: tuple[int, int], margin: float, along: int) -> list[int]:
    """Where `lines` (x, y, w, h rows; `along` 1: vertical, they run along y) cross a box whose
    extent across them is `span` (start, size) and along them `length`: each line's middle,
    at least `margin` in from the span's ends, for lines that reach within CROSS_SLACK of both
    of the box's ends along them."""
    out = []
    start, size = span
    lo, extent = length
    for row in np.asarray(lines).reshape(-1, 4):
        middle = row[1 - along] + row[3 - along] / 2
        first, last = row[along], row[along] + row[2 + along]
        if start + margin <= middle <= start + size - margin and first <= lo + CROSS_SLACK * extent \
                and last >= lo + (1 - CROSS_SLACK) * extent:
            out.append(int(round(middle)))
    return out
