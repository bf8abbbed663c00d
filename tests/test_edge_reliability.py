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
from edge_fixtures import DATA_DIR, model_path, one_error_line, run_command, synth_frames

from edge.cameras import Camera
from edge.cli import main


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


def test_a_missing_edge_tpu_runtime_is_one_line_without_a_finaliser_traceback(tmp_path):
    # no libedgetpu here (nor on CI): the runtime's half-made Delegate used to print a traceback
    done = run_command("edge.cli", "--demo", "--data-dir", DATA_DIR, "--max-frames", "1", "--delegate", "edgetpu",
                       "--model", model_path(), cwd=tmp_path)
    line = one_error_line(done, "edge-run")
    assert "libedgetpu" in line and "install" in line
    assert done.stderr.strip() == line


def test_a_folder_says_one_line_per_broken_file_link_and_subfolder_and_no_opencv_noise(tmp_path):
    ok, png = cv2.imencode(".png", synth_frames(1, seed=5)[0].image)
    (tmp_path / "a_good.png").write_bytes(png.tobytes())
    (tmp_path / "b_cut.png").write_bytes(png.tobytes()[: len(png) // 2])  # OpenCV warns: incomplete buffer
    (tmp_path / "c_fake.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"junk" * 50)  # OpenCV errors: IHDR not first
    (tmp_path / "d_link.png").symlink_to(tmp_path / "gone.png")
    (tmp_path / "e_more").mkdir()
    cv2.imwrite(str(tmp_path / "e_more" / "page.png"), synth_frames(1, seed=5)[0].image)
    done = run_command("edge.cli", "--source", tmp_path, "--json", "--model", model_path(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["source"] for line in done.stdout.splitlines()] == ["a_good.png"]
    err = done.stderr.splitlines()
    assert not [line for line in err if line.startswith(("[ WARN", "[ERROR", "[ INFO"))], done.stderr
    for name, words in (("b_cut.png", "skipped"), ("c_fake.png", "skipped"), ("d_link.png", "broken link"),
                        ("e_more", "a folder, skipped")):
        said = [line for line in err if name in line]
        assert len(said) == 1 and words in said[0], done.stderr
    assert "4 file(s) skipped" in done.stderr


def test_a_display_with_headless_opencv_says_once_how_to_get_a_window(tmp_path):
    from edge.outputs.overlay import opencv_has_gui

    assert not opencv_has_gui(), "the base install's OpenCV is opencv-python-headless"
    args = ("edge.cli", "--demo", "--data-dir", DATA_DIR, "--max-frames", "3", "--model", model_path())
    done = run_command(*args, cwd=tmp_path, env={"DISPLAY": ":0"})
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "window" in line]
    assert len(said) == 1 and "headless" in said[0] and "pip install opencv-python" in said[0], done.stderr
    quiet = run_command(*args, "--no-window", cwd=tmp_path, env={"DISPLAY": ":0"})
    assert quiet.returncode == 0 and "window" not in quiet.stderr
