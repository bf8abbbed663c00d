"""Scale: 13 px digits and 300 px ones on one page, a line of small digits beside a big number."""

import cv2
import numpy as np
import pytest
from read_scenes import HANDS, page, photo, reader, write


@pytest.mark.parametrize("big, small", [(300, 14), (200, 16), (120, 13), (60, 14)])
def test_small_digits_beside_big_ones_are_all_read(big, small):
    image = page((1280, 720))
    x = write(image, "47", 30, 30, big, hand=HANDS[0])
    write(image, "2958", x + 60, 30 + big - small, small, hand=HANDS[0])  # on the big number's baseline
    write(image, "36", 30, 60 + big, 24, hand=HANDS[2])
    write(image, "815", 200, 60 + big, 24, hand=HANDS[2])
    write(image, "709", 30, 110 + big, 16, hand=HANDS[0])
    assert reader().read(photo(image)).lines == ["47 2958", "36 815", "709"]


@pytest.mark.parametrize("big", [300, 180])
def test_a_lone_big_digit_beside_small_ones_is_read(big):
    # one big digit has no peer of its size; a piece of a digit is never taller than the digits
    # around it, so it is still a digit
    image = page((1280, 720))
    write(image, "0", 60, 40, big, hand=HANDS[1])
    write(image, "63", 700, 300, 20, hand=HANDS[0])
    write(image, "815", 700, 400, 20, hand=HANDS[0])
    assert reader().read(photo(image)).lines == ["0", "63", "815"]


def _page_edge_along_the_frame(image, width: int = 8, grey: int = 110) -> None:
    """The desk's fringe where the page meets the frame's left edge: rule removal takes it out
    as a long line, though the page has no printed lines."""
    image[:, :width] = (grey, grey, grey)


@pytest.mark.parametrize("small", [14, 20])
def test_small_digits_on_a_plain_page_whose_edge_runs_along_the_frame_are_read(small):
    # the page edge made the reader take the page for lined paper, and every pale component for
    # a printed line's debris: small digits are pale under a lens's blur, and all of them went
    image = page((1280, 720))
    _page_edge_along_the_frame(image)
    x = write(image, "473", 40, 30, 240, hand=HANDS[0])
    write(image, "2958", x + 60, 30 + 240 - small, small, hand=HANDS[0])
    write(image, "36", 60, 340, small, hand=HANDS[0])
    write(image, "815", 200, 340, small, hand=HANDS[0])
    frame = cv2.GaussianBlur(np.clip(image, 0, 255).astype(np.uint8), (0, 0), 1.0)
    assert reader().read(frame).lines == ["473 2958", "36 815"]


def test_a_pale_speck_between_two_numbers_does_not_join_them():
    # a speck far paler than the pen's strokes is the paper's grain, no written '.', so the
    # numbers either side stay two (taken for a '.', it joined them: 7590144651)
    image = page((1280, 720))
    _page_edge_along_the_frame(image)
    write(image, "473", 40, 30, 240, hand=HANDS[0])
    x = write(image, "75901", 40, 400, 40, hand=HANDS[0])
    cv2.circle(image, (x + 30, 436), 2, (120, 120, 120), -1)
    write(image, "44651", x + 60, 400, 40, hand=HANDS[0])
    frame = cv2.GaussianBlur(np.clip(image, 0, 255).astype(np.uint8), (0, 0), 1.0)
    assert reader().read(frame).lines == ["473", "75901 44651"]
