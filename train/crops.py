"""A folder of labelled crops (`DIR/<digit>/*.png`) for fine-tuning on a user's own camera.

`edge-run --save-crops DIR` writes exactly this layout; a user moves the
misread ones into the right digit's folder, and what is no digit at all (a letter,
a mark, a stroke of a digit read alone) into `DIR/none/`, and trains again with
`--crops DIR` (`none` crops teach the edge model's "not a digit" output).
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
from edge.vision.settle import NOT_A_DIGIT

NONE = "none"  # the folder of crops that are no digit: label NOT_A_DIGIT
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".tif", ".tiff", ".webp"}


def _bright_ink(grey: np.ndarray) -> np.ndarray:
    # The border is paper: if it is brighter than the middle, the ink is dark.
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 255 - grey if border.mean() > grey.mean() else grey


def holds_none(folder: str | Path) -> bool:
    """Whether `folder` has crops that are no digit (DIR/none/ with an image in it)."""
    sub = Path(folder) / NONE
    return sub.is_dir() and any(p.suffix.lower() in IMAGE_SUFFIXES for p in sub.iterdir())


def load_crop_folder(folder: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 28, 28) uint8, labels (N,) uint8) from DIR/<digit>/*.png and DIR/none/*.png
    (labelled NOT_A_DIGIT); bad files skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"--crops {folder}: not a folder; expected DIR/<digit>/*.png")
    images, labels = [], []
    for digit, name in [(d, str(d)) for d in range(10)] + [(NOT_A_DIGIT, NONE)]:
        sub = folder / name
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
        raise UserError(f"--crops {folder}: no images under {folder}/0 .. {folder}/9 or {folder}/{NONE}")
    return np.stack(images).astype(np.uint8), np.array(labels, np.uint8)
