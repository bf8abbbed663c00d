"""The frame as "ink is dark": coloured pen stands out like black, light chalk on a board is turned over.

The segmenter reads dark ink on light paper from one grey channel. Two things a camera sees
break that: coloured pen (luma makes red or green ink pale; a red 7 on cream paper nearly
vanishes) and light strokes on a dark board (chalk). Both are fixed here, before the ink map,
so every later stage stays as it is:

- colour: where the frame's writing is much deeper in its darkest channel than in luma (a pale
  pen: orange, yellow-green, pink), the darkest of the three channels is read. Pen ink of any
  hue absorbs strongly in at least one channel, where paper (white or cream) reflects in all
  three; paper's tint is a smooth level the ink map divides out like uneven light. Dark pens
  (black, blue, red, green) are deep in luma already and keep it: the darkest channel would
  also darken the pale blue squares of squared paper and add one channel's noise (measured:
  more false blobs on squared and cream paper).
- polarity: the ink is the minority that departs from the background level. Where the bright
  tail of the frame departs much further from its median than the dark tail does, the strokes
  are light: the frame is turned over (from the brightest channel, so yellow chalk on a green
  board stands out too).

A grey frame (the Pi's lores Y plane) skips the colour step and costs only the polarity check.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge.vision.histogram import uint8_percentiles
from edge.vision.picture import to_grey

POLARITY_SAMPLE = 4  # polarity is judged on every 4th pixel each way (thin strokes survive striding, not blurring)
TAIL = 1.0  # percentile of each tail: strokes cover a few percent of a page, so 1% lies inside them
LIGHT_INK_RATIO = 1.5  # the bright tail departs this many times further than the dark one: light strokes
DARK_BACKGROUND = 128  # ... and the background (median) is darker than mid-grey
THIN = 7  # px on the sample (28 in the frame): the top-hats' kernel, wider than a small pen's stroke
THIN_TAIL = 99.8  # the top-hats' percentile: strokes of a few small digits are a few tenths of a percent
STROKE_SHARE = 0.2  # light strokes cover less than this share of the frame (chalk: 2-6%; a page: 30% and more)
SOLID = 0.6  # bright blobs filling this share of their boxes (weighted by area) are paper, not strokes
MEDIAN_SHARE = 1 / 12  # light_residue's median window, a share of the sample's short side (15 px at 1280x720)
MEDIAN_MIN = 7  # ... and at least this many px: on smaller frames it would be as wide as a stroke
COLOUR_GAIN = 1.5  # the darkest channel is read when the writing is this many times deeper in it than in luma
THIN_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (THIN, THIN))  # the top-hats' (made once)
FILL_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * THIN + 1, 2 * THIN + 1))  # fills strokes' holes


def thin_contrast(sample: np.ndarray, region: np.ndarray | None = None) -> tuple[float, float]:
    """(light, dark): how far thin light and thin dark things stand out of their surroundings,
    over the frame less its rim, or within `region` (255) where given.

    Top-hats with a kernel a few strokes wide: a small board's chalk, a tenth of a percent of
    the frame, stands out here where the frame's tails belong to the desk around the board.
    """
    light = cv2.morphologyEx(sample, cv2.MORPH_TOPHAT, THIN_KERNEL)
    dark = cv2.morphologyEx(sample, cv2.MORPH_BLACKHAT, THIN_KERNEL)
    if region is not None:
        inside = region > 0
        return float(np.percentile(light[inside], THIN_TAIL)), float(np.percentile(dark[inside], THIN_TAIL))
    if min(sample.shape) > 4 * THIN:  # a strip of desk along the frame's edge is thin and dark too
        light, dark = light[THIN:-THIN, THIN:-THIN], dark[THIN:-THIN, THIN:-THIN]
    return uint8_percentiles(light, (THIN_TAIL,))[0], uint8_percentiles(dark, (THIN_TAIL,))[0]


def light_residue(sample: np.ndarray) -> bool:
    """Whether the thin things that depart from their neighbourhood's median are far more often
    light than dark. A median keeps edges (a board's rim against the desk, a shadow's edge) and
    fills the holes of digits with their background, where the top-hats' closing and opening
    answer to both; its window is a share of the frame, so strokes of any width within reason
    are a minority of it. Too small a frame (a cropped field) has no room for one: no answer."""
    window = int(min(sample.shape) * MEDIAN_SHARE) // 2 * 2 + 1
    if window < MEDIAN_MIN:
        return False
    residue = sample.astype(np.int16) - cv2.medianBlur(sample, window)
    light, dark = np.percentile(residue, THIN_TAIL), np.percentile(-residue, THIN_TAIL)
    return bool(light > LIGHT_INK_RATIO * max(float(dark), 4.0))


def light_on_dark(grey: np.ndarray) -> bool:
    """True where the strokes are lighter than their background (chalk on a board)."""
    sample = _sampled(grey)
    if sample.size < 16:
        sample = grey
    low, mid, high = uint8_percentiles(sample, (TAIL, 50, 100 - TAIL))
    if mid >= DARK_BACKGROUND:  # paper: light gaps between big dark strokes are no chalk
        return False
    light, dark = thin_contrast(sample)
    if light > LIGHT_INK_RATIO * max(dark, 4.0) or light_residue(sample):
        return True
    if not (high - mid) > LIGHT_INK_RATIO * max(mid - low, 1.0):
        return False
    # A small page on a dark desk has the same tails as chalk on a board; but the page is one
    # solid bright blob, where strokes are thin ones that fill little of their boxes.
    _, bright = cv2.threshold(sample, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=8)
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    if n <= 1 or area.sum() == 0:
        return False
    if area.sum() > STROKE_SHARE * sample.size:
        # the bright part is much of the frame: a page, or a board lighter than the desk around
        # it, which Otsu parted from the desk instead of its strokes from it. Within that part
        # (its strokes' holes filled, its rim left out) the strokes are the thin things that
        # stand out: dark on a page, light on a board. Its tails would not tell: a page half in
        # a shadow has a light tail, its lit half
        low, mid, high = uint8_percentiles(sample[bright > 0], (TAIL, 50, 100 - TAIL))
        if not (mid < DARK_BACKGROUND and (high - mid) > LIGHT_INK_RATIO * max(mid - low, 1.0)):
            return False
        return _light_within(sample, bright)
    fill = area / np.maximum(stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT], 1)
    return bool(float((fill * area).sum() / area.sum()) < SOLID)


def _light_within(sample: np.ndarray, bright: np.ndarray) -> bool:
    """Whether, within the bright region of `sample` (`bright`, 255: its holes filled, its rim
    left out), thin light things stand out far more than thin dark ones; True where the region
    has no inside to look at (the caller's answer stands)."""
    region = cv2.erode(cv2.morphologyEx(bright, cv2.MORPH_CLOSE, FILL_KERNEL), THIN_KERNEL)
    if not cv2.countNonZero(region):
        return True
    light, dark = thin_contrast(sample, region)
    return light > LIGHT_INK_RATIO * max(dark, 4.0)


def _sampled(image: np.ndarray) -> np.ndarray:
    return image[::POLARITY_SAMPLE, ::POLARITY_SAMPLE]


def _depth(sample: np.ndarray) -> float:
    """How far the darkest writing lies below the background level (median minus the dark tail),
    on a frame's every POLARITY_SAMPLE-th pixel each way."""
    low, mid = uint8_percentiles(sample, (TAIL, 50))
    return float(mid - low)


def ink_dark_grey(frame: np.ndarray) -> np.ndarray:
    """2-D uint8 grey in which the writing is dark on a lighter background, whatever its colour or polarity."""
    image = np.asarray(frame)
    colour = image.ndim == 3 and image.shape[2] >= 3 and image.dtype == np.uint8
    grey = to_grey(image)
    if not light_on_dark(grey):
        if not colour:
            return grey
        # decided on the sample (the darkest channel of the sampled pixels is the sampled darkest
        # channel); the whole frame's darkest channel is made only where it is read
        sample = np.ascontiguousarray(_sampled(image)[..., :3])
        darkest = cv2.min(cv2.min(sample[..., 0], sample[..., 1]), sample[..., 2])
        if _depth(darkest) <= COLOUR_GAIN * max(_depth(_sampled(grey)), 1.0):
            return grey
        bgr = np.ascontiguousarray(image[..., :3])
        return cv2.min(cv2.min(bgr[..., 0], bgr[..., 1]), bgr[..., 2])
    if not colour:
        return cv2.bitwise_not(grey)
    bgr = np.ascontiguousarray(image[..., :3])
    return cv2.bitwise_not(cv2.max(cv2.max(bgr[..., 0], bgr[..., 1]), bgr[..., 2]))
