"""The training mix: MNIST, digits in other hands, and "not a digit" crops, in fixed shares.

The extra crops are drawn fresh for every run from its seed (fonts, strokes, fragments of
the run's own training digits) and kept in `<out>/pools.npz`, so a resumed run trains on the
very same mix without drawing it again. Validation gets its own draw, cut from the
validation digits only: nothing of it was seen in training, and MNIST test is never touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from train.augment import camera_style_batch
from train.handwriting import other_hands
from train.models import NOT_A_DIGIT
from train.negatives import negatives

VAL_SEED_OFFSET = 50_000  # validation pools are drawn from a seed far from the training one's


@dataclass
class Mix:
    x: np.ndarray  # (N, 28, 28) uint8: MNIST (+ Kaggle, + crops), other hands, negatives
    y: np.ndarray  # (N,) uint8, NOT_A_DIGIT for the negatives
    camera_x: np.ndarray  # the camera-style version of each (extra crops stand for themselves)
    counts: dict


def _pools(x_digits: np.ndarray, seed: int, hands_share: float, negative_share: float, augment: bool):
    n_hands = int(round(hands_share * len(x_digits))) if augment else 0
    n_neg = int(round(negative_share * (len(x_digits) + n_hands)))
    hands_x, hands_y = other_hands(n_hands, seed)
    neg_x = negatives(n_neg, seed + 1, x_digits) if n_neg else np.zeros((0, 28, 28), np.uint8)
    return hands_x, hands_y, neg_x


def build_mix(x, y, seed: int, *, hands_share: float, negative_share: float, augment: bool,
              cache: Path | None = None, camera: bool = True) -> Mix:
    """`x, y` (real digits) plus `hands_share` of their count in other hands, plus negatives
    making up `negative_share` of the digits. Cached in `cache` (an .npz) when given."""
    key = hashlib.sha256(x.tobytes()[:1_000_000] + repr((len(x), seed, hands_share, negative_share, augment)).encode()).hexdigest()
    if cache is not None and cache.exists():
        saved = np.load(cache)
        if str(saved["key"]) == key:
            hands_x, hands_y, neg_x, camera_x = saved["hands_x"], saved["hands_y"], saved["neg_x"], saved["camera_x"]
            return _assemble(x, y, hands_x, hands_y, neg_x, camera_x)
    hands_x, hands_y, neg_x = _pools(x, seed, hands_share, negative_share, augment)
    camera_x = camera_style_batch(x, seed) if (augment and camera) else x
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, key=key, hands_x=hands_x, hands_y=hands_y, neg_x=neg_x, camera_x=camera_x)
        tmp.replace(cache)
    return _assemble(x, y, hands_x, hands_y, neg_x, camera_x)


def _assemble(x, y, hands_x, hands_y, neg_x, camera_x) -> Mix:
    neg_y = np.full(len(neg_x), NOT_A_DIGIT, np.uint8)
    all_x = np.concatenate([x, hands_x, neg_x])
    return Mix(
        x=all_x,
        y=np.concatenate([y.astype(np.uint8), hands_y.astype(np.uint8), neg_y]),
        camera_x=np.concatenate([camera_x, hands_x, neg_x]),
        counts={"digits": int(len(x)), "other_hands": int(len(hands_x)), "not_a_digit": int(len(neg_x))},
    )


def validation_mix(x, y, seed: int, *, hands_share: float, negative_share: float, augment: bool) -> Mix:
    """The validation digits with their own other-hands and negatives draw (no camera copies)."""
    return build_mix(x, y, seed + VAL_SEED_OFFSET, hands_share=hands_share,
                     negative_share=negative_share, augment=augment, camera=False)
