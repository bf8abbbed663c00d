"""A pale pencil page is read even where the frame's edge holds something far darker than its
strokes (the page's own edge, the desk beyond it): the ink threshold is set by the writing."""

from read_scenes import HANDS, page, photo, reader, write

PENCIL = (150, 150, 155)  # BGR: graphite on white paper, about 0.6 of the paper's brightness
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
