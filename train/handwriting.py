"""Digits in other hands than MNIST's: training-side handwriting fonts and drawn strokes.

MNIST's writers were American census staff and students; a camera meets continental 1s,
barred 7s, open 4s and fonts of every slant. Each digit here is drawn large as bright ink on
black, distorted the way hands differ (elastic wobble, slant, aspect, stroke width), then
passed through `normalize_crop`, exactly as the camera loop normalises a blob.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from edge.vision.normalize import normalize_crop
from train.hands import TRAIN_FONTS

CANVAS = 96  # px: glyphs are drawn at camera scale, then normalised down to 28x28
STYLES = ("continental_1", "barred_7", "open_4", "one_stroke_5", "straight_9")
STYLE_LABELS = {"continental_1": 1, "barred_7": 7, "open_4": 4, "one_stroke_5": 5, "straight_9": 9}


@lru_cache(maxsize=256)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def render_text(path: str, text: str, size: int, stroke: int = 0) -> np.ndarray:
    """`text` in the font at `path`, bright ink on black, with room around it."""
    f = font(path, size)
    left, top, right, bottom = f.getbbox(text, stroke_width=stroke)
    w, h = right - left + 2 * size // 4, bottom - top + 2 * size // 4
    image = Image.new("L", (max(w, 8), max(h, 8)))
    ImageDraw.Draw(image).text((size // 4 - left, size // 4 - top), text, font=f, fill=255,
                               stroke_width=stroke, stroke_fill=255)
    return np.asarray(image)


@lru_cache(maxsize=64)
def fonts_with_glyphs(chars: str, candidates: tuple[str, ...] = TRAIN_FONTS) -> tuple[str, ...]:
    """The fonts that draw every one of `chars` (not their missing-glyph box)."""
    keep = []
    for path in candidates:
        missing = render_text(path, "\ue777", 40)
        if all(render_text(path, c, 40).shape != missing.shape
               or not np.array_equal(render_text(path, c, 40), missing) for c in chars):
            keep.append(path)
    return tuple(keep)


def elastic(image: np.ndarray, rng: np.random.Generator, alpha: float, sigma: float) -> np.ndarray:
    """Simard-style elastic distortion: a smooth random displacement field, `alpha` px strong."""
    h, w = image.shape
    dx = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma) * alpha
    dy = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma) * alpha
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(image, gx + dx, gy + dy, cv2.INTER_LINEAR, borderValue=0)


def vary_hand(ink: np.ndarray, rng: np.random.Generator, slant: float = 0.35) -> np.ndarray:
    """Slant, aspect, rotation, stroke width and elastic wobble on a big bright-ink glyph."""
    pad = max(ink.shape) // 3
    ink = cv2.copyMakeBorder(ink, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0).astype(np.float32)
    h, w = ink.shape
    shear = rng.uniform(-slant, slant)
    sx, sy = rng.uniform(0.7, 1.2), rng.uniform(0.9, 1.1)
    angle = np.deg2rad(rng.uniform(-10, 10))
    c, s = np.cos(angle), np.sin(angle)
    m = np.array([[c * sx, -s * sy + shear * sy], [s * sx, c * sy]], np.float32)
    centre = np.array([w / 2, h / 2], np.float32)
    affine = np.hstack([m, (centre - m @ centre)[:, None]]).astype(np.float32)
    ink = cv2.warpAffine(ink, affine, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    scale = max(h, w) / 28.0  # the distortion's strength is set in MNIST pixels
    ink = elastic(ink, rng, alpha=rng.uniform(0.0, 2.5) * scale, sigma=rng.uniform(3.0, 5.0) * scale)
    radius = int(rng.integers(-1, 3)) * max(1, round(scale / 3))
    if radius:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(radius) + 1,) * 2)
        changed = cv2.dilate(ink, kernel) if radius > 0 else cv2.erode(ink, kernel)
        if changed.max() > 64:  # never erode a thin stroke away
            ink = changed
    if rng.random() < 0.5:
        ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.5, 0.4 * scale + 0.6))
    # the edge loop's ink map is contrast-stretched: a thin blurred pen still peaks near white
    peak = np.percentile(ink[ink > 8], 95) if (ink > 8).any() else 255.0
    ink = ink * (255.0 / max(peak, 1.0))
    if rng.random() < 0.4:  # or its hard one
        ink = np.where(ink > rng.uniform(60, 160), 255.0, 0.0)
    return np.clip(ink, 0, 255).astype(np.uint8)


def pick_font(rng: np.random.Generator, fonts: tuple[str, ...]) -> str:
    """A font, each family folder as likely as another (Comic Neue's six files count as one)."""
    folders = sorted({f.rsplit("/", 1)[0] for f in fonts})
    folder = folders[int(rng.integers(len(folders)))]
    members = [f for f in fonts if f.startswith(folder + "/")]
    return members[int(rng.integers(len(members)))]


def font_digit(rng: np.random.Generator, digit: int, fonts: tuple[str, ...]) -> np.ndarray:
    path = pick_font(rng, fonts)
    size = int(rng.integers(40, 80))
    glyph = render_text(path, str(digit), size, stroke=int(rng.integers(0, 3)))
    return normalize_crop(vary_hand(glyph, rng))


def _stroke(points, rng: np.random.Generator) -> np.ndarray:
    """Control points in a unit box -> a smooth jittered polyline (N, 2) in canvas pixels."""
    p = np.asarray(points, np.float32) + rng.normal(0, 0.035, (len(points), 2)).astype(np.float32)
    t = np.linspace(0, 1, len(p))
    fine = np.linspace(0, 1, 12 * len(p))
    curve = np.stack([np.interp(fine, t, p[:, 0]), np.interp(fine, t, p[:, 1])], axis=1)
    curve = cv2.GaussianBlur(curve[None], (0, 0), 2.0)[0] if len(curve) > 6 else curve
    return (curve * (CANVAS * 0.7) + CANVAS * 0.15).round().astype(np.int32)


def _arc(cx, cy, rx, ry, start, stop, n=14):
    a = np.deg2rad(np.linspace(start, stop, n))
    return list(zip(cx + rx * np.cos(a), cy + ry * np.sin(a), strict=True))


def style_strokes(style: str, rng: np.random.Generator) -> list[list[tuple[float, float]]]:
    """The pen strokes of one written style, in a unit box (x right, y down)."""
    j = lambda a, b: float(rng.uniform(a, b))  # noqa: E731 - a jittered coordinate
    if style == "continental_1":  # a long flag up to the top, the stem, sometimes a foot
        strokes = [[(j(0.2, 0.35), j(0.25, 0.4)), (0.55, 0.0), (0.55, 1.0)]]
        if rng.random() < 0.4:
            strokes.append([(0.35, 1.0), (0.75, 1.0)])
        return strokes
    if style == "barred_7":  # top bar, a long diagonal, a bar across its middle
        x_low = j(0.3, 0.5)
        return [[(0.15, 0.05), (0.85, 0.0), (x_low, 1.0)], [(0.35, 0.5), (0.8, 0.48)]]
    if style == "open_4":  # the two arms do not meet at the top
        return [[(0.45, 0.0), (0.15, 0.65), (0.9, 0.65)], [(0.72, 0.15), (0.72, 1.0)]]
    if style == "one_stroke_5":  # written without lifting: stem, belly, then back up to the bar
        belly = _arc(0.45, 0.68, 0.38, 0.3, -110, 150)
        return [[(0.85, 0.0), (0.25, 0.02), (0.2, 0.4), *belly]]
    # straight-tailed 9: a closed head, then a straight vertical stem
    head = _arc(0.5, 0.25, 0.3, 0.25, 0, 360, 18)
    return [[*head, (0.8, 0.3), (0.78, 1.0)]]


def style_digit(rng: np.random.Generator, style: str) -> np.ndarray:
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    width = int(rng.integers(3, 9))
    for points in style_strokes(style, rng):
        cv2.polylines(canvas, [_stroke(points, rng)], False, 255, width, cv2.LINE_AA)
    return normalize_crop(vary_hand(canvas, rng, slant=0.25))


def other_hands(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` digits (N, 28, 28) uint8 and their labels: four in five from fonts, the rest styles."""
    rng = np.random.default_rng(seed)
    fonts = fonts_with_glyphs("0123456789")
    images, labels = [], []
    for i in range(count):
        if i % 5 == 4:
            style = STYLES[int(rng.integers(len(STYLES)))]
            images.append(style_digit(rng, style))
            labels.append(STYLE_LABELS[style])
        else:
            digit = int(rng.integers(10))
            images.append(font_digit(rng, digit, fonts))
            labels.append(digit)
    return np.stack(images) if images else np.zeros((0, 28, 28), np.uint8), np.array(labels, np.uint8)
