"""Nothing a run writes is lost and nothing of the user's is written over: every output path is
checked before the first frame (one line, exit 2), the demo writes nothing unasked, and files
already there are kept unless --force says otherwise. Each test drives the command as a user does."""

import json

import cv2
import pytest
from edge_fixtures import DATA_DIR, model_path, one_error_line, run_command


def edge_run(*args, cwd):
    return run_command("edge.cli", "--model", model_path(), *args, cwd=cwd)


def demo(*args, cwd, frames=2):
    return edge_run("--demo", "--data-dir", DATA_DIR, "--max-frames", frames, *args, cwd=cwd)


@pytest.mark.parametrize("name, words", [("run.gif", ".mp4 or .avi"), ("run", ".mp4 or .avi"), ("folder.mp4", "folder")])
def test_a_video_that_cannot_be_written_stops_before_the_first_frame(tmp_path, name, words):
    (tmp_path / "folder.mp4").mkdir()
    done = demo("--json", "--save-video", tmp_path / name, cwd=tmp_path)
    line = one_error_line(done, "edge-run")
    assert "--save-video" in line and words in line
    assert done.stdout == ""  # not one frame was read into a recording that would not exist


def test_a_video_into_a_folder_not_there_yet_is_recorded_with_every_frame(tmp_path):
    video = tmp_path / "new" / "deeper" / "run.mp4"
    done = demo("--json", "--save-video", video, cwd=tmp_path, frames=3)
    assert done.returncode == 0, done.stderr
    capture = cv2.VideoCapture(str(video))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 3 == len(done.stdout.splitlines())
    assert f"annotated video in {video}" in done.stderr
    assert [p.name for p in video.parent.iterdir()] == ["run.mp4"]  # the codec probe left nothing


@pytest.mark.parametrize("flag", ["--save-dir", "--save-crops"])
def test_an_output_folder_that_is_a_file_or_cannot_be_made_is_one_line(tmp_path, flag):
    (tmp_path / "notes.txt").write_text("mine")
    for target, words in ((tmp_path / "notes.txt", "is a file"), (tmp_path / "notes.txt" / "sub", "cannot create")):
        line = one_error_line(demo(flag, target, cwd=tmp_path), "edge-run")
        assert flag in line and words in line
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_data_dir_that_is_a_file_or_mistyped_is_one_line_and_creates_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    line = one_error_line(edge_run("--demo", "--data-dir", tmp_path / "notes.txt", cwd=tmp_path), "edge-run")
    assert "--data-dir" in line and "is a file" in line
    line = one_error_line(edge_run("--demo", "--data-dir", tmp_path / "mnsit", cwd=tmp_path), "edge-run")
    assert "--data-dir" in line and "no such folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("flags", [[], ["--json"], ["--json", "--no-smooth"]])
def test_the_demo_writes_nothing_unasked(tmp_path, flags):
    done = demo(*flags, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_frames_are_saved_when_asked(tmp_path):
    done = demo("--save-dir", tmp_path / "frames", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "frames").glob("*.png"))) == 2


def test_an_existing_video_is_kept_unless_forced(tmp_path):
    video = tmp_path / "holiday.mp4"
    video.write_bytes(b"the user's own film")
    line = one_error_line(demo("--save-video", video, cwd=tmp_path), "edge-run")
    assert "exists" in line and "--force" in line
    assert video.read_bytes() == b"the user's own film"
    assert demo("--save-video", video, "--force", cwd=tmp_path).returncode == 0
    assert int(cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT)) == 2


@pytest.mark.parametrize("flag, name", [("--save-dir", "demo_000000.png"), ("--save-crops", "0")])
def test_files_in_an_output_folder_are_kept_unless_forced(tmp_path, flag, name):
    folder = tmp_path / "out"
    folder.mkdir()
    if flag == "--save-dir":
        (folder / name).write_text("mine")  # a frame from an earlier run
    else:
        (folder / name).mkdir()  # crops sorted by hand
    line = one_error_line(demo(flag, folder, cwd=tmp_path), "edge-run")
    assert flag in line and "--force" in line
    assert sorted(p.name for p in folder.iterdir()) == [name]
    assert demo(flag, folder, "--force", cwd=tmp_path).returncode == 0
    assert len(list(folder.iterdir())) > 1


def test_an_earlier_training_run_is_kept_unless_forced(tmp_path):
    earlier = tmp_path / "runs" / "edge"
    earlier.mkdir(parents=True)
    (earlier / "model.keras").write_text("twenty minutes of training")
    done = run_command("train.cli", "--epochs", "1", cwd=tmp_path)  # the default output folder
    line = one_error_line(done, "edge-train")
    assert "runs/edge" in line and "--force" in line and "--out" in line
    assert (earlier / "model.keras").read_text() == "twenty minutes of training"


def test_an_earlier_report_is_kept_unless_forced(tmp_path):
    report = tmp_path / "runs" / "edge" / "tflite" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"rows": []}))
    line = one_error_line(run_command("convert.cli", "runs/edge", cwd=tmp_path), "edge-convert")
    assert "tflite" in line and "--force" in line
    assert json.loads(report.read_text()) == {"rows": []}
