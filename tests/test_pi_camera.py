"""The Pi camera path through picamera2: a greyscale lores stream by default, the colour main
stream with --colour (so pale pen on cream paper reads), and reconnection when it drops.

picamera2 exists only on a Pi, so a stand-in module with its API shape takes its place here; it
serves a real generated scene, in colour from "main" and as YUV420 (its luma) from "lores".
"""

from __future__ import annotations

import importlib.machinery
import json
import sys
import types

import cv2
import numpy as np
import pytest
from edge_fixtures import model_path
from read_scenes import CREAM, TWO_LINES, two_line_scene

from edge.cameras import Camera, open_pi_camera
from edge.cli import main


class FakePicamera2:
    opened: list = []
    fail_after: int | None = None  # frames served before the camera "vanishes"
    scene: np.ndarray | None = None  # BGR picture the camera sees; None: flat grey (Y 200)

    def __init__(self, num: int) -> None:
        if num != 0:
            raise IndexError("no camera at that index")
        self.frames = 0
        self.config = None
        self.closed = False
        FakePicamera2.opened.append(self)

    def create_video_configuration(self, main, lores=None):
        return {"main": main, "lores": lores}

    def configure(self, config) -> None:
        self.config = config

    def start(self) -> None:
        pass

    def capture_array(self, stream: str) -> np.ndarray:
        assert self.config[stream] is not None, f"no {stream} stream configured"
        if FakePicamera2.fail_after is not None and self.frames >= FakePicamera2.fail_after:
            raise RuntimeError("camera frontend has timed out")
        self.frames += 1
        w, h = self.config[stream]["size"]
        bgr = np.full((h, w, 3), 200, np.uint8) if self.scene is None else cv2.resize(self.scene, (w, h))
        if stream == "main":
            assert self.config["main"].get("format") == "RGB888"  # B, G, R bytes per pixel
            return bgr
        assert self.config["lores"]["format"] == "YUV420"
        yuv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)  # Y plane on top, chroma below
        if self.scene is None:
            yuv[:h] = 200
        return yuv

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_picamera2(monkeypatch):
    module = types.ModuleType("picamera2")
    module.Picamera2 = FakePicamera2
    module.__spec__ = importlib.machinery.ModuleSpec("picamera2", None)  # edge-run looks for it by its spec
    monkeypatch.setitem(sys.modules, "picamera2", module)
    FakePicamera2.opened, FakePicamera2.fail_after, FakePicamera2.scene = [], None, None
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


def test_colour_asks_for_the_main_stream_in_bgr(fake_picamera2):
    capture = open_pi_camera("0", (320, 240), colour=True)
    config = fake_picamera2.opened[0].config
    assert config["main"] == {"size": (320, 240), "format": "RGB888"} and config["lores"] is None
    ok, frame = capture.read()
    assert ok and frame.shape == (240, 320, 3)


YELLOW_GREEN = (40, 240, 200)  # BGR: a highlighter-bright pen whose luma is within 13% of cream paper's


def _edge_run_on_the_pi_camera(extra: list[str], capsys) -> list[dict]:
    code = main(["--camera", "--resolution", "720x400", "--model", str(model_path()), "--json", "--no-smooth",
                 "--max-frames", "2", *extra])
    assert code == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_pale_pen_on_cream_paper_reads_through_the_pi_camera_only_with_colour(fake_picamera2, capsys):
    fake_picamera2.scene = two_line_scene(CREAM, YELLOW_GREEN, 56)
    grey = _edge_run_on_the_pi_camera([], capsys)
    colour = _edge_run_on_the_pi_camera(["--colour"], capsys)
    assert [r["lines"] for r in colour] == [TWO_LINES, TWO_LINES]
    assert all(r["lines"] != TWO_LINES for r in grey)  # the lores luma loses this pen in the paper
    assert fake_picamera2.opened[0].config["lores"] is not None and fake_picamera2.opened[1].config["lores"] is None


def test_dark_pen_reads_alike_on_the_fast_grey_stream_and_in_colour(fake_picamera2, capsys):
    fake_picamera2.scene = two_line_scene(CREAM, (170, 70, 30), 56)  # blue ballpoint
    assert [r["lines"] for r in _edge_run_on_the_pi_camera([], capsys)] == [TWO_LINES, TWO_LINES]
    assert [r["lines"] for r in _edge_run_on_the_pi_camera(["--color"], capsys)] == [TWO_LINES, TWO_LINES]
