"""The ink of a grey frame: a soft ink map relative to the local paper, and its hysteresis threshold.

grey -> background estimate (a closing on a downscaled copy, so uneven light and shadows
divide out) -> soft ink map (darkness against that paper) -> strong and weak ink, the weak
kept where it touches the strong -> pale components told apart from the writing
(`faint_components`). Every level is relative to the frame: its paper, its Otsu level, its
pen strokes; no pixel value assumes one pen or one light.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import cv2
import numpy as np

from edge.vision.components import components
from edge.vision.histogram import uint8_percentiles

BACKGROUND_SIDE = 96  # short side of the copy the background is estimated on, px
CLOSING_FRACTION = 0.2  # closing kernel / short side: wider than the thickest stroke of a frame-filling digit
MIN_CONTRAST = 60  # ink-map level (0-255, 255 = black on white) below which nothing is strong ink ...
LOW_CONTRAST = 45  # ... on clean paper down to this (faint pencil, thin chalk): see ink_floor. Lower,
# the weak level falls with it and blur halos join close digits (dev set at 35: connected -1.2)
NOISE_FACTOR = 3.0  # the floor is this many times the paper's own level at PAPER_PERCENTILE
PAPER_PERCENTILE = 95  # ink covers far less than 5% of a page: this percentile is paper
WEAK_SHARE = 0.55  # hysteresis: weak ink is this share of the strong threshold
MAX_CONTRAST = 110  # cap on Otsu: a page with little ink must not push the threshold into the strokes
LEVEL_MARGIN = 0.012  # share of the short side along the frame's edges left out of Otsu's level: the page
# edge and the surround's fringe there are darker than any pencil, and set it above a pencil page's strokes
SURROUND = 0.5  # a frame edge darker than this share of the bright paper is surround, not paper
EDGE_STROKE = 0.5  # in a field, an edge pixel under this share of the paper beside it is a stroke's ...
EDGE_PAPER = 0.8  # ... and one over this share is paper
PAPER_FLOOR = 0.3  # background darker than this share of the bright paper is surround, not paper
FAINT_SHARE = 0.55  # a component whose mean ink is under this share of the pen strokes' is printed paper lines ...
BAR_SPREAD = 0.2  # ... when it is a bar: its ink spreads across under this share of its spread along
MIN_DEBRIS = 3  # pale bars, at least this many and as many as the other pale components, are faint printed lines
MAX_ERASED = 64  # weak-only components erased one by one up to this many; more (a noisy frame): one lookup
SURROUND_GROWTH = np.ones((5, 5), np.uint8)  # the surround mask grows by two pixels on the small copy


def _closing(small: np.ndarray, kernel: np.ndarray, k: int, surround: bool = True) -> np.ndarray:
    """Morphological closing that treats a dark frame edge as dark beyond the frame.

    Where the page ends inside the frame, a strip of dark surround along the frame edge
    is narrower than the kernel; replicating the border would fill it in as if it were ink.
    Sides whose edge is dark (well below the brightest paper) are padded with black instead.
    Without a `surround` (a field: the image is all paper), a stroke the edge cuts (a field's
    first 1, a digit the crop clipped) has paper beyond it: see _paper_beyond_strokes.
    """
    bright = uint8_percentiles(small, (95,))[0]
    edges = (small[0], small[-1], small[:, 0], small[:, -1])  # top, bottom, left, right
    dark = [uint8_percentiles(e, (50,))[0] < SURROUND * bright for e in edges]
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
    if not surround:
        _paper_beyond_strokes(small, padded, pad, bright)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)
    return closed[pad:-pad, pad:-pad]


def _paper_beyond_strokes(small: np.ndarray, padded: np.ndarray, pad: int, bright: float) -> None:
    """Pads `padded` (`small` with `pad` px each side) with the paper beside each stroke the
    frame's edge cuts, in place. A stroke is dark along the edge (under EDGE_STROKE of the
    brightest of a band the kernel's half deep) in a stretch with paper at both its ends (edge
    pixels at EDGE_PAPER of that brightest, the band itself no surround: SURROUND of the frame's
    `bright` paper). Either padding would fill a stroke along the edge into the background and
    lose it. Dark from a corner along the edge is a printed frame's side or the surround, and
    stays as padded."""
    h, w = small.shape
    band = min(pad, h, w)
    sides = (  # (the edge's line, the paper band beside it, the pad's cells beyond it)
        (small[0], small[:band].max(axis=0), (slice(0, pad), slice(pad, pad + w))),
        (small[-1], small[-band:].max(axis=0), (slice(pad + h, None), slice(pad, pad + w))),
        (small[:, 0], small[:, :band].max(axis=1), (slice(pad, pad + h), slice(0, pad))),
        (small[:, -1], small[:, -band:].max(axis=1), (slice(pad, pad + h), slice(pad + w, None))),
    )
    for index, (edge, paper, beyond) in enumerate(sides):
        # stretches between paper pixels (EDGE_PAPER): a stroke's is dark somewhere, and paper
        # lies at both its ends; noise in a dark band along the edge makes no such stretch
        not_paper = ((edge < EDGE_PAPER * paper) | (paper < SURROUND * bright)).astype(np.int8)
        starts = np.flatnonzero(np.diff(np.concatenate(([0], not_paper))) == 1)
        ends = np.flatnonzero(np.diff(np.concatenate((not_paper, [0]))) == -1) + 1
        dark = edge < EDGE_STROKE * paper
        cells = padded[beyond]
        for start, end in zip(starts, ends):
            if start == 0 or end == len(edge) or not dark[start:end].any():
                continue  # from a corner: a frame's side or the surround
            stroke = np.flatnonzero(dark[start:end]) + start
            if index < 2:
                cells[:, stroke] = paper[stroke]
            else:
                cells[stroke] = paper[stroke, None]


def ink_map(grey: np.ndarray, closing: float = CLOSING_FRACTION, surround: bool = True) -> np.ndarray:
    """Soft ink map (uint8, 255 = full ink): darkness relative to the local paper brightness
    (`surround` False: the frame is all paper, as a field is; see _closing)."""
    h, w = grey.shape
    short = min(h, w)
    scale = min(1.0, BACKGROUND_SIDE / short)
    small = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    k = max(3, int(closing * min(small.shape)) | 1)
    kernel = _ellipse(k)
    # closing = the paper with every dark thing narrower than the kernel (the ink) filled in;
    # it keeps step edges (a shadow's, the page's) where they are, so they divide out.
    background = _closing(small, kernel, k, surround)
    small_background = cv2.blur(background, (3, 3))
    paper_level = uint8_percentiles(small_background, (95,))[0]
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


def ink_floor(ink: np.ndarray) -> float:
    """The ink-map level below which nothing is strong ink: NOISE_FACTOR times the paper's own
    level (its grain, texture and smears, at PAPER_PERCENTILE), between LOW_CONTRAST on clean
    paper and MIN_CONTRAST. Faint pencil on clean paper is ink; grain as strong is not."""
    paper = uint8_percentiles(ink, (PAPER_PERCENTILE,))[0]
    return float(np.clip(NOISE_FACTOR * paper, LOW_CONTRAST, MIN_CONTRAST))


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
    high = int(np.clip(level, ink_floor(inner), MAX_CONTRAST))
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
                     lined: bool = True, min_area: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per component (without the background): (faint, pale). Pale: far paler than the frame's
    pen strokes. Faint: pale and, on paper without printed lines (`lined` False), shaped like a
    bar: what is not writing.

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
    mean_ink = np.bincount(lab, weights=ink[on], minlength=n)[1:] / area  # area: the component's pixels in `binary`
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    tall = heights >= 0.5 * heights.max() if len(heights) else heights.astype(bool)
    if tall.sum() < 3:  # too few strokes to say what the pen looks like
        return np.zeros(len(stats), bool), np.zeros(len(stats), bool)
    pale = mean_ink < FAINT_SHARE * float(np.median(mean_ink[tall]))
    if lined or not pale.any():
        return pale, pale
    # each component's spread along its two principal axes, from its pixels' second moments
    ys, xs = (v.astype(np.float64) for v in np.nonzero(on))

    def mean(values: np.ndarray) -> np.ndarray:  # per component
        return np.bincount(lab, weights=values, minlength=n)[1:] / area

    mx, my = mean(xs), mean(ys)
    sxx, syy, sxy = mean(xs * xs) - mx * mx, mean(ys * ys) - my * my, mean(xs * ys) - mx * my
    half_gap = np.sqrt(((sxx - syy) / 2) ** 2 + sxy**2)
    major, minor = (sxx + syy) / 2 + half_gap, np.maximum((sxx + syy) / 2 - half_gap, 0)
    bar = minor < BAR_SPREAD**2 * np.maximum(major, 1e-9)
    # printed lines too faint for rule removal to find still threshold into pale bars, many of
    # them: where the pale components (of `min_area` or more: not specks) are mostly bars, they
    # are such lines' debris, and all of the pale ink goes
    sized = pale & (area >= min_area)
    bars = int((sized & bar).sum())
    if bars >= max(MIN_DEBRIS, int((sized & ~bar).sum())):
        return pale, pale
    return pale & bar, pale
