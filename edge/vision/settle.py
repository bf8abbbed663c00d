"""Settle each blob: of its candidate cuts, the one whose pieces are most probably digits wins.

A cut's score is the sum over its pieces of the log-probability of each piece's top digit
(the product of the probabilities, so more pieces must earn their place). With a model
that also answers "not a digit" (an 11th column), that column's share is taken from the
digits, so a cut into fragments, letters or marks scores low without a rule of its own.
"""

from __future__ import annotations

import numpy as np

from edge.vision.cuts import Blob, Cut, Piece

DIGITS = 10  # columns 0-9 are the digits
NOT_A_DIGIT = 10  # an 11-output model's last column: "not a digit" (letters, fragments, marks)
SWITCH_MARGIN = 0.2  # log-probability another cut must win by: fragments of one digit are often read confidently too
LOG_FLOOR = 1e-6  # probabilities are floored here before the log, so one hopeless piece cannot be -inf


def digit_values(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(top digit, its probability) per row of (N, 10) or (N, 11) class probabilities."""
    digits = probs[:, :DIGITS]
    if len(digits) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    values = digits.argmax(axis=1)
    return values, digits[np.arange(len(values)), values]


def not_a_digit(probs: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Per row: True where p(not a digit) >= `threshold` (the model's calibrated reject, see
    convert.reject); with None, where "not a digit" is the best answer. Never with 10 outputs."""
    if probs.shape[1] <= NOT_A_DIGIT:
        return np.zeros(len(probs), bool)
    if threshold is None:
        return probs.argmax(axis=1) == NOT_A_DIGIT
    return probs[:, NOT_A_DIGIT] >= threshold


def piece_scores(probs: np.ndarray) -> np.ndarray:
    """Log-probability that each piece is the digit it reads as."""
    return np.log(np.maximum(digit_values(probs)[1], LOG_FLOOR))


def may_switch(blob: Blob, score: dict[Piece, float]) -> bool:
    """Whether any other cut of `blob` could win, knowing only its default cut's scores.

    Every piece scores at most 0 (a log-probability), so another cut scores at most 0 too
    and must beat the default by SWITCH_MARGIN: a default scoring SWITCH_MARGIN or better
    (its digits jointly at least 82% probable) stays, whatever the other cuts would read.
    The reader classifies the other cuts' pieces only of blobs where this is True.
    """
    return len(blob.cuts) > 1 and sum(score[p] for p in blob.default) < -SWITCH_MARGIN


def settle(blob: Blob, score: dict[Piece, float]) -> Cut:
    """The cut of `blob` to read: its default, unless another scores SWITCH_MARGIN more."""
    best = blob.default
    if not may_switch(blob, score):
        return best
    totals = [sum(score[p] for p in cut) for cut in blob.cuts]
    n = int(np.argmax(totals[1:])) + 1
    return blob.cuts[n] if totals[n] - totals[0] > SWITCH_MARGIN else best
