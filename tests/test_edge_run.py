"""edge-run end to end: the demo, a still image, a folder, a video; JSON lines follow the contract."""

import json
import subprocess
import sys

import cv2
import pytest
from edge_fixtures import DATA_DIR, model_path, synth_frames

from edge.cli import main
from edge.demo.scoring import Score
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_demo_reads_the_numbers_it_was_shown(tmp_path, capsys):
    code = main(["--demo", "--data-dir", DATA_DIR, "--model", str(model_path()), "--max-frames", "24",
                 "--json", "--save-dir", str(tmp_path / "out"), "--no-smooth", "--seed", "3"])
    out = capsys.readouterr()
    assert code == 0
    records = _json_lines(out.out)
    assert len(records) == 24
    assert "digit accuracy" in out.err  # human report on stderr when --json is on
    assert len(list((tmp_path / "out").glob("*.png"))) == 24
    accuracy = float(out.err.split("digit accuracy ")[1].split("%")[0]) / 100
    assert accuracy >= 0.95, out.err  # stated floor: the shipped model reads 98.0% of these; the goal is 98% (bench)


def test_json_lines_follow_the_contract(tmp_path, capsys):
    frame = synth_frames(1, seed=8)[0]
    cv2.imwrite(str(tmp_path / "page.png"), frame.image)
    assert main(["--source", str(tmp_path / "page.png"), "--model", str(model_path()), "--json"]) == 0
    (record,) = _json_lines(capsys.readouterr().out)
    assert record["source"] == "page.png" and record["frame"] == 0
    assert all(isinstance(line, str) for line in record["lines"])
    assert set(record["timing_ms"]) == {"decode", "segment", "classify", "group", "total"}
    for digit in record["digits"]:
        assert 0 <= digit["value"] <= 9 and 0 <= digit["confidence"] <= 1 and len(digit["box"]) == 4
    read = sum(len(line.replace(" ", "")) for line in record["lines"])
    assert read >= 0.8 * len(frame.digits)


def test_a_folder_is_read_in_name_order_and_crops_are_saved(tmp_path, capsys):
    frames = synth_frames(3, seed=12)
    for i, frame in enumerate(frames):
        cv2.imwrite(str(tmp_path / f"p{i}.jpg"), frame.image)
    crops = tmp_path / "crops"
    assert main(["--source", str(tmp_path), "--model", str(model_path()), "--json", "--save-crops", str(crops)]) == 0
    records = _json_lines(capsys.readouterr().out)
    assert [r["source"] for r in records] == ["p0.jpg", "p1.jpg", "p2.jpg"]
    saved = list(crops.glob("*/*.png"))
    assert len(saved) == sum(len(r["digits"]) for r in records) > 0
    assert cv2.imread(str(saved[0]), cv2.IMREAD_GRAYSCALE).shape == (28, 28)
    score = Score()
    for r, f in zip(records, frames, strict=True):
        score.add(f.lines, r["lines"])
    assert score.digit_accuracy >= 0.85, score.summary()  # the shipped model reads 89.5% of these three pages


def test_a_video_file_is_read_frame_by_frame(tmp_path, capsys):
    video = tmp_path / "clip.avi"
    frames = synth_frames(6, seed=2)
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for frame in frames:
        writer.write(cv2.cvtColor(frame.image, cv2.COLOR_GRAY2BGR))
    writer.release()
    out_video = tmp_path / "annotated.mp4"
    assert main(["--source", str(video), "--model", str(model_path()), "--json", "--no-smooth",
                 "--save-video", str(out_video)]) == 0
    records = _json_lines(capsys.readouterr().out)
    assert [r["frame"] for r in records] == list(range(6))
    score = Score()
    for r, f in zip(records, frames, strict=True):
        score.add(f.lines, r["lines"])
    assert score.digit_accuracy >= 0.90, score.summary()  # the shipped model reads 98.8% of these six frames
    capture = cv2.VideoCapture(str(out_video))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 6


@pytest.mark.parametrize("camera", ["7", "/dev/no-such-camera"])
def test_a_missing_camera_exits_2_with_one_line(camera):
    done = subprocess.run([sys.executable, "-m", "edge.cli", "--camera", camera, "--model", str(model_path())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "camera" in lines[0] and "Traceback" not in done.stderr


def test_digits_are_listed_in_the_reading_order_of_lines():
    frames = synth_frames(6, seed=4)
    reader = DigitReader(DigitClassifier(model_path()))
    for frame in frames:
        result = reader.read(frame.image)
        assert "".join(str(d.value) for d in result.digits) == "".join(result.lines).replace(" ", "")
