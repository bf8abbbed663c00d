"""A photo's EXIF orientation: how to turn its stored pixels to the way it was taken.

A phone stores a photo as its sensor saw it and records in the JPEG's EXIF block how to turn
it for viewing (tag 0x0112, values 1-8). Viewers apply it; OpenCV applies it only when asked
for a 3-channel or grey image, not with IMREAD_UNCHANGED, which the reader needs to keep a
PNG's transparency and a 16-bit file's depth. So a page photographed with the phone upright
(orientation 6: the stored pixels lie on their side) reached the reader turned by 90 degrees,
every digit sideways, and read as nothing. `orientation` reads the tag from the file's first
bytes without decoding it (no dependency beyond the standard library); `upright` turns the
decoded pixels as any viewer shows them.
"""

from __future__ import annotations

import struct

import numpy as np

ORIENTATION_TAG = 0x0112
SHORT = 3  # the tag's TIFF type
HEAD_BYTES = 1 << 20  # the EXIF block sits in the JPEG's first segments (each at most 64 KiB)
_SOS, _EOI, _APP1 = 0xDA, 0xD9, 0xE1
_STANDALONE = {0x01, *range(0xD0, 0xD9)}  # markers without a length: TEM, RST0-7, SOI


def orientation(head: bytes) -> int:
    """The EXIF orientation (1-8) of a JPEG from its first bytes (HEAD_BYTES are plenty); 1 (as
    stored) for anything else, a JPEG without the tag, or a block too broken to read."""
    if head[:2] != b"\xff\xd8":
        return 1
    try:
        i = 2
        while i + 4 <= len(head):
            if head[i] != 0xFF:
                return 1
            marker = head[i + 1]
            if marker == 0xFF:  # fill byte before a marker
                i += 1
                continue
            if marker in _STANDALONE:
                i += 2
                continue
            if marker in (_SOS, _EOI):
                return 1  # the image data starts: no EXIF block came before it
            length = struct.unpack(">H", head[i + 2 : i + 4])[0]
            if marker == _APP1 and head[i + 4 : i + 10] == b"Exif\x00\x00":
                return _tiff_orientation(head[i + 10 : i + 2 + length])
            i += 2 + length
    except (struct.error, IndexError):
        pass
    return 1


def _tiff_orientation(tiff: bytes) -> int:
    """The orientation tag of the first image directory of an EXIF block's TIFF structure."""
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or struct.unpack(order + "H", tiff[2:4])[0] != 42:
        return 1
    directory = struct.unpack(order + "I", tiff[4:8])[0]
    count = struct.unpack(order + "H", tiff[directory : directory + 2])[0]
    for k in range(count):
        entry = directory + 2 + 12 * k
        tag, kind = struct.unpack(order + "HH", tiff[entry : entry + 4])
        if tag == ORIENTATION_TAG:
            value = struct.unpack(order + "H", tiff[entry + 8 : entry + 10])[0] if kind == SHORT else 1
            return value if 1 <= value <= 8 else 1
    return 1


def upright(image: np.ndarray, turn: int) -> np.ndarray:
    """`image` (H, W) or (H, W, C) as stored, turned the way EXIF orientation `turn` says a
    viewer shows it: 2 mirrored, 3 upside down, 4 flipped, 5 transposed, 6 turned a quarter
    clockwise, 7 transverse, 8 a quarter anticlockwise; 1 (or anything else) as it is."""
    if turn not in range(2, 9):
        return image
    if turn >= 5:
        image = image.swapaxes(0, 1)
    rows, columns = {2: (1, -1), 3: (-1, -1), 4: (-1, 1), 5: (1, 1), 6: (1, -1), 7: (-1, -1), 8: (-1, 1)}[turn]
    return np.ascontiguousarray(image[::rows, ::columns])
