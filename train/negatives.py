"""Crops that are not digits, made on the fly, for the model's 11th answer.

The camera loop hands the classifier every blob and every cut it tries: letters and
printed words beside numbers, a digit cut in half or with a neighbour's stroke, two digits
in one crop, pieces of ruled lines and boxes, specks, scribbles. Each is drawn here and ends
in `normalize_crop`, as the loop's crops do. Shapes a digit can honestly take (a lone upright
stroke is a 1, an O is a 0) are left out: teaching "not a digit" there would reject real digits.

Two kinds are taught but not measured: "lookalikes", whole letters that share a digit's parts
(an A or Y has a 4's crossing strokes, a T a 7's bar, an e or a printed a the loops of 8 and 2)
but not its shape, and "marks", drawn arrows and ticks; "crosses", an X (a tick's opposite, a
crossed-out box), is drawn only when asked for. The fixed measuring set
(`negative_test_set`) keeps the eight kinds it always had, so reject rates stay comparable.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge.vision.normalize import normalize_crop
from train.hands import NEGATIVE_FONTS, TRAIN_FONTS
from train.handwriting import CANVAS, fonts_with_glyphs, pick_font, render_text, vary_hand

NOT_A_DIGIT = 10  # the class index of "not a digit"
# Letters and symbols that no writer would take for a digit: O/o/D (0), I/l/i/j/J/|/!/( /) (1),
# Z/z/? (2), }/3-like (3), A/h/y (4), S/s/$ (5), b/G (6), T/Y/r (7), B/& (8), g/q/a/e (9) are out.
LETTERS = "CEFHKLMNPRUVWXcdfkmnptuvwx"
SYMBOLS = "#%*+=@<>~"
LOOKALIKE_HAND = "AYTe"  # whole letters with a digit's parts; handwritten a and r are a 2/9 and a 7 too often
LOOKALIKE_PRINT = "AYTear"
MEASURED_KINDS = ("letters", "printed", "fragment", "overcut", "merged", "lines", "specks", "scribble")
KINDS = (*MEASURED_KINDS, "lookalikes", "marks")  # what training draws by default
# drawn only when asked (--negative-kinds): crosses fixed the X's false digits in four fine-tunes,
# but each of them read the demo frames worse than the shipped model (README, field test's tried)
EXTRA_KINDS = ("crosses",)
ALL_KINDS = KINDS + EXTRA_KINDS  # every kind --negative-kinds may name


def _letters(rng: np.random.Generator, fonts: tuple[str, ...], count: int) -> np.ndarray:
    text = "".join(rng.choice(list(LETTERS + SYMBOLS), size=count))
    return render_text(pick_font(rng, fonts), text, int(rng.integers(40, 70)), stroke=int(rng.integers(0, 2)))


def _tall_and_thin(ink: np.ndarray) -> bool:
    ys, xs = np.nonzero(ink > 40)
    return len(xs) == 0 or np.ptp(xs) + 1 < 0.45 * (np.ptp(ys) + 1)


def _lookalike(rng: np.random.Generator, hand_fonts, printed_fonts) -> np.ndarray | None:
    """One whole letter that shares a digit's strokes, in a training hand or in print; None for
    one drawn tall and thin (a T or Y with a short bar is honestly a 1)."""
    if rng.random() < 0.5:
        letter = str(rng.choice(list(LOOKALIKE_HAND)))
        ink = vary_hand(render_text(pick_font(rng, hand_fonts), letter, int(rng.integers(40, 70))), rng)
    else:
        letter = str(rng.choice(list(LOOKALIKE_PRINT)))
        ink = render_text(pick_font(rng, printed_fonts), letter, int(rng.integers(40, 70)), stroke=int(rng.integers(0, 2)))
        ink = vary_hand(ink, rng, slant=0.15)
    return None if _tall_and_thin(ink) else ink


def _mark(rng: np.random.Generator) -> np.ndarray:
    """A drawn arrow (a shaft and two barbs, near the line of writing) or a tick."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    width = int(rng.integers(2, 7))
    if rng.random() < 0.6:
        angle = rng.uniform(-0.6, 0.6) + (np.pi if rng.random() < 0.5 else 0.0)
        half = rng.uniform(22, 40)
        direction = np.array([np.cos(angle), np.sin(angle)])
        tail, head = 48 - half * direction, 48 + half * direction
        barb = rng.uniform(0.25, 0.45) * 2 * half
        spread = rng.uniform(0.4, 0.8)
        strokes = [[tail, head]]
        for side in (-1, 1):
            back = angle + np.pi + side * spread
            strokes.append([head, head + barb * np.array([np.cos(back), np.sin(back)])])
    else:
        bottom = np.array([rng.uniform(30, 50), rng.uniform(62, 78)])
        start = bottom + np.array([-rng.uniform(10, 22), -rng.uniform(12, 26)])
        end = bottom + np.array([rng.uniform(25, 45), -rng.uniform(40, 60)])
        strokes = [[start, bottom, end]]
    for stroke in strokes:
        points = np.clip(np.array(stroke), 4, CANVAS - 5).round().astype(np.int32)
        cv2.polylines(canvas, [points], False, 255, width, cv2.LINE_AA)
    return canvas


def _cross(rng: np.random.Generator) -> np.ndarray:
    """An X: two strokes crossing near their middles, each 25-65 degrees off the line of writing."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    width = int(rng.integers(2, 11))
    centre = np.array([48.0, 48.0]) + rng.normal(0, 3, 2)
    for side in (-1, 1):
        angle = side * rng.uniform(0.45, 1.15)
        half = rng.uniform(20, 38)
        direction = np.array([np.cos(angle), np.sin(angle)])
        shift = rng.uniform(-0.25, 0.25) * half * direction  # the strokes cross off their middles
        ends = np.array([centre + shift - half * direction, centre + shift + half * direction])
        points = np.clip(ends, 4, CANVAS - 5).round().astype(np.int32)
        cv2.polylines(canvas, [points], False, 255, width, cv2.LINE_AA)
    return canvas


def _fragment(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A left or right part of a digit: what a cut through the middle of one leaves behind.

    The cut search only cuts columns, so top and bottom halves never reach the classifier.
    """
    ys, xs = np.nonzero(digit > 40)
    left, right = xs.min(), xs.max() + 1
    piece = digit.copy()
    side = int(rng.integers(2))
    share = rng.uniform(0.3, 0.6)
    if side == 0:
        piece[:, left + int(share * (right - left)):] = 0
    else:
        piece[:, : right - int(share * (right - left))] = 0
    ink = (piece > 40).sum()
    ys, xs = np.nonzero(piece > 40)
    # too little ink is a speck (made elsewhere); a tall thin piece is honestly a 1
    if ink < 0.2 * (digit > 40).sum() or ink > 0.7 * (digit > 40).sum():
        return None
    if np.ptp(xs) + 1 < 0.45 * (np.ptp(ys) + 1):
        return None
    # a piece that is one straight stroke (the stem of a 4, the leg of a 7) is a 1 on its own
    spread = np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(np.float64)))
    if spread[0] < 0.1 * spread[1]:
        return None
    return piece


def _side_by_side(a: np.ndarray, b: np.ndarray, rng: np.random.Generator, keep_b: float) -> np.ndarray:
    """Digit `a` and (the left `keep_b` of) digit `b` beside it, touching or overlapping a little."""
    cols_a = np.nonzero(a.max(axis=0) > 40)[0]
    cols_b = np.nonzero(b.max(axis=0) > 40)[0]
    a = a[:, cols_a[0] : cols_a[-1] + 1]
    b = b[:, cols_b[0] : cols_b[0] + max(2, int(keep_b * len(cols_b)))]
    overlap = min(int(rng.integers(-1, 4)), b.shape[1] - 1)
    width = a.shape[1] + b.shape[1] - overlap
    canvas = np.zeros((28 + 8, width), np.uint8)
    dy = int(rng.integers(0, 9))
    canvas[4 : 32, : a.shape[1]] = a
    region = canvas[dy : dy + 28, width - b.shape[1] :]
    np.maximum(region, b, out=region)
    return canvas if rng.random() < 0.5 else canvas[:, ::-1]


def _lines(rng: np.random.Generator) -> np.ndarray:
    """Pieces of ruled lines, boxes and grids: straight, thin, axis-aligned."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    width = int(rng.integers(2, 6))
    a, b = int(rng.integers(10, 30)), int(rng.integers(66, 86))
    kind = int(rng.integers(5))
    if kind == 0:  # a dash of a ruled line
        y = int(rng.integers(30, 66))
        cv2.line(canvas, (a, y), (b, y), 255, width)
    elif kind == 1:  # a box (a digit's box in a form, with nothing in it)
        cv2.rectangle(canvas, (a, a), (b, int(rng.integers(50, 86))), 255, width)
    elif kind == 2:  # a grid crossing: + or T
        m = int(rng.integers(35, 60))
        cv2.line(canvas, (a, m), (b, m), 255, width)
        cv2.line(canvas, (m, int(rng.integers(10, m - 10))), (m, b), 255, width)
    elif kind == 3:  # two parallel ruled lines
        y = int(rng.integers(20, 40))
        gap = int(rng.integers(15, 40))
        cv2.line(canvas, (a, y), (b, y), 255, width)
        cv2.line(canvas, (a, y + gap), (b, y + gap), 255, width)
    else:  # a grid cell's corner with a stub of the next cell
        cv2.line(canvas, (a, a), (b, a), 255, width)
        cv2.line(canvas, (a, a), (a, b), 255, width)
        cv2.line(canvas, (b, a), (b, a + int(rng.integers(8, 20))), 255, width)
    return canvas


def _specks(rng: np.random.Generator) -> np.ndarray:
    """Dust, pen dots and ink spatter: one blot or a few scattered dots."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    for _ in range(int(rng.choice([1, 2, 3, 5, 8]))):
        centre = (int(rng.integers(10, 86)), int(rng.integers(10, 86)))
        cv2.circle(canvas, centre, int(rng.integers(1, 6)), 255, -1)
    return canvas


def _scribble(rng: np.random.Generator) -> np.ndarray:
    """A random pen path with many turns: hatching, zigzags, crossed-out marks."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    n = int(rng.integers(8, 16))
    points = np.cumsum(rng.normal(0, 18, (n, 2)), axis=0)
    points = (points - points.min(0)) / max(1.0, float(np.ptp(points, axis=0).max())) * 70 + 13
    cv2.polylines(canvas, [points.round().astype(np.int32)], False, 255, int(rng.integers(2, 7)), cv2.LINE_AA)
    return canvas


def not_a_digit(rng: np.random.Generator, mnist: np.ndarray, kind: str, hand_fonts, printed_fonts,
                lookalike_fonts=((), ())) -> np.ndarray | None:
    """One negative crop (28x28 uint8) of the given kind, or None when this draw was unusable."""
    if kind == "letters":
        ink = vary_hand(_letters(rng, hand_fonts, int(rng.integers(1, 4))), rng)
    elif kind == "printed":
        ink = vary_hand(_letters(rng, printed_fonts, int(rng.integers(1, 5))), rng, slant=0.15)
    elif kind == "fragment":
        ink = _fragment(mnist[int(rng.integers(len(mnist)))], rng)
    elif kind == "overcut":  # a digit with a good share of its neighbour
        ink = _side_by_side(mnist[int(rng.integers(len(mnist)))], mnist[int(rng.integers(len(mnist)))],
                            rng, keep_b=rng.uniform(0.4, 0.7))
    elif kind == "merged":  # two whole digits in one crop
        ink = _side_by_side(mnist[int(rng.integers(len(mnist)))], mnist[int(rng.integers(len(mnist)))],
                            rng, keep_b=1.0)
    elif kind == "lines":
        ink = vary_hand(_lines(rng), rng, slant=0.05)
    elif kind == "specks":
        ink = _specks(rng)
    elif kind == "lookalikes":
        ink = _lookalike(rng, *lookalike_fonts)
    elif kind == "marks":
        ink = vary_hand(_mark(rng), rng, slant=0.1)
    elif kind == "scribble":
        ink = vary_hand(_scribble(rng), rng)
    elif kind == "crosses":
        ink = vary_hand(_cross(rng), rng, slant=0.15)
    else:
        raise ValueError(f"unknown negative kind {kind!r}; choose from {', '.join(ALL_KINDS)}")
    if ink is None or not (ink > 40).any():
        return None
    return normalize_crop(ink)


def negatives(count: int, seed: int, mnist: np.ndarray, kinds: tuple[str, ...] = KINDS) -> np.ndarray:
    """`count` not-a-digit crops (N, 28, 28) uint8, each of `kinds` in equal share.

    `mnist` holds training digits (never test ones) to cut fragments and pairs from.
    """
    rng = np.random.default_rng(seed)
    hand_fonts = fonts_with_glyphs(LETTERS, TRAIN_FONTS)
    printed_fonts = fonts_with_glyphs(LETTERS, NEGATIVE_FONTS)
    lookalike_fonts = (fonts_with_glyphs(LOOKALIKE_HAND, TRAIN_FONTS), fonts_with_glyphs(LOOKALIKE_PRINT, NEGATIVE_FONTS))
    out = []
    while len(out) < count:
        crop = not_a_digit(rng, mnist, kinds[len(out) % len(kinds)], hand_fonts, printed_fonts, lookalike_fonts)
        if crop is not None:
            out.append(crop)
    return np.stack(out) if out else np.zeros((0, 28, 28), np.uint8)


NEGATIVE_TEST_SEED = 90_210  # the measuring set: fixed, so every report counts the same crops
NEGATIVE_TEST_COUNT = 2000


def negative_test_set(test_digits: np.ndarray, count: int = NEGATIVE_TEST_COUNT) -> np.ndarray:
    """The fixed set the reject rate is measured on: fragments and pairs cut from MNIST *test*
    digits (measured on, never trained on), letters and marks from a seed no run trains with."""
    return negatives(count, NEGATIVE_TEST_SEED, test_digits, MEASURED_KINDS)
