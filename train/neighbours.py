"""Digits with a sliver of a touching neighbour: how the touching-digit search crops a right cut.

The reader cuts a blob of touching digits at columns (edge.vision.cuts). Even the right cut
of `00` or `1000` keeps the strokes of the neighbour that reach past the join, a sliver on one
side or both, so a model that only ever saw clean digits answers "not a digit" there: on the
field test's touching digits, 224 of 500 right cuts were rejected so. These crops teach that a
digit with a sliver of its neighbour is still the digit. The "overcut" negatives keep 40-70%
of the neighbour (train.negatives), well clear of the sliver's share here, so the two never
teach opposite answers for the same crop. A 1 with a sliver beside it is also what a cut
through a letter leaves (M, N, H, u): the field test's distractors read more false 1s with these
crops, but leaving 1s out as the middle digit cost touching digits 4 points and barely those
1s (reports/train/edge13-neighbours/NOTES.md).
"""

from __future__ import annotations

import numpy as np

from edge.vision.normalize import normalize_crop

SLIVER = (0.05, 0.25)  # share of the neighbour's width a cut keeps (the overcut negatives keep 0.4-0.7)
BOTH_SIDES = 0.3  # share of crops with a neighbour on both sides (the middle digit of `000`)
OVERLAP_PX = (-1, 4)  # columns (28-px digit scale) the sliver overlaps the digit: touching to overlapping
DROP_PX = 4  # the neighbour sits up to this many rows higher or lower (28-px scale)
INK = 40  # a column with a pixel above this holds ink


def _columns(digit: np.ndarray) -> np.ndarray:
    cols = np.flatnonzero(digit.max(axis=0) > INK)
    return digit[:, cols[0] : cols[-1] + 1]


def _sliver(neighbour: np.ndarray, rng: np.random.Generator, its_right_edge: bool) -> np.ndarray:
    """The columns of `neighbour` a cut keeps: a SLIVER share of its width from the edge facing the digit."""
    side = _columns(neighbour)
    keep = max(1, round(rng.uniform(*SLIVER) * side.shape[1]))
    return side[:, side.shape[1] - keep :] if its_right_edge else side[:, :keep]


def beside(digit: np.ndarray, left: np.ndarray | None, right: np.ndarray | None,
           rng: np.random.Generator) -> np.ndarray:
    """`digit` (28x28, bright ink) with a sliver of `left`'s right edge and of `right`'s left edge
    touching it, cut at the sliver's outer edge as a column cut would: (28 + 2 * DROP_PX, W) uint8."""
    core = _columns(digit)

    def overlap(sliver: np.ndarray) -> int:
        return min(int(rng.integers(*OVERLAP_PX)), sliver.shape[1] - 1, core.shape[1] - 1)

    def drop() -> int:
        return int(rng.integers(-DROP_PX, DROP_PX + 1))

    parts = []  # (image, x offset, y offset)
    x = 0
    if left is not None:
        sliver = _sliver(left, rng, its_right_edge=True)
        parts.append((sliver, 0, drop()))
        x = sliver.shape[1] - overlap(sliver)
    parts.append((core, x, 0))
    width = x + core.shape[1]
    if right is not None:
        sliver = _sliver(right, rng, its_right_edge=False)
        start = width - overlap(sliver)
        parts.append((sliver, start, drop()))
        width = max(width, start + sliver.shape[1])
    canvas = np.zeros((28 + 2 * DROP_PX, width), np.uint8)
    for image, px, py in parts:
        region = canvas[DROP_PX + py : DROP_PX + py + 28, px : px + image.shape[1]]
        np.maximum(region, image, out=region)
    return canvas


def with_neighbours(count: int, seed: int, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`count` crops (N, 28, 28) uint8 of training digits `x` (labels `y`) each with a sliver of
    one or two other training digits touching it, normalised as the camera loop's crops are."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for _ in range(count):
        i, j, k = rng.integers(len(x), size=3)
        both = rng.random() < BOTH_SIDES
        on_left = both or rng.random() < 0.5
        on_right = both or not on_left
        ink = beside(x[i], x[j] if on_left else None, x[k] if on_right else None, rng)
        images.append(normalize_crop(ink))
        labels.append(y[i])
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    return np.stack(images), np.array(labels, np.uint8)
