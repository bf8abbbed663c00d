"""Camera-like frames of handwritten numbers, with ground truth, for `--demo`, tests and bench.

Digits are MNIST *test* digits only (never training digits, so the demo's
accuracy is an honest held-out figure). They are laid out as numbers in lines
on paper (optionally ruled or squared), then photographed by a simulated
camera: perspective, a dark surround, uneven light, a soft shadow, defocus
blur, sensor noise and JPEG. Everything is numpy + OpenCV.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

# Layout, in units of the digit height h on the page (what handwriting on paper looks like).
DIGIT_GAP = (0.05, 0.22)  # gap between digits of one number
NUMBER_GAP = (1.6, 2.4)  # gap between numbers; well above the reader's ~0.8 h split
LINE_PITCH = (2.0, 2.6)  # baseline to baseline
PAGE_MARGIN = 1.0  # blank border around the writing


@dataclass(frozen=True)
class TruthDigit:
    value: int
    box: tuple[int, int, int, int]  # x, y, w, h in frame pixels


@dataclass(frozen=True)
class SynthFrame:
    image: np.ndarray  # (H, W) uint8 grey, dark ink on light paper
    lines: list[str]  # numbers per line, top to bottom, separated by one space
    digits: list[TruthDigit]


@dataclass(frozen=True)
class Page:
    """A flat page of ink (float32, 1 = full ink) with its digit boxes and line strings."""

    ink: np.ndarray
    boxes: list[tuple[int, int, int, int, int]]  # value, x, y, w, h in page pixels
    lines: list[str]
    rules: np.ndarray  # float32 mask of ruled/squared paper lines, 1 = line


def _trim(image: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(image > 20)
    return image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def make_page(
    rng: np.random.Generator,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    digit_px: int = 40,
    n_lines: int = 3,
    numbers_per_line: tuple[int, int] = (1, 3),
    digits_per_number: tuple[int, int] = (1, 4),
    paper: str = "plain",
) -> Page:
    """Lay out random MNIST digits as numbers in lines; the page is sized to fit them."""
    h = digit_px
    placed: list[tuple[int, int, int, np.ndarray]] = []  # value, x, y, glyph
    lines: list[str] = []
    x_max = 0
    margin = int(PAGE_MARGIN * h)
    y = margin
    for _ in range(n_lines):
        x = margin + int(rng.uniform(0, 0.8) * h)
        numbers = []
        for _ in range(rng.integers(numbers_per_line[0], numbers_per_line[1] + 1)):
            text = ""
            for _ in range(rng.integers(digits_per_number[0], digits_per_number[1] + 1)):
                i = int(rng.integers(len(images)))
                glyph = _trim(images[i])
                dh = max(4, int(round(h * rng.uniform(0.88, 1.1))))
                dw = max(2, int(round(glyph.shape[1] * dh / glyph.shape[0])))
                glyph = cv2.resize(glyph, (dw, dh), interpolation=cv2.INTER_LINEAR)
                dy = y + int(rng.uniform(-0.06, 0.06) * h) + (h - dh) // 2
                placed.append((int(labels[i]), x, dy, glyph))
                text += str(int(labels[i]))
                x += dw + int(rng.uniform(*DIGIT_GAP) * h)
            numbers.append(text)
            x += int(rng.uniform(*NUMBER_GAP) * h)
        lines.append(" ".join(numbers))
        x_max = max(x_max, x)
        y += int(rng.uniform(*LINE_PITCH) * h)
    page_h = y + margin - int(0.8 * h)
    page_w = x_max + margin
    ink = np.zeros((page_h, page_w), np.float32)
    boxes = []
    for value, x, dy, glyph in placed:
        gh, gw = glyph.shape
        region = ink[dy : dy + gh, x : x + gw]
        np.maximum(region, glyph[: region.shape[0], : region.shape[1]] / 255.0, out=region)
        boxes.append((value, x, dy, gw, gh))
    rules = np.zeros_like(ink)
    if paper in ("ruled", "squared"):
        pitch = int(LINE_PITCH[0] * h * 0.5) if paper == "squared" else int(h * 1.3)
        offset = margin + h + int(0.1 * h)  # ruled lines sit just under the first baseline
        for ry in range(offset % pitch, page_h, pitch):
            cv2.line(rules, (0, ry), (page_w - 1, ry), 1.0, 1)
        if paper == "squared":
            for rx in range(pitch // 2, page_w, pitch):
                cv2.line(rules, (rx, 0), (rx, page_h - 1), 1.0, 1)
    return Page(ink=ink, boxes=boxes, lines=lines, rules=rules)


def _homography(rng, page_wh, frame_wh, fill, tilt):
    pw, ph = page_wh
    fw, fh = frame_wh
    scale = fill * min(fw / pw, fh / ph)
    w, h = pw * scale, ph * scale
    cx = fw / 2 + rng.uniform(-0.5, 0.5) * (fw - w)
    cy = fh / 2 + rng.uniform(-0.5, 0.5) * (fh - h)
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]], np.float32) / 2
    jitter = rng.uniform(-tilt, tilt, size=(4, 2)).astype(np.float32) * np.array([w, h], np.float32)
    dst = corners + jitter + np.array([cx, cy], np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    return cv2.getPerspectiveTransform(src, dst), scale


def _lighting(rng, fw, fh) -> np.ndarray:
    """Smooth multiplicative light field: a tilted gradient, a vignette and one soft shadow."""
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    gx, gy = rng.uniform(-0.25, 0.25, 2)
    light = 0.85 + gx * (xx / fw - 0.5) + gy * (yy / fh - 0.5)
    r2 = ((xx / fw - 0.5) ** 2 + (yy / fh - 0.5) ** 2).astype(np.float32)
    light *= 1.0 - rng.uniform(0.0, 0.35) * r2
    shadow = np.zeros((fh, fw), np.float32)
    # a shadow (a hand or a phone) enters from one side as a rotated half-plane
    angle = rng.uniform(0, 2 * np.pi)
    d = (xx - fw / 2) * np.cos(angle) + (yy - fh / 2) * np.sin(angle)
    shadow[d > rng.uniform(0.1, 0.45) * min(fw, fh)] = 1.0
    soft = int(min(fw, fh) * 0.05) | 1
    shadow = cv2.GaussianBlur(shadow, (soft, soft), 0)
    light *= 1.0 - rng.uniform(0.2, 0.45) * shadow
    return light


def render(
    rng: np.random.Generator,
    page: Page,
    frame_wh: tuple[int, int],
    *,
    fill: float = 0.9,
    tilt: float = 0.04,
    blur: float = 0.7,
    noise: float = 3.0,
    jpeg: int = 80,
) -> SynthFrame:
    """Photograph `page` into a frame of `frame_wh` and return it with its ground truth."""
    fw, fh = frame_wh
    matrix, scale = _homography(rng, page.ink.shape[::-1], frame_wh, fill, tilt)
    ink_strength = rng.uniform(0.7, 0.9)
    paper = 1.0 - ink_strength * page.ink - rng.uniform(0.15, 0.3) * page.rules
    paper_mask = np.ones_like(paper)
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    warped = cv2.warpPerspective(paper, matrix, (fw, fh), flags=flags, borderValue=0.0)
    inside = cv2.warpPerspective(paper_mask, matrix, (fw, fh), flags=cv2.INTER_LINEAR)
    surround = rng.uniform(0.08, 0.25)
    grey = warped * rng.uniform(0.85, 1.0) + (1 - inside) * surround
    grey *= _lighting(rng, fw, fh)
    sigma = blur * max(fw, fh) / 640
    if sigma > 0.05:
        grey = cv2.GaussianBlur(grey, (0, 0), sigma)
    grey = grey * 255 + rng.normal(0, noise, grey.shape).astype(np.float32)
    image = np.clip(grey, 0, 255).astype(np.uint8)
    if jpeg:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg)])
        image = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    digits = []
    for value, x, y, w, h in page.boxes:
        pts = np.array([[[x, y], [x + w, y], [x + w, y + h], [x, y + h]]], np.float32)
        out = cv2.perspectiveTransform(pts, matrix)[0]
        x0, y0 = np.floor(out.min(axis=0)).astype(int)
        x1, y1 = np.ceil(out.max(axis=0)).astype(int)
        digits.append(TruthDigit(value, (int(x0), int(y0), int(x1 - x0), int(y1 - y0))))
    return SynthFrame(image=image, lines=list(page.lines), digits=digits)


class DemoScene:
    """An endless camera-like sequence: a few frames per page with hand shake, then a new page."""

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        *,
        frame_wh: tuple[int, int] = (640, 480),
        frames_per_page: int = 8,
        seed: int = 0,
        papers: tuple[str, ...] = ("plain", "ruled", "squared"),
    ) -> None:
        self.images, self.labels = images, labels
        self.frame_wh = frame_wh
        self.frames_per_page = frames_per_page
        self.papers = papers
        self.rng = np.random.default_rng(seed)

    def page(self) -> Page:
        fw, fh = self.frame_wh
        return make_page(
            self.rng,
            self.images,
            self.labels,
            digit_px=int(self.rng.integers(28, 44)),
            n_lines=int(self.rng.integers(3, 5)),
            numbers_per_line=(1, 3),
            digits_per_number=(1, 4),
            paper=str(self.rng.choice(self.papers)),
        )

    def frames(self) -> Iterator[SynthFrame]:
        while True:
            page = self.page()
            settings = dict(
                fill=self.rng.uniform(0.8, 0.95),
                blur=self.rng.uniform(0.3, 1.0),
                noise=self.rng.uniform(1.5, 5.0),
                jpeg=int(self.rng.integers(60, 92)),
            )
            for _ in range(self.frames_per_page):
                yield render(self.rng, page, self.frame_wh, **settings)
