"""Colour: pale coloured pen, faint in luma, stands out like black; dark pens read as before."""

from read_scenes import CREAM, PENS, TWO_LINES, WHITE, reader, two_line_scene

from edge.vision.ink import ink_dark_grey
from edge.vision.segment import to_grey

PALE_PENS = {"orange": (20, 150, 250), "yellow-green": (40, 215, 170), "pink": (170, 120, 255)}  # BGR


def scene(colour, paper):
    return two_line_scene(paper, colour, 56)


def test_pale_coloured_pens_on_white_and_cream_paper_read_right():
    for name, colour in PALE_PENS.items():
        for paper in (WHITE, CREAM):
            assert reader().read(scene(colour, paper)).lines == TWO_LINES, (name, paper)


def test_dark_pens_keep_the_luma_path():
    for name in ("black", "blue", "red", "green"):
        frame = scene(PENS[name], WHITE)
        assert (ink_dark_grey(frame) == to_grey(frame)).all(), name
        assert reader().read(frame).lines == TWO_LINES, name


def test_a_colour_image_file_is_read_in_colour_with_or_without_the_flag(tmp_path, capsys):
    import json

    import cv2
    from edge_fixtures import model_path

    from edge.cli import main

    cv2.imwrite(str(tmp_path / "note.png"), scene(PALE_PENS["yellow-green"], CREAM))  # its luma matches the paper's
    for flags in ([], ["--colour"]):
        assert main(["--source", str(tmp_path / "note.png"), "--model", str(model_path()), "--json", *flags]) == 0
        (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
        assert record["lines"] == TWO_LINES, flags
