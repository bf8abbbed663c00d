"""A pale pencil page is read even where the frame's edge holds something far darker than its
strokes (the page's own edge, the desk beyond it): the ink threshold is set by the writing, and
its floor by the paper (faint pencil on clean paper is ink, grain as strong is not)."""

import cv2
import numpy as np
from read_scenes import HANDS, page, photo, reader, write

from edge.vision.ink import ink_dark_grey
from edge.vision.picture import Picture
from edge.vision.threshold import LOW_CONTRAST, MIN_CONTRAST, ink_floor, ink_map

PENCIL = (150, 150, 155)  # BGR: graphite on white paper, about 0.6 of the paper's brightness
FAINT = (170, 170, 174)  # BGR: hard pencil, about 0.7 of the paper's brightness
LINES = ["5146", "4243", "253"]


def pencil_page(dark_edge: bool):
    image = page((960, 540))
    for row, text in enumerate(LINES):
        write(image, text, 120 + 160 * row, 90 + 130 * row, 36, PENCIL, HANDS[0])
    if dark_edge:  # the desk along the top and left of the frame, as a page photographed off-centre shows it
        image[:6] = 25
        image[:, :5] = 25
    return photo(image)


def test_a_pencil_page_reads_with_and_without_a_dark_frame_edge():
    plain = reader().read(pencil_page(dark_edge=False)).lines
    edged = reader().read(pencil_page(dark_edge=True)).lines
    assert plain == LINES
    assert edged == LINES


def test_a_paler_line_of_writing_beside_darker_ones_is_read_on_plain_paper():
    # three lines in dark pen, the last in soft pencil at about half their darkness: the paper
    # has no printed lines, so the pale strokes are writing, not a ruled line's debris
    image = page((960, 540))
    dark = ["2507", "384", "916"]
    for row, text in enumerate(dark):
        write(image, text, 120, 60 + 110 * row, 40, (40, 40, 40), HANDS[0])
    write(image, "5146", 120, 60 + 110 * 3, 40, (150, 150, 155), HANDS[0])
    assert reader().read(photo(image)).lines == [*dark, "5146"]


def faint_page() -> np.ndarray:
    # hard pencil (or chalk worn thin), out of focus: its darkest strokes at about 45 of the ink
    # map's 255, under the level a page of pen writing is thresholded at (60)
    image = page((960, 540))
    for row, text in enumerate(LINES):
        write(image, text, 120 + 160 * row, 90 + 130 * row, 30, FAINT, HANDS[0])
    image = cv2.GaussianBlur(image, (0, 0), 1.6)
    image += np.random.default_rng(5).normal(0, 2.0, image.shape).astype(np.float32)
    return photo(image)


def test_faint_blurred_pencil_on_clean_paper_is_read():
    # before the floor followed the paper, this read ['4', '4 4']
    assert reader().read(faint_page()).lines == LINES


def grainy_paper(amplitude: float) -> np.ndarray:
    """A blank page with darker blotches a few pixels across (recycled paper's grain), photographed."""
    image = page((960, 540))
    grain = cv2.GaussianBlur(np.random.default_rng(7).normal(0, 1, image.shape[:2]).astype(np.float32), (0, 0), 2.0)
    return photo(image - np.abs(grain / grain.std() * amplitude)[..., None])


def test_the_ink_floor_is_low_on_clean_paper_and_high_on_grainy_paper():
    def floor(frame):
        return ink_floor(ink_map(Picture.of(frame, grey_of=ink_dark_grey).grey))

    assert floor(faint_page()) == LOW_CONTRAST
    # grain that reaches a faint stroke's level keeps the floor where pen writing has it: at
    # LOW_CONTRAST this page reads as 125 digits of grain, at the floor it gets as many as ever
    assert floor(grainy_paper(20.0)) == MIN_CONTRAST
    assert LOW_CONTRAST < floor(grainy_paper(10.0)) < MIN_CONTRAST
