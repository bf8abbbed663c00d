"""One seeded generator per field-test condition: a camera frame and the truth drawn into it.

Every scene comes from its own generator, seeded with (seed, condition, index), so a scene is
the same whichever other conditions or how many scenes run beside it. Frames are BGR uint8,
JPEG-encoded and decoded as a camera's are. Truth lines are spelled as edge-run's `lines`
(numbers separated by one space, lines top to bottom; see layout.truth_of for separators).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.field import conditions
from bench.field.camera import Photo
from bench.field.hands import FIELD, HandSet, hand_name
from edge.demo.synth import TruthDigit


@dataclass(frozen=True)
class FieldScene:
    condition: str
    index: int
    image: np.ndarray  # (H, W, 3) uint8 BGR
    lines: list[str]
    digits: list[TruthDigit]  # boxes in frame pixels
    marks: int  # non-digit marks (separators, letters, printed characters, arrows, ...)
    hand: str  # the handwriting font's name
    digit_ink: np.ndarray  # (H, W) bool, where the digits' ink is: for the generator's own test
    jpeg: bytes  # `image` as the camera encoded it: the bench decodes it inside the timed read

    @property
    def digit_count(self) -> int:
        return sum(len(line.replace(" ", "")) for line in self.lines)


CONDITIONS: tuple[str, ...] = tuple(conditions.GENERATORS)


def make_scene(condition: str, seed: int, index: int, hands: HandSet = FIELD) -> FieldScene:
    """Scene `index` of `condition` for `seed`, written by `hands` (the held-out field hands
    unless told): the same bytes on every run and machine."""
    if condition not in conditions.GENERATORS:
        raise ValueError(f"unknown condition {condition!r}; one of {', '.join(CONDITIONS)}")
    rng = np.random.default_rng([seed, CONDITIONS.index(condition), index])
    hand, lines, photo, marks = conditions.GENERATORS[condition](rng, hands)
    assert isinstance(photo, Photo)
    digits = [d for i, d in enumerate(photo.digits) if i not in photo.cut_off]
    lines = without_digits(lines, set(photo.cut_off))
    return FieldScene(condition, index, photo.image, lines, digits, marks, hand_name(hand), photo.digit_ink, photo.jpeg)


def without_digits(lines: list[str], drop: set[int]) -> list[str]:
    """`lines` without the digits numbered `drop` (counting the lines' digits in order, as the
    sheet's digits are): a number loses them (and a separator left at its end), a number left
    without digits goes, a line left without numbers too."""
    if not drop:
        return lines
    out, k = [], 0
    for line in lines:
        numbers = []
        for number in line.split(" "):
            kept, lost = "", False
            for ch in number:
                if ch.isdigit():
                    k += 1
                    if k - 1 in drop:
                        lost = True
                        continue
                kept += ch
            if lost:  # a separator left at its end separates nothing
                while kept and not kept[0].isdigit():
                    kept = kept[1:]
                while kept and not kept[-1].isdigit():
                    kept = kept[:-1]
            if kept:
                numbers.append(kept)
        if numbers:
            out.append(" ".join(numbers))
    return out
