"""Find handwritten digits in a camera frame: pure functions over arrays, no model.

grey -> background estimate (closing on a downscaled copy, so uneven light and
shadows divide out) -> soft ink map -> threshold -> ruled/squared paper lines
removed -> connected components -> broken strokes merged, touching digits split,
non-digits dropped -> boxes and MNIST-style 28x28 crops.

Every threshold is relative to the frame or to the median digit height, so a
1280x720 page of small digits and a scan of one big digit are read alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from edge.vision.choices import Alternative
from edge.vision.components import components, merge_alternatives, merge_broken, split_touching
from edge.vision.field import field_keep, resolve
from edge.vision.grid import Grid, drop_box_sides, removed_lines
from edge.vision.normalize import normalize_crop
from edge.vision.paper_lines import remove_rules

BACKGROUND_SIDE = 96  # short side of the copy the background is estimated on, px
CLOSING_FRACTION = 0.2  # closing kernel / short side: wider than the thickest stroke of a frame-filling digit
MIN_CONTRAST = 60  # ink-map level (0-255, 255 = black on white) below which nothing is ink
WEAK_SHARE = 0.55  # hysteresis: weak ink is this share of the strong threshold
MAX_CONTRAST = 110  # cap on Otsu: a page with little ink must not push the threshold into the strokes
PAPER_FLOOR = 0.3  # background darker than this share of the bright paper is surround, not paper
SLIVER_WIDTH = 0.005  # share of the short side: thinner than any pen stroke seen from afar
SPECK_AREA = 2e-5  # components smaller than this share of the frame are noise
FAINT_SHARE = 0.55  # a component whose mean ink is under this share of the pen strokes' is printed paper lines
BORDER_SLIVER = 0.4  # at the frame edge, a component thinner than this (w/h or h/w) is the page's edge
MIN_HEIGHT = 0.5  # a digit is at least this share of the median digit height ...
STROKE_RATIO = 3.5  # ... unless its ink is strokes (height * (height + width) / area at least this)
MIN_READABLE = 9  # px: shorter than this a digit is too small to read (the smallest is 12 px)


@dataclass(frozen=True)
class Segmentation:
    boxes: np.ndarray  # (N, 4) int32 x, y, w, h, in reading-agnostic order: the best guess without a model
    crops: np.ndarray  # (N, 28, 28) uint8, bright ink on black, MNIST-style
    ink: np.ndarray  # (H, W) uint8 soft ink map, for the overlay and debugging
    # other ways to read ambiguous blobs (touching or broken digits), for the classifier to settle
    alt_boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))
    alt_crops: np.ndarray = field(default_factory=lambda: np.zeros((0, 28, 28), np.uint8))
    alternatives: tuple[Alternative, ...] = ()
    one_field: bool = False  # the image is one field (read as one line); see edge.vision.field
    marks: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))  # non-digit blobs: separator candidates
    grid: Grid = field(default_factory=Grid)  # the long lines rule removal took out (edge.vision.grid)
    box_sides: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))  # comb boxes' sides, taken out


def to_grey(frame: np.ndarray) -> np.ndarray:
    """Any frame (grey, BGR, BGRA; uint8, uint16, float, bool) to 2-D uint8 grey."""
    image = np.asarray(frame)
    if image.ndim == 3:
        if image.shape[2] == 1:
            image = image[..., 0]
        elif image.shape[2] >= 3 and image.dtype == np.uint8:
            image = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_BGR2GRAY)
        else:
            image = image[..., :3].astype(np.float32).mean(axis=2)
    if image.ndim != 2:
        raise ValueError(f"a frame is 2-D or 3-D, not {image.ndim}-D")
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    values = np.nan_to_num(image.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    top = float(values.max()) if values.size else 0.0
    if values.size and values.min() >= 0 and top <= 1.0:
        values = values * 255
    elif top > 255:
        values = values * (255 / top)
    return np.clip(values, 0, 255).astype(np.uint8)


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


def ink_map(grey: np.ndarray) -> np.ndarray:
    """Soft ink map (uint8, 255 = full ink): darkness relative to the local paper brightness."""
    h, w = grey.shape
    short = min(h, w)
    scale = min(1.0, BACKGROUND_SIDE / short)
    small = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    k = max(3, int(CLOSING_FRACTION * min(small.shape)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    # closing = the paper with every dark thing narrower than the kernel (the ink) filled in;
    # it keeps step edges (a shadow's, the page's) where they are, so they divide out.
    background = _closing(small, kernel, k)
    small_background = cv2.blur(background, (3, 3))
    paper_level = float(np.percentile(small_background, 95)) if small_background.size else 0.0
    floor = max(16.0, PAPER_FLOOR * paper_level)
    background = cv2.resize(small_background, (w, h), interpolation=cv2.INTER_LINEAR)
    ratio = cv2.divide(grey, np.maximum(background, 1), scale=255)  # grey / paper, saturating
    ink = cv2.subtract(255, ratio)
    # The dark surround and unlit areas hold no ink. The mask is made on the small copy and
    # grown by two pixels there: the upscaled background blurs the page edge, and the surround
    # just outside it would otherwise read as a line of ink.
    surround = (small_background < floor).astype(np.uint8)
    if surround.any():
        surround = cv2.dilate(surround, np.ones((5, 5), np.uint8))
        surround = cv2.resize(surround, (w, h), interpolation=cv2.INTER_NEAREST)
        ink[surround > 0] = 0
    return ink


def binarize(ink: np.ndarray) -> np.ndarray:
    """Hysteresis threshold: weak ink is kept where it touches strong ink (thin strokes stay whole)."""
    level, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    high = int(np.clip(level, MIN_CONTRAST, MAX_CONTRAST))
    _, weak = cv2.threshold(ink, int(WEAK_SHARE * high), 255, cv2.THRESH_BINARY)
    n, labels = cv2.connectedComponents(weak, connectivity=8)
    strong = np.zeros(n, bool)
    strong[labels[ink > high]] = True
    strong[0] = False
    return (strong[labels] * 255).astype(np.uint8)


def faint_components(labels: np.ndarray, n: int, stats: np.ndarray, ink: np.ndarray, binary: np.ndarray) -> np.ndarray:
    """Per component (without the background): far paler than the frame's pen strokes.

    Ruled and squared paper lines are printed in pale ink; the pieces of them that survive
    rule removal are thin bars that read as confident 1s. Pen ink is much darker, wherever
    the light falls, because the ink map is darkness relative to the local paper.
    """
    on = binary > 0
    area = np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    mean_ink = np.bincount(labels[on], weights=ink[on], minlength=n)[1:] / area
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    tall = heights >= 0.5 * heights.max() if len(heights) else heights.astype(bool)
    if tall.sum() < 3:  # too few strokes to say what the pen looks like
        return np.zeros(len(stats), bool)
    return mean_ink < FAINT_SHARE * float(np.median(mean_ink[tall]))


def find_boxes(binary: np.ndarray, ink: np.ndarray, layout: str = "page") -> tuple:
    """Digit boxes (N, 4), the label image, per box the component labels it is made of,
    the alternative readings of ambiguous blobs: (replaced box indices, [(box, labels)]),
    whether the image is one field, and the boxes of blobs too small or flat for a digit
    (dots, dashes: the separator candidates).

    `layout` 'field' or 'auto' (edge.vision.field) keeps a field's digits at the image edge."""
    h, w = binary.shape
    n, labels, stats = components(binary)
    stats = stats[1:]
    ids = np.arange(1, n)
    keep = stats[:, cv2.CC_STAT_AREA] >= max(4, SPECK_AREA * h * w)
    faint = faint_components(labels, n, stats, ink, binary)
    keep &= ~faint
    # specks may be a small pen's dots: kept aside as separator candidates, never as digits
    specks = stats[~keep & ~faint & (stats[:, cv2.CC_STAT_AREA] >= 4), :4].astype(np.int32)
    bx, by, bw, bh = (stats[:, i] for i in range(4))
    # slivers: a pixel or two wide and many times taller (a stair of a tilted page edge or rule)
    keep &= ~((bw <= max(2, SLIVER_WIDTH * min(h, w))) & (bh > 6 * bw))
    # the page's edge or the surround: touches the frame border and spans much of it
    at_border = (bx <= 0) | (by <= 0) | (bx + bw >= w) | (by + bh >= h)
    one_field = resolve(layout, stats[keep], h)
    if one_field:  # a field's digits fill it and touch its edges: only its printed frame goes
        keep &= field_keep(stats, w)
    else:
        keep &= ~(at_border & ((bw > 0.5 * w) | (bh > 0.5 * h)))
        # a sliver of page edge where the page meets the frame edge (a digit cut off there is unreadable anyway)
        keep &= ~(at_border & ((bw < BORDER_SLIVER * bh) | (bh < BORDER_SLIVER * bw)))
    boxes = np.stack([bx, by, bw, bh], axis=1)[keep].astype(np.int64)
    members = [[int(i)] for i in ids[keep]]
    if len(boxes) == 0:
        return np.zeros((0, 4), np.int32), labels, [], [], one_field, specks
    boxes, members, parts = merge_broken(boxes, members)
    boxes, members, alternatives = split_touching(boxes, members, labels, parts)
    if len(boxes) == 0:
        return np.zeros((0, 4), np.int32), labels, [], [], one_field, specks
    median_h = float(np.median(boxes[:, 3]))
    label_area = np.zeros(n)
    label_area[ids] = stats[:, cv2.CC_STAT_AREA]
    stroke = stroke_like(boxes, np.array([label_area[m].sum() for m in members])) & has_peer(boxes)

    def is_digit(b: np.ndarray, stroked: np.ndarray | bool = False) -> np.ndarray:
        # not digits: specks, dashes and rules (much wider than tall), anything taller than three
        # lines; but a pen's strokes of another size than the median's are digits too (scale)
        sized = (b[:, 3] >= MIN_HEIGHT * median_h) & (b[:, 3] <= 3 * median_h)
        return (sized | stroked) & (b[:, 2] <= 2.5 * b[:, 3])

    good = is_digit(boxes, stroke)
    marks = np.concatenate([specks, boxes[~good].astype(np.int32)])
    new_index = np.cumsum(good) - 1
    alternatives = [
        (tuple(int(new_index[i]) for i in replaced if good[i]), pieces)
        for replaced, pieces in alternatives
        if good[list(replaced)].any() and is_digit(np.array([p[0] for p in pieces]).reshape(-1, 4)).all()
    ]
    boxes = boxes[good].astype(np.int32)
    members = [m for m, g in zip(members, good, strict=True) if g]
    alternatives += merge_alternatives(boxes, members, {i for r, _ in alternatives for i in r})
    return boxes, labels, members, alternatives, one_field, marks


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


def crop_digit(ink: np.ndarray, labels: np.ndarray, box: np.ndarray, members: list[int]) -> np.ndarray:
    """The 28x28 MNIST-style crop of one digit: its own components' ink only, contrast stretched."""
    x, y, w, h = (int(v) for v in box)
    region = labels[y : y + h, x : x + w]
    mask = np.isin(region, members) if len(members) > 1 else region == members[0]
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8))  # keep the soft stroke edge
    ink_crop = ink[y : y + h, x : x + w] * mask
    peak = float(np.percentile(ink_crop[mask > 0], 90)) if mask.any() else 0.0
    if peak > 0:
        # MNIST strokes are saturated at their core; stretch this crop's ink to match
        ink_crop = cv2.convertScaleAbs(ink_crop, alpha=255.0 / peak)
    return normalize_crop(ink_crop)


def segment_digits(frame: np.ndarray, layout: str = "page") -> Segmentation:
    """Boxes and 28x28 crops of the digits in `frame` (dark ink on light paper); `layout` see find_boxes."""
    grey = to_grey(frame)
    if grey.size == 0 or min(grey.shape) < 4:
        empty = np.zeros(grey.shape, np.uint8)
        return Segmentation(np.zeros((0, 4), np.int32), np.zeros((0, 28, 28), np.uint8), empty)
    ink = ink_map(grey)
    binary = binarize(ink)
    ruled = remove_rules(binary)
    grid, removed = removed_lines(binary, ruled)
    binary, box_sides = drop_box_sides(ruled, removed)  # the sides of comb boxes, which rule removal leaves
    boxes, labels, members, options, one_field, marks = find_boxes(binary, ink, layout)
    crops = np.zeros((len(boxes), 28, 28), np.uint8)
    for i, (box, ids) in enumerate(zip(boxes, members, strict=True)):
        crops[i] = crop_digit(ink, labels, box, ids)
    pieces = [piece for _, option in options for piece in option]
    alt_boxes = np.array([p[0] for p in pieces], np.int32).reshape(-1, 4)
    alt_crops = np.zeros((len(pieces), 28, 28), np.uint8)
    for i, (box, ids) in enumerate(pieces):
        alt_crops[i] = crop_digit(ink, labels, np.asarray(box), ids)
    alternatives, start = [], 0
    for replaced, option in options:
        alternatives.append(Alternative(tuple(replaced), start, len(option)))
        start += len(option)
    return Segmentation(boxes, crops, ink, alt_boxes, alt_crops, tuple(alternatives), one_field, marks, grid, box_sides)
