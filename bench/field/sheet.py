"""A sheet of paper being written on: ink layers, the digits' boxes and the non-digit marks.

Layers keep apart what is drawn in different inks: "digits" (the handwriting to read), "marks"
(separators, letters, arrows, printed text: never a digit) and "print" (ruled lines, grids, form
boxes, security patterns). The camera gives each layer its own colour, and the test of the
generator checks the digits layer against the boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

LAYERS = ("print", "marks", "digits")  # drawing order on the paper: printed first, then pen


@dataclass
class Sheet:
    width: int
    height: int
    layers: dict[str, np.ndarray] = field(default_factory=dict)
    digits: list[tuple[int, int, int, int, int]] = field(default_factory=list)  # value, x, y, w, h
    marks: int = 0  # non-digit marks written by hand or printed as text (scored as false digits)

    def __post_init__(self) -> None:
        for name in LAYERS:
            self.layers.setdefault(name, np.zeros((self.height, self.width), np.float32))

    def put(self, ink: np.ndarray, x: int, y: int, *, value: int | None = None, layer: str | None = None) -> tuple[int, int, int, int]:
        """Write `ink` with its top-left at (x, y); a digit when `value` is given, else a mark.

        Ink past the sheet's edge is cut off. Returns the box of the ink that landed (x, y, w, h).
        """
        layer = layer or ("digits" if value is not None else "marks")
        target = self.layers[layer]
        h, w = ink.shape
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x1 <= x0 or y1 <= y0:
            return (x0, y0, 0, 0)
        piece = ink[y0 - y : y1 - y, x0 - x : x1 - x]
        np.maximum(target[y0:y1, x0:x1], piece, out=target[y0:y1, x0:x1])
        ys, xs = np.nonzero(piece > 0.08)
        box = (x0 + int(xs.min()), y0 + int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1) if ys.size else (x0, y0, 0, 0)
        if value is not None and box[2] > 0:
            self.digits.append((int(value), *box))
        elif layer == "marks":
            self.marks += 1
        return box

    def ruled(self, pitch: int, offset: int, *, strength: float = 1.0, squared: bool = False, thickness: int = 1) -> None:
        """Ruled (or squared) paper lines in the print layer."""
        target = self.layers["print"]
        for y in range(offset % pitch, self.height, pitch):
            cv2.line(target, (0, y), (self.width - 1, y), strength, thickness)
        if squared:
            for x in range(offset % pitch, self.width, pitch):
                cv2.line(target, (x, 0), (x, self.height - 1), strength, thickness)

    def rectangle(self, x: int, y: int, w: int, h: int, *, thickness: int = 2, strength: float = 1.0) -> None:
        cv2.rectangle(self.layers["print"], (x, y), (x + w, y + h), strength, thickness)

    def crop(self, x0: int, y0: int, x1: int, y1: int) -> Sheet:
        """The part of the sheet in [x0, x1) x [y0, y1); digit boxes shifted and clipped."""
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(self.width, x1), min(self.height, y1)
        layers = {name: ink[y0:y1, x0:x1].copy() for name, ink in self.layers.items()}
        digits = []
        for value, x, y, w, h in self.digits:
            bx0, by0 = max(x, x0), max(y, y0)
            bx1, by1 = min(x + w, x1), min(y + h, y1)
            if bx1 > bx0 and by1 > by0:
                digits.append((value, bx0 - x0, by0 - y0, bx1 - bx0, by1 - by0))
        return Sheet(x1 - x0, y1 - y0, layers, digits, self.marks)

    def ink_extent(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) around all pen ink (digits and marks)."""
        ys, xs = np.nonzero((self.layers["digits"] > 0.08) | (self.layers["marks"] > 0.08))
        return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
