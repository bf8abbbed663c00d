"""`.`, `,`, `-`, `/`, `=` are marks, never digits: `.` and `,` keep a number whole, the others part it;
the JSON lists the marks it found per line in its own field, `lines` and `digits` as they were."""

import json

import cv2
from edge_fixtures import model_path
from read_scenes import HANDS, field_crop, page, photo, reader, write

from edge.cli import main
from edge.smoothing import LineVote


def test_separators_in_a_written_field():
    cases = {"25.441": "25441", "1,250.00": "125000", "123-4567": "123 4567", "12/05/2024": "12 05 2024", "350,-": "350",
             "48=": "48"}
    for text, truth in cases.items():
        for hand in (HANDS[0], HANDS[2]):
            assert reader().read(field_crop(text, 60, hand)).lines == [truth], (text, hand)


def test_a_comma_that_reads_as_a_digit_is_a_comma_in_a_field():
    # a thin pen's comma, mid-line down to the baseline, reads as a sure 9 or 1 on its own
    for text, height in (("605,1", 60), ("3,75", 40)):
        result = reader().read(field_crop(text, height, HANDS[1]))
        assert result.lines == [text.replace(",", "")], text
        assert [m.kind for line in result.marks for m in line] == [","], text


def test_separators_on_a_page_line():
    image = page((900, 400))
    write(image, "25.441", 40, 60, 40)
    write(image, "12-34", 40, 200, 40)
    assert reader().read(photo(image)).lines == ["25441", "12 34"]


def _lies_between(mark_box, left_box, right_box) -> bool:
    middle = mark_box[0] + mark_box[2] / 2
    return left_box[0] + left_box[2] <= middle <= right_box[0]


def test_json_names_each_fields_separators_where_they_were_written():
    cases = {"1,250.00": [(",", 1), (".", 4)], "12/05/2024": [("/", 2), ("/", 4)], "123-4567": [("-", 3)],
             "7=7": [("=", 1)]}  # mark, and how many digits precede it
    for text, expected in cases.items():
        result = reader().read(field_crop(text, 60, HANDS[2]))
        record = result.as_json()
        digits = record["digits"]
        assert [(m["mark"], m["line"]) for m in record["separators"]] == [(mark, 0) for mark, _ in expected], text
        for mark, (_, before) in zip(record["separators"], expected, strict=True):
            assert _lies_between(mark["box"], digits[before - 1]["box"], digits[before]["box"]), (text, mark)


def test_json_separators_keep_their_line_and_trailing_marks_are_listed():
    image = page((900, 420))
    write(image, "12-34", 40, 60, 48)
    write(image, "48=", 40, 240, 48)
    record = reader().read(photo(image)).as_json()
    assert record["lines"] == ["12 34", "48"]
    assert [(m["mark"], m["line"]) for m in record["separators"]] == [("-", 0), ("=", 1)]
    eq = record["separators"][1]["box"]
    eight = record["digits"][-1]["box"]
    assert eq[0] >= eight[0] + eight[2] and eq[2] > eq[3]  # after the 8, wider than tall


def test_the_vote_carries_each_lines_separators_with_it():
    result = reader().read(field_crop("123-4567", 60, HANDS[2]))
    vote = LineVote(3)
    for _ in range(3):
        voted = vote.vote(result)
    assert voted.lines == result.lines and voted.marks == result.marks and voted.marks[0][0].kind == "-"


def test_edge_run_json_adds_separators_and_keeps_every_other_field(tmp_path, capsys):
    cv2.imwrite(str(tmp_path / "amount.png"), field_crop("1,250.00", 60, HANDS[2]))
    assert main(["--source", str(tmp_path / "amount.png"), "--model", str(model_path()), "--json"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert list(record) == ["source", "frame", "lines", "digits", "separators", "timing_ms"]
    assert record["lines"] == ["125000"] and len(record["digits"]) == 6
    assert [m["mark"] for m in record["separators"]] == [",", "."]
    assert all(len(m["box"]) == 4 and m["line"] == 0 for m in record["separators"])
