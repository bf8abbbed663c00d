"""The Pi camera path through picamera2: a greyscale lores stream, and reconnection when it drops.

picamera2 exists only on a Pi, so a stand-in module with its API shape takes its place here.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from edge.cameras import Camera, open_pi_camera


class FakePicamera2:
    opened: list = []
    fail_after: int | None = None  # frames served before the camera "vanishes"

    def __init__(self, num: int) -> None:
        if num != 0:
            raise IndexError("no camera at that index")
        self.frames = 0
        self.config = None
        self.closed = False
        FakePicamera2.opened.append(self)

    def create_video_configuration(self, main, lores):
        return {"main": main, "lores": lores}

    def configure(self, config) -> None:
        self.config = config

    def start(self) -> None:
        pass

    def capture_array(self, stream: str) -> np.ndarray:
        assert stream == "lores"
        if FakePicamera2.fail_after is not None and self.frames >= FakePicamera2.fail_after:
            raise RuntimeError("camera frontend has timed out")
        self.frames += 1
        w, h = self.config["lores"]["size"]
        yuv = np.full((h * 3 // 2, w), 128, np.uint8)  # YUV420: Y plane on top, chroma below
        yuv[:h] = 200
        return yuv

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_picamera2(monkeypatch):
    module = types.ModuleType("picamera2")
    module.Picamera2 = FakePicamera2
    monkeypatch.setitem(sys.modules, "picamera2", module)
    FakePicamera2.opened, FakePicamera2.fail_after = [], None
    return FakePicamera2


def test_the_lores_y_plane_is_the_grey_frame_of_the_size_asked_for(fake_picamera2):
    capture = open_pi_camera("0", (320, 240))
    assert fake_picamera2.opened[0].config["lores"] == {"size": (320, 240), "format": "YUV420"}
    ok, frame = capture.read()
    assert ok and frame.shape == (240, 320) and (frame == 200).all()  # no chroma rows
    assert open_pi_camera("3", None) is None  # no such camera: the caller says so in one line


def test_a_pi_camera_that_drops_out_is_reopened_and_reading_carries_on(fake_picamera2):
    fake_picamera2.fail_after = 2
    said = []
    camera = Camera("0", (64, 48), opener=open_pi_camera, sleep=lambda s: None, report=said.append)
    with camera:
        frames = []
        for frame in camera:
            frames.append(frame)
            if len(frames) == 5:
                break
    assert [f.index for f in frames] == [0, 1, 2, 3, 4]
    assert camera.reconnects >= 2 and any("reconnecting" in s for s in said)
    assert all(cam.closed for cam in fake_picamera2.opened)  # every dropped camera was closed


def test_the_cameras_are_still_found_where_they_were_before_the_move():
    import edge.sources

    assert edge.sources.Camera is Camera and edge.sources.open_pi_camera is open_pi_camera
