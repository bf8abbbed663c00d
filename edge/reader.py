"""One frame in, the numbers on it out: segment, classify in one batch, group, time each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from edge.vision.choices import choose
from edge.vision.grid import cells
from edge.vision.ink import ink_dark_grey
from edge.vision.layout import lines_text, reading_order
from edge.vision.segment import Segmentation, segment_digits
from edge.vision.separators import slashes

MAX_SIDE = 2048  # larger frames (a 24 MP photo) are read at this size; boxes are mapped back
DEFAULT_MIN_CONFIDENCE = 0.5  # below this a blob is not taken as a digit (letters, smudges)


@dataclass(frozen=True)
class Digit:
    value: int
    confidence: float
    box: tuple[int, int, int, int]  # x, y, w, h in frame pixels

    def as_json(self) -> dict:
        return {"value": self.value, "confidence": round(self.confidence, 4), "box": list(self.box)}


@dataclass
class ReadResult:
    """What one frame held: digits (accepted, reading order), lines of numbers, stage timings."""

    source: str
    frame: int
    lines: list[str]
    digits: list[Digit]
    rejected: list[Digit] = field(default_factory=list)
    timing_ms: dict[str, float] = field(default_factory=dict)
    crops: np.ndarray | None = None  # (N, 28, 28) uint8 of `digits`, for --save-crops

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "frame": self.frame,
            "lines": self.lines,
            "digits": [d.as_json() for d in self.digits],
            "timing_ms": {k: round(v, 2) for k, v in self.timing_ms.items()},
        }


class DigitReader:
    """Made once at start-up around a classifier (anything with `classify(crops) -> (N, 10)`)."""

    def __init__(self, classifier, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE, layout: str = "auto") -> None:
        self.classifier = classifier
        self.min_confidence = min_confidence
        self.layout = layout  # "auto", "field" or "page": see edge.vision.field

    def read(self, frame: np.ndarray, *, source: str = "", index: int = 0, decode_ms: float = 0.0) -> ReadResult:
        t0 = time.perf_counter()
        grey = ink_dark_grey(frame)  # coloured pen and light-on-dark writing made dark on light
        scale = 1.0
        if max(grey.shape) > MAX_SIDE:
            scale = MAX_SIDE / max(grey.shape)
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        seg: Segmentation = segment_digits(grey, self.layout)
        t1 = time.perf_counter()
        n = len(seg.crops)
        # one batched call per frame: the best-guess crops and the alternatives' together
        all_probs = self.classifier.classify(np.concatenate([seg.crops, seg.alt_crops]) if len(seg.alt_crops) else seg.crops)
        seg_boxes, seg_crops, probs = choose(
            seg.boxes, seg.crops, seg.alt_boxes, seg.alt_crops, seg.alternatives, all_probs[:n], all_probs[n:]
        )
        t2 = time.perf_counter()
        values = probs.argmax(axis=1) if len(probs) else np.zeros(0, int)
        confidence = probs.max(axis=1) if len(probs) else np.zeros(0)
        boxes = seg_boxes if scale == 1.0 else np.round(seg_boxes / scale).astype(np.int32)
        accepted = np.flatnonzero(confidence >= self.min_confidence)
        # a `/` reads as a confident 1: in a field (a date) it is a separator, not a digit. Not on
        # pages: there, slanted 1s are far more common than slashes (measured on the demo)
        slash = slashes(seg.ink, seg_boxes[accepted], values[accepted]) if seg.one_field else np.zeros(len(accepted), bool)
        marks, slash_boxes = seg.marks, seg_boxes[accepted][slash]
        accepted = accepted[~slash]
        # one reading order for both outputs: `digits` lists exactly what `lines` spells
        box_sides = seg.box_sides
        if scale != 1.0:
            marks, slash_boxes, box_sides = (np.round(b / scale) for b in (marks, slash_boxes, box_sides))
        grid_cells = cells(seg.grid, seg_boxes[accepted])  # at the segmenter's scale; row y is mapped back
        if grid_cells is not None and scale != 1.0:
            grid_cells = (grid_cells[0] / scale, grid_cells[1])
        order = reading_order(boxes[accepted], one_line=seg.one_field, marks=marks, slash_boxes=slash_boxes, cells=grid_cells,
                              box_sides=box_sides)
        lines = lines_text(order, values[accepted])
        flat = accepted[[i for line in order for number in line for i in number]]

        def digit(i: int) -> Digit:
            return Digit(int(values[i]), float(confidence[i]), tuple(int(b) for b in boxes[i]))

        digits = [digit(i) for i in flat]
        rejected = [digit(i) for i in np.flatnonzero(confidence < self.min_confidence)]
        t3 = time.perf_counter()
        timing = {
            "decode": decode_ms,
            "segment": (t1 - t0) * 1e3,
            "classify": (t2 - t1) * 1e3,
            "group": (t3 - t2) * 1e3,
        }
        timing["total"] = sum(timing.values())
        return ReadResult(source, index, lines, digits, rejected, timing, seg_crops[flat])
