"""The latest frame and reading, handed from the camera loop to the web server and MQTT.

The loop calls `put()` once per frame: it stores references under a lock held for a few
assignments and wakes whoever waits, so the loop never waits for a slow browser or broker.
Only the newest frame is kept (a bounded hand-off: a watcher that falls behind skips frames).
The JPEG is drawn and encoded on a watcher's thread, once per frame however many watch, and
never when nobody does.
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np

from edge.outputs.overlay import draw
from edge.reader import ReadResult

JPEG_QUALITY = 80  # a 640x480 page stays legible at ~40 KB a frame


class LatestFrame:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._encode = threading.Lock()  # one encoder at a time; the others reuse its bytes
        self.seq = 0  # frames handed over so far
        self.image: np.ndarray | None = None
        self.result: ReadResult | None = None
        self.fps = 0.0
        self.reconnects = 0
        self.updated = 0.0  # time.monotonic() of the last frame
        self.started = time.monotonic()
        self.source_ended = False
        self.closed = False
        self._jpeg: tuple[int, bytes] = (0, b"")

    def put(self, image: np.ndarray, result: ReadResult, fps: float | None, reconnects: int = 0) -> int:
        """Called by the camera loop: keep this frame as the newest, wake the watchers."""
        with self._changed:
            self.seq += 1
            self.image, self.result, self.fps = image, result, fps or 0.0
            self.reconnects = reconnects
            self.updated = time.monotonic()
            self._changed.notify_all()
            return self.seq

    def end(self, *, closed: bool = False) -> None:
        """The source has no more frames (or the service is closing): wake every watcher."""
        with self._changed:
            self.source_ended = True
            self.closed = self.closed or closed
            self._changed.notify_all()

    def wait_newer(self, seq: int, timeout: float) -> int:
        """Block a watcher (never the loop) until a frame newer than `seq` arrives, or timeout."""
        with self._changed:
            self._changed.wait_for(lambda: self.seq > seq or self.closed, timeout)
            return self.seq

    def snapshot(self) -> tuple[int, ReadResult | None, float]:
        with self._changed:
            return self.seq, self.result, self.fps

    def jpeg(self) -> tuple[int, bytes]:
        """The newest frame, annotated like the overlay window, as JPEG bytes (cached per frame)."""
        with self._encode:
            with self._changed:
                seq, image, result, fps = self.seq, self.image, self.result, self.fps
            if seq == self._jpeg[0] or image is None:
                return self._jpeg
            ok, data = cv2.imencode(".jpg", draw(image, result, fps), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if ok:
                self._jpeg = (seq, data.tobytes())
            return self._jpeg
