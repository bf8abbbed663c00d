"""The Edge TPU op check names the ops that would fall back to the CPU, and where the cut is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_convert_run import converted

from convert.opcheck import EDGETPU_OPS, check_ops


@pytest.fixture(scope="module")
def variants(tiny_model_dir, mnist_dir, tmp_path_factory) -> dict[str, Path]:
    report_dir = converted(tiny_model_dir, mnist_dir, tmp_path_factory) / "report"
    report = json.loads((report_dir / "report.json").read_text())
    return {r["variant"]: Path(r["path"]) for r in report["models"][0]["rows"] if "path" in r}


def test_float_model_is_flagged_at_its_first_op(variants):
    report = check_ops(variants["float32"])
    first = report.first_fallback
    assert first is not None and first.index == 0 and first.op == "CONV_2D"
    assert "float32" in first.reason
    assert report.mapped_count == 0
    assert {"CONV_2D", "FULLY_CONNECTED", "SOFTMAX"} <= {op.op for op in report.fallbacks}
    assert "float32" in report.warnings[0]  # float at the model's input and output


def test_int8_model_maps_its_compute_ops_with_int8_tensors_only(variants):
    report = check_ops(variants["int8"])
    assert report.input_type == "int8" and report.output_type == "int8"
    compute = [op for op in report.ops if op.op in ("CONV_2D", "FULLY_CONNECTED", "SOFTMAX")]
    assert len(compute) >= 3
    for op in compute:
        assert op.where == "edgetpu", op
        assert set(op.input_types) <= {"int8", "int32"} and op.output_types == ["int8"]
    assert not any("float" in t for op in report.ops for t in op.input_types + op.output_types)


def test_every_cpu_op_is_named_with_a_reason_and_the_cut_is_the_first(variants):
    report = check_ops(variants["int8"])
    for op in report.fallbacks:
        assert op.reason
        assert op.op not in EDGETPU_OPS or "not int8" in op.reason
    summary = report.to_dict()
    assert summary["op_count"] == len(report.ops)
    if report.first_fallback is None:
        assert summary["mapped_count"] == len(report.ops)
    else:
        # Everything before the cut maps; the compiler hands the rest to the CPU.
        assert all(op.where != "cpu" for op in report.ops[: report.first_fallback.index])
        assert report.first_fallback.op in summary["summary"]


def test_dynamic_batch_is_reported_because_the_edgetpu_compiler_needs_fixed_sizes(variants):
    report = check_ops(variants["int8"])
    # edge-train models keep a free batch dimension so edge-run can classify a frame at once
    assert report.dynamic_shapes
    assert any("batch-1 copy" in w for w in report.warnings)  # the compile step makes it
    assert not report.to_dict()["edgetpu_ready"]
