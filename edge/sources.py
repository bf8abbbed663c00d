"""Where frames come from: image files, folders, videos and streams, cameras, the demo generator.

Every source is an iterable of `Frame`s used as a context manager. Camera opening
is injectable (`opener`) so tests can stand in a camera that fails and comes back.
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
from edge.vision.picture import to_grey

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".mjpeg", ".mjpg"}
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds; the last repeats until the camera is back


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
        raise BadImage(f"{path}: not an image OpenCV can decode, skipped")
    if image.ndim == 3 and image.shape[2] == 4:
        # transparent pixels count as white paper, not as the black their colour channels hold
        alpha = image[..., 3:4].astype(np.float32) / np.iinfo(image.dtype).max
        image = image[..., :3].astype(np.float32) * alpha + np.iinfo(image.dtype).max * (1 - alpha)
        image = image.astype(np.uint16 if image.max() > 255 else np.uint8)
    # colour is kept: the reader makes the grey it needs, once; 16-bit files drop to 8 bits, and
    # anything stranger (a float TIFF) is made grey uint8 here
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    return image if image.dtype == np.uint8 else to_grey(image)


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


def open_opencv_camera(device: str, resolution: tuple[int, int] | None):
    """cv2.VideoCapture of a device index or path, at the resolution asked for when it allows."""
    target: int | str = int(device) if device.isdigit() else device
    # OpenCV logs each backend it tried on stderr; our own one line says what to do instead
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        capture = cv2.VideoCapture(target)
    finally:
        cv2.utils.logging.setLogLevel(previous)
    if not capture.isOpened():
        capture.release()
        return None
    if resolution:
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, resolution[0])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, resolution[1])
    return capture


class Camera:
    """A live camera that reconnects with backoff when it disappears, and carries on when back."""

    live = True

    def __init__(
        self,
        device: str = "0",
        resolution: tuple[int, int] | None = None,
        *,
        opener: Callable[[str, tuple[int, int] | None], object] = open_opencv_camera,
        sleep: Callable[[float], None] = time.sleep,
        report: Callable[[str], None] = warn,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.device, self.resolution = device, resolution
        self.name = f"camera:{device}"
        self.opener, self.sleep, self.report, self.should_stop = opener, sleep, report, should_stop
        self.capture = None
        self.reconnects = 0

    def __enter__(self):
        self.capture = self.opener(self.device, self.resolution)
        if self.capture is None:
            raise UserError(
                f"--camera {self.device}: no camera there or it is busy; plug it in, close other "
                "programs using it, or pick another with --camera N|PATH"
            )
        return self

    def __exit__(self, *exc) -> None:
        if self.capture is not None:
            self.capture.release()
            self.capture = None

    def _reconnect(self) -> bool:
        if self.capture is not None:
            self.capture.release()
            self.capture = None
        for attempt in range(1_000_000):
            if self.should_stop():
                return False
            delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
            self.report(f"{self.name}: lost; reconnecting in {delay:g} s (attempt {attempt + 1})")
            self.sleep(delay)
            self.capture = self.opener(self.device, self.resolution)
            if self.capture is not None:
                self.reconnects += 1
                self.report(f"{self.name}: back, carrying on")
                return True
        return False

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while not self.should_stop():
            t0 = time.perf_counter()
            ok, image = self.capture.read() if self.capture is not None else (False, None)
            if not ok or image is None:
                if not self._reconnect():
                    return
                continue
            yield Frame(image, self.name, index, (time.perf_counter() - t0) * 1e3)
            index += 1


class PiCapture:
    """picamera2 behind OpenCV's read()/release(), so the Pi camera reconnects like any camera.

    It streams a low-resolution YUV420 "lores" image of the size asked for: its first
    `height` rows are the Y plane, a greyscale frame with nothing to convert or resize.
    """

    def __init__(self, cam, size: tuple[int, int]) -> None:
        self.cam, self.size = cam, size

    def read(self) -> tuple[bool, np.ndarray | None]:
        try:
            yuv = self.cam.capture_array("lores")
        except (RuntimeError, OSError):  # the camera went away mid-run
            return False, None
        w, h = self.size
        return True, yuv[:h, :w]

    def release(self) -> None:
        self.cam.close()


def open_pi_camera(device: str, resolution: tuple[int, int] | None) -> PiCapture | None:
    """Camera N through picamera2 (imported here: only a Pi has it), or None when it won't open."""
    from picamera2 import Picamera2

    size = resolution or (640, 480)
    cam = None
    try:
        cam = Picamera2(int(device))
        cam.configure(cam.create_video_configuration(main={"size": size}, lores={"size": size, "format": "YUV420"}))
        cam.start()
    except (RuntimeError, IndexError, OSError, ValueError):
        if cam is not None:
            cam.close()
        return None
    return PiCapture(cam, size)


def picamera2_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("picamera2") is not None


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
