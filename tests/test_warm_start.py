"""edge-train --init-from and --distill-from: start from, and learn from, the shipped int8 model."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("ai_edge_litert")

from edge.demo.mnist import load_split  # noqa: E402
from edge.runtime.interpreter import SHIPPED_MODEL, DigitClassifier  # noqa: E402
from train.distill import blended_targets, soften  # noqa: E402
from train.models import NOT_A_DIGIT  # noqa: E402
from train.warm import edge_from_tflite  # noqa: E402


def test_the_shipped_int8_model_unfolds_into_a_keras_model_that_reads_as_it_does(mnist_dir):
    train = load_split("train", mnist_dir)
    test = load_split("t10k", mnist_dir)
    model = edge_from_tflite(SHIPPED_MODEL, train.images[:1000])
    x = test.images[:600]
    probs = model.predict(x[..., None].astype("float32"), batch_size=300, verbose=0)
    assert probs.shape == (600, NOT_A_DIGIT + 1)
    device = DigitClassifier(SHIPPED_MODEL).classify(x)
    # the same answers as the int8 model on the device, the new output starting small
    assert (probs[:, :10].argmax(1) == device.argmax(1)).mean() >= 0.995
    assert (probs.argmax(1) == test.labels[:600]).mean() >= 0.98
    assert np.median(probs[:, NOT_A_DIGIT]) < 0.05
    # and once training puts batch-norm on batch statistics (dropout off) it still does
    trained_mode = keras.ops.convert_to_numpy(model(x[:300, ..., None].astype("float32"), training=True))
    assert (trained_mode.argmax(1) == test.labels[:300]).mean() >= 0.9


def test_a_fine_tune_from_the_shipped_model_keeps_its_digits(mnist_dir, tmp_path):
    out = tmp_path / "warm"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "train.cli", "--init-from", str(SHIPPED_MODEL), "--epochs", "1",
         "--distill-from", str(SHIPPED_MODEL),
         "--learning-rate", "1e-4", "--limit-train", "800", "--limit-test", "400",
         "--data-dir", str(mnist_dir), "--out", str(out), "--quiet"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = json.loads((out / "metrics.json").read_text())
    # 800 digits from scratch read ~85%; from the shipped model the digits stay read
    assert metrics["test_accuracy"] >= 0.97
    record = json.loads((out / "config.json").read_text())
    assert record["config"]["init_from"] == record["config"]["distill_from"] == str(SHIPPED_MODEL)
    # the path may hold another model tomorrow; the bytes it started from are on record
    started = hashlib.sha256(SHIPPED_MODEL.read_bytes()).hexdigest()
    assert record["data"]["init_from"]["sha256"] == record["data"]["distill_from"]["sha256"] == started


def test_init_from_a_missing_or_foreign_file_is_one_line_and_exit_2(mnist_dir, tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"not a model")
    for source in (tmp_path / "nowhere.tflite", junk):
        done = subprocess.run(
            [sys.executable, "-m", "train.cli", "--init-from", str(source), "--epochs", "1",
             "--limit-train", "200", "--data-dir", str(mnist_dir), "--out", str(tmp_path / "out"), "--force", "--no-augment"],
            env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path,
        )
        assert done.returncode == 2, done.stderr[-1000:]
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("edge-train: --init-from") and "Traceback" not in done.stderr


def test_a_teachers_answer_blends_into_real_digits_targets_only():
    teacher = np.zeros((3, NOT_A_DIGIT + 1), np.float32)
    teacher[0, [7, 1]] = 0.8, 0.2  # a 7 that looks a little like a 1
    teacher[1, [7, NOT_A_DIGIT]] = 0.5, 0.5  # the teacher's own reject never reaches a real digit
    labels = np.array([7, 7, NOT_A_DIGIT])
    taught = np.array([True, True, False])  # the third is a negative: its label stands
    targets = blended_targets(labels, teacher, taught, NOT_A_DIGIT + 1, weight=0.5, temperature=1.0)
    assert np.allclose(targets.sum(axis=1), 1.0)
    assert np.isclose(targets[0, 7], 0.5 + 0.4) and np.isclose(targets[0, 1], 0.1)
    assert np.isclose(targets[1, 7], 1.0) and targets[1, NOT_A_DIGIT] == 0.0
    assert targets[2, NOT_A_DIGIT] == 1.0
    # a higher temperature spreads the teacher's answer: more of it goes to the 1
    assert soften(teacher[:1, :10], 2.0)[0, 1] > 0.2


def _constant_teacher(logits: list[float]):
    """A model that answers softmax(`logits`) whatever it is shown."""
    inputs = keras.Input((28, 28, 1))
    flat = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(len(logits), activation="softmax")
    model = keras.Model(inputs, dense(flat))
    dense.set_weights([np.zeros((784, len(logits)), np.float32), np.array(logits, np.float32)])
    return model


def test_several_teachers_answer_as_one_over_the_digits():
    from train.distill import Ensemble

    ten = _constant_teacher([2.0] + [0.0] * 9)  # a seed-like teacher: 10 outputs
    eleven = _constant_teacher([0.0, 2.0] + [0.0] * 8 + [3.0])  # an edge teacher, mostly "not a digit"
    x = np.zeros((3, 28, 28, 1), np.float32)
    got = Ensemble([ten, eleven])(x)
    assert got.shape == (3, NOT_A_DIGIT)
    a = keras.ops.convert_to_numpy(ten(x))
    b = keras.ops.convert_to_numpy(eleven(x))[:, :NOT_A_DIGIT]
    want = (a / a.sum(1, keepdims=True) + b / b.sum(1, keepdims=True)) / 2  # "not a digit" dropped, digits renormalised
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert np.allclose(got.sum(1), 1.0) and got[0, 0] == pytest.approx(got[0, 1])


def test_distill_from_names_each_teacher_and_the_one_that_is_missing(tmp_path):
    from edge.errors import UserError
    from train.distill import load_teachers, teacher_paths

    assert teacher_paths("a.keras, b.tflite,") == ["a.keras", "b.tflite"]
    with pytest.raises(UserError, match="no model given"):
        teacher_paths(" , ")
    with pytest.raises(UserError, match="nowhere.keras: no such file"):
        load_teachers(f"{SHIPPED_MODEL},{tmp_path / 'nowhere.keras'}", np.zeros((8, 28, 28), np.uint8))


def test_a_fine_tune_learns_from_two_teachers_and_keeps_each_ones_bytes(mnist_dir, tmp_path):
    out = tmp_path / "two"
    seed_teacher = tmp_path / "seed.keras"
    _constant_teacher([1.0] * 10).save(seed_teacher)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "train.cli", "--init-from", str(SHIPPED_MODEL), "--epochs", "1",
         "--distill-from", f"{SHIPPED_MODEL},{seed_teacher}",
         "--learning-rate", "1e-4", "--limit-train", "400", "--limit-test", "200",
         "--data-dir", str(mnist_dir), "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "the teachers answer as one" in done.stdout + done.stderr
    record = json.loads((out / "config.json").read_text())
    teachers = record["data"]["distill_from"]
    assert [t["path"] for t in teachers] == [str(SHIPPED_MODEL), str(seed_teacher)]
    assert teachers[1]["sha256"] == hashlib.sha256(seed_teacher.read_bytes()).hexdigest()
