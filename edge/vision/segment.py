"""Find handwritten digits in a camera frame: pure functions over arrays, no model.

grey -> background estimate (closing on a downscaled copy, so uneven light and
shadows divide out) -> soft ink map -> threshold -> ruled/squared paper lines
removed -> connected components -> broken strokes merged, touching digits split,
non-digits dropped -> blobs, each with its candidate cuts into pieces.

Every threshold is relative to the frame or to the median digit height, so a
1280x720 page of small digits and a scan of one big digit are read alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from edge.vision.box import Box, boxes_array
from edge.vision.components import components, merge_alternatives, merge_broken, split_touching
from edge.vision.crops import crop_pieces
from edge.vision.cuts import Blob, Piece
from edge.vision.field import (
    MAYBE_FIELD,
    field_keep,
    field_share,
    long_rules_only,
    resolve,
    strip_printed_lines,
)
from edge.vision.grid import Grid, drop_box_sides, removed_lines
from edge.vision.paper_lines import remove_rules
from edge.vision.picture import to_grey

BACKGROUND_SIDE = 96  # short side of the copy the background is estimated on, px
CLOSING_FRACTION = 0.2  # closing kernel / short side: wider than the thickest stroke of a frame-filling digit
FIELD_CLOSING = 0.35  # ... in a field, whose digits fill its short side: their stroke junctions (0.2 left holes)
MIN_CONTRAST = 60  # ink-map level (0-255, 255 = black on white) below which nothing is ink
WEAK_SHARE = 0.55  # hysteresis: weak ink is this share of the strong threshold
MAX_CONTRAST = 110  # cap on Otsu: a page with little ink must not push the threshold into the strokes
LEVEL_MARGIN = 0.012  # share of the short side along the frame's edges left out of Otsu's level: the page
# edge and the surround's fringe there are darker than any pencil, and set it above a pencil page's strokes
PAPER_FLOOR = 0.3  # background darker than this share of the bright paper is surround, not paper
SLIVER_WIDTH = 0.005  # share of the short side: thinner than any pen stroke seen from afar
SPECK_AREA = 2e-5  # components smaller than this share of the frame are noise
FAINT_SHARE = 0.55  # a component whose mean ink is under this share of the pen strokes' is printed paper lines ...
BAR_SPREAD = 0.2  # ... when it is a bar: its ink spreads across under this share of its spread along
BORDER_SLIVER = 0.4  # at the frame edge, a component thinner than this (w/h or h/w) is the page's edge
MIN_HEIGHT = 0.5  # a digit is at least this share of the median digit height ...
STROKE_RATIO = 3.5  # ... unless its ink is strokes (height * (height + width) / area at least this)
MIN_READABLE = 9  # px: shorter than this a digit is too small to read (the smallest is 12 px)
NO_BOXES = np.zeros((0, 4), np.int32)
MAX_ERASED = 64  # weak-only components erased one by one up to this many; more (a noisy frame): one lookup
SURROUND_GROWTH = np.ones((5, 5), np.uint8)  # the surround mask grows by two pixels on the small copy


@dataclass(frozen=True)
class Segmentation:
    """What segmentation found in one grey frame: blobs with their candidate cuts, and the maps they index."""

    blobs: tuple[Blob, ...]
    ink: np.ndarray  # (H, W) uint8 soft ink map (255 = full ink), what crops are cut from
    labels: np.ndarray  # (H, W) connected-component labels; a piece's `labels` index them
    one_field: bool = False  # the image is one field (read as one line); see edge.vision.field
    marks: np.ndarray = field(default_factory=lambda: NO_BOXES)  # (N, 4) non-digit blobs: separator candidates
    grid: Grid = field(default_factory=Grid)  # the long lines rule removal took out (edge.vision.grid)
    box_sides: np.ndarray = field(default_factory=lambda: NO_BOXES)  # comb boxes' sides, taken out

    @property
    def pieces(self) -> tuple[Piece, ...]:
        """Every distinct piece of every cut of every blob, each once: the frame's batch."""
        return tuple(dict.fromkeys(p for blob in self.blobs for p in blob.pieces))


@dataclass(frozen=True)
class BestGuess:
    """The segmenter's reading without a model: every blob's default cut, boxes and crops."""

    boxes: np.ndarray  # (N, 4) int32 x, y, w, h
    crops: np.ndarray  # (N, 28, 28) uint8, bright ink on black, MNIST-style


def _closing(small: np.ndarray, kernel: np.ndarray, k: int) -> np.ndarray:
    """Morphological closing that treats a dark frame edge as dark beyond the frame.

    Where the page ends inside the frame, a strip of dark surround along the frame edge
    is narrower than the kernel; replicating the border would fill it in as if it were ink.
    Sides whose edge is dark (well below the brightest paper) are padded with black instead.
    """
    bright = float(np.percentile(small, 95))
    edges = (small[0], small[-1], small[:, 0], small[:, -1])  # top, bottom, left, right
    dark = [float(np.median(e)) < 0.5 * bright for e in edges]
    pad = k // 2 + 1
    padded = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    if dark[0]:
        padded[:pad] = 0
    if dark[1]:
        padded[-pad:] = 0
    if dark[2]:
        padded[:, :pad] = 0
    if dark[3]:
        padded[:, -pad:] = 0
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)
    return closed[pad:-pad, pad:-pad]


def ink_map(grey: np.ndarray, closing: float = CLOSING_FRACTION) -> np.ndarray:
    """Soft ink map (uint8, 255 = full ink): darkness relative to the local paper brightness."""
    h, w = grey.shape
    short = min(h, w)
    scale = min(1.0, BACKGROUND_SIDE / short)
    small = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    k = max(3, int(closing * min(small.shape)) | 1)
    kernel = _ellipse(k)
    # closing = the paper with every dark thing narrower than the kernel (the ink) filled in;
    # it keeps step edges (a shadow's, the page's) where they are, so they divide out.
    background = _closing(small, kernel, k)
    small_background = cv2.blur(background, (3, 3))
    paper_level = float(np.percentile(small_background, 95)) if small_background.size else 0.0
    floor = max(16.0, PAPER_FLOOR * paper_level)
    background = cv2.resize(small_background, (w, h), interpolation=cv2.INTER_LINEAR)
    ratio = cv2.divide(grey, cv2.max(background, 1), scale=255)  # grey / paper, saturating
    ink = cv2.subtract(255, ratio)
    # The dark surround and unlit areas hold no ink. The mask is made on the small copy and
    # grown by two pixels there: the upscaled background blurs the page edge, and the surround
    # just outside it would otherwise read as a line of ink.
    _, paper = cv2.threshold(small_background, floor - 1e-3, 255, cv2.THRESH_BINARY)  # 255 where >= floor
    if cv2.countNonZero(paper) < paper.size:
        paper = cv2.erode(paper, SURROUND_GROWTH)
        paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_NEAREST)
        ink = cv2.bitwise_and(ink, paper)
    return ink


@lru_cache(maxsize=16)
def _ellipse(k: int) -> np.ndarray:
    """The closing's structuring element, made once per frame size."""
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))


def binarize(ink: np.ndarray) -> np.ndarray:
    """Hysteresis threshold: weak ink is kept where it touches strong ink (thin strokes stay whole)."""
    return binarize_labelled(ink)[0]


Labelling = tuple[int, np.ndarray, np.ndarray]  # components(): count, labels, stats


def binarize_labelled(ink: np.ndarray) -> tuple[np.ndarray, Callable[[], Labelling]]:
    """`binarize`, and a function giving the result's components from the weak ink's own (the same
    numbers a fresh labelling gives: erasing whole components keeps the rest in raster order),
    for a frame that rule removal leaves as it is: a lookup where labelling again costs 2-3 times more."""
    m = int(LEVEL_MARGIN * min(ink.shape))
    inner = np.ascontiguousarray(ink[m : ink.shape[0] - m, m : ink.shape[1] - m]) if m else ink
    level, _ = cv2.threshold(inner, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    high = int(np.clip(level, MIN_CONTRAST, MAX_CONTRAST))
    _, weak = cv2.threshold(ink, int(WEAK_SHARE * high), 255, cv2.THRESH_BINARY)
    n, labels, stats = components(weak)
    strong = np.zeros(n, bool)
    strong[labels[ink > high]] = True
    strong[0] = True  # the background stays as it is
    faint = np.flatnonzero(~strong)  # weak ink touching no strong ink: noise, taken out

    def labelled() -> Labelling:
        if not len(faint):
            return n, labels, stats
        number = np.cumsum(strong, dtype=np.int32) - 1  # background 0, the kept components 1.. in order
        number[~strong] = 0
        kept = stats[strong]
        kept[0, cv2.CC_STAT_AREA] = ink.size - kept[1:, cv2.CC_STAT_AREA].sum()
        return len(kept), np.take(number, labels), kept

    if len(faint) > MAX_ERASED:
        kept = strong.astype(np.uint8) * np.uint8(255)
        kept[0] = 0
        return np.take(kept, labels), labelled
    for i in faint:  # few, and small: erasing them in their boxes beats a lookup over the frame
        x, y, w, h = stats[i, :4]
        roi = weak[y : y + h, x : x + w]
        roi[labels[y : y + h, x : x + w] == i] = 0
    return weak, labelled


def faint_components(labels: np.ndarray, n: int, stats: np.ndarray, ink: np.ndarray, binary: np.ndarray,
                     lined: bool = True) -> np.ndarray:
    """Per component (without the background): far paler than the frame's pen strokes, and, on
    paper without printed lines (`lined` False), shaped like a bar.

    Ruled and squared paper lines are printed in pale ink; the pieces of them that survive
    rule removal are thin bars, corners and crosses that read as confident 1s, 7s and 4s. Pen
    ink is much darker, wherever the light falls, because the ink map is darkness relative to
    the local paper. But writing too can be paler than the rest of the frame (a lighter hand on
    a board, softer pencil on part of a page): where no printed lines were found, a pale
    component whose ink spreads in two directions is writing, and stays.
    """
    on = binary > 0
    area = np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    lab = labels[on]
    mean_ink = np.bincount(lab, weights=ink[on], minlength=n)[1:] / area
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    tall = heights >= 0.5 * heights.max() if len(heights) else heights.astype(bool)
    if tall.sum() < 3:  # too few strokes to say what the pen looks like
        return np.zeros(len(stats), bool)
    pale = mean_ink < FAINT_SHARE * float(np.median(mean_ink[tall]))
    if lined or not pale.any():
        return pale
    # each component's spread along its two principal axes, from its pixels' second moments
    ys, xs = np.nonzero(on)
    count = np.bincount(lab, minlength=n)[1:].astype(np.float64)
    count = np.maximum(count, 1)
    mx, my = (np.bincount(lab, weights=v, minlength=n)[1:] / count for v in (xs, ys))
    sxx = np.bincount(lab, weights=xs * xs.astype(np.float64), minlength=n)[1:] / count - mx * mx
    syy = np.bincount(lab, weights=ys * ys.astype(np.float64), minlength=n)[1:] / count - my * my
    sxy = np.bincount(lab, weights=xs * ys.astype(np.float64), minlength=n)[1:] / count - mx * my
    half_gap = np.sqrt(((sxx - syy) / 2) ** 2 + sxy**2)
    major, minor = (sxx + syy) / 2 + half_gap, np.maximum((sxx + syy) / 2 - half_gap, 0)
    bar = minor < BAR_SPREAD**2 * np.maximum(major, 1e-9)
    return pale & bar


def find_blobs(binary: np.ndarray, ink: np.ndarray, layout: str = "page", *, stripped: bool = False,
               labelled: Labelling | None = None, lined: bool = True) -> tuple[list[Blob], np.ndarray, bool, np.ndarray]:
    """Blobs of digit ink with their candidate cuts, the label image their pieces index, whether
    the image is one field (`layout` 'auto' decides, see edge.vision.field), and the boxes of
    blobs too small or flat for a digit (dots, dashes: the separator candidates).
    `labelled`: `binary`'s components where the caller has them; `lined`: whether printed lines
    were taken out of it (then every pale component is their debris, see faint_components)."""
    h, w = binary.shape
    n, labels, stats = labelled or components(binary)
    stats = stats[1:]
    keep = stats[:, cv2.CC_STAT_AREA] >= max(4, SPECK_AREA * h * w)
    faint = faint_components(labels, n, stats, ink, binary, lined)
    # specks may be a small pen's dots: kept aside as separator candidates, never as digits
    specks = stats[~keep & ~faint & (stats[:, cv2.CC_STAT_AREA] >= 4), :4].astype(np.int32)
    bx, by, bw, bh = (stats[:, i] for i in range(4))
    # slivers: a pixel or two wide and many times taller (a stair of a tilted page edge or rule)
    keep &= ~((bw <= max(2, SLIVER_WIDTH * min(h, w))) & (bh > 6 * bw))
    keep &= ~faint
    one_field = resolve(layout, stats[keep], h)
    if layout == "auto" and not one_field and field_share(stats[keep], h) >= MAYBE_FIELD and not stripped:
        return [], labels, None, specks  # None: maybe a field; segment() looks again with a field's ink map
    if one_field and not stripped:  # once more without the field's printed lines, which digits stand on
        return find_blobs(strip_printed_lines(binary), ink, "field", stripped=True)
    if one_field:  # a field's digits fill it and touch its edges: only its printed frame goes
        keep &= field_keep(stats, w)
    else:
        # the page's edge or the surround: touches the frame border and spans much of it
        at_border = at_frame_edge(stats[:, :4], w, h)
        keep &= ~(at_border & ((bw > 0.5 * w) | (bh > 0.5 * h)))
        # a sliver of page edge where the page meets the frame edge (a digit cut off there is unreadable anyway)
        keep &= ~(at_border & ((bw < BORDER_SLIVER * bh) | (bh < BORDER_SLIVER * bw)))
    pieces = [Piece(Box.of(stats[i, :4]), (int(i) + 1,)) for i in np.flatnonzero(keep)]
    if not pieces:
        return [], labels, one_field, specks
    blobs = split_touching(merge_broken(pieces), labels)
    defaults = [p for b in blobs for p in b.default]
    median_h = float(np.median([p.box.h for p in defaults]))
    area = np.concatenate([[0], stats[:, cv2.CC_STAT_AREA]])
    boxes = boxes_array([p.box for p in defaults])
    # a pen's strokes of another size are digits when a peer of their size stands beside them
    # (a lone small blob by a digit is more often a piece of it); a piece is never larger than
    # its digit, so one taller than the others' digits needs no peer (a 300 px 0 beside small ones),
    # unless it touches the frame's edge: there a big blob is the surround at a page's corner
    big = (boxes[:, 3] > 3 * median_h) & ~at_frame_edge(boxes, w, h)
    stroked = dict(zip(defaults, stroke_like(boxes, np.array([area[list(p.labels)].sum() for p in defaults]))
                       & (has_peer(boxes) | big), strict=True))

    def is_digit(piece: Piece) -> bool:
        # not digits: specks, dashes and rules (much wider than tall), anything taller than three
        # lines; but a pen's strokes of another size than the median's are digits too (scale)
        box = piece.box
        sized = MIN_HEIGHT * median_h <= box.h <= 3 * median_h or stroked.get(piece, False)
        return sized and box.w <= 2.5 * box.h

    kept, marks = [], [specks]
    for blob in blobs:
        default = tuple(p for p in blob.default if is_digit(p))
        marks.append(boxes_array([p.box for p in blob.default if not is_digit(p)]))
        if default:
            others = (c for c in blob.cuts[1:] if all(is_digit(p) for p in c))
            kept.append(Blob((default, *others), blob.lattice if default == blob.default else ()))
    return merge_alternatives(kept), labels, one_field, np.concatenate(marks).astype(np.int32)


def at_frame_edge(boxes: np.ndarray, w: int, h: int) -> np.ndarray:
    """Per (x, y, w, h) box: it touches the edge of a `w` x `h` frame."""
    x, y, bw, bh = (boxes[:, i] for i in range(4))
    return (x <= 0) | (y <= 0) | (x + bw >= w) | (y + bh >= h)


def stroke_like(boxes: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """Per box: its ink is pen strokes much longer than they are thick, and it is tall enough to read.

    h * (h + w) / area is about height over stroke width (a 1: h / sw; an 8, a few times its
    strokes' length in ink: still 3 or more). A dot, a speck, a smudge or a shadow is a solid
    blob (2 or less). This needs no digit size, so a line of 13 px digits beside a 300 px number
    is kept, where a height relative to the median keeps only one of the two.
    """
    h, w = boxes[:, 3].astype(np.float64), boxes[:, 2].astype(np.float64)
    return (h * (h + w) / np.maximum(areas, 1) >= STROKE_RATIO) & (h >= MIN_READABLE)


def has_peer(boxes: np.ndarray) -> np.ndarray:
    """Per box: another box of about its height beside it in its line (a line of small digits,
    where a lone small blob by a digit is more often a fragment of it)."""
    h = boxes[:, 3].astype(np.float64)
    cy = boxes[:, 1] + h / 2
    x0, x1 = boxes[:, 0].astype(np.float64), (boxes[:, 0] + boxes[:, 2]).astype(np.float64)
    gap = np.maximum(x0[:, None], x0[None]) - np.minimum(x1[:, None], x1[None])
    ratio = h[:, None] / np.maximum(h[None], 1)
    peer = (ratio <= 1.5) & (ratio >= 1 / 1.5) & (np.abs(cy[:, None] - cy[None]) <= h[:, None]) & (gap <= 1.5 * h[:, None])
    np.fill_diagonal(peer, False)
    return peer.any(axis=1)


def find_ink(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The soft ink map and its binary digit ink (paper lines removed)."""
    ink = ink_map(grey)
    return ink, remove_rules(binarize(ink))


def segment(grey: np.ndarray, layout: str = "page") -> Segmentation:
    """Blobs of handwritten digits, with their candidate cuts, in a 2-D uint8 grey frame
    (`layout`: 'page', 'field' or 'auto', see edge.vision.field)."""
    if grey.size == 0 or min(grey.shape) < 4:
        empty = np.zeros(grey.shape, np.uint8)
        return Segmentation((), empty, empty)
    if layout == "field":
        return _segment(grey, "field", FIELD_CLOSING)
    seg = _segment(grey, layout, CLOSING_FRACTION)
    if layout == "page" or seg.one_field is False:
        return seg
    # a field, or maybe one whose thick strokes the page's ink map broke up: its paper once
    # more with a field's closing; no field after all, and it is read as a page
    again = _segment(grey, "field" if seg.one_field else "auto", FIELD_CLOSING)
    return again if again.one_field else _segment(grey, "page", CLOSING_FRACTION)


def _segment(grey: np.ndarray, layout: str, closing: float) -> Segmentation:
    ink = ink_map(grey, closing)
    binary, labelled = binarize_labelled(ink)
    ruled = remove_rules(binary)
    if layout == "field":
        ruled = long_rules_only(binary, ruled)
    # each step hands back the very array it was given where it took nothing out (then the
    # frame has no lines, no box sides, and binarize's components are the digit ink's)
    grid, digit_ink, box_sides = Grid(), binary, NO_BOXES
    if ruled is not binary:
        grid, removed = removed_lines(binary, ruled)
        digit_ink, box_sides = drop_box_sides(ruled, removed)  # the sides of comb boxes, which rule removal leaves
    unchanged = labelled() if digit_ink is binary else None
    blobs, labels, one_field, marks = find_blobs(digit_ink, ink, layout, labelled=unchanged, lined=ruled is not binary)
    return Segmentation(tuple(blobs), ink, labels, one_field, marks, grid, box_sides)


def segment_digits(frame: np.ndarray) -> BestGuess:
    """Boxes and 28x28 crops of the digits in `frame` (dark ink on light paper), by geometry alone."""
    seg = segment(to_grey(frame))
    pieces = [p for blob in seg.blobs for p in blob.default]
    return BestGuess(boxes_array([p.box for p in pieces]), crop_pieces(seg.ink, seg.labels, pieces))
