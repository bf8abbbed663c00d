"""The frame once, in the form the reader needs: grey (computed here, once), the colour frame kept.

Sources deliver what they captured (grey, BGR or BGRA; 8 or 16 bits; a file may even hold
floats); every stage after this one works on the `Picture`'s uint8 grey. The colour frame
travels along untouched, for stages that will tell ink colours apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_SIDE = 2048  # larger frames (a 24 MP photo) are read at this size; boxes are mapped back


@dataclass(frozen=True)
class Picture:
    grey: np.ndarray  # (H, W) uint8, the frame at `scale`
    frame: np.ndarray  # the frame as the source delivered it (colour kept), full size
    scale: float = 1.0  # grey side / frame side: 1.0 unless the frame was larger than MAX_SIDE

    @classmethod
    def of(cls, frame: np.ndarray, max_side: int = MAX_SIDE, grey_of=None) -> Picture:
        """`grey_of`: frame -> 2-D uint8 grey (default `to_grey`; the reader's makes ink dark, edge.vision.ink)."""
        grey = (grey_of or to_grey)(frame)
        scale = 1.0
        if max(grey.shape, default=0) > max_side:
            scale = max_side / max(grey.shape)
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        return cls(grey, frame, scale)


def to_grey(frame: np.ndarray) -> np.ndarray:
    """Any frame (grey, BGR, BGRA; uint8, uint16, float, bool) to 2-D uint8 grey."""
    image = np.asarray(frame)
    if image.ndim == 3:
        if image.shape[2] == 1:
            image = image[..., 0]
        elif image.shape[2] >= 3 and image.dtype == np.uint8:
            image = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_BGR2GRAY)
        else:
            image = image[..., :3].astype(np.float32).mean(axis=2)
    if image.ndim != 2:
        raise ValueError(f"a frame is 2-D or 3-D, not {image.ndim}-D")
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    values = np.nan_to_num(image.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    top = float(values.max()) if values.size else 0.0
    if values.size and values.min() >= 0 and top <= 1.0:
        values = values * 255
    elif top > 255:
        values = values * (255 / top)
    return np.clip(values, 0, 255).astype(np.uint8)
