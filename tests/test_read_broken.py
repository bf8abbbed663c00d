"""A digit broken across near mid-height (a pale stroke, a shadow's edge) is one digit again.

Each half is about half the digit's height, and merge_broken capped a digit at 1.35 x 1.4 times
its taller piece: two halves and their gap never fitted, each half was too short to be a digit
alone, and the digit vanished from its number (`2537` read `2 37`). Fails on the reader before
LONE_REFERENCE (edge.vision.components)."""

import numpy as np
import pytest
from read_scenes import HANDS, page, photo, put, reader, text_ink


def broken(text: str, index: int, hand: str, height: int = 60, band: int = 5) -> np.ndarray:
    """`text` written in `hand` with its `index`-th digit broken by a `band` px gap at mid-height."""
    ink = text_ink(text, height, hand).copy()
    cols = np.flatnonzero(ink.max(axis=0) > 0.1)
    breaks = np.flatnonzero(np.diff(cols) > 1)
    starts, ends = [cols[0], *cols[breaks + 1]], [*(cols[breaks] + 1), cols[-1] + 1]
    assert len(starts) == len(text), "the hand's digits must stand apart for this scene"
    a, b = starts[index], ends[index]
    rows = np.flatnonzero(ink[:, a:b].max(axis=1) > 0.1)
    top = (rows[0] + rows[-1]) // 2 - band // 2
    ink[top : top + band, a:b] = 0
    image = page((500, 200))
    put(image, ink, 40, 60)
    return photo(image)


@pytest.mark.parametrize("hand", [HANDS[0], HANDS[2]])
@pytest.mark.parametrize(("text", "index"), [("2537", 1), ("8451", 2), ("3906", 1)])
def test_a_digit_broken_at_mid_height_in_a_number_is_read_whole(text, index, hand):
    assert reader().read(broken(text, index, hand)).lines == [text]


def test_halves_without_peers_join_where_two_lines_of_small_digits_stay_apart():
    from edge.vision.box import Box
    from edge.vision.components import merge_broken
    from edge.vision.cuts import Piece

    def piece(x, y, w, h, label):
        return Piece(Box(x, y, w, h), (label,))

    big = [piece(300 + 80 * i, 0, 70, 100, 50 + i) for i in range(4)]  # the page's digits: its reference
    top, bottom = piece(0, 0, 30, 26, 1), piece(0, 29, 30, 25, 2)  # one small digit broken across
    assert any(set(parts) == {top, bottom} for _, parts in merge_broken([top, bottom, *big]))
    # the same pieces, each with peers of its own height beside it: two lines of small digits
    upper = [piece(35 * i, 0, 30, 26, 10 + i) for i in range(4)]
    lower = [piece(35 * i, 29, 30, 25, 20 + i) for i in range(4)]
    assert all(not parts for _, parts in merge_broken([*upper, *lower, *big]))
