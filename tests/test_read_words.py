"""Distractors: a word's letters and a drawn tick beside a number give no digits.

Each scene fails on the reader before `edge.vision.words` and the V and stems rules of
`edge.vision.settle` (a word's e, t or A read alone as 0, 7 or 4; a tick cut into two sure 1s; a
printed n cut at its stems into two)."""

import cv2
import numpy as np
import pytest
from read_scenes import HANDS, page, photo, put, reader, write

from edge.vision.settle import back_strokes
from edge.vision.words import in_words


@pytest.mark.parametrize(("word", "hand"), [("Meter", HANDS[0]), ("Center", HANDS[0]), ("next", HANDS[2]), ("Ave", HANDS[2])])
def test_a_words_letters_beside_a_number_are_no_digits(word, hand):
    image = page((720, 200))
    x = write(image, "2507", 40, 60, 60, hand=hand)
    write(image, word, x + 90, 70, 50, hand=hand)
    assert reader().read(photo(image)).lines == ["2507"]


SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"  # fonts-dejavu-core


@pytest.mark.parametrize("word", ["nun", "unit", "min", "Hum"])
def test_a_printed_words_stems_cut_apart_are_no_ones(word):
    # each stem of a serif n, u, m or H, cut apart, reads as a sure 1 (nun read as 111111)
    image = page((720, 200))
    x = write(image, "2507", 40, 60, 60, hand=HANDS[0])
    write(image, word, x + 90, 70, 50, hand=SERIF)
    assert reader().read(photo(image)).lines == ["2507"]


@pytest.mark.parametrize("height", [60, 90])
def test_a_drawn_tick_beside_a_number_is_no_digits(height):
    image = page((720, 240))
    x = write(image, "2507", 40, 60, 60)
    ink = np.zeros((height + 20, int(height * 1.2) + 20), np.float32)
    stroke = np.array([[10, 10 + height * 0.5], [10 + height * 0.35, 10 + height], [10 + height * 1.2, 10]], np.int32)
    cv2.polylines(ink, [stroke], False, 1.0, 4, cv2.LINE_AA)
    put(image, ink, x + 80, 110 - height)
    assert reader().read(photo(image)).lines == ["2507"]


def _row(xs, height=40, y=100, width=None):
    return np.array([[x, y, width or int(0.6 * height), height] for x in xs], np.int32)


def test_a_word_of_mostly_rejected_pieces_drops_its_digits_and_a_number_keeps_its_own():
    word = _row([0, 28, 56, 84])  # four letters 4 px apart: one reads as a digit
    assert in_words(word, np.array([False, True, False, False])).tolist() == [False, True, False, False]
    number = _row([0, 28, 56])  # a number with one digit too sloppy to read
    assert not in_words(number, np.array([True, False, True])).any()
    tie = _row([0, 28])  # a 1 beside a rejected piece: a digit as often as a letter
    assert not in_words(tie, np.array([True, False])).any()


def test_a_doubtful_digit_takes_no_side_only_letters_outnumber_digits():
    pieces = _row([0, 28, 56, 84])  # a digit, two too doubtful to take, one letter
    taken, letters = np.array([True, False, False, False]), np.array([False, False, False, True])
    assert not in_words(pieces, taken, letters).any()  # 1 letter against 1 digit
    assert in_words(pieces, taken, np.array([False, True, True, True])).tolist() == [True, False, False, False]


def test_a_letter_cut_into_digits_is_one_vote_of_its_word():
    # a printed "Ma" touching, cut into four sure digits (1 1 1 2), beside the "rch" of "March"
    # rejected: four digits outvoted three letters, where the four are one mark cut apart
    pieces = np.concatenate([_row([0, 10, 20, 30], width=10), _row([48, 76, 104])])
    taken = np.array([True, True, True, True, False, False, False])
    blobs = ["Ma", "Ma", "Ma", "Ma", "r", "c", "h"]
    assert not in_words(pieces, taken).any()
    assert in_words(pieces, taken, blobs=blobs).tolist() == [True] * 4 + [False] * 3
    # a number's digits are blobs of their own, and a touching pair among them is one vote of several
    number = _row([0, 28, 56, 84, 112])
    blobs = ["2", "5", "07", "07", "e"]
    assert not in_words(number, np.array([True, True, True, True, False]), blobs=blobs).any()


def test_words_are_pieces_of_one_line_close_together_and_of_a_size():
    apart = _row([0, 100, 128, 156])  # the digit 2.5 heights from the word: its own word
    assert not in_words(apart, np.array([True, False, False, False])).any()
    above = np.concatenate([_row([0], y=0), _row([0, 28, 56], y=100)])  # on the line above
    assert not in_words(above, np.array([True, False, False, False])).any()
    specks = np.concatenate([_row([0]), _row([26, 34, 42], height=8)])  # dust beside a digit
    assert not in_words(specks, np.array([True, False, False, False])).any()
    # the same test at five times the size: no pixel threshold
    assert in_words(_row([0, 140, 280, 420], height=200), np.array([False, True, False, False])).tolist() == [False, True, False, False]


@pytest.mark.parametrize("lean", [0.6, 0.9])
def test_a_stroke_leaning_back_beside_a_number_is_no_one(lean):
    # a lone "\" (a scribble's or a letter's back stroke) reads as a sure 1; MNIST's training 1s
    # lean back at most 0.5 (x per y) but for 0.16% of them
    image = page((720, 240))
    x = write(image, "2507", 40, 60, 60)
    height = 60
    ink = np.zeros((height + 20, int(height * lean) + 20), np.float32)
    cv2.line(ink, (10, 10), (10 + int(height * lean), 10 + height), 1.0, 5, cv2.LINE_AA)
    put(image, ink, x + 80, 50)
    assert reader().read(photo(image)).lines == ["2507"]


def test_only_ones_leaning_back_farther_than_a_writers_are_strokes():
    crops = np.zeros((3, 28, 28), np.uint8)
    cv2.line(crops[0], (8, 4), (20, 24), 255, 3)  # "\": 0.6 x per y
    cv2.line(crops[1], (20, 4), (8, 24), 255, 3)  # "/": a forward 1, however far it leans
    cv2.line(crops[2], (12, 4), (16, 24), 255, 3)  # a 1 leaning back a little
    assert back_strokes(np.array([1, 1, 1]), crops).tolist() == [True, False, False]
    assert not back_strokes(np.array([7, 7, 7]), crops).any()  # only 1s: a 7's lean is its bar's
