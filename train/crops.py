"""A folder of labelled crops (`DIR/<digit>/*.png`) for fine-tuning on a user's own camera.

`edge-run --save-crops DIR` writes exactly this layout; a user moves the
misread ones into the right digit's folder and trains again with `--crops DIR`.
Crops may be any size, dark ink on light paper or the reverse: each is turned
bright-ink-on-dark by its border and passed through the edge loop's own
`normalize_crop`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from edge.errors import UserError
from edge.vision.normalize import normalize_crop

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".tif", ".tiff", ".webp"}


def _bright_ink(grey: np.ndarray) -> np.ndarray:
    # The border is paper: if it is brighter than the middle, the ink is dark.
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 255 - grey if border.mean() > grey.mean() else grey


def load_crop_folder(folder: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 28, 28) uint8, labels (N,) uint8) from DIR/<digit>/*.png; bad files skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"--crops {folder}: not a folder; expected DIR/<digit>/*.png")
    images, labels = [], []
    for digit in range(10):
        sub = folder / str(digit)
        if not sub.is_dir():
            continue
        for path in sorted(sub.iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if grey is None or grey.size == 0:
                print(f"skipping {path}: not a readable image", file=sys.stderr)
                continue
            if grey.shape != (28, 28) or grey.max() == 0:
                grey = normalize_crop(_bright_ink(grey))
            else:  # already a normalised crop, as edge-run --save-crops writes
                grey = _bright_ink(grey)
            images.append(grey)
            labels.append(digit)
    if not images:
        raise UserError(f"--crops {folder}: no images under {folder}/0 .. {folder}/9")
    return np.stack(images).astype(np.uint8), np.array(labels, np.uint8)
