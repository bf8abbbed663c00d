"""Bad input ends in one line and exit 2, bad files in a folder are skipped, cameras come back,
and SIGTERM leaves complete JSON lines and a playable video."""

import json
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from edge_fixtures import DATA_DIR, model_path, synth_frames

from edge.cli import main
from edge.sources import Camera


def _one_line_exit_2(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("edge-run:")
    return err[0]


def test_bad_model_files_exit_2_with_one_line(tmp_path, capsys):
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), synth_frames(1)[0].image)
    (tmp_path / "empty.tflite").write_bytes(b"")
    (tmp_path / "text.tflite").write_text("not a model at all")
    for model, words in (("missing.tflite", "not found"), ("empty.tflite", "empty"), ("text.tflite", "not a TFLite")):
        line = _one_line_exit_2(["--source", str(image), "--model", str(tmp_path / model)], capsys)
        assert words in line


@pytest.mark.parametrize("flags", [["--threads", "0"], ["--min-confidence", "2"], ["--resolution", "abc"]])
def test_flags_out_of_range_exit_2(flags):
    with pytest.raises(SystemExit) as stop:
        main(["--demo", *flags])
    assert stop.value.code == 2


def test_a_folder_with_bad_files_reads_every_good_one(tmp_path, capsys):
    good = synth_frames(1, seed=4)[0].image
    cv2.imwrite(str(tmp_path / "a_good.png"), good)
    (tmp_path / "b_empty.png").write_bytes(b"")
    ok, jpg = cv2.imencode(".jpg", good)
    (tmp_path / "c_truncated.jpg").write_bytes(jpg.tobytes()[: len(jpg) // 2])
    (tmp_path / "d_notes.txt").write_text("hello")
    cv2.imwrite(str(tmp_path / "e_16bit.png"), good.astype(np.uint16) * 257)
    cv2.imwrite(str(tmp_path / "f_rgba.png"), cv2.cvtColor(good, cv2.COLOR_GRAY2BGRA))
    cv2.imwrite(str(tmp_path / "g_huge.png"), cv2.resize(good, (5120, 3840), interpolation=cv2.INTER_LINEAR))
    cv2.imwrite(str(tmp_path / "h_white.png"), np.full((480, 640), 255, np.uint8))
    cv2.imwrite(str(tmp_path / "i_black.png"), np.zeros((480, 640), np.uint8))
    assert main(["--source", str(tmp_path), "--model", str(model_path()), "--json"]) == 0
    out = capsys.readouterr()
    records = {r["source"]: r for r in map(json.loads, out.out.splitlines())}
    assert set(records) == {"a_good.png", "e_16bit.png", "f_rgba.png", "g_huge.png", "h_white.png", "i_black.png"}
    reference = records["a_good.png"]["lines"]
    for name in ("e_16bit.png", "f_rgba.png"):
        assert records[name]["lines"] == reference
    assert len("".join(records["g_huge.png"]["lines"])) >= 0.8 * len("".join(reference))
    assert records["h_white.png"]["lines"] == [] and records["i_black.png"]["lines"] == []
    skipped = [line for line in out.err.splitlines() if "skipped" in line and "/" in line]
    assert len(skipped) == 3  # empty, truncated JPEG, text file: one line each


class FlakyCapture:
    """A camera that delivers frames, then fails for a while, as an unplugged USB camera does."""

    def __init__(self, frames, fail_after):
        self.frames, self.fail_after, self.reads = frames, fail_after, 0

    def read(self):
        self.reads += 1
        if self.reads > self.fail_after:
            return False, None
        return True, self.frames[self.reads % len(self.frames)]

    def release(self):
        pass


def test_a_camera_that_disappears_is_reconnected_and_reading_carries_on():
    frames = [f.image for f in synth_frames(2, seed=6)]
    opened, messages, sleeps = [], [], []

    def opener(device, resolution):
        opened.append(device)
        if len(opened) in (2, 3):  # gone for two attempts
            return None
        return FlakyCapture(frames, fail_after=3)

    camera = Camera("0", opener=opener, sleep=sleeps.append, report=messages.append)
    got = []
    with camera:
        for frame in camera:
            got.append(frame.index)
            if len(got) == 9:
                break
    assert got == list(range(9)) and camera.reconnects == 2
    assert sleeps[:3] == [0.5, 1.0, 2.0]
    assert any("reconnecting" in m for m in messages) and any("back" in m for m in messages)


def test_sigterm_leaves_whole_json_lines_and_a_playable_video(tmp_path):
    video = tmp_path / "run.mp4"
    proc = subprocess.Popen(
        [sys.executable, "-m", "edge.cli", "--demo", "--data-dir", DATA_DIR, "--max-frames", "100000", "--json", "--model", str(model_path()),
         "--save-video", str(video), "--save-dir", str(tmp_path / "frames")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(6)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines and all(json.loads(line)["frame"] >= 0 for line in lines)
    capture = cv2.VideoCapture(str(video))
    ok, image = capture.read()
    assert ok and image is not None
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) >= len(lines) - 1
