"""Kaggle digit-recognizer CSVs round-trip, and bad ones are refused with the line at fault."""

from __future__ import annotations

import numpy as np
import pytest

from edge.errors import UserError
from train.kaggle import read_csv, write_csv, write_submission


def test_train_csv_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 7).astype(np.uint8)
    write_csv(tmp_path / "train.csv", images, labels)
    header = (tmp_path / "train.csv").read_text().splitlines()[0].split(",")
    assert header[:2] == ["label", "pixel0"] and header[-1] == "pixel783"
    got_images, got_labels = read_csv(tmp_path / "train.csv", labelled=True)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_test_csv_round_trip_and_submission(tmp_path):
    images = np.arange(3 * 784, dtype=np.int64).reshape(3, 28, 28) % 256
    write_csv(tmp_path / "test.csv", images.astype(np.uint8))
    got, labels = read_csv(tmp_path / "test.csv", labelled=False)
    assert labels is None and np.array_equal(got, images)
    write_submission(tmp_path / "submission.csv", np.array([3, 1, 4]))
    assert (tmp_path / "submission.csv").read_text().split() == ["ImageId,Label", "1,3", "2,1", "3,4"]


def test_missing_column_is_refused(tmp_path):
    header = ["label"] + [f"pixel{i}" for i in range(783)]
    (tmp_path / "bad.csv").write_text(",".join(header) + "\n" + ",".join(["1"] * 784) + "\n")
    with pytest.raises(UserError, match="missing column pixel783"):
        read_csv(tmp_path / "bad.csv", labelled=True)


def test_non_numeric_pixel_names_the_line(tmp_path):
    write_csv(tmp_path / "train.csv", np.zeros((2, 28, 28), np.uint8), np.array([1, 2]))
    lines = (tmp_path / "train.csv").read_text().splitlines()
    lines[2] = lines[2].replace(",0,", ",x,", 1)
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match=r"train.csv:3: non-numeric"):
        read_csv(tmp_path / "train.csv", labelled=True)
