"""edge-train: the models are what they claim, a short real run learns, every output is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from edge.demo.mnist import load_split  # noqa: E402
from train.kaggle import write_csv  # noqa: E402
from train.models import build_model, count_macs  # noqa: E402


def edge_train(*args, cwd):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "train.cli", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )


def test_seed_model_is_the_published_one():
    seed = build_model("seed")
    assert seed.count_params() == 887_530
    kinds = [type(layer).__name__ for layer in seed.layers[1:]]
    assert kinds == [
        "Rescaling", "Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Conv2D", "Conv2D",
        "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dropout", "Dense",
    ]


def test_edge_model_costs_at_most_a_third_of_the_seed():
    seed, edge = build_model("seed"), build_model("edge")
    assert count_macs(seed) == 32_340_992
    assert count_macs(edge) <= count_macs(seed) / 3
    assert type(edge.layers[1]).__name__ == "Rescaling"  # raw 0-255 pixels go in


def test_help_and_bad_flag(tmp_path):
    helped = edge_train("--help", cwd=tmp_path)
    assert helped.returncode == 0
    for flag in ("--model", "--epochs", "--batch-size", "--data-dir", "--kaggle-train", "--crops", "--out", "--seed", "--val-fraction"):
        assert flag in helped.stdout
    bad = edge_train("--epochs", "0", cwd=tmp_path)
    assert bad.returncode == 2 and "--epochs" in bad.stderr and "Traceback" not in bad.stderr
    unknown = edge_train("--frobnicate", cwd=tmp_path)
    assert unknown.returncode == 2 and "unrecognized arguments: --frobnicate" in unknown.stderr


def test_missing_data_is_one_line_and_exit_2(tmp_path):
    env_free = edge_train("--data-dir", tmp_path / "nowhere", "--epochs", "1", cwd=tmp_path)
    # no network here either, so the loader must say how to point it at a copy
    assert env_free.returncode == 2, env_free.stderr
    last = env_free.stderr.strip().splitlines()[-1]
    assert last.startswith("edge-train:") and "--data-dir" in last and "Traceback" not in env_free.stderr


def test_not_a_digit_crops_are_refused_for_the_ten_output_seed(mnist_dir, tmp_path):
    crops = tmp_path / "crops" / "none"
    crops.mkdir(parents=True)
    cv2.imwrite(str(crops / "mark.png"), np.eye(28, dtype=np.uint8) * 255)
    result = edge_train("--model", "seed", "--epochs", "1", "--limit-train", "200", "--data-dir", mnist_dir,
                        "--crops", tmp_path / "crops", "--out", tmp_path / "run", "--quiet", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert "none/" in last and "--model edge" in last and "Traceback" not in result.stderr


def test_a_teacher_teaches_the_real_digits_only_not_none_crops_nor_drawn_extras():
    from train.fit import taught_rows

    labels = np.array([3, 10, 7, 1, 10, 5], np.uint8)  # 4 real digits (one a --crops none/ crop), then the drawn ones
    assert taught_rows(labels, 4).tolist() == [True, False, True, True, False, False]


def test_the_distribution_plot_shows_not_a_digit_crops_as_their_own_bar(tmp_path):
    from train.plots import plot_distribution

    labels = np.array([0, 1, 1, 7, 10, 10, 10], np.uint8)  # digits and --crops DIR/none's "not a digit"
    plot_distribution(labels, tmp_path / "d.png", "edge model: training digits")
    image = cv2.imread(str(tmp_path / "d.png"))
    assert image is not None and image.shape[0] > 200
    plot_distribution(labels[:4], tmp_path / "d10.png", "seed model: training digits")
    assert cv2.imread(str(tmp_path / "d10.png")) is not None


@pytest.mark.slow
def test_one_epoch_on_2000_real_digits_learns_and_writes_everything(mnist_dir, tmp_path):
    test = load_split("t10k", mnist_dir)
    write_csv(tmp_path / "test.csv", test.images[:25])
    crops = tmp_path / "crops"
    for digit in range(10):
        (crops / str(digit)).mkdir(parents=True)
        for i in np.flatnonzero(test.labels[-500:] == digit)[:3]:
            big = cv2.resize(255 - test.images[-500 + i], (64, 64))  # dark ink on paper, any size
            cv2.imwrite(str(crops / str(digit) / f"{i}.png"), big)
    out = tmp_path / "run"
    result = edge_train(
        "--model", "seed", "--no-augment", "--epochs", "1", "--batch-size", "16",
        "--limit-train", "2000", "--val-fraction", "0.05", "--limit-test", "1000",
        "--data-dir", mnist_dir, "--kaggle-test", tmp_path / "test.csv", "--crops", crops,
        "--out", out, "--quiet", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_count"] == 1000
    # seed 0 scores 92.5% here, the same on every run on this CPU; over seeds 0-4 this one-epoch
    # recipe ranges 89-93.4%, so the fixed seed is what keeps the margin (measured 2026-11-24)
    assert metrics["test_accuracy"] > 0.90
    assert len(metrics["per_class_accuracy"]) == 10
    config = json.loads((out / "config.json").read_text())
    assert config["config"]["epochs"] == 1 and config["config"]["seed"] == 0
    assert set(config["data"]["mnist"]["sha256"]) == {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}
    assert config["data"]["crops"]["count"] == 30
    assert "tensorflow" in config["versions"] and "keras" in config["versions"]
    history = json.loads((out / "history.json").read_text())
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history)
    for png in ("digit_distribution", "curves", "confusion", "misclassified"):
        image = cv2.imread(str(out / f"{png}.png"))
        assert image is not None and image.shape[0] > 200, png
    assert (out / "saved_model" / "saved_model.pb").exists()
    assert keras.saving.load_model(out / "model.keras").count_params() == 887_530
    rows = (out / "submission.csv").read_text().split()
    assert rows[0] == "ImageId,Label" and len(rows) == 26
    predicted = np.array([int(r.split(",")[1]) for r in rows[1:]])
    assert (predicted == test.labels[:25]).mean() >= 0.8


@pytest.mark.slow
def test_same_seed_same_result(mnist_dir, tmp_path):
    from train.fit import TrainConfig, run

    def once(name):
        config = TrainConfig(model="edge", epochs=1, batch_size=32, limit_train=600, limit_test=300,
                             data_dir=str(mnist_dir), out=str(tmp_path / name), seed=7)
        return run(config, verbose=0)["test_accuracy"]

    assert abs(once("a") - once("b")) <= 0.01  # CPU float noise may move a digit or two


@pytest.mark.slow
def test_a_fresh_run_into_an_earlier_runs_folder_draws_its_mix_again(mnist_dir, tmp_path):
    from train.fit import TrainConfig, run

    config = TrainConfig(model="edge", epochs=1, batch_size=32, limit_train=400, limit_test=100,
                         data_dir=str(mnist_dir), out=str(tmp_path / "run"), seed=3)
    run(config, verbose=0)
    cache = tmp_path / "run" / "pools.npz"
    saved = dict(np.load(cache))
    # the same shares, but crops drawn by older code: only --resume may take them
    np.savez_compressed(cache, **{**saved, "neg_x": np.zeros_like(saved["neg_x"])})
    run(config, verbose=0)
    assert np.array_equal(np.load(cache)["neg_x"], saved["neg_x"])


def test_far_digits_are_small_and_blurred_yet_whole_and_leave_the_near_crops_as_they_were(mnist_dir):
    # the field test's scale scenes hold digits 9-18 px tall, blurred by a pixel or so: their
    # crops are soft blobs that crops drawn at 40-110 px never show the model (--far-digits)
    from train.augment import camera_style_batch, normalize_crop

    digits = load_split("train", mnist_dir).images[:200]
    far = camera_style_batch(digits, 0, far=1.0)
    near = camera_style_batch(digits, 0)
    clean = [normalize_crop(d) for d in digits]

    def agreement(crops):  # how much each crop still looks like its digit
        return float(np.mean([np.corrcoef(c.ravel(), k.ravel())[0, 1] for c, k in zip(crops, clean, strict=True)]))

    def softness(crops):  # share of the ink that is neither background nor full ink
        return float(np.mean(np.concatenate([c[c > 0] for c in crops]) < 200))

    assert all(c.any() for c in far)
    assert agreement(far) > 0.5  # whole digits, not blocks or specks
    assert softness(far) > softness(near) + 0.1  # blurred as a far camera sees them
    half = camera_style_batch(digits, 0, far=0.5)
    same = [bool((h == n).all()) for h, n in zip(half, near, strict=True)]
    assert 0.3 < np.mean(same) < 0.7  # about half seen from afar, the others the very near crops
