"""Scale: 13 px digits and 300 px ones on one page, a line of small digits beside a big number."""

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
