"""Live cameras: OpenCV devices and the Pi camera through picamera2, reopened with backoff.

Camera opening is injectable (`opener`) so tests can stand in a camera that fails and comes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import cv2
import numpy as np

from edge.errors import UserError
from edge.sources import Frame, warn

RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds; the last repeats until the camera is back


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

    By default it streams a low-resolution YUV420 "lores" image of the size asked for: its
    first `height` rows are the Y plane, a greyscale frame with nothing to convert or resize
    (the fast path). With `colour` it streams the "main" image as RGB888, which picamera2 lays
    out B, G, R per pixel: OpenCV's BGR, so coloured pen reads (edge.vision.ink) at the cost of
    three bytes a pixel to copy and a grey to compute.
    """

    def __init__(self, cam, size: tuple[int, int], colour: bool = False) -> None:
        self.cam, self.size, self.colour = cam, size, colour

    def read(self) -> tuple[bool, np.ndarray | None]:
        try:
            image = self.cam.capture_array("main" if self.colour else "lores")
        except (RuntimeError, OSError):  # the camera went away mid-run
            return False, None
        w, h = self.size
        return True, image[:h, :w]  # the Y plane of YUV420 (chroma rows below it), or the BGR frame

    def release(self) -> None:
        self.cam.close()


def open_pi_camera(device: str, resolution: tuple[int, int] | None, *, colour: bool = False) -> PiCapture | None:
    """Camera N through picamera2 (imported here: only a Pi has it), or None when it won't open;
    grey from the lores stream, or BGR from the main stream with `colour` (edge-run --colour)."""
    from picamera2 import Picamera2

    size = resolution or (640, 480)
    cam = None
    try:
        cam = Picamera2(int(device))
        if colour:
            config = cam.create_video_configuration(main={"size": size, "format": "RGB888"})
        else:
            config = cam.create_video_configuration(main={"size": size}, lores={"size": size, "format": "YUV420"})
        cam.configure(config)
        cam.start()
    except (RuntimeError, IndexError, OSError, ValueError):
        if cam is not None:
            cam.close()
        return None
    return PiCapture(cam, size, colour)


def picamera2_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("picamera2") is not None
