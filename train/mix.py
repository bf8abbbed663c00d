"""The training mix: MNIST, digits in other hands, digits with a touching neighbour's sliver, and
"not a digit" crops, in fixed shares.

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
from train.negatives import KINDS, negatives
from train.neighbours import with_neighbours

VAL_SEED_OFFSET = 50_000  # validation pools are drawn from a seed far from the training one's


@dataclass
class Mix:
    x: np.ndarray  # (N, 28, 28) uint8: MNIST (+ Kaggle, + crops), other hands, with neighbours, negatives
    y: np.ndarray  # (N,) uint8, NOT_A_DIGIT for the negatives
    camera_x: np.ndarray  # the camera-style version of each (extra crops stand for themselves)
    counts: dict


def _pools(x_digits: np.ndarray, y_digits: np.ndarray, seed: int, hands_share: float, negative_share: float,
           neighbour_share: float, negative_kinds: tuple[str, ...], augment: bool):
    n_hands = int(round(hands_share * len(x_digits))) if augment else 0
    n_near = int(round(neighbour_share * len(x_digits))) if augment else 0
    n_neg = int(round(negative_share * (len(x_digits) + n_hands + n_near)))
    hands_x, hands_y = other_hands(n_hands, seed)
    near_x, near_y = with_neighbours(n_near, seed + 2, x_digits, y_digits)
    neg_x = negatives(n_neg, seed + 1, x_digits, negative_kinds) if n_neg else np.zeros((0, 28, 28), np.uint8)
    return hands_x, hands_y, near_x, near_y, neg_x


def build_mix(x, y, seed: int, *, hands_share: float, negative_share: float, augment: bool,
              neighbour_share: float = 0.0, negative_kinds: tuple[str, ...] = KINDS,
              cache: Path | None = None, camera: bool = True, far_share: float = 0.0) -> Mix:
    """`x, y` (real digits) plus `hands_share` of their count in other hands and `neighbour_share`
    with a touching neighbour's sliver, plus negatives of `negative_kinds` making up
    `negative_share` of all those digits, and the digits' camera-style copies (`far_share` of them
    seen from afar). Cached in `cache` (an .npz) when given."""
    shares = (len(x), seed, hands_share, negative_share, neighbour_share, augment, tuple(negative_kinds))
    shares += (far_share,) if far_share else ()  # a cache made before the far share still matches
    key = hashlib.sha256(x.tobytes()[:1_000_000] + repr(shares).encode()).hexdigest()
    names = ("hands_x", "hands_y", "near_x", "near_y", "neg_x", "camera_x")
    if cache is not None and cache.exists():
        saved = np.load(cache)
        if str(saved["key"]) == key:
            return _assemble(x, y, *(saved[name] for name in names))
    pools = _pools(x, y, seed, hands_share, negative_share, neighbour_share, tuple(negative_kinds), augment)
    camera_x = camera_style_batch(x, seed, far_share) if (augment and camera) else x
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, key=key, **dict(zip(names, (*pools, camera_x), strict=True)))
        tmp.replace(cache)
    return _assemble(x, y, *pools, camera_x)


def _assemble(x, y, hands_x, hands_y, near_x, near_y, neg_x, camera_x) -> Mix:
    neg_y = np.full(len(neg_x), NOT_A_DIGIT, np.uint8)
    extra_x = (hands_x, near_x, neg_x)  # drawn crops stand for themselves in the camera-style copy too
    return Mix(
        x=np.concatenate([x, *extra_x]),
        y=np.concatenate([y.astype(np.uint8), hands_y.astype(np.uint8), near_y.astype(np.uint8), neg_y]),
        camera_x=np.concatenate([camera_x, *extra_x]),
        counts={"digits": int(len(x)), "other_hands": int(len(hands_x)), "with_neighbours": int(len(near_x)),
                "not_a_digit": int(len(neg_x))},
    )


def validation_mix(x, y, seed: int, *, hands_share: float, negative_share: float, augment: bool,
                   neighbour_share: float = 0.0, negative_kinds: tuple[str, ...] = KINDS) -> Mix:
    """The validation digits with their own other-hands, neighbours and negatives draw (no camera copies)."""
    return build_mix(x, y, seed + VAL_SEED_OFFSET, hands_share=hands_share, negative_share=negative_share,
                     neighbour_share=neighbour_share, negative_kinds=negative_kinds, augment=augment, camera=False)
