"""Measuring sets beyond MNIST test: "not a digit" crops, and digits by other writers.

- negatives: the fixed set of `train.negatives.negative_test_set` (letters, marks, cuts and
  pairs of MNIST *test* digits); a model's reject rate is the share it answers "not a digit".
- optdigits: 1,797 digits by writers not in MNIST (UCI optdigits, writer-independent test
  file), each bitmap cropped to its ink and put through `normalize_crop`, as the camera loop
  does. Measured only: never trained or tuned on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edge.vision.normalize import normalize_crop
from train.negatives import negative_test_set

OPTDIGITS_FILE = "optdigits_windep.npz"


def optdigits_path(mnist_dir: Path | str | None) -> Path | None:
    """`<data>/optdigits/optdigits_windep.npz` beside the MNIST folder, when it is there."""
    if mnist_dir is None:
        return None
    path = Path(mnist_dir).resolve().parent / "optdigits" / OPTDIGITS_FILE
    return path if path.exists() else None


def optdigits_digits(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 normalised digits and their labels from an optdigits .npz."""
    data = np.load(path)
    crops = np.stack([normalize_crop(bitmap) for bitmap in data["images"]])
    return crops, data["labels"].astype(np.uint8)


def measure_sets(x_test: np.ndarray, mnist_dir: Path | str | None) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """name -> (crops, labels or None): the sets every variant is measured on besides MNIST."""
    sets: dict[str, tuple[np.ndarray, np.ndarray | None]] = {"negatives": (negative_test_set(x_test), None)}
    path = optdigits_path(mnist_dir)
    if path is not None:
        sets["optdigits"] = optdigits_digits(path)
    return sets


def set_metrics(preds: dict[str, np.ndarray], sets: dict, test_preds: np.ndarray) -> dict:
    """Reject rate on negatives, false rejects on MNIST test, accuracy on optdigits."""
    not_a_digit = 10
    out = {"false_reject_rate": float((test_preds == not_a_digit).mean())}
    if "negatives" in preds:
        out["negatives_rejected"] = float((preds["negatives"] == not_a_digit).mean())
        out["negatives_count"] = int(len(preds["negatives"]))
    if "optdigits" in preds:
        y = sets["optdigits"][1]
        out["optdigits_accuracy"] = float((preds["optdigits"] == y).mean())
        out["optdigits_false_reject_rate"] = float((preds["optdigits"] == not_a_digit).mean())
        out["optdigits_count"] = int(len(y))
    return out
