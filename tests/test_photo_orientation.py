"""A phone photo's EXIF orientation is applied: the reader sees the page as the phone's viewer shows it.

The EXIF blocks are built here byte by byte (both byte orders) and spliced into JPEGs that
OpenCV wrote; OpenCV's own colour decoder, which applies the tag, is the reference.
"""

import json
import struct

import cv2
import numpy as np
import pytest
from edge_fixtures import model_path, synth_frames

from edge.cli import main
from edge.exif import orientation, upright
from edge.sources import BadImage, decode_image


def exif_segment(turn: int, order: str = "<") -> bytes:
    """An APP1 EXIF segment whose first image directory holds only the orientation tag."""
    mark = b"II" if order == "<" else b"MM"
    tiff = mark + struct.pack(order + "HI", 42, 8)
    tiff += struct.pack(order + "H", 1) + struct.pack(order + "HHI", 0x0112, 3, 1)
    tiff += struct.pack(order + "H", turn) + b"\x00\x00" + struct.pack(order + "I", 0)
    body = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_exif(jpeg: bytes, segment: bytes) -> bytes:
    """`jpeg` with `segment` right after its start marker, where cameras put it."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + segment + jpeg[2:]


def asymmetric(h: int = 48, w: int = 80) -> np.ndarray:
    """A colour picture no turn or mirror maps onto itself."""
    image = np.full((h, w, 3), 230, np.uint8)
    image[4:14, 6:30] = (20, 40, 200)  # a red bar at the top left
    image[30:44, 60:66] = (200, 60, 20)  # a blue post at the bottom right
    image[20:26, 40:44] = 0
    return image


def jpeg_bytes(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return buf.tobytes()


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("turn", range(1, 9))
def test_every_orientation_is_turned_as_a_viewer_shows_it(tmp_path, turn, order):
    data = with_exif(jpeg_bytes(asymmetric()), exif_segment(turn, order))
    assert orientation(data) == turn
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    reference = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  # OpenCV applies the tag here
    image = decode_image(path)
    assert image.shape == reference.shape
    assert np.array_equal(image, reference)
    assert image.shape[:2] == ((48, 80) if turn < 5 else (80, 48))


def test_upright_turns_grey_and_colour_alike():
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    colour = np.repeat(grey[..., None], 3, axis=2)
    for turn in range(1, 9):
        assert np.array_equal(upright(colour, turn)[..., 0], upright(grey, turn))
    assert np.array_equal(upright(grey, 6), np.rot90(grey, -1))  # a quarter clockwise
    assert np.array_equal(upright(grey, 8), np.rot90(grey, 1))
    assert np.array_equal(upright(grey, 3), np.rot90(grey, 2))


def test_no_tag_or_a_broken_block_leaves_the_pixels_as_stored(tmp_path):
    stored = jpeg_bytes(asymmetric())
    assert orientation(stored) == 1
    assert orientation(b"\x89PNG\r\n\x1a\n") == 1 and orientation(b"") == 1
    broken = with_exif(stored, exif_segment(6)[:16] + b"\xff\xe1\x00")  # a block cut short
    assert orientation(broken) == 1
    unknown = with_exif(stored, exif_segment(9))  # out of range
    assert orientation(unknown) == 1
    path = tmp_path / "plain.jpg"
    path.write_bytes(stored)
    assert decode_image(path).shape == (48, 80, 3)


def test_a_heic_photo_gets_a_line_that_says_what_to_do(tmp_path):
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    with pytest.raises(BadImage, match="HEIC.*save it as JPEG"):
        decode_image(path)


def test_a_page_photographed_with_the_phone_upright_reads_as_the_upright_page(tmp_path, capsys):
    """The phone stores the page on its side (pixels turned a quarter anticlockwise) with
    orientation 6; read before EXIF was applied, every digit lay sideways."""
    frame = synth_frames(1, seed=8)[0]
    (tmp_path / "upright.jpg").write_bytes(jpeg_bytes(frame.image))
    stored = np.ascontiguousarray(np.rot90(frame.image, 1))  # as the sensor saw it
    (tmp_path / "phone.jpg").write_bytes(with_exif(jpeg_bytes(stored), exif_segment(6)))
    readings = {}
    for name in ("upright.jpg", "phone.jpg"):
        assert main(["--source", str(tmp_path / name), "--model", str(model_path()), "--json"]) == 0
        (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
        readings[name] = record["lines"]
    assert sum(len(line.replace(" ", "")) for line in readings["upright.jpg"]) >= 0.8 * len(frame.digits)
    assert readings["phone.jpg"] == readings["upright.jpg"]
