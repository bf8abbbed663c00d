"""bench/harvest_crops.py: the reader's own crops on training-hand scenes, labelled by their truth."""

import json

import numpy as np
import pytest

from bench import harvest_crops
from edge.vision.box import Box
from edge.vision.settle import NOT_A_DIGIT
from train.crops import load_crop_folder


def test_a_crop_is_a_digit_only_when_it_holds_one_digit_and_no_digit_only_when_it_holds_none():
    truth = [Box(0, 0, 20, 40), Box(18, 0, 20, 40), Box(100, 0, 20, 40)]
    values = [3, 5, 7]
    assert harvest_crops.label(Box(100, 1, 20, 38), truth, values) == 7
    assert harvest_crops.label(Box(0, 0, 38, 40), truth, values) is None  # the touching 3 and 5 together
    assert harvest_crops.label(Box(0, 0, 24, 40), truth, values) is None  # the 3 with a third of the 5
    assert harvest_crops.label(Box(0, 0, 19, 40), truth, values) == 3  # the 3 with a sliver of the 5
    assert harvest_crops.label(Box(100, 0, 20, 20), truth, values) is None  # the 7's top half
    assert harvest_crops.label(Box(100, 0, 8, 12), truth, values) == NOT_A_DIGIT  # a small fragment of it
    assert harvest_crops.label(Box(200, 0, 20, 20), truth, values) == NOT_A_DIGIT
    assert harvest_crops.label(Box(5, 5, 9, 9), [], []) == NOT_A_DIGIT


def test_a_lone_stroke_is_no_example_of_not_a_digit():
    upright, slanted, ring = (np.zeros((28, 28), np.uint8) for _ in range(3))
    upright[4:24, 12:15] = 255
    for k in range(20):
        slanted[4 + k, 6 + k // 2 : 9 + k // 2] = 255
    ring[4:24, 6:22] = 255
    ring[7:21, 9:19] = 0
    assert harvest_crops.a_stroke(upright) and harvest_crops.a_stroke(slanted)
    assert not harvest_crops.a_stroke(ring)


def test_a_small_harvest_is_a_crops_folder_edge_train_reads(tmp_path, capsys):
    out = tmp_path / "harvest"
    assert harvest_crops.main(["--out", str(out), "--scenes", "1", "--pages", "1"]) == 0
    images, labels = load_crop_folder(out)
    assert images.shape[1:] == (28, 28) and len(images) == len(labels)
    assert (labels == NOT_A_DIGIT).any() and (labels < NOT_A_DIGIT).any()
    record = json.loads((out / "harvest.json").read_text())
    assert record["hands"] == "dev" and record["seed"] == 4343
    assert sum(c["all"] for c in record["crops"].values()) == len(labels)
    assert set(record["by_source"]) >= {"connected", "distractors", "marks: letters"}


@pytest.mark.parametrize("seed", ["1207", "2026"])
def test_measuring_seeds_and_a_used_folder_are_refused(tmp_path, seed):
    with pytest.raises(SystemExit):
        harvest_crops.main(["--out", str(tmp_path / "a"), "--seed", seed])
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.png").write_bytes(b"")
    with pytest.raises(SystemExit):
        harvest_crops.main(["--out", str(tmp_path / "b")])
