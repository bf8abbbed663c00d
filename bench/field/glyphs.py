"""One written mark as ink: a font glyph or a drawn stroke, with per-glyph jitter like a hand's.

Every function returns float32 ink in [0, 1] (1 = full ink), cropped tight to the ink, so a
caller can place it anywhere and its box is the array's own extent. Jitter happens at the
working size (fonts render there), then the glyph is resized to the height asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bench.field.hands import OUTLINE_FONTS

WORK_PX = 72  # glyph height the jitter works at: wobble and stroke changes scale with it
FONT_STEP = 8  # font sizes are rounded to this, so a handful of sizes stay cached
INK_CUT = 0.08  # ink below this is background when cropping tight


@dataclass(frozen=True)
class Jitter:
    """How far one glyph may stray from its model; the defaults look like one careful writer."""

    slant_deg: tuple[float, float] = (-12.0, 18.0)  # shear: right-leaning hands are the common case
    rotate_deg: tuple[float, float] = (-6.0, 6.0)
    aspect: tuple[float, float] = (0.8, 1.2)  # width stretch of the glyph
    stroke: tuple[float, float] = (-0.025, 0.035)  # stroke width change, share of the glyph height
    wobble: tuple[float, float] = (0.0, 0.035)  # elastic displacement, share of the glyph height


DEFAULT_JITTER = Jitter()
NO_JITTER = Jitter((0, 0), (0, 0), (1, 1), (0, 0), (0, 0))


def writer_jitter(rng: np.random.Generator) -> Jitter:
    """One writer's habits: their own slant, pen width and letter width (drawn from the spread
    over writers, DEFAULT_JITTER), from which each of their glyphs strays only a little."""
    slant = rng.uniform(*DEFAULT_JITTER.slant_deg)
    stroke = rng.uniform(*DEFAULT_JITTER.stroke)
    aspect = rng.uniform(*DEFAULT_JITTER.aspect)
    return Jitter(
        slant_deg=(slant - 4.0, slant + 4.0), rotate_deg=(-4.0, 4.0), aspect=(aspect * 0.93, aspect * 1.07),
        stroke=(stroke - 0.006, stroke + 0.006), wobble=DEFAULT_JITTER.wobble,
    )


@lru_cache(maxsize=512)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def tight(ink: np.ndarray) -> np.ndarray:
    """The ink cropped to its bounding box (at least 1x1)."""
    ys, xs = np.nonzero(ink > INK_CUT)
    if ys.size == 0:
        return np.zeros((1, 1), np.float32)
    return ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


@lru_cache(maxsize=64)
def digit_share(font_path: str) -> float:
    """A digit's ink height as a share of the font size (the '0', about 0.7 in most fonts)."""
    left, top, right, bottom = _font(font_path, 100).getbbox("0")
    return max(0.2, (bottom - top) / 100)


def font_ink(text: str, font_path: str, size: int) -> np.ndarray:
    """`text` in one font at font size `size` (rounded to FONT_STEP), no jitter, tight."""
    size = max(FONT_STEP, int(round(size / FONT_STEP)) * FONT_STEP)
    font = _font(font_path, size)
    left, top, right, bottom = font.getbbox(text)
    pad = size // 4
    image = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(image).text((pad - left, pad - top), text, font=font, fill=255)
    ink = np.asarray(image, np.float32) / 255.0
    if font_path in OUTLINE_FONTS:
        ink = _fill_outline(ink, size)
    return tight(ink)


def _fill_outline(ink: np.ndarray, size: int) -> np.ndarray:
    """Close the gap between an outline font's two contour lines: one solid felt-pen stroke.
    Binary closing narrower than the loops of 0, 6, 8, 9, so those stay open."""
    k = max(3, int(size * 0.09)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    solid = cv2.morphologyEx((ink > 0.3).astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    return cv2.GaussianBlur(solid.astype(np.float32), (3, 3), 0)


def _pad(ink: np.ndarray, margin: int) -> np.ndarray:
    return cv2.copyMakeBorder(ink, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=0.0)


def jitter_ink(rng: np.random.Generator, ink: np.ndarray, jitter: Jitter = DEFAULT_JITTER) -> np.ndarray:
    """Slant, rotate, stretch, thicken or thin, and wobble one glyph (any size), tight."""
    h = ink.shape[0]
    ink = _pad(ink, max(4, h // 3))
    ph, pw = ink.shape
    slant = np.tan(np.radians(rng.uniform(*jitter.slant_deg)))
    angle = np.radians(rng.uniform(*jitter.rotate_deg))
    aspect = rng.uniform(*jitter.aspect)
    c, s = np.cos(angle), np.sin(angle)
    # x' = R @ [[aspect, -slant], [0, 1]] @ (x - centre) + centre: upright strokes lean right
    linear = np.array([[c, -s], [s, c]]) @ np.array([[aspect, -slant], [0.0, 1.0]])
    centre = np.array([pw / 2, ph / 2])
    matrix = np.hstack([linear, (centre - linear @ centre)[:, None]]).astype(np.float32)
    ink = cv2.warpAffine(ink, matrix, (pw, ph), flags=cv2.INTER_LINEAR, borderValue=0.0)
    ink = _wobble(rng, ink, rng.uniform(*jitter.wobble) * h)
    ink = _stroke(ink, rng.uniform(*jitter.stroke) * h)
    return tight(ink)


def _wobble(rng: np.random.Generator, ink: np.ndarray, amplitude: float) -> np.ndarray:
    """Elastic distortion: a smooth random displacement field (a coarse grid, upsampled)."""
    if amplitude < 0.3:
        return ink
    ph, pw = ink.shape
    field = rng.normal(0.0, 1.0, size=(2, 4, 4)).astype(np.float32) * amplitude
    dx = cv2.resize(field[0], (pw, ph), interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(field[1], (pw, ph), interpolation=cv2.INTER_CUBIC)
    xs, ys = np.meshgrid(np.arange(pw, dtype=np.float32), np.arange(ph, dtype=np.float32))
    return cv2.remap(ink, xs + dx, ys + dy, cv2.INTER_LINEAR, borderValue=0.0)


def _stroke(ink: np.ndarray, change_px: float) -> np.ndarray:
    """Thicker (dilate) or thinner (erode) strokes; never erode a stroke away."""
    k = int(round(abs(change_px)))
    if k < 1:
        return ink
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    if change_px > 0:
        return cv2.dilate(ink, kernel)
    thinner = cv2.erode(ink, kernel)
    # a thin hand eroded by k px may lose whole strokes; keep it when most of its ink survives
    return thinner if (thinner > 0.5).sum() > 0.45 * (ink > 0.5).sum() else ink


def fit_height(ink: np.ndarray, height: int) -> np.ndarray:
    """Resize ink (aspect kept) so it is `height` px tall: area-averaged when shrinking."""
    height = max(1, int(height))
    width = max(1, int(round(ink.shape[1] * height / ink.shape[0])))
    interp = cv2.INTER_AREA if height < ink.shape[0] else cv2.INTER_LINEAR
    return tight(np.clip(cv2.resize(ink, (width, height), interpolation=interp), 0.0, 1.0))


def scaled(ink: np.ndarray, factor: float) -> np.ndarray:
    """Resize ink by `factor`: area-averaged when shrinking, so thin strokes fade as on a camera."""
    width = max(1, int(round(ink.shape[1] * factor)))
    height = max(1, int(round(ink.shape[0] * factor)))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return tight(np.clip(cv2.resize(ink, (width, height), interpolation=interp), 0.0, 1.0))


def written(
    rng: np.random.Generator, text: str, font_path: str, digit_height: float, jitter: Jitter = DEFAULT_JITTER
) -> np.ndarray:
    """`text` (a digit, a separator, a letter) in a field hand, jittered, at the size where the
    hand's digits are `digit_height` px tall: a '.' stays a dot beside digits of that height."""
    work = max(WORK_PX, min(int(digit_height), 320))  # large digits render large: crisp strokes
    ink = jitter_ink(rng, font_ink(text, font_path, work / digit_share(font_path)), jitter)
    return scaled(ink, digit_height / work)


def printed(text: str, font_path: str, cap_height: float) -> np.ndarray:
    """Printed text (no jitter) at the size where its digits would be `cap_height` px tall."""
    return font_ink(text, font_path, cap_height / digit_share(font_path))
