"""An image that is one field (a cropped amount, a form box) is read as one line, edge digits kept."""

import cv2
import numpy as np
from read_scenes import HANDS, PENS, field_crop, page, photo, put, reader, text_ink

from edge.cli import build_parser


def test_a_tight_crop_of_a_number_is_read_whole():
    for text, hand in (("2507", HANDS[0]), ("38416", HANDS[2]), ("905", HANDS[0])):
        crop = field_crop(text, 48, hand, pad=0)
        assert reader().read(crop).lines == [text], text


def test_a_field_in_blue_pen_with_its_printed_frame_around_it():
    crop = field_crop("4096", 40, colour=PENS["blue"], pad=3).copy()
    crop[:2], crop[-2:], crop[:, :2], crop[:, -2:] = 40, 40, 40, 40  # the form's printed box, cut by the crop
    assert reader().read(crop).lines == ["4096"]


def test_a_1_the_crop_cuts_at_the_fields_edge_is_kept():
    # a plain stroke half cut by the crop: dark along the edge for most of its height, where a
    # field's edge pixels were read as its surround (padded black) and the 1 became background
    for text, hand in (("485", HANDS[0]), ("907", HANDS[2])):
        ink = text_ink(text, 100, hand)
        height = ink.shape[0] + 16
        one = np.zeros((height, 18), np.float32)
        cv2.line(one, (6, 12), (6, height - 6), 1.0, 6)
        image = page((one.shape[1] + ink.shape[1] + 7, height))
        put(image, one, -3, 0, PENS["blue"])  # 3 of its 6 px are outside the crop
        put(image, ink, one.shape[1] + 3, 8, PENS["blue"])
        assert reader().read(photo(image)).lines == ["1" + text], text


def test_a_field_whose_digits_wander_reads_as_one_line():
    crop = field_crop("7", 50, pad=0)
    tall = np.full((crop.shape[0] + 30, crop.shape[1] * 4 + 20, 3), 242, np.uint8)
    for i, dy in enumerate((0, 30, 8, 24)):  # a baseline wandering by half a digit
        tall[dy : dy + crop.shape[0], 5 + i * (crop.shape[1] + 4) : 5 + i * (crop.shape[1] + 4) + crop.shape[1]] = crop
    assert reader().read(tall).lines == ["7777"]


def test_layout_flag_defaults_to_auto_and_takes_field_or_page():
    parser = build_parser()
    assert parser.parse_args(["--demo"]).layout == "auto"
    assert parser.parse_args(["--demo", "--layout", "field"]).layout == "field"


def test_a_digit_broken_across_at_a_shadows_edge_is_joined_again():
    # a shadow's edge across a field breaks a 6's strokes on a slant, into a top and a bottom half
    # that share a few rows, each over half the 6 tall: beside a local reference of the taller half
    # both were "whole pieces", kept apart, and the field read "0670" (dev fields scene 15)
    ink = text_ink("670", 100, HANDS[0]).copy()
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    end = cols[np.flatnonzero(np.diff(cols) > 1)[0]] + 1  # the 6's last column
    rows = np.flatnonzero(ink[:, :end].max(axis=1) > 0)
    mid = (rows[0] + rows[-1]) // 2
    edge = np.zeros_like(ink)
    cv2.line(edge, (0, mid - 10), (int(end), mid + 10), 255, 3)
    ink[:, :end][edge[:, :end] > 0] = 0
    image = page((ink.shape[1] + 2, ink.shape[0] + 2))
    put(image, ink, 1, 1, PENS["black"])
    assert reader().read(photo(image)).lines == ["670"]


def test_pieces_stacked_are_halves_where_pieces_side_by_side_are_two_digits():
    from edge.vision.box import Box
    from edge.vision.components import merge_broken
    from edge.vision.cuts import Piece

    def piece(x, y, w, h, label):
        return Piece(Box(x, y, w, h), (label,))

    others = [piece(100 + 60 * i, 10, 50, 102, 10 + i) for i in range(4)]  # the field's other digits
    top, bottom = piece(0, 16, 48, 56, 1), piece(0, 62, 63, 57, 2)  # the 6 of dev fields scene 15
    joined = merge_broken([top, bottom, *others])
    assert any(p.box == Box(0, 16, 63, 103) and set(parts) == {top, bottom} for p, parts in joined)
    # two digits that overlap side by side (on one line) stay two, however tall
    left, right = piece(400, 10, 50, 100, 20), piece(440, 14, 50, 96, 21)
    assert {p for p, _ in merge_broken([left, right, *others])} >= {left, right}
