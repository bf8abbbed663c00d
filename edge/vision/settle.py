"""Settle each blob: of its candidate cuts, the one whose pieces are most probably digits wins.

A cut's score is the sum over its pieces of the log-probability of each piece's top digit
(the product of the probabilities, so more pieces must earn their place). With a model
that also answers "not a digit" (an 11th column), that column's share is taken from the
digits, so a cut into fragments, letters or marks scores low without a rule of its own; a
piece whose best answer is "not a digit" scores the floor, so a cut keeping one never wins
over the default (field test: half of the distractors' false digits were such cuts).

A blob with `spans` is also searched as a lattice (`best_chain`): any chain of spans across
it, each piece at least CHAIN_FLOOR sure, is one more cut (touching and overlapping digits
whose join is not where even spacing puts the cut). Only sure pieces can be links, so a span is
worth reading only where a chain of sure ones reaches it (`reachable_spans`): the reader reads
a lattice left to right, a round at a time, and skips the rest of it. Where that upright lattice
falls short (`needs_slanted`), the blob's slanted lattice, cut along the writing's lean, is
searched the same way, every link SLANT_FLOOR sure.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection

import cv2
import numpy as np

from edge.vision.cuts import SPAN_OVERLAP, Blob, Cut, Piece, Span

DIGITS = 10  # columns 0-9 are the digits
NOT_A_DIGIT = 10  # an 11-output model's last column: "not a digit" (letters, fragments, marks)
SWITCH_MARGIN = 0.2  # log-probability another cut must win by: fragments of one digit are often read confidently too
# Each piece of a chain of spans must be at least this sure a digit: the search tries many spans,
# and with a loose floor a printed M or W reads as 1111 (field test: distractors' false digits)
CHAIN_FLOOR = float(np.log(0.9))
# ... a link read as another digit, at least this sure: letters and marks cut apart read as 1s,
# and a digit overlapping its neighbours in a chain of touching ones carries their arcs in its crop
# (the middle 0 of an overlapping `1000` reads 0.6-0.8 a 0). Tuned on the dev set's touching
# digits: at 0.8 they read 1.8 points more, at 0.7 3.0 (one more false digit of 1,172 marks), at
# 0.6 4.0 (12 more false digits: arrows and scribbles cut into 7s and 4s)
LINK_FLOOR = float(np.log(0.7))
# Two neighbouring 1s of a cut leaning opposite ways by at least this much each (x per y, ~17
# degrees) are one V-shaped mark cut in two: a tick, a v or w, an arrow's barbs. A writer's
# 1s lean one way, touching or not.
VEE_LEAN = 0.3
# A cut into two or more 1s is a letter's stems cut apart (n, u, h, m, H, M, N, a printed
# serif's foot) unless its 1s are parallel, neighbouring leans within PARALLEL_LEAN, and it is
# sure, jointly at least SURE_ONES probable: touching 1s by one writer are parallel strokes,
# where each half of a letter carries half of its arch or serifs and leans its own way
PARALLEL_LEAN = 0.1
# A piece read as a 1 that leans back ("\", top left of its foot) farther than this (x per y,
# 27 degrees) is a stroke, not a 1: of MNIST's 6,742 training 1s, 99.84% lean less (most lean
# forward, "/", up to 1.0 and more). Scribbles' and letters' lone back strokes read as sure 1s
BACK_LEAN = 0.5
# A 1 written with the pen of the digits of its size beside it has their stroke width: one
# thinner than HAIRLINE of theirs (their median, PEERS of them at least, heights within
# PEER_HEIGHT of its own) is a printed line's remnant (a grid's thin inner cell line) or a hairline.
# Half: at 0.55 the dev grids read a point more, but 5 thin 1s of the demo's 400 frames went (its
# numbers mix MNIST's writers, one pen per digit); at 0.7 the demo lost 0.6 points
HAIRLINE = 0.5
PEERS = 3
PEER_HEIGHT = 1.5
SURE_ONES = float(np.log(0.75))
# Every link of a chain of the slanted lattice (a second try at ink whose upright lattice has no
# chain) must be this sure, whatever digit it reads: with a second lattice of every doubtful
# blob, chance chains through letters and scribbles double. Dev set, spans unbounded: at the
# upright lattice's floors the slanted one read touching digits 0.85 points more and the
# distractors 12 more false digits (printed words, letters, scribbles); at 0.97 the same
# touching digits, no more false ones
SLANT_FLOOR = float(np.log(0.97))
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
    """Log-probability that each piece is the digit it reads as; the floor for a piece whose best
    answer is "not a digit", so a cut with such a piece never beats one without."""
    p = np.where(not_a_digit(probs), LOG_FLOOR, digit_values(probs)[1])
    return np.log(np.maximum(p, LOG_FLOOR))


def may_switch(blob: Blob, score: dict[Piece, float]) -> bool:
    """Whether any other cut of `blob` could win, knowing only its default cut's scores.

    Every piece scores at most 0 (a log-probability), so another cut scores at most 0 too
    and must beat the default by SWITCH_MARGIN: a default scoring SWITCH_MARGIN or better
    (its digits jointly at least 82% probable) stays, whatever the other cuts would read.
    The reader classifies the other cuts' pieces only of blobs where this is True.
    """
    return len(blob.cuts) > 1 and sum(score[p] for p in blob.default) < -SWITCH_MARGIN


def needs_lattice(blob: Blob, score: dict[Piece, float]) -> bool:
    """Whether `blob`'s spans are worth reading, its explicit cuts read: only where none of them
    is a confident reading (its digits jointly at least as probable as may_switch asks of a
    default). Most doubtful blobs are settled by a cut, and a blob's spans are ten times its cuts'
    pieces: reading them for every doubtful blob cost a 720p field scene 3x its time."""
    return all(sum(score[p] for p in cut) < -SWITCH_MARGIN for cut in blob.cuts)


def needs_slanted(blob: Blob, score: dict[Piece, float], ones: Collection[Piece]) -> bool:
    """Whether `blob`'s slanted lattice is worth reading, its upright one read (`ones`: the pieces
    read as 1s): only where that has no chain whose every link is SLANT_FLOOR sure (a slanted
    chain must be), and where some piece of it read so far is a digit other than a 1 that sure:
    the ink holds a digit. Letters and scribbles hold sure 1s (stems, strokes) but seldom a sure
    other digit; dev set, 720p distractor scenes: the slanted lattices of every blob without an
    upright chain cost a frame 11 ms and read no digit; of these 1.7 ms (touching digits: 0.73
    points more read, where all of them gave 0.97)."""
    if best_chain(blob.spans, score, ones, SLANT_FLOOR) is not None:
        return False
    return any(score.get(p, -np.inf) >= SLANT_FLOOR and p not in ones for p in (*blob.cut_pieces, *(s.piece for s in blob.spans)))


def _overlap(spans: tuple[Span, ...]) -> float:
    """How far a span may start before its predecessor ends: SPAN_OVERLAP of the blob's height."""
    return SPAN_OVERLAP * max(s.piece.box.h for s in spans)


def _sure(span: Span, score: dict[Piece, float], ones: Collection[Piece], floor: float | None = None) -> bool:
    """Whether `span` may be a link of a chain: read at least CHAIN_FLOOR sure as a 1 (`ones`),
    at least LINK_FLOOR sure as another digit; at least `floor` sure as any digit where given."""
    if floor is None:
        floor = CHAIN_FLOOR if span.piece in ones else LINK_FLOOR
    return score.get(span.piece, -np.inf) >= floor


def reachable_spans(spans: tuple[Span, ...], score: dict[Piece, float], ones: Collection[Piece],
                    floor: float | None = None) -> list[Span]:
    """The spans a chain of sure pieces can reach, given the scores read so far (and the pieces
    of them read as 1s, `ones`; `floor`: see `_sure`): those starting
    the blob, and those that may follow a span read sure (starting at or up to the overlap
    before where it ends, and after where it starts). Reading these, then asking again until
    nothing new is reachable, reads every span of every chain `best_chain` can return."""
    if not spans:
        return []
    overlap = _overlap(spans)
    by_start = sorted(spans, key=lambda s: s.start)
    starts = [s.start for s in by_start]
    out = {s for s in by_start if s.start == 0}
    for prev in spans:
        if _sure(prev, score, ones, floor):
            lo, hi = bisect_left(starts, prev.end - overlap), bisect_right(starts, prev.end)
            out.update(s for s in by_start[lo:hi] if s.start > prev.start)
    return [s for s in by_start if s in out]


def best_chain(spans: tuple[Span, ...], score: dict[Piece, float], ones: Collection[Piece],
               floor: float | None = None) -> tuple[float, Cut] | None:
    """The chain of spans across a blob, every piece a sure link (`_sure`: `ones` are those read
    as 1s; `floor`), whose pieces are
    jointly most probably digits, and its score (dynamic programming over the lattice: each span
    after the best chain ending where it starts, or up to SPAN_OVERLAP heights after, where two
    digits overlap). Spans not read (not in `score`) are no links."""
    if not spans:
        return None
    last = max(s.end for s in spans)
    overlap = _overlap(spans)
    ending: dict[int, list[tuple[float, Span]]] = {}
    chain: dict[Span, tuple[float, Span | None]] = {}
    for span in sorted((s for s in spans if _sure(s, score, ones, floor)), key=lambda s: (s.end, s.start)):
        before = None if span.start == 0 else max(
            ((total, prev) for end, tails in ending.items() if span.start <= end <= span.start + overlap
             for total, prev in tails if prev.start < span.start), default=None, key=lambda t: t[0])
        if span.start and before is None:
            continue
        total = score[span.piece] + (before[0] if before else 0.0)
        chain[span] = (total, before[1] if before else None)
        ending.setdefault(span.end, []).append((total, span))
    ends = [(total, span) for total, span in ending.get(last, ())]
    if not ends:
        return None
    total, span = max(ends, key=lambda t: t[0])
    pieces = []
    while span is not None:
        pieces.append(span.piece)
        span = chain[span][1]
    return total, tuple(reversed(pieces))


def lean(crops: np.ndarray) -> np.ndarray:
    """Per (N, 28, 28) crop, how its ink leans: x per y of its principal stroke (its central
    moments' mu11 / mu02), positive for a "\\", negative for a "/" (y grows downwards)."""
    moments = [cv2.moments(crop) for crop in crops]
    return np.array([m["mu11"] / max(m["mu02"], 1e-9) for m in moments], np.float64)


def back_strokes(values: np.ndarray, crops: np.ndarray) -> np.ndarray:
    """Which pieces (their read digit `values`, their (N, 28, 28) crops) are 1s leaning back
    farther than any writer's 1 (BACK_LEAN): a scribble's or letter's stroke."""
    out = np.zeros(len(values), bool)
    ones = np.flatnonzero(np.asarray(values) == 1)
    if len(ones):
        out[ones] = lean(crops[ones]) > BACK_LEAN
    return out


def hairlines(values: np.ndarray, widths: np.ndarray, heights: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Which pieces (their read `values`, stroke `widths`, box `heights`) are 1s far thinner than
    the pen's other `digits` (a mask: pieces read as digits) of their size (HAIRLINE)."""
    values, widths, heights = np.asarray(values), np.asarray(widths, np.float64), np.asarray(heights, np.float64)
    out = np.zeros(len(values), bool)
    pens = np.flatnonzero(np.asarray(digits, bool) & (values != 1))
    if len(pens) < PEERS:
        return out
    for i in np.flatnonzero(values == 1):
        near = pens[(heights[pens] * PEER_HEIGHT >= heights[i]) & (heights[pens] <= PEER_HEIGHT * heights[i])]
        if len(near) >= PEERS:
            out[i] = widths[i] < HAIRLINE * float(np.median(widths[near]))
    return out


def a_vee(cut: Cut, leaning: dict[Piece, float]) -> bool:
    """The cut holds two neighbouring 1s (pieces in `leaning`, the lean of each piece read as
    a 1) that lean opposite ways by VEE_LEAN each: one V-shaped mark, not two digits."""
    return any(a in leaning and b in leaning and leaning[a] * leaning[b] < 0
               and min(abs(leaning[a]), abs(leaning[b])) >= VEE_LEAN for a, b in zip(cut, cut[1:]))


def stems(cut: Cut, total: float, leaning: dict[Piece, float]) -> bool:
    """The cut is two or more 1s (pieces in `leaning`) that are not sure parallel strokes: a
    letter's stems cut apart, no digits (`total`: the cut's score)."""
    if len(cut) < 2 or not all(p in leaning for p in cut):
        return False
    parallel = all(abs(leaning[a] - leaning[b]) <= PARALLEL_LEAN for a, b in zip(cut, cut[1:]))
    return not (parallel and total >= SURE_ONES)


def settle(blob: Blob, score: dict[Piece, float], *, lattice: bool = True, ones: frozenset[Piece] = frozenset(),
           on_lines: frozenset[Piece] = frozenset(), leaning: dict[Piece, float] | None = None,
           slanted: bool = False) -> Cut:
    """The cut of `blob` to read: its default, unless another (or, with `lattice`, a chain of its
    spans; with `slanted`, a chain of its slanted spans, every link SLANT_FLOOR sure) scores
    SWITCH_MARGIN more. A reader that does not read the spans passes `lattice=False`, so they
    are never found.

    `ones` are the pieces read as a 1: a chain of two or more spans that are all 1s is no cut.
    Joined upright strokes are a letter's stems (n, m, u, w, h, M, N, W, H) far more often than
    1s that touch, and the stems of every such letter read as sure 1s one by one (dev set, with
    every lattice searched: the distractors' false digits 303 -> 268, connected digits -5 of 823).
    A chain with a piece `on_lines` (a 1 standing on a grid's or box's printed line, see
    edge.vision.grid.on_lines) is no cut either: that is the line's remnant beside a digit.
    `leaning` holds how each piece read as a 1 leans (`lean`): no cut other than the default
    may hold a V of two (`a_vee`): a tick the classifier rejects whole reads as two sure 1s cut
    in two (dev set, one mark to a scene: ticks gave 139 false digits per 360). Nor may it be all
    1s, unless they are sure and parallel (`stems`): a letter cut at its stems reads as sure 1s,
    one per stem (dev set: printed words' false digits 13.3 -> 6.2 per 100 marks). A blob too
    narrow for other touching digits (`Blob.only_ones`) switches only to a cut into 1s."""
    best = blob.default
    if not may_switch(blob, score):
        return best
    leaning = leaning or {}
    options = [(sum(score[p] for p in cut), cut) for cut in blob.cuts]
    chains = [best_chain(blob.spans, score, ones) if lattice else None,
              best_chain(blob.slanted_spans, score, ones, SLANT_FLOOR) if slanted else None]
    options += [chain for chain in chains if chain is not None and not (len(chain[1]) > 1 and all(p in ones for p in chain[1]))
                and not any(p in on_lines for p in chain[1])]
    options[1:] = [(total, cut) for total, cut in options[1:] if not a_vee(cut, leaning)
                   and not stems(cut, total, leaning) and (not blob.only_ones or all(p in leaning for p in cut))]
    if len(options) == 1:
        return best
    total, cut = max(options[1:], key=lambda t: t[0])
    return cut if total - options[0][0] > SWITCH_MARGIN else best
