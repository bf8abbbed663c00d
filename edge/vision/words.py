"""Words: digits read among letters are letters' strokes.

A printed or written word is a row of pieces spaced as a number's digits are; the classifier
rejects most of its letters, but an r, t or n stem reads as a confident 1, an e or o as a 0.
Taken alone, each such piece is a digit; taken with its word, it is not. `in_words` joins the
pieces of a frame into words (same line, a gap under WORD_GAP of the taller one's height,
heights within WORD_HEIGHT of each other: a letter's x-height beside a digit) and drops the
accepted pieces of a word whose rejected pieces outnumber its accepted ones. A number keeps
its digits where most of them read; a unit or a label written apart from a number is another
word. Every size is a share of the pieces' own heights, so it holds at every scale.
"""

from __future__ import annotations

import numpy as np

from edge.vision.components import groups, pairwise

WORD_GAP = 0.5  # gap between two pieces of one word, share of the taller one's height
WORD_HEIGHT = 0.4  # the shorter piece's height is at least this share of the taller one's
WORD_OVERLAP = 0.5  # vertical overlap, share of the shorter piece's height: the same line


def in_words(boxes: np.ndarray, taken: np.ndarray, letters: np.ndarray | None = None,
             blobs: list | None = None) -> np.ndarray:
    """Per piece of (N, 4) `boxes` (x, y, w, h): True where it is `taken` as a digit but sits in
    a word whose `letters` (pieces the model calls "not a digit"; default: every piece not
    taken) outnumber its digits. A piece that is neither (dropped for low confidence) is a
    doubtful digit, not a letter, and takes no side: counted as a letter, the broken digits of
    a hollow pen's number dropped their readable neighbours. Given each piece's blob (`blobs`:
    any key, equal for the pieces cut from one blob of ink), a word's digits cut from one blob
    count once: a letter cut into strokes is one mark (a printed "Ma" read as 1112 beside the
    "rch" of its word), where a number's digits are mostly blobs of their own."""
    letters = ~taken if letters is None else letters & ~taken
    drop = np.zeros(len(boxes), bool)
    if not taken.any() or not letters.any():
        return drop
    sides = np.flatnonzero(taken | letters)
    g = pairwise(boxes[sides])
    h = boxes[sides, 3].astype(np.float64)
    tall, short = np.maximum(h[:, None], h[None]), np.minimum(h[:, None], h[None])
    linked = (g["gap_x"] <= WORD_GAP * tall) & (short >= WORD_HEIGHT * tall) & (-g["gap_y"] >= WORD_OVERLAP * short)
    i, j = np.nonzero(np.triu(linked, 1))
    for group in groups(len(sides), zip(i, j)):
        word = sides[group]
        digits = int(taken[word].sum()) if blobs is None else len({blobs[k] for k in word if taken[k]})
        if digits and int(letters[word].sum()) > digits:
            drop[word] = taken[word]
    return drop
