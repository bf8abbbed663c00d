"""Ambiguous blobs read more than one way, and the classifier settles which way is right.

Geometry alone cannot tell a wide 0 from a 2 and a 1 that touch, or two strokes of
one broken 4 from a 1 beside a 1. The segmenter makes its best guess (the default
boxes) and, for the blobs where that guess is shaky, offers alternatives: the same
ink cut into a different number of digits, or two neighbouring boxes read as one.
All crops go through the classifier in the frame's one batch; each alternative
replaces its default boxes when its digits are jointly more probable (product of
the pieces' top digit probabilities, so more pieces must earn their place). With an
11-output model the "not a digit" score is left out of that product: a piece the model
calls a fragment or a mark has a low digit probability, so a cut that makes one loses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TRY_SPLIT_ASPECT = 0.95  # a blob wider than this times its height may hold two touching digits
DIGIT_ASPECT = 0.7  # typical width / height of one digit, to guess how many touch
MAX_PIECES = 6
CUT_WINDOW = 0.3  # a cut lies within this share of a digit width of its even-spacing position
SWITCH_MARGIN = 0.2  # log-probability an alternative must win by: fragments of one digit are often read confidently too


@dataclass(frozen=True)
class Alternative:
    replaces: tuple[int, ...]  # indices of the default boxes this reading would replace
    start: int  # its boxes and crops are alt_boxes[start : start + count]
    count: int


def cut_columns(mask: np.ndarray, k: int) -> list[tuple[int, int]]:
    """Column ranges of `mask` cut into `k` pieces at the projection minima near even spacing."""
    h, w = mask.shape
    columns = mask.sum(axis=0)
    cuts = [0]
    for j in range(1, k):
        centre = j * w / k
        lo = max(cuts[-1] + 1, int(centre - CUT_WINDOW * w / k))
        hi = min(w - 1, int(centre + CUT_WINDOW * w / k) + 1)
        if hi <= lo:
            continue
        cuts.append(lo + int(np.argmin(columns[lo:hi])))
    cuts.append(w)
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=False) if b - a >= 2 and mask[:, a:b].any()]


def cut_blob(box, ids: list[int], labels: np.ndarray, k: int, at: float | None = None) -> list[tuple[list[int], list[int]]]:
    """(box, member labels) of each of `k` pieces of one blob; the whole blob when k is 1.

    `at` (a share of the width) cuts in two at the projection minimum nearest it instead.
    """
    x, y, w, h = (int(v) for v in box)
    if k <= 1:
        return [([x, y, w, h], ids)]
    mask = np.isin(labels[y : y + h, x : x + w], ids)
    if at is None:
        ranges = cut_columns(mask, k)
    else:  # a narrow 1 beside a wide digit touches it far from the middle
        lo, hi = max(1, int(at * w - 0.15 * w)), min(w - 1, int(at * w + 0.15 * w) + 1)
        cut = lo + int(np.argmin(mask.sum(axis=0)[lo:hi])) if hi > lo else w // 2
        ranges = [(a, b) for a, b in ((0, cut), (cut, w)) if b - a >= 2 and mask[:, a:b].any()]
    out = []
    for a, b in ranges:
        rows = np.nonzero(mask[:, a:b].any(axis=1))[0]
        out.append(([x + a, y + int(rows[0]), b - a, int(rows[-1] - rows[0] + 1)], ids))
    return out


def piece_counts(w: int, h: int, default: int) -> list[int]:
    """How many digits a blob w wide and h tall might hold, besides the default guess."""
    if w <= TRY_SPLIT_ASPECT * h:
        return []
    guess = int(np.clip(round(w / (DIGIT_ASPECT * h)), 2, MAX_PIECES))
    options = {1, 2, guess - 1, guess, guess + 1} & set(range(1, MAX_PIECES + 1))
    return sorted(options - {default})


def settle(probs: np.ndarray, alt_probs: np.ndarray, alternatives: tuple[Alternative, ...]) -> tuple[np.ndarray, list[int]]:
    """Which default boxes stay (bool mask) and which alternatives are taken (their indices).

    Each alternative gains the log-probability of its pieces over that of the boxes it
    replaces; the best gains are taken first, and one that overlaps a taken one is not.
    """
    keep = np.ones(len(probs), bool)
    if not alternatives:
        return keep, []
    # [:, :10]: a piece's score is how probably it is a digit, never "not a digit"
    log_default = np.log(np.maximum(probs[:, :10].max(axis=1), 1e-6))
    log_alt = np.log(np.maximum(alt_probs[:, :10].max(axis=1), 1e-6))
    gains = [
        float(log_alt[a.start : a.start + a.count].sum() - log_default[list(a.replaces)].sum())
        for a in alternatives
    ]
    taken: list[int] = []
    for n in np.argsort(gains)[::-1]:
        replaces = list(alternatives[n].replaces)
        if gains[n] <= SWITCH_MARGIN:
            break
        if keep[replaces].all():
            keep[replaces] = False
            taken.append(int(n))
    return keep, taken


def choose(boxes: np.ndarray, crops: np.ndarray, alt_boxes: np.ndarray, alt_crops: np.ndarray,
           alternatives: tuple[Alternative, ...], probs: np.ndarray, alt_probs: np.ndarray):
    """The boxes, crops and probabilities read, once each ambiguous blob is settled."""
    keep, taken = settle(probs, alt_probs, alternatives)
    if not taken:
        return boxes, crops, probs
    rows = np.concatenate([np.arange(a.start, a.start + a.count) for a in (alternatives[n] for n in taken)])
    return (
        np.concatenate([boxes[keep], alt_boxes[rows]]),
        np.concatenate([crops[keep], alt_crops[rows]]),
        np.concatenate([probs[keep], alt_probs[rows]]),
    )
