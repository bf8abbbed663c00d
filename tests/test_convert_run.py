"""`edge-convert` end to end on the tiny model: every variant written, loaded on the device
interpreter and reading real digits; int8 agrees with float; the seed-style --compare model
reported beside it; --ship writes the model and its record.

One conversion run serves this file, test_report.py and test_opcheck.py (`converted`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from convert.quantize import VARIANTS, calibration_digits, open_model_folder
from edge.demo import mnist
from edge.runtime.interpreter import DigitClassifier
from train.data import subsample

TEST_DIGITS = 500
SWEEP_SIZES = (10, 50)
READER_FRAMES = 3
_RUNS: dict[str, Path] = {}


def converted(tiny_model_dir: Path, mnist_dir: Path, tmp_path_factory) -> Path:
    """The output folder of one `edge-convert` run (CLI, exit 0), made once per session."""
    key = str(tiny_model_dir)
    if key not in _RUNS:
        from convert.cli import main

        out = tmp_path_factory.mktemp("converted")
        rc = main([
            str(tiny_model_dir), "--compare", str(tiny_model_dir), "--out", str(out / "report"),
            "--data-dir", str(mnist_dir), "--limit-test", str(TEST_DIGITS), "--calibration-size", "200",
            "--latency-digits", "20", "--throughput-batches", "3", "--threads", "2",
            "--min-int8-accuracy", "0.5", "--max-int8-drop", "2%",
            "--ship", "--ship-to", str(out / "shipped"), "--quiet",
            # the report's how-to-quantize sections, kept tiny: 2 sizes x 2 sources x 1 seed, 3 frames
            "--sweep", "--sweep-sizes", ",".join(map(str, SWEEP_SIZES)), "--sweep-seeds", "1",
            "--reader-frames", str(READER_FRAMES),
        ])
        assert rc == 0
        _RUNS[key] = out
    return _RUNS[key]


@pytest.fixture(scope="module")
def test_digits(mnist_dir):
    test = mnist.load_split("t10k", mnist_dir)
    keep = subsample(test.labels, TEST_DIGITS, 0)
    return test.images[keep], test.labels[keep]


def _variant_path(report: dict, variant: str, model_index: int = 0) -> Path:
    row = next(r for r in report["models"][model_index]["rows"] if r["variant"] == variant)
    return Path(row["path"])


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_loads_on_the_edge_interpreter_and_reads_real_digits(report, test_digits, variant):
    path = _variant_path(report, variant)
    assert path.name == f"digits_{variant}.tflite" and path.stat().st_size > 10_000
    x, y = test_digits
    classifier = DigitClassifier(path)
    probs = classifier.classify(x[:200])
    assert probs.shape == (200, 11)  # the edge model: digits and "not a digit"
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=0.02)
    assert (probs.argmax(1) == y[:200]).mean() > 0.85  # two epochs on 4,000 digits: ~95%


def test_int8_takes_and_gives_int8_with_scales_read_from_the_model(report):
    classifier = DigitClassifier(_variant_path(report, "int8"))
    assert classifier.input_dtype == np.int8
    assert classifier.input_quant.is_quantized and classifier.output_quant.is_quantized
    # raw 0-255 pixels in (the model rescales inside): int8 must span the whole ink range
    q = classifier.input_quant
    assert (-128 - q.zero_point) * q.scale <= 0.5 and (127 - q.zero_point) * q.scale >= 254.5


def test_int8_agrees_with_the_float_model_on_500_real_test_digits(report, tiny_model_dir, test_digits):
    import keras

    x, _ = test_digits
    float_pred = keras.saving.load_model(tiny_model_dir / "model.keras", compile=False).predict(
        x[..., None].astype(np.float32), batch_size=500, verbose=0).argmax(1)
    int8_pred = DigitClassifier(_variant_path(report, "int8")).classify(x).argmax(1)
    agreement = float((int8_pred == float_pred).mean())
    assert len(x) == 500 and agreement >= 0.98
    int8_row = next(r for r in report["models"][0]["rows"] if r["variant"] == "int8")
    assert int8_row["agreement"] == pytest.approx(agreement, abs=1e-9)


def test_calibration_digits_come_from_the_training_split_not_the_test_set(tiny_model_dir, mnist_dir):
    digits, labels = calibration_digits(open_model_folder(tiny_model_dir), 200, str(mnist_dir))
    assert digits.shape == (200, 28, 28) and digits.dtype == np.uint8
    assert np.bincount(labels, minlength=10).min() >= 18  # stratified by digit
    train = {img.tobytes() for img in mnist.load_split("train", mnist_dir).images}
    test = {img.tobytes() for img in mnist.load_split("t10k", mnist_dir).images}
    assert all(d.tobytes() in train for d in digits)
    assert not any(d.tobytes() in test for d in digits)


def test_compared_model_int8_is_reported_beside_the_main_model(report):
    assert len(report["models"]) == 2
    main_label, other_label = (m["label"] for m in report["models"])
    assert main_label != other_label
    other_rows = [r for r in report["rows"] if r["model"] == other_label]
    assert {r["variant"] for r in other_rows} == {"keras", "int8"}
    assert _variant_path(report, "int8", 1).exists()


def test_edgetpu_is_compiled_or_the_report_says_why_not(converted_dir, report):
    tpu = report["models"][0]["edgetpu"]
    if tpu["status"] == "compiled":
        assert Path(tpu["path"]).name == "digits_int8_edgetpu.tflite"
    else:
        assert tpu["status"] == "skipped" and "edgetpu_compiler" in tpu["reason"]
        assert "Edge TPU compile skipped: edgetpu_compiler" in (converted_dir / "report" / "report.md").read_text()


def test_ship_writes_the_int8_model_and_its_record(converted_dir, report):
    shipped = converted_dir / "shipped"
    model, record_path = shipped / "digits_int8.tflite", shipped / "digits_int8.json"
    record = json.loads(record_path.read_text())
    assert record["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert model.read_bytes() == _variant_path(report, "int8").read_bytes()
    rows = {r["variant"]: r for r in report["models"][0]["rows"]}
    assert record["float_accuracy"] == rows["keras"]["accuracy"]
    assert record["int8_accuracy"] == rows["int8"]["accuracy"]
    assert record["size_bytes"] == model.stat().st_size and record["float_size_bytes"] > record["size_bytes"]
    assert record["training"]["seed"] == 0 and record["training"]["limit_train"] == 4000
    assert record["data"]["mnist"]["sha256"]["train-images-idx3-ubyte"].startswith("ba891046")
    assert DigitClassifier(model).classify(np.zeros((1, 28, 28), np.uint8)).shape == (1, 11)
    assert sorted(p.name for p in shipped.iterdir()) == ["digits_int8.json", "digits_int8.tflite"]  # nothing staged left
