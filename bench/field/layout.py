"""Write numbers on a sheet the way people do: digits along a wavy baseline, numbers in lines.

Spacing follows the demo's page generator (edge.demo.synth: gaps in units of the digit height),
so the field test's pages differ from the demo's in the hands, not in the layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bench.field.glyphs import DEFAULT_JITTER, Jitter, writer_jitter, written
from bench.field.sheet import Sheet
from edge.demo.synth import DIGIT_GAP, NUMBER_GAP

# Where a separator sits, as (top of its box) / digit height from the digits' top; None: on the
# baseline (its bottom at the digits' bottom, as a written '.' or ',' is)
SEPARATOR_TOP = {"-": 0.45, "=": 0.35, "/": -0.05, ".": None, ",": None}

DigitInk = Callable[[np.random.Generator, str, float, Jitter], np.ndarray]


def joins_number(a: str) -> bool:
    """A '.' or ',' between digit groups keeps one number whole (issue 13): '25.441' is 25441."""
    return a in ".,"


def truth_of(text: str) -> str:
    """The numbers a written string means, spelled as edge-run's `lines` does.

    '.' and ',' join digit groups into one number ('1,250.00' -> '125000'); '/' and '-' between
    digit groups part two numbers ('12/05' -> '12 05'); a trailing or leading mark ('250,-',
    '48=') is no digit at all. Spaces part numbers.
    """
    numbers, current = [], ""
    for ch in text:
        if ch.isdigit():
            current += ch
        elif joins_number(ch):
            continue
        elif current:
            numbers.append(current)
            current = ""
    if current:
        numbers.append(current)
    return " ".join(numbers)


@dataclass
class Pen:
    """One writer: a hand (font file) and how they space and align their digits."""

    hand: str
    digit_gap: tuple[float, float] = DIGIT_GAP
    baseline_wander: float = 0.06  # share of the digit height each glyph's bottom strays
    size_wander: tuple[float, float] = (0.88, 1.1)
    digit_ink: DigitInk | None = None  # draws a digit instead of the hand (styles, strokes)
    jitter: Jitter = DEFAULT_JITTER

    @classmethod
    def of_writer(cls, rng: np.random.Generator, hand: str, **habits) -> Pen:
        """A writer with a slant and pen width of their own (glyphs.writer_jitter)."""
        return cls(hand, jitter=writer_jitter(rng), **habits)

    def glyph(self, rng: np.random.Generator, ch: str, height: float) -> np.ndarray:
        if ch.isdigit() and self.digit_ink is not None:
            return self.digit_ink(rng, ch, height, self.jitter)
        return written(rng, ch, self.hand, height, self.jitter)


def write_number(
    sheet: Sheet, rng: np.random.Generator, pen: Pen, text: str, x: int, bottom: int, height: float
) -> int:
    """Write `text` (digits and separators) with its digits' bottoms near `bottom`; returns the
    x just right of the last glyph. Digits go to the truth, separators count as marks."""
    for i, ch in enumerate(text):
        h = height * rng.uniform(*pen.size_wander)
        ink = pen.glyph(rng, ch, h)
        gh, gw = ink.shape
        wander = int(round(rng.uniform(-pen.baseline_wander, pen.baseline_wander) * height))
        if ch.isdigit():
            y = bottom - gh + wander
            # never past the sheet's top: a digit whose top the edge cut off is truth nobody can
            # read (a 7 without its bar is a 1); a big digit in the first line drops to leave a
            # writer's margin (a 40th of the sheet) between it and the page's edge
            y = max(y, sheet.height // 40 - int(np.argmax(ink.max(axis=1) > 0.08)))
        elif SEPARATOR_TOP.get(ch) is None:
            y = bottom - gh + wander // 2
        else:
            y = int(bottom - height + SEPARATOR_TOP[ch] * height)
        sheet.put(ink, x, y, value=int(ch) if ch.isdigit() else None)
        gap = rng.uniform(*pen.digit_gap) * height
        if not ch.isdigit() or (i + 1 < len(text) and not text[i + 1].isdigit()):
            gap = max(gap, 0.12 * height)  # a separator is never jammed into the digits
        x += gw + int(round(gap))
    return x


def write_lines(
    sheet: Sheet,
    rng: np.random.Generator,
    pen: Pen,
    lines: list[list[tuple[str, float]]],
    *,
    left: int,
    top: int,
    pitch: tuple[float, float] = (1.9, 2.4),
) -> list[str]:
    """Write lines of (text, digit height) numbers from (left, top); returns the truth lines.

    A line's pitch is a multiple of its tallest digits; numbers part by the demo's NUMBER_GAP.
    Lines that would run off the sheet are not written (and not in the truth).
    """
    truth = []
    y = top
    for line in lines:
        tallest = max(h for _, h in line)
        bottom = y + int(tallest)
        if bottom + 0.2 * tallest > sheet.height:
            break
        x = left + int(rng.uniform(0, 0.6) * tallest)
        spelled = []
        for text, h in line:
            width_guess = len(text) * 1.15 * h
            if x + width_guess > sheet.width - 4:
                break
            x = write_number(sheet, rng, pen, text, x, bottom, h)
            spelled.append(truth_of(text))
            # the demo's gap, and now and then a tab: numbers spread over the page as in a table
            gap = rng.uniform(*NUMBER_GAP) if rng.uniform() < 0.7 else rng.uniform(3.0, 6.0)
            x += int(gap * max(h, tallest * 0.5))
        if spelled:
            truth.append(" ".join(s for s in spelled if s))
        y = bottom + int((rng.uniform(*pitch) - 1.0) * tallest)
    return [t for t in truth if t]


def random_number(rng: np.random.Generator, digits: tuple[int, int] = (1, 4)) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(digits[0], digits[1] + 1))))
