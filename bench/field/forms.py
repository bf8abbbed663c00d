"""Handwriting among printed matter: tight crops of one form field, grids and boxed forms, and
distractors (printed text, letters, arrows, ticks, scribbles) beside and between numbers."""

from __future__ import annotations

import cv2
import numpy as np

from bench.field.camera import PENS, Camera, Inks, photograph
from bench.field.glyphs import printed, written
from bench.field.hands import HandSet
from bench.field.layout import Pen, random_number, truth_of, write_number
from bench.field.sheet import Sheet
from bench.field.strokes import MARKS, drawn_mark

FRAME = (1280, 720)
PRINT_INK = (0.18, 0.18, 0.2)
# Letters that no careful reader takes for a digit (no O, o, D, Q, l, I, i, j, Z, z, S, s, b, G,
# B, g, q): a false digit on these is the reader's fault, not the writer's.
SAFE_LETTERS = set("acefhkmnprtuvwxyACEFHKMNPRUVWXY")
WORDS = tuple(
    w for w in (
        "Year", "Rate", "Fee", "Area", "Meter", "Week", "Center", "Max", "Park", "Ref", "Name",
        "next", "after", "fare", "per", "net", "run", "key", "few", "near", "Ave", "Tax",
        "Paper", "Menu", "Amount", "Nr", "entry", "Rue", "March", "Term",
    ) if set(w) <= SAFE_LETTERS
)


def _pen_colour(rng: np.random.Generator) -> tuple[float, float, float]:
    return PENS[str(rng.choice(["black", "blue", "red"], p=[0.4, 0.35, 0.25]))]


def _field_text(rng: np.random.Generator) -> str:
    """One written field: an amount, a date, a code, with separators and a trailing mark."""
    kind = int(rng.integers(6))
    if kind == 0:
        return f"{random_number(rng, (1, 3))},{random_number(rng, (3, 3))}.{random_number(rng, (2, 2))}"
    if kind == 1:
        return f"{random_number(rng, (1, 3))}.{random_number(rng, (3, 3))}"
    if kind == 2:
        return f"{random_number(rng, (2, 2))}/{random_number(rng, (2, 2))}/{random_number(rng, (2, 4))}"
    if kind == 3:
        return f"{random_number(rng, (3, 3))}-{random_number(rng, (4, 4))}"
    if kind == 4:
        return random_number(rng, (2, 5)) + str(rng.choice([",-", "=", "-", ".-"]))
    return f"{random_number(rng, (1, 4))},{random_number(rng, (2, 2))}"


def _security_pattern(rng: np.random.Generator, sheet: Sheet, strength: float) -> None:
    """Fine interlaced waves, as printed behind a cheque's or a form's amount field."""
    yy, xx = np.mgrid[0 : sheet.height, 0 : sheet.width].astype(np.float32)
    period = rng.uniform(5, 9)
    waves = np.zeros_like(yy)
    for _ in range(2):
        phase = yy + rng.uniform(2, 6) * np.sin(xx / rng.uniform(15, 40) + rng.uniform(0, 6))
        waves = np.maximum(waves, (np.cos(2 * np.pi * phase / period) > 0.7).astype(np.float32))
    sheet.layers["print"] = np.maximum(sheet.layers["print"], waves * strength)


def fields(rng: np.random.Generator, hands: HandSet):
    """A tight crop of one written field (an amount, a date, a code) 40-160 px tall: digits
    touch the image's edges, separators between groups, a trailing '-', ',-' or '=', on plain
    paper, a security pattern or a printed frame and baseline."""
    hand = hands.pick(rng)
    text = _field_text(rng)
    h = 64.0
    wide = Sheet(int(len(text) * 1.4 * h + 2 * h), int(2.4 * h))
    write_number(wide, rng, Pen.of_writer(rng, hand), text, int(h), int(1.7 * h), h)
    x0, y0, x1, y1 = wide.ink_extent()
    pad = [int(rng.uniform(0.0, 0.06) * h) for _ in range(4)]  # 0 to a few px between ink and edge
    sheet = wide.crop(x0 - pad[0], y0 - pad[1], x1 + pad[2], y1 + pad[3])
    background = str(rng.choice(["plain", "pattern", "printed"]))
    print_ink = (0.75, 0.62, 0.55)
    if background == "pattern":
        _security_pattern(rng, sheet, rng.uniform(0.3, 0.6))
    elif background == "printed":
        # the field's printed frame and baseline, cut by the crop: lines at or past the edges
        sheet.rectangle(-1, -1, sheet.width, sheet.height, thickness=int(rng.integers(1, 4)))
        base = sheet.height - int(rng.uniform(0.0, 0.1) * h) - 1
        cv2.line(sheet.layers["print"], (0, base), (sheet.width - 1, base), 1.0, 2)
        print_ink = PRINT_INK
    frame_h = int(rng.uniform(40, 160))
    frame_wh = (max(16, int(round(sheet.width * frame_h / sheet.height))), frame_h)
    camera = Camera.random(rng, fill=rng.uniform(1.0, 1.04), tilt=0.008)
    pen_colour = _pen_colour(rng)  # separators are written with the digits' pen
    inks = Inks(paper=(0.95, 0.96, 0.96), digits=pen_colour, marks=pen_colour, print=print_ink)
    return hand, [truth_of(text)], photograph(rng, sheet, frame_wh, inks, camera), sheet.marks


def grids(rng: np.random.Generator, hands: HandSet):
    """A sudoku-like 9x9 grid (truth: nine lines, row order, empty cells skipped) or boxed form
    fields (one number per field); digits touch or cross the cell lines."""
    hand = hands.pick(rng)
    camera = Camera.random(rng, fill=rng.uniform(0.85, 0.97))
    pen = Pen.of_writer(rng, hand, baseline_wander=0.0, size_wander=(0.9, 1.1))
    if rng.uniform() < 0.5:
        sheet, truth = _sudoku(rng, pen)
    else:
        sheet, truth = _form(rng, pen, hands)
    inks = Inks(digits=_pen_colour(rng), marks=PRINT_INK, print=PRINT_INK)
    return hand, truth, photograph(rng, sheet, FRAME, inks, camera), sheet.marks


def _in_cell(rng: np.random.Generator, sheet: Sheet, pen: Pen, value: int, x: int, y: int, w: int, h: int) -> None:
    """One digit in a cell; a quarter of them stray onto or over the cell's lines."""
    ink = pen.glyph(rng, str(value), h * rng.uniform(0.5, 0.8))
    gh, gw = ink.shape
    dx, dy = (w - gw) // 2, (h - gh) // 2
    if rng.uniform() < 0.25:
        dx += int(rng.choice([-1, 1]) * (w - gw) / 2 * rng.uniform(0.9, 1.3))
        dy += int(rng.choice([-1, 1]) * (h - gh) / 2 * rng.uniform(0.9, 1.3))
    else:
        dx += int(rng.uniform(-0.1, 0.1) * w)
        dy += int(rng.uniform(-0.1, 0.1) * h)
    sheet.put(ink, x + dx, y + dy, value=value)


def _sudoku(rng: np.random.Generator, pen: Pen) -> tuple[Sheet, list[str]]:
    cell = int(rng.uniform(56, 74))
    margin = cell
    sheet = Sheet(int((9 * cell + 2 * margin) * 16 / 9 * rng.uniform(0.75, 1.0)), 9 * cell + 2 * margin)
    left = (sheet.width - 9 * cell) // 2
    for i in range(10):
        thick = 4 if i % 3 == 0 else 1
        cv2.line(sheet.layers["print"], (left + i * cell, margin), (left + i * cell, margin + 9 * cell), 1.0, thick)
        cv2.line(sheet.layers["print"], (left, margin + i * cell), (left + 9 * cell, margin + i * cell), 1.0, thick)
    truth = []
    for row in range(9):
        filled = rng.uniform(size=9) < rng.uniform(0.3, 0.6)
        filled[int(rng.integers(9))] = True  # every row holds a digit: the truth has nine lines
        values = rng.integers(1, 10, 9)
        for col in np.flatnonzero(filled):
            _in_cell(rng, sheet, pen, int(values[col]), left + col * cell, margin + row * cell, cell, cell)
        truth.append(" ".join(str(values[c]) for c in np.flatnonzero(filled)))
    return sheet, truth


def _form(rng: np.random.Generator, pen: Pen, hands: HandSet) -> tuple[Sheet, list[str]]:
    """Rows of printed labels with comb boxes, one digit per box: each field is one number."""
    sheet = Sheet(1180, 640)
    box_h = int(rng.uniform(56, 96))
    box_w = int(box_h * rng.uniform(0.7, 0.95))
    font = hands.pick_printed(rng)
    truth, y = [], int(rng.uniform(30, 120))
    for _ in range(int(rng.integers(2, 6))):
        if y + box_h > sheet.height - 20:
            break
        word = str(rng.choice(WORDS))
        sheet.put(printed(word, font, box_h * 0.35), 30, y + box_h // 3, layer="marks")
        sheet.marks += len(word) - 1  # each printed letter is a mark a reader may take for a digit
        n = int(rng.integers(4, 9))
        left = 30 + int(box_h * 3.2)
        number = random_number(rng, (n, n))
        for i, ch in enumerate(number):
            sheet.rectangle(left + i * box_w, y, box_w, box_h, thickness=int(rng.integers(1, 3)))
            _in_cell(rng, sheet, pen, int(ch), left + i * box_w, y, box_w, box_h)
        truth.append(number)
        y += int(box_h * rng.uniform(1.6, 2.2))
    return sheet, truth


def distractors(rng: np.random.Generator, hands: HandSet):
    """Numbers with printed words, handwritten letters and drawn marks beside and between them;
    a third of the scenes hold distractors only (their truth has no lines)."""
    hand = hands.pick(rng)
    camera = Camera.random(rng)
    sheet = Sheet(int(FRAME[0] * camera.fill), int(FRAME[1] * camera.fill))
    only_marks = rng.uniform() < 1 / 3
    pen = Pen.of_writer(rng, hand)
    truth, y = [], 40
    for _ in range(int(rng.integers(3, 6))):
        h = rng.uniform(28, 60)
        if y + 1.5 * h > sheet.height:
            break
        x, numbers = 30, []
        for _ in range(int(rng.integers(2, 5))):
            if x > sheet.width - 6 * h:
                break
            if not only_marks and rng.uniform() < 0.45:
                text = random_number(rng)
                x = write_number(sheet, rng, pen, text, x, int(y + h), h)
                numbers.append(text)
            else:
                x = _distractor(rng, sheet, pen, hands, x, int(y + h), h)
            x += int(rng.uniform(1.6, 2.4) * h)
        if numbers:
            truth.append(" ".join(numbers))
        y += int(rng.uniform(1.9, 2.5) * h)
    pen_colour = PENS["black"] if rng.uniform() < 0.6 else PENS["blue"]
    inks = Inks(digits=pen_colour, marks=pen_colour)  # printed words come out in the pen's ink: a blue stamp
    return hand, truth, photograph(rng, sheet, FRAME, inks, camera), sheet.marks


def _distractor(rng: np.random.Generator, sheet: Sheet, pen: Pen, hands: HandSet, x: int, bottom: int, h: float) -> int:
    """One non-digit item at x: printed words, a handwritten word, or a drawn mark. Returns the
    x right of it. Text counts one mark per letter, a drawn mark one."""
    kind = str(rng.choice(["printed", "letters", "mark"], p=[0.35, 0.3, 0.35]))
    if kind == "printed":
        text = " ".join(str(w) for w in rng.choice(WORDS, int(rng.integers(1, 3))))
        ink = printed(text, hands.pick_printed(rng), h * rng.uniform(0.5, 0.9))
        count = len(text.replace(" ", ""))
    elif kind == "letters":
        text = str(rng.choice(WORDS))
        ink = written(rng, text, pen.hand, h, pen.jitter)  # by the hand that wrote the digits
        count = len(text)
    else:
        ink = drawn_mark(rng, str(rng.choice(MARKS)), int(h * rng.uniform(0.6, 1.0)))
        count = 1
    if x + ink.shape[1] > sheet.width - 4:
        return x
    sheet.put(ink, x, bottom - ink.shape[0] + int(rng.uniform(-0.1, 0.1) * h), layer="marks")
    sheet.marks += count - 1
    return x + ink.shape[1]
