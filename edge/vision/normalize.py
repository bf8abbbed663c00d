"""MNIST-style crop normalisation, shared by training and the camera loop.

MNIST's own recipe (LeCun et al.): each digit was size-normalised to fit a
20x20 box keeping its aspect ratio, anti-aliased, then placed in a 28x28 field
so that its centre of mass sits at the centre. The camera loop cuts digits of
any size out of a frame; passing them through this very function is what makes
them look like the data the model learned from. Training uses it too, for its
camera-style augmentation.
"""

from __future__ import annotations

import cv2
import numpy as np

MNIST_SIZE = 28  # model input side, pixels
DIGIT_BOX = 20  # the digit's longer side after normalisation, as in MNIST
CENTRE = 14.0  # target centre of mass (row, col), pixel-index coordinates
INK_FLOOR = 8  # values at or below this count as background when trimming


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of mass of a greyscale image, in pixel-index coordinates."""
    weights = image.astype(np.float64)
    total = weights.sum()
    if total <= 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows = np.arange(image.shape[0], dtype=np.float64)
    cols = np.arange(image.shape[1], dtype=np.float64)
    return float(weights.sum(axis=1) @ rows / total), float(weights.sum(axis=0) @ cols / total)


def _as_ink_uint8(crop: np.ndarray, dark_ink: bool) -> np.ndarray:
    """Bright ink on black as uint8, whatever the dtype, range and polarity came in."""
    if crop.ndim == 3:
        crop = crop[..., :3].mean(axis=2) if crop.shape[2] >= 3 else crop[..., 0]
    image = np.asarray(crop)
    if image.size == 0:
        return np.zeros(image.shape[:2], np.uint8)
    if image.dtype == np.bool_:
        image = image.astype(np.uint8) * 255
    elif image.dtype != np.uint8:
        image = image.astype(np.float64)
        image = np.nan_to_num(image, nan=0.0, posinf=0.0, neginf=0.0)
        top = image.max() if image.size else 0.0
        # floats in [0, 1] are intensities; anything else is scaled to its own peak
        scale = 255.0 if 0.0 <= image.min() and top <= 1.0 else (255.0 / top if top > 0 else 0.0)
        image = np.clip(image * scale, 0, 255).astype(np.uint8)
    return 255 - image if dark_ink else image


def normalize_crop(crop: np.ndarray, *, dark_ink: bool = False) -> np.ndarray:
    """Turn an ink crop of any size into a 28x28 uint8 MNIST-style digit.

    `crop` holds bright ink on a dark background (the edge loop's ink map);
    pass `dark_ink=True` for dark ink on light paper. The ink is trimmed to its
    bounding box, scaled so its longer side is 20 px (aspect kept), and placed
    so that its centre of mass is at (14, 14). An empty crop gives all zeros.
    """
    ink = _as_ink_uint8(crop, dark_ink)
    out = np.zeros((MNIST_SIZE, MNIST_SIZE), np.uint8)
    if ink.size == 0:
        return out
    # OpenCV's bounding box of the ink and its moments: the same sums as numpy's, without
    # numpy's per-call overhead (this runs for every piece of every frame)
    _, above = cv2.threshold(np.ascontiguousarray(ink), INK_FLOOR, 255, cv2.THRESH_BINARY)
    x, y, w, h = cv2.boundingRect(above)
    if w == 0 or h == 0:
        return out
    ink = ink[y : y + h, x : x + w]
    scale = DIGIT_BOX / max(h, w)
    new_h = max(1, min(DIGIT_BOX, round(h * scale)))
    new_w = max(1, min(DIGIT_BOX, round(w * scale)))
    # INTER_AREA anti-aliases when shrinking (as MNIST's digits are); linear when growing.
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    digit = cv2.resize(ink, (new_w, new_h), interpolation=interp)
    m = cv2.moments(digit)
    if m["m00"] == 0:  # a one-pixel speck can vanish when shrunk
        digit = np.full((new_h, new_w), 255, np.uint8)
        m = cv2.moments(digit)
    com_r, com_c = m["m01"] / m["m00"], m["m10"] / m["m00"]
    # Whole-pixel shift so the centre of mass lands within half a pixel of (14, 14)
    # without resampling (a sub-pixel shift would smear the ink past the 20x20 box).
    # The clamp keeps all ink on the canvas; it only bites for pathological shapes.
    # (Python's min and max: np.clip on two scalars cost a third of this function)
    top = min(max(round(CENTRE - com_r), 0), MNIST_SIZE - new_h)
    left = min(max(round(CENTRE - com_c), 0), MNIST_SIZE - new_w)
    out[top : top + new_h, left : left + new_w] = digit
    return out
