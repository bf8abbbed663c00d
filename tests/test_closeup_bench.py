"""The close-up bench: its frames are the same every run, it writes its tables, and its command behaves."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.closeup import frames, main
from edge.demo.mnist import load_split


def test_close_up_frames_are_the_same_every_run_and_fill_a_small_frame(mnist_dir):
    train = load_split("train", mnist_dir)
    images, labels = train.images[:500], train.labels[:500]
    first = list(frames("squared", 2, images, labels))
    again = list(frames("squared", 2, images, labels))
    assert [t for _, t in first] == [t for _, t in again]
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(first, again, strict=True))
    assert [img.shape for img, _ in first] == [(240, 320), (480, 640)]
    assert all(truth and all(line.replace(" ", "").isdigit() for line in truth) for _, truth in first)


def test_close_up_bench_writes_its_json_and_markdown(tmp_path, mnist_dir):
    assert main(["--data-dir", str(mnist_dir), "--frames", "2", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "closeup.json").read_text())
    assert list(report["papers"]) == ["plain", "ruled", "squared"]
    assert all(row["frames"] == 2 and 0 <= row["digit_accuracy"] <= 1 for row in report["papers"].values())
    md = (tmp_path / "closeup.md").read_text()
    assert "| squared | 2 |" in md and "python bench/closeup.py" in md and "--frames 2" in md


@pytest.mark.parametrize("argv", [["--frames", "0"], ["--data-dir", "/no/such/folder"]])
def test_close_up_bench_bad_input_ends_in_one_line_and_exit_2(argv, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("closeup:")


def test_close_up_bench_refuses_an_unwritable_out_before_reading(tmp_path, mnist_dir, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["--data-dir", str(mnist_dir), "--frames", "1", "--out", str(blocker / "sub")]) == 2
    assert capsys.readouterr().err.strip().startswith("closeup: cannot write to")
