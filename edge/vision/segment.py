"""Find handwritten digits in a camera frame: pure functions over arrays, no model.

grey -> soft ink map and its threshold (edge.vision.threshold) -> ruled/squared paper
lines removed -> connected components -> broken strokes merged, touching digits split,
non-digits dropped -> blobs, each with its candidate cuts into pieces.

Every threshold is relative to the frame or to the median digit height, so a
1280x720 page of small digits and a scan of one big digit are read alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from edge.vision.box import Box, boxes_array
from edge.vision.components import (
    components,
    has_peer,
    merge_alternatives,
    merge_broken,
    split_touching,
)
from edge.vision.crops import crop_pieces, piece_mask
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
from edge.vision.remnants import across_lines, without_remnant
from edge.vision.threshold import (
    CLOSING_FRACTION,
    Labelling,
    binarize,
    binarize_labelled,
    faint_components,
    ink_map,
)

FIELD_CLOSING = 0.35  # the ink map's closing in a field, whose digits fill its short side: their stroke junctions (0.2 left holes)
SLIVER_WIDTH = 0.005  # share of the short side: thinner than any pen stroke seen from afar
SPECK_AREA = 2e-5  # components smaller than this share of the frame are noise
BORDER_SLIVER = 0.4  # at the frame edge, a component thinner than this (w/h or h/w) is the page's edge
MIN_HEIGHT = 0.5  # a digit is at least this share of the median digit height ...
STROKE_RATIO = 3.5  # ... unless its ink is strokes (height * (height + width) / area at least this)
MIN_READABLE = 9  # px: shorter than this a digit is too small to read (the smallest is 12 px)
EDGE_BAND = 0.024  # share of the short side along the frame's edges where a removed line is the page's edge
LINE_SHAPE = 4  # a printed line's box is at least this many times longer than it is thick
NO_BOXES = np.zeros((0, 4), np.int32)


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


def find_blobs(binary: np.ndarray, ink: np.ndarray, layout: str = "page", *, stripped: bool = False,
               labelled: Labelling | None = None, lined: bool = True, grid: Grid | None = None,
               ) -> tuple[list[Blob], np.ndarray, bool, np.ndarray]:
    """Blobs of digit ink with their candidate cuts, the label image their pieces index, whether
    the image is one field (`layout` 'auto' decides, see edge.vision.field), and the boxes of
    blobs too small or flat for a digit (dots, dashes: the separator candidates).
    `labelled`: `binary`'s components where the caller has them; `lined`: whether printed lines
    were taken out of it (then every pale component is their debris, see faint_components)."""
    h, w = binary.shape
    n, labels, stats = labelled or components(binary)
    stats = stats[1:]
    min_area = max(4, SPECK_AREA * h * w)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    faint, pale = faint_components(labels, n, stats, ink, binary, lined, min_area)
    # specks may be a small pen's dots: kept aside as separator candidates, never as digits; a
    # pale one is the paper's grain or the camera's noise (between two numbers it joined them)
    specks = stats[~keep & ~pale & (stats[:, cv2.CC_STAT_AREA] >= 4), :4].astype(np.int32)
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
    owners = [k for k, b in enumerate(blobs) for _ in b.default]
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

    def small_strokes(cut, peers: np.ndarray) -> bool:
        # a cut's pieces of another size are digits on the default's terms: strokes, each with a
        # peer of its size among the cut's own pieces or the other blobs' (a line of small digits
        # that touch, or that merge_broken joined to a big digit below them)
        odd = [p for p in cut if not is_digit(p)]
        if any(p.box.w > 2.5 * p.box.h or p.box.h > 3 * median_h for p in odd):
            return False
        odd_boxes = boxes_array([p.box for p in odd])
        near = np.concatenate([odd_boxes, boxes_array([p.box for p in cut if p not in odd]), peers])
        if not has_peer(near, first=len(odd)).all():  # the cheaper test first: most such cuts fail it
            return False
        ink = np.array([cv2.countNonZero(piece_mask(labels, p)) for p in odd])
        return bool(stroke_like(odd_boxes, ink).all())

    kept, marks = [], [specks]
    for b, blob in enumerate(blobs):
        default = tuple(p for p in blob.default if is_digit(p))
        marks.append(boxes_array([p.box for p in blob.default if not is_digit(p)]))
        if default:
            peers = boxes[[owner != b for owner in owners]] if len(blob.cuts) > 1 else None
            others = [c for c in blob.cuts[1:] if all(is_digit(p) for p in c) or small_strokes(c, peers)]
            if lined and len(default) == 1 and (bare := without_remnant(default[0], labels, median_h)):
                others.append((bare,))  # a line's remnant joined to the digit: the digit alone
            if grid is not None and len(default) == 1 and (parts := across_lines(default[0], labels, grid, median_h)):
                others.append(parts)  # digits of neighbouring cells joined across their line
            same = default == blob.default  # the lattices are of the blob's whole ink
            kept.append(Blob((default, *others), blob.lattice if same else (), only_ones=blob.only_ones,
                             slant_lattice=blob.slant_lattice if same else ()))
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
        return _segment("field", _inked(grey, FIELD_CLOSING, surround=False))
    page = _inked(grey, CLOSING_FRACTION)
    seg = _segment(layout, page)
    if layout == "page" or seg.one_field is False:
        return seg
    # a field, or maybe one whose thick strokes the page's ink map broke up: its paper once
    # more with a field's closing; no field after all, and it is read as a page (from the first
    # look's ink, binary and rule removal: a page's blobs, not a third ink map)
    again = _segment("field" if seg.one_field else "auto", _inked(grey, FIELD_CLOSING, surround=False))
    return again if again.one_field else _segment("page", page)


def _inked(grey: np.ndarray, closing: float, surround: bool = True) -> tuple:
    """A frame's ink map, its binary (with the lookup of its components) and the binary with
    ruled lines taken out: what every layout's look at one closing shares."""
    ink = ink_map(grey, closing, surround)
    binary, labelled = binarize_labelled(ink)
    return ink, binary, labelled, remove_rules(binary)


def _segment(layout: str, inked: tuple) -> Segmentation:
    ink, binary, labelled, ruled = inked
    if layout == "field":
        ruled = long_rules_only(binary, ruled)
    # each step hands back the very array it was given where it took nothing out (then the
    # frame has no lines, no box sides, and binarize's components are the digit ink's)
    grid, digit_ink, box_sides, lined = Grid(), binary, NO_BOXES, False
    if ruled is not binary:
        grid, removed = removed_lines(binary, ruled)
        digit_ink, box_sides = drop_box_sides(ruled, removed)  # the sides of comb boxes, which rule removal leaves
        lined = inside_edge_band(removed, grid)
    unchanged = labelled() if digit_ink is binary else None
    blobs, labels, one_field, marks = find_blobs(digit_ink, ink, layout, labelled=unchanged, lined=lined, grid=grid)
    return Segmentation(tuple(blobs), ink, labels, one_field, marks, grid, box_sides)


def inside_edge_band(removed: np.ndarray, grid: Grid | None = None) -> bool:
    """Whether rule removal took out printed lines on the page: ink away from the frame's edges,
    and (given the `grid` of lines it took out) a thin line whose middle lies there.

    Rule removal also takes the page's edge where the page meets the frame edge (a thin line of
    the desk's fringe). That is no printed line: taken for one, it made every pale component of
    a plain page printed-line debris, and small digits are pale (a camera's blur leaves a 15 px
    digit's thin strokes half as dark as a big digit's). Nor is the surround where it reaches
    deeper into the frame (where a shadow meets the page's edge): its straight runs reach out of
    the band, but a line counts only where it is thin along its direction and its middle lies
    beyond the band.
    """
    m = max(1, round(EDGE_BAND * min(removed.shape)))
    if not removed[m:-m, m:-m].any():
        return False
    if grid is None:
        return True
    h, w = removed.shape
    x, y, bw, bh = (grid.vertical[:, i].astype(np.float64) for i in range(4))
    vertical = (bh >= LINE_SHAPE * bw) & (x + bw / 2 > m) & (x + bw / 2 < w - m)
    x, y, bw, bh = (grid.horizontal[:, i].astype(np.float64) for i in range(4))
    horizontal = (bw >= LINE_SHAPE * bh) & (y + bh / 2 > m) & (y + bh / 2 < h - m)
    return bool(vertical.any() or horizontal.any())


def segment_digits(frame: np.ndarray) -> BestGuess:
    """Boxes and 28x28 crops of the digits in `frame` (dark ink on light paper), by geometry alone."""
    seg = segment(to_grey(frame))
    pieces = [p for blob in seg.blobs for p in blob.default]
    return BestGuess(boxes_array([p.box for p in pieces]), crop_pieces(seg.ink, seg.labels, pieces))
