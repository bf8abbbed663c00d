"""The classifier alone on other writers: optdigits (43 writers' scanned forms) and isolated
crops of each field-test hand. No segmentation: what is left is the model's own share of a miss.

optdigits goes in exactly as its README says: each 32x32 bitmap cropped to its ink, then the
camera loop's `normalize_crop`. Field-hand crops are written with the same jitter as the scenes,
at a camera-like size, and normalised the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.field.glyphs import written
from bench.field.hands import FIELD, HandSet, hand_name
from bench.field.strokes import DIGIT_STYLES, drawn_digit
from edge.vision.normalize import normalize_crop

OPTDIGITS = Path(__file__).resolve().parents[3] / "shared" / "data" / "optdigits" / "optdigits_windep.npz"
CROPS_PER_DIGIT = 30  # per hand and digit: 300 crops a hand, a +-2.5 pt figure at 90%
CROP_HEIGHTS = (20, 64)  # px: a digit as a camera sees it, from far to near


def optdigits_crops(path: Path = OPTDIGITS) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) normalised crops and labels of optdigits' writer-independent test set."""
    data = np.load(path)
    crops = []
    for bitmap in data["images"]:
        ys, xs = np.nonzero(bitmap)
        crops.append(normalize_crop(bitmap[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]))
    return np.stack(crops), data["labels"].astype(np.int64)


def hand_crops(font: str, seed: int, hands: HandSet = FIELD) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, hands.handwriting.index(font)])
    crops, labels = [], []
    for value in range(10):
        for _ in range(CROPS_PER_DIGIT):
            ink = written(rng, str(value), font, rng.uniform(*CROP_HEIGHTS))
            crops.append(normalize_crop(np.round(ink * 255).astype(np.uint8)))
            labels.append(value)
    return np.stack(crops), np.array(labels)


def style_crops(seed: int, hands: HandSet = FIELD) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, len(hands.handwriting)])
    crops, labels = [], []
    for style in DIGIT_STYLES:
        for _ in range(CROPS_PER_DIGIT):
            value, ink = drawn_digit(rng, style, int(rng.uniform(*CROP_HEIGHTS)))
            crops.append(normalize_crop(np.round(ink * 255).astype(np.uint8)))
            labels.append(value)
    return np.stack(crops), np.array(labels)


def accuracy(classifier, crops: np.ndarray, labels: np.ndarray, batch: int = 256) -> float:
    predicted = np.concatenate([classifier.classify(crops[i : i + batch]).argmax(axis=1) for i in range(0, len(crops), batch)])
    return float((predicted == labels).mean())


def run_checks(classifier, *, seed: int = 0, optdigits: Path = OPTDIGITS, hands: HandSet = FIELD) -> dict:
    """{'optdigits': {...} or a note, 'hands': {name: accuracy}, 'styles': accuracy}."""
    report: dict = {}
    if optdigits.is_file():
        crops, labels = optdigits_crops(optdigits)
        report["optdigits"] = {"path": str(optdigits), "digits": len(labels), "accuracy": round(accuracy(classifier, crops, labels), 4)}
    else:
        report["optdigits"] = {"path": str(optdigits), "note": "not found; skipped"}
    report["hands"] = {}
    for font in hands.handwriting:
        crops, labels = hand_crops(font, seed, hands)
        report["hands"][hand_name(font)] = {"digits": len(labels), "accuracy": round(accuracy(classifier, crops, labels), 4)}
    crops, labels = style_crops(seed, hands)
    report["styles"] = {"digits": len(labels), "accuracy": round(accuracy(classifier, crops, labels), 4)}
    return report
