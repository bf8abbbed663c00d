"""One frame in, the numbers on it out. The per-frame flow, top to bottom:

    frame -> Picture          grey computed once (colour kept)         edge.vision.picture
          -> Segmentation     ink (threshold), then blobs, each with   edge.vision.threshold,
                              its candidate cuts                       edge.vision.segment
          -> crops            every default piece, one place           edge.vision.crops
          -> probabilities    one batch, padded to a fixed size        edge.runtime.interpreter
                              (+ the other cuts of doubtful blobs)
          -> Settled          each blob's most probable cut            edge.vision.settle
          -> ReadResult       digits in reading order, immutable       edge.vision.layout

`DigitReader.settle` returns the intermediate result (every settled piece with its box,
probabilities and crop, before the confidence threshold); `read` makes the reading of it,
dropping what is no digit: the model's "not a digit", 1s leaning back or as thin as a printed
line beside the pen's digits (edge.vision.settle), and the letters of words (edge.vision.words).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import reduce
from itertools import compress

import numpy as np

from edge.vision.box import Box, boxes_array
from edge.vision.crops import crop_pieces, stroke_widths
from edge.vision.cuts import Piece
from edge.vision.grid import box_fields, cells, on_lines
from edge.vision.ink import ink_dark_grey
from edge.vision.layout import reading_order_and_marks
from edge.vision.picture import MAX_SIDE, Picture
from edge.vision.segment import Segmentation, segment
from edge.vision.separators import Mark, commas, slashes
from edge.vision.settle import (
    DIGITS,
    SLANT_FLOOR,
    back_strokes,
    digit_values,
    hairlines,
    lean,
    may_switch,
    needs_lattice,
    needs_slanted,
    not_a_digit,
    piece_scores,
    reachable_spans,
    settle,
)
from edge.vision.words import in_words

SPAN_BUDGET = 256  # spans read per frame at most (crop and classify ~0.13 ms each on a 2-core x86 box: ~33 ms at most)

__all__ = ["DEFAULT_MIN_CONFIDENCE", "MAX_SIDE", "Digit", "DigitReader", "ReadResult", "Settled"]

DEFAULT_MIN_CONFIDENCE = 0.5  # below this a piece is not taken as a digit (letters, smudges)


@dataclass(frozen=True)
class Digit:
    value: int
    confidence: float
    box: Box  # x, y, w, h in frame pixels (a tuple too)
    crop: np.ndarray | None = field(default=None, compare=False, repr=False)  # 28x28 uint8, for --save-crops

    def as_json(self) -> dict:
        return {"value": self.value, "confidence": round(self.confidence, 4), "box": list(self.box)}


Number = tuple[Digit, ...]  # digits left to right
Line = tuple[Number, ...]  # numbers left to right


@dataclass(frozen=True)
class ReadResult:
    """What one frame held: lines of numbers of digits (reading order), rejected pieces, stage timings.

    `lines` and `digits` are both views of `rows`, so they always agree. `marks`, per line of
    `rows` (or empty), the written separators found in it (`.`, `,`, `-`, `/`, `=`), left to right.
    """

    source: str
    frame: int
    rows: tuple[Line, ...]  # lines top to bottom
    rejected: tuple[Digit, ...] = ()
    timing_ms: dict[str, float] = field(default_factory=dict)
    marks: tuple[tuple[Mark, ...], ...] = ()

    @property
    def lines(self) -> list[str]:
        """Per line, its numbers separated by one space."""
        return [" ".join("".join(str(d.value) for d in number) for number in line) for line in self.rows]

    @property
    def digits(self) -> list[Digit]:
        """The accepted digits, in the order `lines` spells them."""
        return [d for line in self.rows for number in line for d in number]

    @property
    def crops(self) -> np.ndarray:
        """(N, 28, 28) uint8 crops of `digits`."""
        crops = [d.crop for d in self.digits]
        return np.stack(crops) if crops else np.zeros((0, 28, 28), np.uint8)

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "frame": self.frame,
            "lines": self.lines,
            "digits": [d.as_json() for d in self.digits],
            "separators": [m.as_json(i) for i, line in enumerate(self.marks) for m in line],
            "timing_ms": {k: round(v, 2) for k, v in self.timing_ms.items()},
        }


@dataclass(frozen=True)
class Settled:
    """Every blob of a frame settled to one cut: its pieces as read, before any threshold."""

    boxes: tuple[Box, ...]  # in frame pixels
    probs: np.ndarray  # (N, classes) float32: 10 digits, and "not a digit" where the model has it
    crops: np.ndarray  # (N, 28, 28) uint8, what the model saw
    segmentation: Segmentation  # at the picture's scale (see Picture.scale)
    timing_ms: dict[str, float]  # "segment" (with the default cuts' crops), "classify" (with the rest: doubtful cuts, settling)
    pieces: tuple[Piece, ...]  # the same, at the picture's scale, as they index the segmentation's labels

    @property
    def values(self) -> np.ndarray:
        return digit_values(self.probs)[0]

    @property
    def confidence(self) -> np.ndarray:
        return digit_values(self.probs)[1]



ENCLOSED_HEIGHT = 0.4  # a piece this share of a blob's height or more, inside its box, makes the blob a frame


def enclosing(blobs: list) -> np.ndarray:
    """Per blob: its box holds another blob's piece of digit size (ENCLOSED_HEIGHT of its height):
    it is a frame drawn or printed round a digit (a form's box that rule removal left, a circled
    number), whose corners and sides read as 7s and 1s when its lattice is searched."""
    if len(blobs) < 2:
        return np.zeros(len(blobs), bool)
    outer = boxes_array([reduce(Box.union, (p.box for p in blob.default)) for blob in blobs]).astype(np.int64)
    owner = np.array([b for b, blob in enumerate(blobs) for _ in blob.default])
    inner = boxes_array([p.box for blob in blobs for p in blob.default]).astype(np.int64)
    ox0, oy0, ox1, oy1 = outer[:, 0, None], outer[:, 1, None], (outer[:, 0] + outer[:, 2])[:, None], (outer[:, 1] + outer[:, 3])[:, None]
    ix0, iy0, ix1, iy1 = inner[:, 0], inner[:, 1], inner[:, 0] + inner[:, 2], inner[:, 1] + inner[:, 3]
    inside = (ix0 > ox0) & (iy0 > oy0) & (ix1 < ox1) & (iy1 < oy1) & (inner[:, 3] >= ENCLOSED_HEIGHT * outer[:, 3, None])
    inside &= owner[None] != np.arange(len(blobs))[:, None]
    return inside.any(axis=1)


def search_lattices(blobs: list, score: dict, read, budget: int, ones: Collection[Piece],
                    slanted: bool = False) -> tuple[list, int]:
    """Read the span lattices of `blobs` left to right, a round at a time (`read(pieces)` scores a
    round's crops into `score` and adds those read as 1s to `ones`), at most `budget` spans in
    all (SPAN_BUDGET); returns the blobs searched to the end, the rest settle on their explicit
    cuts, so a page of words or scribbles costs a frame a bounded time.

    The budget counts the spans read, not the spans a lattice holds (a chain of sure pieces
    reaches a third of a lattice): the smallest lattices go first, in waves whose lattices
    together fit what is left of the budget, so no blob of a wave runs out of it half read;
    the rounds of a wave's blobs go in one batch. Where no whole lattice fits what is left, the
    next blob is read alone and dropped where its next round no longer fits. Counting whole
    lattices (the budget before) searched a third of the dev set's touching blobs that these
    reads reach. With `slanted`, the blobs' slanted lattices (every link SLANT_FLOOR sure).
    Returns the blobs searched and the spans read."""
    def spans_of(blob) -> tuple:
        return blob.slanted_spans if slanted else blob.spans

    floor = SLANT_FLOOR if slanted else None
    pending, done, used = sorted(blobs, key=lambda b: len(spans_of(b))), [], 0
    while pending and used < budget:
        wave, reserved = [pending[0]], len(spans_of(pending[0]))
        for blob in pending[1:]:
            if reserved + len(spans_of(blob)) > budget - used:
                break
            wave.append(blob)
            reserved += len(spans_of(blob))
        pending = pending[len(wave):]
        while wave:
            batch: dict = {}
            going = []
            for blob in wave:
                more = [s.piece for s in reachable_spans(spans_of(blob), score, ones, floor)
                        if s.piece not in score and s.piece not in batch]
                if not more:
                    done.append(blob)
                elif used + len(batch) + len(more) <= budget:
                    batch.update(dict.fromkeys(more))
                    going.append(blob)
            if batch:
                read(tuple(batch))
                used += len(batch)
            wave = going
    return done, used


def given_a_digit(probs: np.ndarray, reject_threshold: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(top digit, confidence) per piece. With a calibrated reject the confidence is the top
    digit's share of the digit columns, p(digit | a digit): "is it a digit" is then the
    threshold's question alone, and `min_confidence` asks only "which digit". Without one, the
    top digit's own probability, as the 10-output reader always had."""
    values, confidence = digit_values(probs)
    if reject_threshold is None or probs.shape[1] <= DIGITS or not len(probs):
        return values, confidence
    return values, confidence / np.maximum(probs[:, :DIGITS].sum(axis=1), 1e-6)


class DigitReader:
    """Made once at start-up around a classifier (anything with `classify(crops) -> (N, 10 or 11)`).

    With an 11th score, a piece is rejected where p(not a digit) reaches the classifier's
    calibrated `reject_threshold` (its model card; `reject_threshold=` overrides it), else
    where "not a digit" is its best answer; `min_confidence` still rejects digits the model
    is unsure of.
    """

    def __init__(self, classifier, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE, layout: str = "auto",
                 reject_threshold: float | None = None, span_budget: int = SPAN_BUDGET) -> None:
        self.classifier = classifier
        self.span_budget = span_budget  # spans of touching digits read per frame at most (0: none)
        self.min_confidence = min_confidence
        self.layout = layout  # "auto", "field" or "page": see edge.vision.field
        self.reject_threshold = reject_threshold if reject_threshold is not None \
            else getattr(classifier, "reject_threshold", None)

    def settle(self, frame: np.ndarray) -> Settled:
        """Segment, crop and classify the pieces in one batch, settle each blob to its most probable cut.

        The batch holds every blob's default cut; a second, small one holds the other cuts
        of the few blobs whose default is doubtful enough that another cut could win
        (`may_switch`): the same answer as classifying every cut, for about half the crops.
        With a "not a digit" column a third batch holds the spans of the doubtful blobs that no
        cut reads confidently, at most `span_budget` of them.
        """
        t0 = time.perf_counter()
        picture = Picture.of(frame, grey_of=ink_dark_grey)  # coloured pen and chalk on a board made dark on light
        seg = segment(picture.grey, self.layout)
        pieces = tuple(dict.fromkeys(p for blob in seg.blobs for p in blob.default))
        crops = crop_pieces(seg.ink, seg.labels, pieces)
        t1 = time.perf_counter()
        probs = self.classifier.classify(crops)
        score = dict(zip(pieces, piece_scores(probs).tolist(), strict=True))
        read_ones = set(compress(pieces, digit_values(probs)[0] == 1))  # a link read as a 1 must be surer

        def read_more(more: tuple[Piece, ...]) -> None:
            nonlocal pieces, crops, probs
            if more:
                more_crops = crop_pieces(seg.ink, seg.labels, more)
                more_probs = self.classifier.classify(more_crops)
                score.update(zip(more, piece_scores(more_probs).tolist(), strict=True))
                read_ones.update(compress(more, digit_values(more_probs)[0] == 1))
                pieces, crops, probs = pieces + more, np.concatenate([crops, more_crops]), np.concatenate([probs, more_probs])

        def unread(candidates) -> tuple[Piece, ...]:
            return tuple(dict.fromkeys(p for p in candidates if p not in score))

        # first the explicit cuts of the doubtful blobs; then, only with a "not a digit" column
        # (without it fragments read as confident digits), the spans of those that no cut reads
        # confidently (needs_lattice), within the frame's budget
        switching = [blob for blob in seg.blobs if may_switch(blob, score)]
        read_more(unread(p for blob in switching for p in blob.cut_pieces))
        searched, slanted = [], []
        if probs.shape[1] > DIGITS:
            doubtful = [blob for blob in switching if needs_lattice(blob, score)]
            if doubtful:  # a frame round another blob's digit is no lattice to search
                framed = {id(blob) for blob, f in zip(seg.blobs, enclosing(list(seg.blobs)), strict=True) if f}
                doubtful = [blob for blob in doubtful if id(blob) not in framed]
            searched, used = search_lattices(doubtful, score, read_more, self.span_budget, read_ones)
            # the slanted lattices where the upright ones fall short, with what is left of the budget
            chainless = [blob for blob in searched if needs_slanted(blob, score, read_ones)]
            slanted, _ = search_lattices(chainless, score, read_more, self.span_budget - used, read_ones, slanted=True)
        searched_ids = {id(blob) for blob in searched}
        slanted_ids = {id(blob) for blob in slanted}
        # the spans read as 1s, and those of them standing on a printed line: links settle refuses
        spanned = {s.piece for blob in searched for s in blob.spans}
        spanned.update(s.piece for blob in slanted for s in blob.slanted_spans)
        # how the 1s of the cuts settle may switch to lean (a V of two is no cut): those only
        cut = spanned.union(p for blob in switching for p in blob.cut_pieces)
        read_one = (digit_values(probs)[0] == 1) & np.array([p in cut for p in pieces], bool)
        leaning = dict(zip(compress(pieces, read_one), lean(crops[read_one]).tolist(), strict=True))
        ones = [p for p in leaning if p in spanned]
        lines = frozenset(compress(ones, on_lines(seg.grid, boxes_array([p.box for p in ones]))))
        row = {piece: i for i, piece in enumerate(pieces)}
        chosen = [row[piece] for blob in seg.blobs
                  for piece in settle(blob, score, lattice=id(blob) in searched_ids, ones=frozenset(ones), on_lines=lines,
                                       leaning=leaning, slanted=id(blob) in slanted_ids)]
        t2 = time.perf_counter()
        back = 1.0 / picture.scale
        boxes = tuple(pieces[i].box.scale(back) for i in chosen)
        timing = {"segment": (t1 - t0) * 1e3, "classify": (t2 - t1) * 1e3}
        return Settled(boxes, probs[chosen], crops[chosen], seg, timing, tuple(pieces[i] for i in chosen))

    def read(self, frame: np.ndarray, *, source: str = "", index: int = 0, decode_ms: float = 0.0) -> ReadResult:
        settled = self.settle(frame)
        t0 = time.perf_counter()
        values, confidence = given_a_digit(settled.probs, self.reject_threshold)
        letters = not_a_digit(settled.probs, self.reject_threshold) | back_strokes(values, settled.crops)
        if (values == 1).any():  # a 1 as thin beside the pen's digits as a printed line is one
            widths = stroke_widths(settled.segmentation.labels, settled.pieces)
            letters |= hairlines(values, widths, np.array([p.box.h for p in settled.pieces], np.float64), ~letters)
        taken = (confidence >= self.min_confidence) & ~letters
        if len(taken):
            taken &= ~in_words(boxes_array(settled.boxes), taken, letters, [p.labels for p in settled.pieces])
        found = [Digit(int(v), float(c), box, crop)
                 for v, c, box, crop in zip(values, confidence, settled.boxes, settled.crops, strict=True)]
        accepted = [d for d, ok in zip(found, taken, strict=True) if ok]
        rejected = tuple(d for d, ok in zip(found, taken, strict=True) if not ok)
        order, marks = self._order(accepted, settled.segmentation, frame)
        rows = tuple(tuple(tuple(accepted[i] for i in number) for number in line) for line in order)
        timing = {"decode": decode_ms, **settled.timing_ms, "group": (time.perf_counter() - t0) * 1e3}
        timing["total"] = sum(timing.values())
        return ReadResult(source, index, rows, rejected, timing, tuple(marks))

    @staticmethod
    def _order(accepted: list[Digit], seg: Segmentation, frame: np.ndarray) -> tuple[list, list[tuple[Mark, ...]]]:
        """Reading order of the accepted digits (drops those that are a field's `/` or `,`), with the
        page's separators, comb box sides and grid cells (edge.vision.separators, grid, field);
        and per line the written separators found."""
        back = frame.shape[0] / max(seg.ink.shape[0], 1)  # segmentation pixels -> frame pixels
        boxes = boxes_array([d.box for d in accepted])
        at_seg = np.round(boxes / back).astype(np.int32)
        slash = comma = np.zeros(len(accepted), bool)
        if seg.one_field:  # a `/` reads as a confident 1; on pages slanted 1s are far commoner (demo)
            slash = slashes(seg.ink, at_seg, np.array([d.value for d in accepted]))
            comma = commas(boxes)  # ... and so does a `,`: among a field's digits of one size, no digit
        keep = np.flatnonzero(~slash & ~comma)
        grid_cells = cells(seg.grid, at_seg[keep], seg.ink)
        if grid_cells is not None:
            grid_cells = (grid_cells[0] * back, *grid_cells[1:])
        elif not seg.one_field and (in_boxes := box_fields(seg.grid, at_seg[keep])) is not None:
            grid_cells = (np.full(len(keep), np.nan), in_boxes, True)  # a form's fields: one number each
        order, marks = reading_order_and_marks(boxes[keep], one_line=seg.one_field,
                                               marks=seg.marks * back, slash_boxes=boxes[slash], cells=grid_cells,
                                               box_sides=seg.box_sides * back, comma_boxes=boxes[comma])
        return [[[int(keep[i]) for i in number] for number in line] for line in order], marks
