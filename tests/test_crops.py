"""A folder of labelled crops, as edge-run --save-crops writes it, loads with the right labels."""

from __future__ import annotations

import cv2
import pytest

from edge.errors import UserError
from edge.vision.normalize import centre_of_mass
from train.crops import load_crop_folder


def test_any_size_either_polarity_and_saved_crops(mnist_dir, tmp_path):
    from edge.demo.mnist import load_split

    test = load_split("t10k", mnist_dir)
    for i in range(6):
        digit, label = test.images[i], int(test.labels[i])
        folder = tmp_path / str(label)
        folder.mkdir(exist_ok=True)
        if i % 3 == 0:  # a photo-sized crop, dark ink on paper
            cv2.imwrite(str(folder / f"{i}.png"), 255 - cv2.resize(digit, (90, 120)))
        elif i % 3 == 1:  # a 28x28 dark-on-light scan
            cv2.imwrite(str(folder / f"{i}.png"), 255 - digit)
        else:  # exactly what edge-run --save-crops writes
            cv2.imwrite(str(folder / f"{i}.png"), digit)
    (tmp_path / "3").mkdir(exist_ok=True)
    (tmp_path / "3" / "notes.png").write_text("not an image")  # skipped, not fatal
    images, labels = load_crop_folder(tmp_path)
    assert sorted(labels.tolist()) == sorted(int(v) for v in test.labels[:6])
    for image in images:
        assert image.shape == (28, 28)
        assert image[0].max() < 50 and image[:, 0].max() < 50  # bright ink on a dark border
        r, c = centre_of_mass(image)
        assert abs(r - 14) < 2.5 and abs(c - 14) < 2.5


def test_empty_or_missing_folder_is_refused(tmp_path):
    with pytest.raises(UserError, match="not a folder"):
        load_crop_folder(tmp_path / "nope")
    with pytest.raises(UserError, match="no images"):
        load_crop_folder(tmp_path)


def test_crops_that_are_no_digit_load_as_not_a_digit(mnist_dir, tmp_path):
    from edge.demo.mnist import load_split
    from edge.vision.settle import NOT_A_DIGIT

    digit = load_split("t10k", mnist_dir).images[0]
    (tmp_path / "7").mkdir()
    cv2.imwrite(str(tmp_path / "7" / "a.png"), digit)
    (tmp_path / "none").mkdir()
    cv2.imwrite(str(tmp_path / "none" / "stroke.png"), 255 - cv2.resize(digit[:, :10], (30, 80)))  # a photo's fragment
    cv2.imwrite(str(tmp_path / "none" / "speck.png"), digit[10:18, 10:18])
    images, labels = load_crop_folder(tmp_path)
    assert labels.tolist() == [7, NOT_A_DIGIT, NOT_A_DIGIT]  # digits first, then none/, each sorted by name
    assert images.shape == (3, 28, 28) and all(image.max() > 0 for image in images)
    (tmp_path / "7" / "a.png").unlink()
    only_none = load_crop_folder(tmp_path)[1]
    assert only_none.tolist() == [NOT_A_DIGIT, NOT_A_DIGIT]
