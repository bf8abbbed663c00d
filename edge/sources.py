"""Where frames come from: image files, folders, videos and streams, the demo generator; live
cameras (OpenCV and the Pi's picamera2) are in edge.cameras.

Every source is an iterable of `Frame`s used as a context manager.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from edge.errors import UserError
from edge.exif import HEAD_BYTES, orientation, upright
from edge.vision.picture import to_grey

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm"}
# an ISO-BMFF file's brand (bytes 4-12): a phone's HEIC/HEIF photo
HEIF_BRANDS = {b"ftyp" + brand for brand in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis")}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".mjpeg", ".mjpg"}


def warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Frame:
    image: np.ndarray  # grey or BGR uint8
    source: str  # file name, or "camera:0"
    index: int
    decode_ms: float = 0.0
    truth: object = None  # the demo's SynthFrame, else None


class BadImage(Exception):
    """An image file that cannot be read; the message is one line for stderr."""


def decode_image(path: Path) -> np.ndarray:
    """An image file to a uint8 grey or BGR array; BadImage with the reason when it is not one."""
    try:
        data = np.fromfile(str(path), np.uint8)
    except OSError as err:
        raise BadImage(f"{path}: cannot read it ({err.strerror})") from err
    if data.size == 0:
        raise BadImage(f"{path}: empty file (0 bytes), skipped")
    if path.suffix.lower() in (".jpg", ".jpeg") and not bytes(data[-2:]) == b"\xff\xd9":
        # libjpeg decodes a cut-off JPEG with grey filler and a warning; say so and skip it
        raise BadImage(f"{path}: truncated JPEG (no end marker), skipped; copy the file again")
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        if bytes(data[4:12]) in HEIF_BRANDS:
            raise BadImage(f"{path}: a HEIC/HEIF photo, which OpenCV cannot decode; save it as JPEG "
                           "(iPhone: Settings > Camera > Formats > Most Compatible), skipped")
        raise BadImage(f"{path}: not an image OpenCV can decode, skipped")
    if image.ndim == 3 and image.shape[2] == 4:
        # transparent pixels count as white paper, not as the black their colour channels hold
        alpha = image[..., 3:4].astype(np.float32) / np.iinfo(image.dtype).max
        image = image[..., :3].astype(np.float32) * alpha + np.iinfo(image.dtype).max * (1 - alpha)
        image = image.astype(np.uint16 if image.max() > 255 else np.uint8)
    # colour is kept: the reader makes the grey it needs, once; 16-bit files drop to 8 bits, and
    # anything stranger (a float TIFF) is made grey uint8 here
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = to_grey(image)
    # a phone's photo is stored as the sensor saw it, its EXIF saying how to turn it (see edge.exif)
    return upright(image, orientation(bytes(data[:HEAD_BYTES])))


def list_images(folder: Path, report: Callable[[str], None] = warn) -> tuple[list[Path], int]:
    """The files directly in `folder` by name, and how many entries were passed over; each
    broken link and subfolder is said in one line (hidden files are passed over silently)."""
    files, passed_over = [], 0
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            files.append(entry)
            continue
        passed_over += 1
        if entry.is_symlink() and not entry.exists():
            report(f"{entry}: broken link (to {os.readlink(entry)}), skipped")
        elif entry.is_dir():
            report(f"{entry}: a folder, skipped; only the files directly in --source are read")
        else:
            report(f"{entry}: not a regular file, skipped")
    return files, passed_over


class ImageFiles:
    """One image file or a folder of them (sorted by name). Bad files are reported and skipped."""

    live = False

    def __init__(self, path: Path, *, report: Callable[[str], None] = warn) -> None:
        self.path = path
        self.report = report
        self.skipped = 0
        self.read = 0
        if path.is_dir():
            self.paths, self.skipped = list_images(path, report)
            if not self.paths:
                raise UserError(f"--source {path}: the folder holds no files; point it at images")
        else:
            self.paths = [path]

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __iter__(self) -> Iterator[Frame]:
        for i, path in enumerate(self.paths):
            t0 = time.perf_counter()
            try:
                image = decode_image(path)
            except BadImage as err:
                if len(self.paths) == 1:
                    raise UserError(f"--source {err}; pass an image, a folder, a video or a URL") from None
                self.report(str(err))
                self.skipped += 1
                continue
            self.read += 1
            yield Frame(image, path.name, i, (time.perf_counter() - t0) * 1e3)
        if self.read == 0:
            raise UserError(f"--source {self.path}: none of its {len(self.paths)} files is a readable image")


class VideoFile:
    """A video file or a stream URL through OpenCV; ends when the video does."""

    live = False

    def __init__(self, target: str) -> None:
        self.target = target
        self.name = Path(target).name if "://" not in target else target
        self.capture = None

    def __enter__(self):
        self.capture = cv2.VideoCapture(self.target)
        if not self.capture.isOpened():
            raise UserError(f"--source {self.target}: cannot open it as a video or stream; check the path or URL")
        return self

    def __exit__(self, *exc) -> None:
        if self.capture is not None:
            self.capture.release()

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while True:
            t0 = time.perf_counter()
            ok, image = self.capture.read()
            if not ok or image is None:
                if index == 0:
                    raise UserError(f"--source {self.target}: no frame could be decoded; is it a video OpenCV can read?")
                return
            yield Frame(image, self.name, index, (time.perf_counter() - t0) * 1e3)
            index += 1


class DemoSource:
    """The demo generator's frames, each carrying its ground truth."""

    live = True

    def __init__(self, scene, max_frames: int) -> None:
        self.scene, self.max_frames = scene, max_frames
        self.name = "demo"

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __iter__(self) -> Iterator[Frame]:
        for index, synth in enumerate(self.scene.frames()):
            if index >= self.max_frames:
                return
            yield Frame(synth.image, self.name, index, 0.0, synth)


def open_source(target: str) -> ImageFiles | VideoFile:
    """--source PATH: an image, a folder of images, a video file, or a stream URL."""
    if "://" in target:
        return VideoFile(target)
    path = Path(target).expanduser()
    if not path.exists():
        raise UserError(f"--source {target}: not found; pass an image, a folder of images, a video or a URL")
    if path.is_dir() or path.suffix.lower() not in VIDEO_SUFFIXES:
        return ImageFiles(path)
    return VideoFile(str(path))


CAMERA_NAMES = ("Camera", "PiCapture", "RECONNECT_DELAYS", "open_opencv_camera", "open_pi_camera", "picamera2_available")


def __getattr__(name: str):
    """The cameras moved to edge.cameras (which imports Frame from here); `from edge.sources import
    Camera` still works for code written before the move."""
    if name in CAMERA_NAMES:
        import edge.cameras

        return getattr(edge.cameras, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
