"""Photograph a sheet in colour with the demo's own camera imitation (edge.demo.synth.render).

`render` photographs one grey ink layer: perspective, dark surround, uneven light, a shadow,
defocus blur. It is linear in the ink before its final rounding, and with one seed it makes the
same camera every call. So the sheet is photographed once blank (the light falling on the paper)
and once per ink layer; each layer's share of absorbed light, (blank - shot) / blank, is that
layer's ink as the camera saw it. Paper and inks then get their colours multiplicatively (inks
filter the light the paper reflects), and sensor noise and JPEG come last, in colour, as in a
phone or webcam. Light ink on a dark board is an ink with negative absorption.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from bench.field.sheet import LAYERS, Sheet
from edge.demo.synth import Page, TruthDigit, render

BGR = tuple[float, float, float]
IN_FRAME = 0.5  # a digit with less of its box than this in the frame is cut off: nobody could read it
WHITE: BGR = (0.97, 0.97, 0.97)
BLACK_INK: BGR = (0.08, 0.08, 0.1)
PRINT_GREY: BGR = (0.55, 0.55, 0.55)
# pens people fill forms with, and a pencil (BGR reflectance)
PENS: dict[str, BGR] = {
    "black": BLACK_INK,
    "blue": (0.62, 0.25, 0.12),
    "red": (0.16, 0.14, 0.72),
    "green": (0.28, 0.5, 0.12),
    "pencil": (0.42, 0.42, 0.44),
}
PAPERS: dict[str, BGR] = {"white": WHITE, "cream": (0.78, 0.92, 0.97), "squared": WHITE}
SQUARES: BGR = (0.85, 0.72, 0.55)  # the pale blue of squared paper


@dataclass(frozen=True)
class Inks:
    """The colour (BGR, 0-1 reflectance) of the paper and of each layer's ink."""

    paper: BGR = WHITE
    digits: BGR = BLACK_INK
    marks: BGR = BLACK_INK
    print: BGR = PRINT_GREY


@dataclass(frozen=True)
class Camera:
    """Settings of one photograph; the ranges the demo uses (DemoScene.frames) by default."""

    fill: float = 0.9  # share of the frame the sheet fills (above 1: the sheet is cut off)
    tilt: float = 0.04  # perspective: corner jitter, share of the sheet's size
    blur: float = 0.7  # defocus sigma per 640 px of frame
    noise: float = 3.0  # sensor noise, grey levels
    jpeg: int = 80

    @classmethod
    def random(cls, rng: np.random.Generator, **fixed) -> Camera:
        drawn = dict(
            fill=rng.uniform(0.8, 0.95), tilt=0.04, blur=rng.uniform(0.3, 1.0),
            noise=rng.uniform(1.5, 5.0), jpeg=int(rng.integers(60, 92)),
        )
        return cls(**{**drawn, **fixed})


@dataclass(frozen=True)
class Photo:
    image: np.ndarray  # (H, W, 3) uint8 BGR, JPEG-encoded and decoded like a camera's picture
    digits: list[TruthDigit]  # boxes in frame pixels, clipped to the frame; the sheet's order
    cut_off: tuple[int, ...]  # indices (into the sheet's digits) of those under half in the frame: no truth
    digit_ink: np.ndarray  # (H, W) bool: where the digits layer's ink is clearly visible
    jpeg: bytes  # the encoded picture, as a camera or a photo file hands it over


def photograph(rng: np.random.Generator, sheet: Sheet, frame_wh: tuple[int, int], inks: Inks = Inks(), camera: Camera = Camera()) -> Photo:
    seed = int(rng.integers(2**63))
    settings = dict(fill=camera.fill, tilt=camera.tilt, blur=camera.blur, noise=0.0, jpeg=0)

    def shot(ink: np.ndarray, boxes=()):
        page = Page(ink=ink, boxes=list(boxes), lines=[], rules=np.zeros_like(ink))
        return render(np.random.default_rng(seed), page, frame_wh, **settings)

    blank = shot(np.zeros((sheet.height, sheet.width), np.float32)).image.astype(np.float32)
    light = np.maximum(blank, 1.0)
    paper = np.array(inks.paper, np.float32)
    colour = blank[..., None] / 255.0 * paper
    digits: list[TruthDigit] = []
    cut_off: tuple[int, ...] = ()
    digit_ink = np.zeros(blank.shape, bool)
    for name in LAYERS:
        ink = sheet.layers[name]
        if name != "digits" and not ink.any():
            continue
        taken = shot(ink, sheet.digits if name == "digits" else ())
        share = np.clip((blank - taken.image.astype(np.float32)) / light, 0.0, 1.0)
        absorb = 1.0 - np.array(getattr(inks, name), np.float32) / paper
        colour *= 1.0 - absorb * share[..., None]
        if name == "digits":
            digits = [_clip(d, frame_wh) for d in taken.digits]
            cut_off = tuple(i for i, (d, c) in enumerate(zip(taken.digits, digits, strict=True))
                            if c.box[2] * c.box[3] < IN_FRAME * d.box[2] * d.box[3])
            digit_ink = share > 0.25
    noise = rng.normal(0.0, camera.noise, blank.shape).astype(np.float32)[..., None]
    chroma = rng.normal(0.0, camera.noise * 0.4, colour.shape).astype(np.float32)
    image = np.clip(colour * 255.0 + noise + chroma, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(camera.jpeg)])
    assert ok
    return Photo(cv2.imdecode(buf, cv2.IMREAD_COLOR), digits, cut_off, digit_ink, buf.tobytes())


def _clip(digit: TruthDigit, frame_wh: tuple[int, int]) -> TruthDigit:
    x, y, w, h = digit.box
    fw, fh = frame_wh
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(fw, x + w), min(fh, y + h)
    return TruthDigit(digit.value, (x0, y0, max(0, x1 - x0), max(0, y1 - y0)))
