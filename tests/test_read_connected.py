"""Touching digits: a page of numbers whose digits touch, each blob searched as a span lattice
within the frame's budget of spans read (edge.reader.search_lattices; the rules a chain of spans
obeys are tested on their own in test_settle)."""

import cv2
import numpy as np
import pytest
from read_scenes import HANDS, page, photo, put, reader, text_ink, write

TOUCHING = ["1000", "2005", "3008", "4007"]


def touching_ink(text: str, height: int, hand: str, overlap: float) -> np.ndarray:
    """`text` with each digit drawn `overlap` of the height into the one before: they touch."""
    inks = [text_ink(ch, height, hand) for ch in text]
    step = int(overlap * height)
    rows = max(ink.shape[0] for ink in inks)
    width = sum(ink.shape[1] for ink in inks) - step * (len(inks) - 1)
    out = np.zeros((rows, width), np.float32)
    x = 0
    for ink in inks:
        region = out[rows - ink.shape[0] :, x : x + ink.shape[1]]
        np.maximum(region, ink, out=region)
        x += ink.shape[1] - step
    return out


def test_a_page_of_touching_numbers_reads_every_one():
    # four four-digit numbers whose digits touch: each lattice holds ~120 spans, ~480 in all,
    # where chains of sure pieces reach ~220 (a budget counted in whole lattices searched one)
    image = page((1280, 720))
    for i, text in enumerate(TOUCHING):
        put(image, touching_ink(text, 56, HANDS[2 * (i % 2)], 0.08), 80 + 560 * (i % 2), 60 + 160 * (i // 2))
    result = reader().read(photo(image))
    assert sorted(" ".join(result.lines).split()) == TOUCHING, result.lines


@pytest.mark.parametrize("gap", [56, 2 * 44], ids=["beside", "a-number-apart"])
def test_touching_pairs_in_a_line_of_smaller_digits_are_cut_too(gap):
    # pairs that touch, a fifth of the big number's height: a blob that much shorter than the
    # page's digits was a fragment or a mark and never cut, though it has peers of its own size
    # beside it (dev set, inks: a touching pair under bigger numbers read as nothing). Two of
    # their heights apart, each pair is a number of its own: no next digit stands beside it,
    # but the next number on its line does (cut only since CUT_PEER_REACH 3)
    image = page((1280, 720))
    put(image, text_ink("47", 240, HANDS[0]), 60, 30)
    x = 60
    for pair in ("30", "85", "62"):
        ink = touching_ink(pair, 44, HANDS[2], 0.08)
        put(image, ink, x, 400)
        x += ink.shape[1] + gap
    assert reader().read(photo(image)).lines == ["47", "30 85 62"]


def test_touching_pairs_under_a_line_of_big_digits_are_cut_too():
    # the page's median digit is the big line's, so a cut piece of a small pair is under half of
    # it: it was no digit, and the pair read whole or not at all. A cut's pieces are now digits on
    # the terms of the small blob it cuts: strokes, each with a peer of its size beside it
    image = page((1280, 720))
    put(image, text_ink("4786", 150, HANDS[0]), 60, 40)
    x = 60
    for pair in ("30", "85", "62"):
        ink = touching_ink(pair, 40, HANDS[2], 0.08)
        put(image, ink, x, 420)
        x += ink.shape[1] + 60
    assert reader().read(photo(image)).lines == ["4786", "30 85 62"]


@pytest.mark.parametrize(("hand", "overlap"), [(HANDS[2], 0.05), (HANDS[2], 0.1), (HANDS[2], 0.15), (HANDS[0], 0.05)])
def test_two_touching_ones_are_cut_though_their_blob_is_narrower_than_it_is_tall(hand, overlap):
    # 1s are a quarter of their height wide: a pair that touches is under one height wide, where
    # no blob was offered a cut, and the pair, rejected whole, read as one 1 or nothing
    image = page((720, 200))
    x = write(image, "25", 40, 60, 60, hand=hand)
    ink = touching_ink("11", 60, hand, overlap)
    put(image, ink, x + 60, 120 - ink.shape[0])
    assert reader().read(photo(image)).lines == ["25 11"]


@pytest.mark.parametrize(("hand", "overlap", "text"), [(HANDS[0], 0.1, "5009"), (HANDS[0], 0.2, "2000"),
                                                       (HANDS[2], 0.1, "8030"), (HANDS[2], 0.15, "2000"),
                                                       (HANDS[2], 0.2, "5009")])
def test_overlapping_digits_whose_crops_hold_their_neighbours_arcs_are_read(hand, overlap, text):
    # each digit drawn a tenth to a fifth of its height into the one before: the span of a middle
    # 0 holds both neighbours' arcs and reads only 60-80% a 0, where a chain's links had to be 90%
    # sure, so no chain crossed the blob and the number read as nothing (settle.LINK_FLOOR)
    image = page((720, 240))
    put(image, touching_ink(text, 60, hand, overlap), 60, 80)
    assert reader().read(photo(image)).lines == [text]


def slanted(ink: np.ndarray, slope: float) -> np.ndarray:
    """`ink` leaning right by `slope` (x per y): its top shifted right of its foot."""
    h, w = ink.shape
    shear = np.float32([[1, -slope, slope * h], [0, 1, 0]])
    return cv2.warpAffine(ink, shear, (w + int(np.ceil(slope * h)) + 1, h))


@pytest.mark.parametrize(("text", "hand", "overlap"), [("000", 2, 0.15), ("2000", 2, 0.1), ("000", 0, 0.2), ("800", 2, 0.1)])
def test_slanted_touching_digits_are_cut_along_their_slant(text, hand, overlap):
    # right-leaning (20 degrees) digits that overlap: an upright cut between two takes a bite of
    # each, so no column range holds the middle 0 of `000` whole (they read 00, 0 or nothing);
    # the slanted lattice, searched where the upright one has no sure chain, cuts along the lean
    image = page((1280, 720))
    put(image, slanted(touching_ink(text, 64, HANDS[hand], overlap), 0.35), 100, 100)
    assert reader().read(photo(image)).lines == [text]
