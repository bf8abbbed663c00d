"""Small scenes for the reading tests, written in TRAINING-side handwriting fonts (never the field
test's hands): text rendered with Pillow as an ink mask, then laid on paper in a colour."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

# Training hands (the brief's fixed split); the clearest digits of them, so a failure is the reader's
HANDS = (
    "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",
    "/usr/share/fonts/truetype/ecolier-court/Ecolier-court.ttf",
    "/usr/share/fonts/truetype/klee/KleeOne-SemiBold.ttf",
)
WHITE = (245, 245, 245)  # BGR
CREAM = (200, 236, 246)
PENS = {"black": (30, 30, 30), "red": (40, 40, 200), "blue": (170, 70, 30), "green": (60, 140, 40)}


@cache
def _font(path: str, px: int):
    from PIL import ImageFont

    if not Path(path).is_file():
        pytest.fail(f"training font {path} missing: apt-get install fonts-comic-neue fonts-ecolier-court fonts-klee")
    return ImageFont.truetype(path, px)


def text_ink(text: str, height: int, hand: str = HANDS[0]) -> np.ndarray:
    """Float ink mask (1 = ink) of `text`, trimmed to its ink, digits about `height` px tall."""
    from PIL import Image, ImageDraw

    font = _font(hand, int(height * 1.45))  # a font's digits are about 0.7 of its em
    box = font.getbbox(text)
    canvas = Image.new("L", (box[2] + 8, box[3] + 8), 0)
    ImageDraw.Draw(canvas).text((4, 4), text, fill=255, font=font)
    ink = np.asarray(canvas, np.float32) / 255
    ys, xs = np.nonzero(ink > 0.1)
    return ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def page(wh: tuple[int, int], paper=WHITE) -> np.ndarray:
    """Float BGR paper with a little sensor noise."""
    rng = np.random.default_rng(0)
    base = np.empty((wh[1], wh[0], 3), np.float32)
    base[:] = paper
    return base + rng.normal(0, 3, base.shape).astype(np.float32)


def put(image: np.ndarray, ink: np.ndarray, x: int, y: int, colour=PENS["black"]) -> tuple[int, int, int, int]:
    """Ink `ink` onto `image` at (x, y) in `colour` (clipped at the image edge); its box."""
    h, w = ink.shape
    H, W = image.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    a = ink[y0 - y : y1 - y, x0 - x : x1 - x, None]
    image[y0:y1, x0:x1] = image[y0:y1, x0:x1] * (1 - a) + np.asarray(colour, np.float32) * a
    return x, y, w, h


def write(image: np.ndarray, text: str, x: int, y: int, height: int, colour=PENS["black"], hand: str = HANDS[0]) -> int:
    """Write `text` with its top-left at (x, y); returns the x after it."""
    ink = text_ink(text, height, hand)
    put(image, ink, x, y + (height - ink.shape[0] if ink.shape[0] < height else 0), colour)
    return x + ink.shape[1]


def photo(image: np.ndarray) -> np.ndarray:
    """A camera's uint8 BGR picture of the scene: a touch of blur, as a lens gives."""
    return cv2.GaussianBlur(np.clip(image, 0, 255).astype(np.uint8), (3, 3), 0.7)



TWO_LINES = ["2507", "384 16"]  # what two_line_scene holds, as edge-run's lines spell it


def two_line_scene(paper, colour, height: int) -> np.ndarray:
    """`2507` above `384 16`, in two training hands, `colour` ink on `paper`, photographed."""
    image = page((720, 400), paper)
    write(image, "2507", 60, 60, height, colour, HANDS[0])
    write(image, "384", 60, 220, height, colour, HANDS[2])
    write(image, "16", 360, 220, height, colour, HANDS[2])
    return photo(image)


@cache
def reader(layout: str = "auto"):
    """The shipped model behind the frame reader, as edge-run makes it."""
    from edge_fixtures import model_path

    from edge.reader import DigitReader
    from edge.runtime.interpreter import DigitClassifier

    return DigitReader(DigitClassifier(model_path()), layout=layout)  # auto: as edge-run reads by default


def field_crop(text: str, height: int, hand: str = HANDS[0], colour=PENS["black"], pad: int = 1) -> np.ndarray:
    """A tight crop of one written field: the ink `pad` px from every edge."""
    ink = text_ink(text, height, hand)
    image = page((ink.shape[1] + 2 * pad, ink.shape[0] + 2 * pad))
    put(image, ink, pad, pad, colour)
    return photo(image)
