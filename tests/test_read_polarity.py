"""Light strokes on a dark board (chalk) are found and read like dark ink on paper."""

from read_scenes import TWO_LINES, page, photo, reader, two_line_scene, write

from edge.vision.ink import ink_dark_grey, light_on_dark

BOARD = (40, 48, 36)  # BGR: a dark green board
CHALK = {"white": (225, 228, 226), "yellow": (140, 220, 235)}


def board_scene(chalk):
    return two_line_scene(BOARD, chalk, 60)


def test_white_and_yellow_chalk_on_a_dark_board_read_right():
    for name, chalk in CHALK.items():
        assert reader().read(board_scene(chalk)).lines == TWO_LINES, name


def test_the_board_is_turned_over_and_paper_is_not():
    board = board_scene(CHALK["white"])
    assert light_on_dark(board[..., 1])
    assert ink_dark_grey(board).mean() > 128  # the board is now the light background
    paper = page((720, 400))
    write(paper, "2507", 60, 60, 60)
    assert not light_on_dark(photo(paper)[..., 1])


def board_on_a_desk(chalk=CHALK["white"]):
    """A board lighter than the dark desk around it, half in shadow, with a few chalk digits:
    the frame's dark tail is the desk, its bright one the board, and the chalk is under 1% of it."""
    import numpy as np

    image = page((1280, 720), (8, 8, 8))
    image[60:660, 80:1200] = (62, 66, 58)
    ys, xs = np.mgrid[0:720, 0:1280]
    image[(xs + ys < 900)[..., None].repeat(3, axis=2)] *= 0.6  # a shadow over the top left
    write(image, "2507", 160, 140, 56, chalk)
    write(image, "16", 700, 420, 56, chalk)
    return photo(image)


def test_a_board_on_a_darker_desk_with_sparse_chalk_and_a_shadow_is_turned_over():
    frame = board_on_a_desk()
    assert light_on_dark(frame[..., 1])
    assert reader().read(frame).lines == ["2507", "16"]



def page_on_a_desk(shade: float):
    """A small page held close over a dark desk, its lower right part in a shadow (`shade` of the
    light there): the frame's median is the desk, and the page's lit part a light tail."""
    import numpy as np

    image = page((320, 240), (30, 30, 30))
    image[110:230, 30:300] = (205, 205, 205)
    ys, xs = np.mgrid[0:240, 0:320]
    shadow = ((xs - 30) + 2 * (ys - 110) > 240) & (ys >= 110) & (ys < 230) & (xs >= 30) & (xs < 300)
    image[shadow] *= shade
    write(image, "3634", 80, 140, 40)
    return photo(image)


def test_a_small_page_on_a_dark_desk_half_in_shadow_is_not_turned_over():
    # Otsu parts the whole page from the desk; the page's lit part is a light tail of its levels,
    # as chalk is on a board, but within the page the thin things that stand out are its dark
    # strokes (turned over, it read 7 and 50 1)
    frame = page_on_a_desk(0.6)
    assert not light_on_dark(frame[..., 1])
    assert reader().read(frame).lines == ["3634"]

