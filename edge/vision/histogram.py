"""Percentiles of uint8 images from their 256-bin histogram: numpy's answers, a tenth of its time.

np.percentile partitions a copy of every value (0.6 ms for a 320x180 sample of a 720p frame);
a histogram is one C pass (0.05 ms), and the order statistics numpy interpolates between can be
read off its cumulative counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def percentile_of_histogram(histogram: np.ndarray, q: float) -> float:
    """np.percentile (linear method) of uint8 values given as their 256-bin histogram.

    The k-th smallest value (from 0) is the first bin whose cumulative count exceeds k; numpy
    interpolates between the values at floor and floor + 1 of q% of the way. Those two nearly
    always share a bin, so one search usually finds both (this runs for every crop of a frame).
    """
    counts = histogram.cumsum()
    n = int(counts[-1])
    if n == 0:
        return 0.0
    index = q / 100 * (n - 1)
    lo = int(index)
    a = int(counts.searchsorted(lo, side="right"))
    after = min(lo + 1, n - 1)
    b = a if counts[a] > after else int(counts.searchsorted(after, side="right"))
    t = index - lo
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def uint8_percentiles(image: np.ndarray, qs: Sequence[float]) -> list[float]:
    """np.percentile(image, qs) for a uint8 array of any shape or strides (an empty one: zeros)."""
    if image.size == 0:
        return [0.0 for _ in qs]
    histogram = cv2.calcHist([np.ascontiguousarray(image).reshape(-1, 1)], [0], None, [256], [0, 256]).ravel()
    return [percentile_of_histogram(histogram, q) for q in qs]
