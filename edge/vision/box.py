"""One box type for every piece of geometry in the loop: segmentation, crops, reading order, JSON.

A `Box` is an immutable (x, y, w, h) in pixels. It is a NamedTuple so that it is also the
plain 4-tuple the JSON contract and the overlay always had (`x, y, w, h = digit.box`,
`list(box)`), and a list of boxes is an (N, 4) array with one `np.array` call. The
arithmetic that used to be written out on tuples in several files lives here once.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Box(NamedTuple):
    x: int
    y: int
    w: int
    h: int

    @classmethod
    def from_corners(cls, x0: float, y0: float, x1: float, y1: float) -> Box:
        return cls(int(x0), int(y0), int(x1 - x0), int(y1 - y0))

    @classmethod
    def of(cls, values) -> Box:
        """Any 4 numbers (a list, an array row) as a Box of ints."""
        x, y, w, h = values[:4]
        return cls(int(x), int(y), int(w), int(h))

    @property
    def x1(self) -> int:
        return self.x + self.w

    @property
    def y1(self) -> int:
        return self.y + self.h

    @property
    def area(self) -> int:
        return self.w * self.h

    @property
    def aspect(self) -> float:
        """Width over height: a digit is about 0.7, touching digits are wider."""
        return self.w / max(self.h, 1)

    def union(self, other: Box) -> Box:
        return Box.from_corners(min(self.x, other.x), min(self.y, other.y), max(self.x1, other.x1), max(self.y1, other.y1))

    def intersection_area(self, other: Box) -> int:
        return max(0, min(self.x1, other.x1) - max(self.x, other.x)) * max(0, min(self.y1, other.y1) - max(self.y, other.y))

    def iou(self, other: Box) -> float:
        inter = self.intersection_area(other)
        return inter / float(self.area + other.area - inter) if inter else 0.0

    def scale(self, factor: float) -> Box:
        """The same box in a picture `factor` times the size (a frame read smaller is mapped back)."""
        if factor == 1.0:
            return self
        return Box(round(self.x * factor), round(self.y * factor), round(self.w * factor), round(self.h * factor))

    def slices(self) -> tuple[slice, slice]:
        """Row and column slices of this box in an image: `image[box.slices()]`."""
        return slice(self.y, self.y1), slice(self.x, self.x1)


def boxes_array(boxes) -> np.ndarray:
    """Boxes as an (N, 4) int32 array of x, y, w, h (for vectorised geometry)."""
    return np.asarray(boxes, np.int32).reshape(-1, 4)
