"""The report's how-to-quantize sections on the tiny model: schemes that really differ, a calibration
sweep over sizes and sources, per-layer error, whole-reader readings, and a readable gallery."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np
from test_convert_run import READER_FRAMES, SWEEP_SIZES

from convert.calibration import SOURCES
from edge.runtime.interpreter import DigitClassifier, load_runtime


def _rows(report: dict) -> dict:
    return {r["variant"]: r for r in report["models"][0]["rows"]}


def _conv_weight_scales(path: Path) -> list[int]:
    """How many scales each CONV_2D weight tensor carries: 1 per tensor, or 1 per output channel."""
    runtime, _ = load_runtime()
    interp = runtime.Interpreter(model_path=str(path))
    details = {d["index"]: d for d in interp.get_tensor_details()}
    return [len(details[op["inputs"][1]]["quantization_parameters"]["scales"])
            for op in interp._get_ops_details() if op["op_name"] == "CONV_2D"]


def test_per_tensor_scheme_has_one_weight_scale_per_tensor_and_default_one_per_channel(report):
    rows = _rows(report)
    per_channel = _conv_weight_scales(Path(rows["int8"]["path"]))
    per_tensor = _conv_weight_scales(Path(rows["int8_per_tensor"]["path"]))
    assert len(per_channel) == len(per_tensor) == 7  # the edge model's seven convolutions
    assert all(n > 1 for n in per_channel) and all(n == 1 for n in per_tensor)


def test_int16x8_runs_on_the_edge_interpreter_with_int16_input_and_reads_digits(report):
    rows = _rows(report)
    classifier = DigitClassifier(Path(rows["int16x8"]["path"]))
    assert classifier.input_dtype == np.int16
    # its int16 softmax (scale 1/32768, zero point 0) is taken for probabilities, never softmaxed twice
    assert classifier.outputs_probabilities
    rows_sum = classifier.classify(np.zeros((3, 28, 28), np.uint8)).sum(axis=1)
    assert np.allclose(rows_sum, 1.0, atol=0.01)
    assert rows["int16x8"]["accuracy"] > 0.85 and abs(rows["int16x8"]["accuracy_change"]) < 0.02
    scheme = next(s for s in report["schemes"] if s["variant"] == "int16x8")
    assert "int16" in scheme["edgetpu_opcheck"]  # the Edge TPU takes int8 only, and the check says why
    assert report["qat"].startswith("Quantization-aware training: not run")


def test_calibration_sweep_covers_every_size_source_and_seed_with_spread_and_advice(report):
    sweep = report["calibration_sweep"]
    assert len(sweep["points"]) == len(SWEEP_SIZES) * len(SOURCES) * 1
    assert {(p["source"], p["size"]) for p in sweep["points"]} == {(s, n) for s in SOURCES for n in SWEEP_SIZES}
    assert all(0.85 < p["accuracy"] <= 1 and 0 <= p["p_value"] <= 1 for p in sweep["points"])
    assert all(s["min"] <= s["mean"] <= s["max"] for s in sweep["summary"])
    assert set(sweep["advice"]) == set(SOURCES)
    assert all(a["size"] in SWEEP_SIZES for a in sweep["advice"].values())


def test_per_layer_error_names_every_compute_op_and_stays_small_for_int8(report):
    layers = report["per_layer"]["schemes"]["int8"]
    ops = [layer["op"] for layer in layers]
    assert ops.count("CONV_2D") == 7 and ops[-2:] == ["FULLY_CONNECTED", "SOFTMAX"]
    assert all(0 < layer["relative_rms_error"] < 0.2 and math.isfinite(layer["sqnr_db"]) for layer in layers)
    int16 = report["per_layer"]["schemes"]["int16x8"]
    # 16-bit activations: less error at the output than 8-bit ones
    assert int16[-1]["relative_rms_error"] < layers[-1]["relative_rms_error"]


def test_whole_reader_reads_demo_frames_with_every_variant_and_compares_readings(report):
    demo = report["whole_reader"]["demo"]["rows"]
    assert {"float32", "int8", "int8_per_tensor", "int16x8"} <= set(demo)
    for row in demo.values():
        assert row["frames"] == READER_FRAMES and row["digits"] > 0 and 0 <= row["digit_accuracy"] <= 1
        assert 0 <= row["frames_differing_from_float"] <= READER_FRAMES
    assert demo["float32"]["frames_differing_from_float"] == 0
    field = report["whole_reader"]["field"]
    assert field["status"] in ("run", "not run") and (field["status"] == "run" or field["reason"])


def test_disagreement_gallery_is_large_enough_to_read(report_dir):
    png = (report_dir / "disagreements.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 1200  # eight digits a row: about 150 pixels per digit


def test_the_sweep_plot_draws_seeds_that_all_scored_the_same(tmp_path):
    """Three seeds at 99.03% each: their mean is a rounding step above the min, which matplotlib
    took for a negative error bar and failed the whole report at its last step."""
    from convert.plots import plot_calibration_sweep

    points = [{"source": "train", "size": size, "seed": seed, "accuracy": 0.9903, "camera_accuracy": 0.9903}
              for size in (10, 50) for seed in range(3)]
    sweep = {"points": points, "sources": ["train"], "sizes": [10, 50], "seeds": 3}
    plot_calibration_sweep(sweep, {"accuracy": 0.99, "camera_accuracy": 0.98}, tmp_path / "sweep.png")
    assert (tmp_path / "sweep.png").stat().st_size > 0
