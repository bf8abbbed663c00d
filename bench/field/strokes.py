"""Marks drawn as pen strokes: digit styles no font here has, and non-digit marks.

Digit styles MNIST under-represents (mostly American writers): the continental 1 with a long
upstroke, the 7 with a bar, the open 4, the flat-topped 3, the 5 written in one stroke like a root
sign, the 9 with a straight tail. Marks for distractor scenes: arrows, ticks, crosses, scribbles,
separators. Each is polylines in a unit box (x right, y down, height 1), drawn at the working
size with a round pen, then jittered like a font glyph (glyphs.jitter_ink).
"""

from __future__ import annotations

import cv2
import numpy as np

from bench.field.glyphs import DEFAULT_JITTER, WORK_PX, Jitter, fit_height, jitter_ink, tight

Polyline = list[tuple[float, float]]


def _arc(cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, n: int = 24) -> Polyline:
    t = np.radians(np.linspace(start_deg, end_deg, n))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in t]


# value -> strokes (each a polyline); angles: 0 deg = right, 90 deg = down (y down)
DIGIT_STYLES: dict[str, tuple[int, list[Polyline]]] = {
    "continental 1": (1, [[(0.02, 0.42), (0.40, 0.0), (0.40, 1.0)]]),
    "7 with a bar": (7, [[(0.0, 0.04), (0.58, 0.0), (0.22, 1.0)], [(0.14, 0.52), (0.52, 0.50)]]),
    "open 4": (4, [[(0.30, 0.0), (0.02, 0.62), (0.62, 0.62)], [(0.46, 0.22), (0.46, 1.0)]]),
    "flat-topped 3": (3, [[(0.04, 0.02), (0.56, 0.02), (0.22, 0.40)] + _arc(0.28, 0.68, 0.30, 0.29, -90, 150)]),
    "one-stroke 5": (5, [[(0.62, 0.02), (0.12, 0.02), (0.08, 0.46)] + _arc(0.30, 0.68, 0.30, 0.30, -135, 160)]),
    "9, straight tail": (9, [_arc(0.30, 0.27, 0.28, 0.26, 0, 360, 32) + [(0.58, 0.27), (0.56, 1.0)]]),
}


def _scribble(rng: np.random.Generator) -> list[Polyline]:
    """A loose zigzag, as when something is crossed out or a pen is tried."""
    n = int(rng.integers(5, 10))
    xs = np.sort(rng.uniform(0.0, 2.2, n))
    ys = np.where(np.arange(n) % 2 == 0, rng.uniform(0.0, 0.3, n), rng.uniform(0.6, 1.0, n))
    return [list(zip(xs.tolist(), ys.tolist()))]


def _mark_strokes(rng: np.random.Generator, name: str) -> list[Polyline]:
    if name == "arrow":
        length = rng.uniform(1.4, 2.6)
        return [[(0.0, 0.5), (length, 0.5)], [(length - 0.35, 0.25), (length, 0.5), (length - 0.35, 0.75)]]
    if name == "tick":
        return [[(0.0, 0.55), (0.3, 1.0), (0.9, 0.0)]]
    if name == "cross":
        return [[(0.0, 0.0), (0.8, 1.0)], [(0.8, 0.0), (0.0, 1.0)]]
    if name == "star":
        return [[(0.4, 0.0), (0.4, 0.8)], [(0.05, 0.2), (0.75, 0.6)], [(0.75, 0.2), (0.05, 0.6)]]
    if name == "underline":
        return [[(0.0, 0.0), (rng.uniform(1.5, 3.0), rng.uniform(-0.05, 0.05))]]
    if name == "scribble":
        return _scribble(rng)
    raise ValueError(f"unknown mark {name!r}")


MARKS = ("arrow", "tick", "cross", "star", "underline", "scribble")


def draw_strokes(strokes: list[Polyline], *, pen: float) -> np.ndarray:
    """Polylines in unit coordinates drawn WORK_PX tall with a round pen of `pen` x height."""
    h = WORK_PX
    thick = max(2, int(round(pen * h)))
    pts = [np.array(s, np.float64) for s in strokes]
    lo = np.min([p.min(axis=0) for p in pts], axis=0)
    hi = np.max([p.max(axis=0) for p in pts], axis=0)
    margin = thick + 2
    size = ((hi - lo) * h + 2 * margin).astype(int) + 1
    canvas = np.zeros((max(size[1], 1), max(size[0], 1)), np.uint8)
    shift = 4  # sub-pixel precision for cv2's fixed-point polylines
    for p in pts:
        q = np.round(((p - lo) * h + margin) * (1 << shift)).astype(np.int32)
        cv2.polylines(canvas, [q.reshape(-1, 1, 2)], False, 255, thick, cv2.LINE_AA, shift)
    return tight(canvas.astype(np.float32) / 255.0)


def drawn_digit(rng: np.random.Generator, style: str, height: int, jitter: Jitter = DEFAULT_JITTER) -> tuple[int, np.ndarray]:
    """(value, ink) of one digit in a style of DIGIT_STYLES, `height` px tall."""
    value, strokes = DIGIT_STYLES[style]
    ink = draw_strokes(strokes, pen=rng.uniform(0.07, 0.13))
    return value, fit_height(jitter_ink(rng, ink, jitter), height)


def drawn_mark(rng: np.random.Generator, name: str, height: int) -> np.ndarray:
    """A non-digit mark of MARKS, about `height` px tall (an underline is a stroke's height)."""
    ink = jitter_ink(rng, draw_strokes(_mark_strokes(rng, name), pen=rng.uniform(0.06, 0.11)))
    if name == "underline":
        return fit_height(ink, max(2, int(ink.shape[0] * height / WORK_PX)))
    return fit_height(ink, height)
