"""Blobs of ink and the candidate ways to cut each into digits: the segmenter's typed output.

Geometry alone cannot tell a wide 0 from a 2 and a 1 that touch, or two strokes of one
broken 4 from a 1 beside a 1. So the segmenter emits every blob with its candidate cuts:
`cuts[0]` is its best guess without a model, the others cut the same ink into a different
number of digits (or read two neighbouring pieces as one). The classifier reads every
piece of every cut in the frame's one batch, and `edge.vision.settle` keeps the cut whose
pieces are most probably digits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import cv2
import numpy as np

from edge.vision.box import Box

TRY_SPLIT_ASPECT = 0.95  # a blob wider than this times its height may hold two touching digits
ONES_ASPECT = 0.5  # ... narrower, but wider than this, only touching 1s (a 1 is a quarter of its height wide)
DIGIT_ASPECT = 0.7  # typical width / height of one digit, to guess how many touch
MAX_PIECES = 6  # no blob is cut into more digits than this
CUT_WINDOW = 0.3  # a cut lies within this share of a digit width of its even-spacing position
OFF_CENTRE_WINDOW = 0.15  # an off-centre cut lies within this share of the width of where it was asked
SPAN_STEP = 0.25  # over-segmentation: a cut position every this many blob heights, besides the ink valleys
VALLEY_SMOOTH = 0.06  # ... the column profile smoothed over this many blob heights before its valleys are found
SPAN_WIDTH = (0.15, 1.2)  # a span (one digit) is this many blob heights wide, a narrow 1 to a wide 0
SPAN_OVERLAP = 0.15  # neighbouring spans may share this many blob heights of columns (overlapping digits)
SPAN_HEIGHT = 0.65  # a span's ink is at least this share of the blob's height: digits side by side are
# about as tall as one another, where a letter's bowl or a fragment of a stroke is shorter
# Slanted writing also gets a slanted lattice: its spans lean by one of SLOPES (x per y, "/"
# positive: about -17 to +31 degrees), the one its column profile is sharpest at (upright strokes
# stack into one column), where that is at least SLOPE_GAIN sharper than upright
SLOPES = (0.0, -0.3, -0.2, -0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
SLOPE_GAIN = 0.02


@dataclass(frozen=True)
class Band:
    """A slanted strip of columns: the pixels (x, y) with `start <= round(x - x0 + slope * (y - y0)) < end`.

    Slanted writing's touching digits meet along a slanted line: a strip leaning with the
    writing parts them where an upright one takes a bite of each neighbour (`slope`: x per y
    of the strokes, positive for "/", the common right lean).
    """

    slope: float
    x0: float
    y0: int
    start: int
    end: int

    def column(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """The sheared column of each pixel (xs, ys: frame coordinates, broadcast together); the
        lattice assigns its ink with this very sum, so strip and lattice agree to the pixel."""
        return np.floor((xs - self.x0) + self.slope * (ys - self.y0) + 0.5).astype(np.int64)

    def mask(self, box: Box) -> np.ndarray:
        """(h, w) bool over `box`: which of its pixels lie in the strip."""
        k = self.column(np.arange(box.x, box.x1, dtype=np.float64)[None, :], np.arange(box.y, box.y1, dtype=np.float64)[:, None])
        return (k >= self.start) & (k < self.end)


@dataclass(frozen=True)
class Piece:
    """Ink that may be one digit: its box and the connected components (labels) it is made of.

    A crop takes only its own components' ink, so a neighbour's stroke reaching into the
    box stays out of it; a piece of a slanted lattice also takes only the ink of its `band`.
    """

    box: Box
    labels: tuple[int, ...]
    band: Band | None = None


Cut = tuple[Piece, ...]  # one way to read a blob: its digits, left to right


@dataclass(frozen=True)
class Span:
    """Columns [start, end) of a blob read as one digit: a node of its over-segmentation lattice."""

    start: int
    end: int
    piece: Piece


@dataclass(frozen=True)
class Blob:
    """Ink that reads as one or more digits, and the candidate cuts of it (cuts[0]: the best guess).

    `spans` over-segment a blob that may hold touching digits: any chain of spans from its first
    column to its last, each starting at or a little before where the last ended, is one more
    cut (edge.vision.settle searches them); the explicit `cuts` are a few of those chains.
    """

    cuts: tuple[Cut, ...]
    # the spans, or how to find them: finding them costs ~10% of a frame, so only a reader that
    # searches them (one whose model can say "not a digit") pays for it, on first use of `spans`
    lattice: tuple[Span, ...] | Callable[[], tuple[Span, ...]] = field(default=(), compare=False)
    only_ones: bool = False  # the cuts other than the default are touching 1s or none (a blob too narrow for other digits)
    # ... and the slanted lattice (`slanted_spans`: none where the writing stands upright),
    # searched only where the upright one falls short (edge.vision.settle.needs_slanted)
    slant_lattice: tuple[Span, ...] | Callable[[], tuple[Span, ...]] = field(default=(), compare=False)

    @cached_property
    def spans(self) -> tuple[Span, ...]:
        return self.lattice() if callable(self.lattice) else self.lattice

    @cached_property
    def slanted_spans(self) -> tuple[Span, ...]:
        return self.slant_lattice() if callable(self.slant_lattice) else self.slant_lattice

    @property
    def default(self) -> Cut:
        return self.cuts[0]

    @property
    def pieces(self) -> tuple[Piece, ...]:
        """Every distinct piece of every cut, each once (the crops to classify)."""
        return tuple(dict.fromkeys([*self.cut_pieces, *(s.piece for s in self.spans)]))

    @property
    def cut_pieces(self) -> tuple[Piece, ...]:
        """The pieces of the explicit cuts only, each once (without the spans' lattice)."""
        return tuple(dict.fromkeys(p for cut in self.cuts for p in cut))


def digits_across(w: int, h: int) -> int:
    """How many digits a blob w wide and h tall holds when they touch, by the typical digit aspect."""
    return min(MAX_PIECES, max(2, round(w / (DIGIT_ASPECT * h))))


def piece_counts(w: int, h: int, default: int) -> list[int]:
    """How many digits a blob w wide and h tall might hold, besides the default guess."""
    if w <= TRY_SPLIT_ASPECT * h:
        return []
    guess = digits_across(w, h)
    options = {1, 2, guess - 1, guess, guess + 1} & set(range(1, MAX_PIECES + 1))
    return sorted(options - {default})


def ones_counts(w: int, h: int) -> list[int]:
    """How many touching 1s a blob w wide and h tall, too narrow for other touching digits, might
    hold: two. Cut in three, a narrow slanted 6 or 8 of MNIST's writers read as three sure,
    parallel 1s (2 of the demo's 400 frames), where touching 111s are rarer."""
    return [2] if ONES_ASPECT * h < w <= TRY_SPLIT_ASPECT * h else []


def cut_columns(columns: np.ndarray, k: int) -> list[tuple[int, int]]:
    """Column ranges of a blob (its ink per column) cut into `k` at the projection minima near even spacing."""
    w = len(columns)
    cuts = [0]
    for j in range(1, k):
        centre = j * w / k
        lo = max(cuts[-1] + 1, int(centre - CUT_WINDOW * w / k))
        hi = min(w - 1, int(centre + CUT_WINDOW * w / k) + 1)
        if hi <= lo:
            continue
        cuts.append(lo + int(np.argmin(columns[lo:hi])))
    cuts.append(w)
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=False) if b - a >= 2 and columns[a:b].any()]


def cut_blob(whole: Piece, mask: np.ndarray, k: int, at: float | None = None) -> Cut:
    """The blob `whole` (`mask`: uint8, non-zero on its ink, in its box) cut into `k` pieces; itself when k is 1.

    `at` (a share of the width) cuts in two at the projection minimum nearest it instead.
    """
    if k <= 1:
        return (whole,)
    x, y, w, _ = whole.box
    columns = np.count_nonzero(mask, axis=0)
    if at is None:
        ranges = cut_columns(columns, k)
    else:  # a narrow 1 beside a wide digit touches it far from the middle
        lo, hi = max(1, int(at * w - OFF_CENTRE_WINDOW * w)), min(w - 1, int(at * w + OFF_CENTRE_WINDOW * w) + 1)
        cut = lo + int(np.argmin(columns[lo:hi])) if hi > lo else w // 2
        ranges = [(a, b) for a, b in ((0, cut), (cut, w)) if b - a >= 2 and columns[a:b].any()]
    out = []
    for a, b in ranges:
        _, top, _, height = cv2.boundingRect(mask[:, a:b])  # the rows this piece's ink spans
        out.append(Piece(Box(x + a, y + top, b - a, height), whole.labels))
    return tuple(out)


def cut_positions(columns: np.ndarray, h: int) -> list[int]:
    """Where a blob (its ink per column) may be cut: every SPAN_STEP heights and at every valley
    of its column profile (the thin joins between touching digits), its two ends included."""
    w = len(columns)
    step = max(2, round(SPAN_STEP * h))
    # the profile smoothed over a stroke's width first: a ragged edge's every dip is no join
    k = max(1, round(VALLEY_SMOOTH * h)) | 1
    smooth = np.convolve(columns.astype(np.float64), np.ones(k) / k, mode="same") if w > k else columns
    inner = smooth[1:-1]
    valleys = np.flatnonzero((inner <= smooth[:-2]) & (inner < smooth[2:]) & (inner < inner.max(initial=0))) + 1
    positions = sorted({0, w, *range(step, w - 1, step), *valleys.tolist()})
    out = [0]
    for p in positions[1:]:  # positions closer than 2 px are one
        if p - out[-1] >= 2 or p == w:
            out.append(p)
    return out


def writing_slope(mask: np.ndarray) -> float:
    """How the writing in `mask` (a blob's ink) leans, x per y, positive for "/": of SLOPES, the
    shear under which its column profile is sharpest (the sum of its squared column counts),
    0 where none is SLOPE_GAIN sharper than upright."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 2:
        return 0.0
    sharp = []
    for slope in SLOPES:
        k = np.floor(xs + slope * ys + 0.5).astype(np.int64)
        sharp.append(float(np.square(np.bincount(k - k.min()).astype(np.float64)).sum()))
    best = int(np.argmax(sharp))
    return SLOPES[best] if sharp[best] > (1.0 + SLOPE_GAIN) * sharp[0] else 0.0


def blob_spans(whole: Piece, mask: np.ndarray) -> tuple[Span, ...]:
    """The over-segmentation lattice of a blob (`mask`: uint8, non-zero on its ink, in its box)."""
    return _spans(whole, mask, 0.0)


def slanted_spans(whole: Piece, mask: np.ndarray) -> tuple[Span, ...]:
    """The blob's lattice cut along its writing's slant (`writing_slope`, each piece a `Band`);
    none where the writing stands upright. Slanted touching digits overlap: an upright cut between
    two takes a bite of each (the middle 0 of a slanted `000` is never whole in any column range)."""
    slope = writing_slope(mask)
    return _spans(whole, mask, slope) if slope else ()


def _spans(whole: Piece, mask: np.ndarray, slope: float) -> tuple[Span, ...]:
    """The lattice of the blob sheared by `slope`: its columns (x + slope * y) cut into spans."""
    x, y, w, h = whole.box
    narrow, wide = SPAN_WIDTH[0] * h, SPAN_WIDTH[1] * h
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return ()
    shear = Band(slope, x - max(0.0, -slope * (h - 1)), y, 0, 0)  # sheared columns start at 0
    k = shear.column((x + xs).astype(np.float64), (y + ys).astype(np.float64))
    columns = np.bincount(k)
    positions = cut_positions(columns, h)
    # the ink's extent between each two neighbouring cut positions (a span is a run of these)
    segment = np.searchsorted(positions, k, side="right") - 1
    n = len(positions) - 1
    top, bottom, left, right = (np.full(n, fill) for fill in (h, -1, w, -1))
    np.minimum.at(top, segment, ys)
    np.maximum.at(bottom, segment, ys)
    np.minimum.at(left, segment, xs)
    np.maximum.at(right, segment, xs)
    top, bottom, left, right = top.tolist(), bottom.tolist(), left.tolist(), right.tolist()
    out = []
    for i, a in enumerate(positions[:-1]):
        y0, y1, x0, x1 = h, -1, w, -1  # the ink's extent in columns [a, b), growing with b
        for j in range(i, n):
            b = positions[j + 1]
            if b - a > wide:
                break
            y0, y1, x0, x1 = min(y0, top[j]), max(y1, bottom[j]), min(x0, left[j]), max(x1, right[j])
            if b - a < narrow or y1 < 0 or y1 + 1 - y0 < SPAN_HEIGHT * h:
                continue
            if slope:
                piece = Piece(Box(x + x0, y + y0, x1 + 1 - x0, y1 + 1 - y0), whole.labels, replace(shear, start=a, end=b))
            else:
                piece = Piece(Box(x + a, y + y0, b - a, y1 + 1 - y0), whole.labels)
            out.append(Span(a, b, piece))
    return tuple(out)
