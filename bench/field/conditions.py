"""The field test's conditions, one generator each: (rng, hands) -> (hand, truth lines, photo, marks).

Pages, scale, ink colours, polarity, connected digits and MNIST's missing styles live here; the
fields, grids and distractor scenes (printed matter around the handwriting) in `forms`.
"""

from __future__ import annotations

import cv2
import numpy as np

from bench.field import forms
from bench.field.camera import PAPERS, PENS, SQUARES, Camera, Inks, photograph
from bench.field.glyphs import writer_jitter, written
from bench.field.hands import HandSet
from bench.field.layout import Pen, random_number, write_lines, write_number
from bench.field.sheet import Sheet
from bench.field.strokes import DIGIT_STYLES, drawn_digit
from edge.demo.synth import make_page

FRAME = (1280, 720)
DEMO_FRAME = (640, 480)  # what `edge-run --demo` shows: the pages row differs from it only in hand


def _page_lines(rng: np.random.Generator, heights: tuple[float, float], n_lines: tuple[int, int]) -> list:
    """Lines of 1-4 numbers of 1-5 digits, one digit height per line (as one writes a list)."""
    lines = []
    for _ in range(int(rng.integers(n_lines[0], n_lines[1] + 1))):
        h = rng.uniform(*heights)
        lines.append([(random_number(rng, (1, 5)), h) for _ in range(int(rng.integers(1, 5)))])
    return lines


def _sheet_for(frame_wh: tuple[int, int], fill: float) -> Sheet:
    """A sheet that the camera maps about 1:1 onto the frame at `fill`: sizes are frame pixels."""
    return Sheet(int(frame_wh[0] * fill), int(frame_wh[1] * fill))


def pages(rng: np.random.Generator, hands: HandSet):
    """The demo's own page layout and camera (edge.demo.synth), the digits from a field hand."""
    hand = hands.pick(rng)
    pool, labels = [], []
    habits = writer_jitter(rng)
    for value in range(10):
        for _ in range(6):  # six takes of each digit: a page repeats a writer's digit, never a glyph
            pool.append(np.round(written(rng, str(value), hand, 48, habits) * 255).astype(np.uint8))
            labels.append(value)
    page = make_page(
        rng, pool, np.array(labels), digit_px=int(rng.integers(28, 44)), n_lines=int(rng.integers(3, 5)),
        paper=str(rng.choice(["plain", "ruled", "squared"])),
    )
    sheet = Sheet(page.ink.shape[1], page.ink.shape[0], {"digits": page.ink, "print": page.rules * 0.5}, list(page.boxes))
    return hand, list(page.lines), photograph(rng, sheet, DEMO_FRAME, Inks(), Camera.random(rng)), 0


def scale(rng: np.random.Generator, hands: HandSet):
    """12 px to 400 px digits: a large number with a line of small ones beside it, then lines
    of other sizes; the largest size varies across frames (log-uniform)."""
    hand = hands.pick(rng)
    camera = Camera.random(rng, fill=0.97, tilt=0.015)
    sheet = _sheet_for(FRAME, camera.fill)
    big = float(np.exp(rng.uniform(np.log(40), np.log(400))))
    small = rng.uniform(14, 30)  # the 0.88 size wander takes the smallest to 12 px
    lines = [[(random_number(rng, (1, 3)), big), (random_number(rng, (2, 4)), small)]]
    for _ in range(4):
        h = float(np.exp(rng.uniform(np.log(13), np.log(min(big, 160)))))
        lines.append([(random_number(rng), h) for _ in range(int(rng.integers(1, 4)))])
    truth = write_lines(sheet, rng, Pen.of_writer(rng, hand), lines, left=int(0.03 * sheet.width), top=int(0.04 * sheet.height))
    return hand, truth, photograph(rng, sheet, FRAME, Inks(), camera), sheet.marks


def inks(rng: np.random.Generator, hands: HandSet):
    """Red, blue, green pen and pencil on white, cream and squared paper."""
    hand = hands.pick(rng)
    pen_name = str(rng.choice(["red", "blue", "green", "pencil"]))
    paper_name = str(rng.choice(list(PAPERS)))
    camera = Camera.random(rng)
    sheet = _sheet_for(FRAME, camera.fill)
    if paper_name == "squared":
        sheet.ruled(int(rng.uniform(28, 44)), int(rng.integers(0, 40)), squared=True)
    truth = write_lines(sheet, rng, Pen.of_writer(rng, hand), _page_lines(rng, (26, 60), (3, 6)), left=40, top=40)
    if pen_name == "pencil":  # graphite: fainter, grainy strokes
        sheet.layers["digits"] *= _grain(rng, sheet.layers["digits"].shape, 0.55, 0.9)
    colours = Inks(paper=PAPERS[paper_name], digits=PENS[pen_name], print=SQUARES)
    return hand, truth, photograph(rng, sheet, FRAME, colours, camera), sheet.marks


def _grain(rng: np.random.Generator, shape: tuple[int, int], low: float, high: float) -> np.ndarray:
    """A multiplicative texture between low and high, grains a few pixels across."""
    coarse = rng.uniform(0, 1, (shape[0] // 3 + 1, shape[1] // 3 + 1)).astype(np.float32)
    fine = cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return low + (high - low) * fine


BOARDS = {"black": (0.14, 0.15, 0.15), "green": (0.2, 0.27, 0.17), "slate": (0.3, 0.25, 0.21)}
CHALKS = {"white": (0.9, 0.9, 0.88), "yellow": (0.55, 0.88, 0.93)}


def polarity(rng: np.random.Generator, hands: HandSet):
    """Light chalk strokes on a dark board, with the smears of earlier, wiped writing."""
    hand = hands.pick(rng)
    camera = Camera.random(rng, fill=rng.uniform(0.9, 1.1))
    sheet = _sheet_for(FRAME, camera.fill)
    truth = write_lines(sheet, rng, Pen.of_writer(rng, hand), _page_lines(rng, (40, 110), (2, 5)), left=50, top=40)
    sheet.layers["digits"] *= _grain(rng, sheet.layers["digits"].shape, 0.5, 1.0)
    smear = cv2.GaussianBlur(_grain(rng, (sheet.height, sheet.width), -2.0, 1.0).clip(0, 1), (0, 0), 25)
    sheet.layers["print"] = smear / max(float(smear.max()), 1e-6) * rng.uniform(0.1, 0.3)
    board = BOARDS[str(rng.choice(list(BOARDS)))]
    chalk = CHALKS[str(rng.choice(list(CHALKS), p=[0.8, 0.2]))]
    colours = Inks(paper=board, digits=chalk, print=chalk)
    return hand, truth, photograph(rng, sheet, FRAME, colours, camera), sheet.marks


CONNECTED = ("00", "000", "11", "100", "1000", "111", "2000")


def connected(rng: np.random.Generator, hands: HandSet):
    """Digits that touch or overlap (00, 000, 11, pairs) and cursive joins between digits."""
    hand = hands.pick(rng)
    camera = Camera.random(rng)
    sheet = _sheet_for(FRAME, camera.fill)
    pen = Pen.of_writer(rng, hand, digit_gap=(-0.12, 0.02))  # glyphs are cut tight: 0 touches, below 0 overlaps
    truth = []
    y = 50
    for _ in range(int(rng.integers(3, 5))):
        h = rng.uniform(32, 70)
        if y + 1.3 * h > sheet.height:
            break
        x, numbers, cursive = 40, [], rng.uniform() < 0.4
        for _ in range(int(rng.integers(1, 4))):
            text = str(rng.choice(CONNECTED)) if rng.uniform() < 0.5 else random_number(rng, (2, 4))
            if x + len(text) * 1.1 * h > sheet.width - 10:
                break
            first = len(sheet.digits)
            x = write_number(sheet, rng, pen, text, x, int(y + h), h)
            if cursive:
                _join(sheet, first, h)
            numbers.append(text)
            x += int(rng.uniform(1.6, 2.4) * h)
        if numbers:
            truth.append(" ".join(numbers))
        y += int(rng.uniform(1.9, 2.4) * h)
    return hand, truth, photograph(rng, sheet, FRAME, Inks(), camera), sheet.marks


def _join(sheet: Sheet, first: int, height: float) -> None:
    """Cursive joins: a pen stroke from each digit's foot to the next digit's side. It is pen
    ink but no digit's, so it goes on the marks layer without counting as a mark."""
    thick = max(1, int(round(0.07 * height)))
    for (_, x0, y0, w0, h0), (_, x1, y1, w1, h1) in zip(sheet.digits[first:], sheet.digits[first + 1 :]):
        start = (x0 + int(0.75 * w0), y0 + int(0.9 * h0))
        end = (x1 + int(0.2 * w1), y1 + int(0.55 * h1))
        cv2.line(sheet.layers["marks"], start, end, 1.0, thick, cv2.LINE_AA)


STYLE_OF = {value: name for name, (value, _) in DIGIT_STYLES.items()}


def styles(rng: np.random.Generator, hands: HandSet):
    """Numbers made mostly of styles MNIST lacks, drawn as pen strokes (continental 1, 7 with a
    bar, open 4, flat-topped 3, one-stroke 5, 9 with a straight tail), the rest in a field hand."""
    hand = hands.pick(rng)
    camera = Camera.random(rng)
    sheet = _sheet_for(FRAME, camera.fill)

    def digit_ink(rng: np.random.Generator, ch: str, height: float, jitter) -> np.ndarray:
        if int(ch) in STYLE_OF and rng.uniform() < 0.85:
            return drawn_digit(rng, STYLE_OF[int(ch)], int(round(height)), jitter)[1]
        return written(rng, ch, hand, height, jitter)

    alphabet = "134579134579134579" + "0268"
    lines = []
    for _ in range(int(rng.integers(3, 5))):
        h = rng.uniform(30, 64)
        numbers = ["".join(rng.choice(list(alphabet), int(rng.integers(1, 5)))) for _ in range(int(rng.integers(1, 4)))]
        lines.append([(n, h) for n in numbers])
    truth = write_lines(sheet, rng, Pen.of_writer(rng, hand, digit_ink=digit_ink), lines, left=40, top=40)
    return hand, truth, photograph(rng, sheet, FRAME, Inks(paper=PAPERS[str(rng.choice(["white", "cream"]))]), camera), sheet.marks


GENERATORS = {
    "pages": pages,
    "scale": scale,
    "fields": forms.fields,
    "inks": inks,
    "polarity": polarity,
    "grids": forms.grids,
    "connected": connected,
    "styles": styles,
    "distractors": forms.distractors,
}
