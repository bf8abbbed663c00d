"""The accuracy-vs-quantization report holds every figure the issue asks for, in all three forms."""

from __future__ import annotations

import json
import re

import pytest
from test_convert_run import TEST_DIGITS, converted

from convert.quantize import VARIANTS

TFLITE_FIELDS = (
    "size_bytes", "accuracy", "accuracy_change", "agreement", "worst_class_change",
    "per_class_accuracy", "latency_ms_mean", "latency_ms_p95", "throughput_digits_per_s",
    "camera_accuracy",
)


@pytest.fixture(scope="module")
def report_dir(tiny_model_dir, mnist_dir, tmp_path_factory):
    return converted(tiny_model_dir, mnist_dir, tmp_path_factory) / "report"


@pytest.fixture(scope="module")
def report(report_dir) -> dict:
    return json.loads((report_dir / "report.json").read_text())


def test_json_has_a_keras_reference_row_and_every_variant_with_every_figure(report):
    main = report["models"][0]
    rows = {r["variant"]: r for r in main["rows"]}
    assert set(VARIANTS) | {"keras"} <= set(rows)
    keras_row = rows["keras"]
    assert keras_row["accuracy_change"] == 0 and keras_row["agreement"] == 1.0
    assert keras_row["size_bytes"] > 0 and 0.85 < keras_row["accuracy"] <= 1.0
    for variant in VARIANTS:
        row = rows[variant]
        missing = [f for f in TFLITE_FIELDS if row.get(f) is None]
        assert not missing, f"{variant} lacks {missing}"
        assert row["accuracy_change"] == pytest.approx(row["accuracy"] - keras_row["accuracy"])
        assert row["latency_ms_mean"] > 0 and row["latency_ms_p95"] > 0
        assert row["throughput_digits_per_s"] > 0 and len(row["per_class_accuracy"]) == 10
        assert 0.5 < row["camera_accuracy"] <= 1.0


def test_json_states_how_it_was_measured(report):
    assert report["test_count"] == TEST_DIGITS
    assert report["threads"] == 2 and report["throughput_batch"] == 32
    assert report["camera_seed"] is not None and report["runtime"]
    assert report["floor"]["checked"] and report["floor"]["passed"]
    diff = report["confusion_int8_minus_float"]
    # true digits by predicted answer: 10 columns, 11 when "not a digit" was answered
    assert len(diff) == 10 and len(diff[0]) in (10, 11) and all(len(r) == len(diff[0]) for r in diff)
    assert sum(map(sum, diff)) == 0  # the same digits, only moved between cells
    assert report["models"][0]["opcheck"]["ops"]


def test_sizes_shrink_from_float32_to_float16_to_int8(report):
    size = {r["variant"]: r["size_bytes"] for r in report["models"][0]["rows"]}
    assert size["int8"] < size["float16"] < size["float32"]
    assert size["int8"] < 0.4 * size["float32"]


def test_markdown_table_has_a_row_per_variant_and_links_every_plot(report, report_dir):
    md = (report_dir / "report.md").read_text()
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + len(report["rows"])  # header + one per row
    for file in report["plots"].values():
        assert f"]({file})" in md
        assert (report_dir / file).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_is_self_contained_with_every_plot_embedded(report, report_dir):
    page = (report_dir / "report.html").read_text()
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == len(report["plots"]) == 4
    assert not re.search(r'src="(?!data:)', page)  # nothing fetched from elsewhere
    assert page.count("<tr>") == 1 + len(report["rows"])
