"""The field test's generator: its truth is what it drew, and it draws the same every run."""

from __future__ import annotations

import numpy as np
import pytest

from bench.field.forms import _sudoku
from bench.field.hands import FIELD_FONTS, FIELD_PRINTED_FONTS, require_field_fonts
from bench.field.layout import Pen, truth_of
from bench.field.scenes import CONDITIONS, make_scene

SEED = 11
HALO = 2  # px around a truth box where blur may carry a digit's ink


def test_field_fonts_are_installed():
    # fails (never skips) with the apt-get line that installs what is missing
    require_field_fonts()
    assert len(FIELD_FONTS) == 10 and len(FIELD_PRINTED_FONTS) >= 1


@pytest.mark.parametrize("condition", CONDITIONS)
def test_truth_boxes_cover_the_digits_drawn_and_nothing_else(condition):
    require_field_fonts()
    scene = make_scene(condition, SEED, 1)
    ink = scene.digit_ink
    assert scene.image.dtype == np.uint8 and scene.image.ndim == 3 and scene.image.shape[:2] == ink.shape
    covered = np.zeros(ink.shape, bool)
    for digit in scene.digits:
        x, y, w, h = digit.box
        assert w > 0 and h > 0, f"{condition}: digit {digit.value} has an empty box {digit.box}"
        assert ink[y : y + h, x : x + w].mean() > 0.03, f"{condition}: box {digit.box} of {digit.value} holds no ink"
        covered[max(0, y - HALO) : y + h + HALO, max(0, x - HALO) : x + w + HALO] = True
    stray = (ink & ~covered).sum()
    assert stray <= 0.002 * max(1, ink.sum()), f"{condition}: {stray} px of digit ink outside every truth box"
    # the lines spell exactly the digits whose boxes are in the truth
    spelled = sorted("".join(scene.lines).replace(" ", ""))
    assert spelled == sorted(str(d.value) for d in scene.digits)
    assert all(line == line.strip() and "  " not in line and line for line in scene.lines)


def test_the_sudoku_truth_is_nine_lines_in_row_order():
    rng = np.random.default_rng(SEED)
    sheet, truth = _sudoku(rng, Pen(FIELD_FONTS[0]))
    assert len(truth) == 9 and all(truth)
    # rebuild each row from the drawn digits: the row is the cell the digit's centre lies in
    cell = (sheet.height - 2 * (sheet.height // 11)) // 9
    top = sheet.height // 11
    rows: dict[int, list[tuple[int, int]]] = {}
    for value, x, y, _w, h in sheet.digits:
        rows.setdefault(int((y + h / 2 - top) // cell), []).append((x, value))
    drawn = [" ".join(str(v) for _, v in sorted(rows.get(r, []))) for r in range(9)]
    assert drawn == truth


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_scenes():
    first = make_scene("fields", SEED, 3)
    again = make_scene("fields", SEED, 3)
    other = make_scene("fields", SEED + 1, 3)
    assert first.jpeg == again.jpeg and first.lines == again.lines and first.digits == again.digits
    assert first.jpeg != other.jpeg


def test_separators_are_scored_as_the_issue_says():
    assert truth_of("25.441") == "25441"  # a '.' or ',' keeps one number whole
    assert truth_of("1,250.00") == "125000"
    assert truth_of("12/05/24") == "12 05 24"  # '/' and '-' part numbers
    assert truth_of("555-1234") == "555 1234"
    assert truth_of("250,-") == "250" and truth_of("48=") == "48"  # trailing marks are no digits


def test_a_big_digit_in_the_first_line_is_never_cut_by_the_sheets_top():
    # the scale row wrote 400 px digits 28 px below the top: a 7 lost its bar and read as a 1
    from bench.field.layout import write_number
    from bench.field.sheet import Sheet

    require_field_fonts()
    rng = np.random.default_rng(3)
    for hand in FIELD_FONTS:
        sheet = Sheet(1400, 500)
        write_number(sheet, rng, Pen(str(hand)), "737", x=10, bottom=120, height=360)
        drawn = sheet.layers["digits"]
        assert drawn[: 500 // 40].max() <= 0.08, f"{hand}: ink runs into the sheet's top margin"
        assert [d[0] for d in sheet.digits] == [7, 3, 7]


def test_the_dev_set_draws_the_same_conditions_in_training_hands_only():
    # tuning happens on these scenes: each one is written by a training-side font, and its truth
    # still spells exactly the digits it drew
    from bench.field.hands import dev_hands, hand_name

    dev = dev_hands()
    names = {hand_name(f) for f in dev.handwriting}
    field_names = {hand_name(f) for f in FIELD_FONTS}
    for condition in CONDITIONS:
        scene = make_scene(condition, SEED, 2, dev)
        assert scene.hand in names and scene.hand not in field_names, (condition, scene.hand)
        spelled = sorted("".join(scene.lines).replace(" ", ""))
        assert spelled == sorted(str(d.value) for d in scene.digits), condition
    # the held-out scenes are untouched by the choice: FIELD is the default
    field = make_scene("pages", SEED, 2)
    assert field.hand in field_names and make_scene("pages", SEED, 2, dev).jpeg != field.jpeg


def test_a_digit_mostly_out_of_the_frame_is_no_truth():
    # a board photographed close: digits at its edges fall out of the frame; one with less than
    # half its box in the frame is nobody's reading (this one has none left: an empty box)
    from bench.field import conditions
    from bench.field.hands import FIELD

    require_field_fonts()
    rng = np.random.default_rng([SEED, CONDITIONS.index("polarity"), 14])
    photo = conditions.GENERATORS["polarity"](rng, FIELD)[2]
    assert photo.cut_off == (5,) and photo.digits[5].box[2] == 0
    scene = make_scene("polarity", SEED, 14)
    assert scene.digits == photo.digits[:5] + photo.digits[6:]
    assert all(d.box[2] > 0 and d.box[3] > 0 for d in scene.digits)
    assert "".join(scene.lines).replace(" ", "") == "".join(str(d.value) for d in scene.digits)


def test_digits_taken_out_of_the_truth_leave_their_numbers_and_lines_whole():
    from bench.field.scenes import without_digits

    lines = ["12 345", "6", "7.89 10"]
    assert without_digits(lines, set()) == lines
    assert without_digits(lines, {0, 5}) == ["2 345", "7.89 10"]
    assert without_digits(lines, {6}) == ["12 345", "6", "89 10"]  # no leading "."
    assert without_digits(lines, {2, 3, 4}) == ["12", "6", "7.89 10"]
