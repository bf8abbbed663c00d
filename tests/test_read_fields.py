"""An image that is one field (a cropped amount, a form box) is read as one line, edge digits kept."""

import numpy as np
from read_scenes import HANDS, PENS, field_crop, reader

from edge.cli import build_parser


def test_a_tight_crop_of_a_number_is_read_whole():
    for text, hand in (("2507", HANDS[0]), ("38416", HANDS[2]), ("905", HANDS[0])):
        crop = field_crop(text, 48, hand, pad=0)
        assert reader().read(crop).lines == [text], text


def test_a_field_in_blue_pen_with_its_printed_frame_around_it():
    crop = field_crop("4096", 40, colour=PENS["blue"], pad=3).copy()
    crop[:2], crop[-2:], crop[:, :2], crop[:, -2:] = 40, 40, 40, 40  # the form's printed box, cut by the crop
    assert reader().read(crop).lines == ["4096"]


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
