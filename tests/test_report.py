"""The accuracy-vs-quantization report holds every figure the issue asks for, in all three forms."""

from __future__ import annotations

import hashlib
import re

import pytest
from test_convert_run import TEST_DIGITS

from convert.quantize import VARIANTS

TFLITE_FIELDS = (
    "size_bytes", "accuracy", "accuracy_change", "agreement", "worst_class_change",
    "per_class_accuracy", "latency_ms_mean", "latency_ms_p95", "throughput_digits_per_s",
    "camera_accuracy",
)


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
    variants = md.split("## Variants side by side")[1].split("\n## ")[0]
    table = [line for line in variants.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + len(report["rows"])  # header + one per row
    for plot in report["plots"]:
        assert f"]({plot['file']})" in md
        assert (report_dir / plot["file"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_is_self_contained_with_every_plot_embedded(report, report_dir):
    page = (report_dir / "report.html").read_text()
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    # variants 2, int8 vs float 2, calibration sweep 1, per-layer error 1
    assert len(embedded) == len(report["plots"]) == 6
    assert not re.search(r'src="(?!data:)', page)  # nothing fetched from elsewhere


def test_verdict_opens_the_report_with_change_uncertainty_ratios_edgetpu_and_gate(report, report_dir):
    verdict = report["verdict"]
    int8 = next(r for r in report["models"][0]["rows"] if r["variant"] == "int8")
    assert f"{int8['accuracy']:.2%}" in verdict and "95% CI" in verdict and "McNemar" in verdict
    assert "smaller than float32 TFLite" in verdict and "faster per digit" in verdict
    assert "Edge TPU" in verdict
    assert "gate passed" in verdict and "at least 50.00%" in verdict and "2.00 points below float" in verdict
    md = (report_dir / "report.md").read_text()
    first_text = md.split("\n\n")[1]
    assert first_text.startswith("**Verdict.**") and verdict in first_text


def test_reference_rows_say_reference_instead_of_zero_change(report_dir):
    md = (report_dir / "report.md").read_text()
    keras_rows = [line for line in md.splitlines() if line.startswith("| ") and " keras float |" in line]
    assert len(keras_rows) == 2  # the main model and the compared one
    assert keras_rows and all("reference" in line and "+0.00" not in line and "100.00 |" not in line.split("|", 4)[4]
                              for line in keras_rows)


def test_provenance_names_date_commit_hashes_and_versions(report, tiny_model_dir):
    prov = report["provenance"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", prov["date"])
    assert re.match(r"[0-9a-f]{40}(\+dirty)?$", prov["git_commit"])
    keras_sha = hashlib.sha256((tiny_model_dir / "model.keras").read_bytes()).hexdigest()
    assert keras_sha in prov["sha256"].values()
    card = next(v for k, v in prov["sha256"].items() if "model card" in k)  # the shipped digits_int8.json
    assert len(card) == 64
    assert {"python", "tensorflow", "keras", "numpy"} <= set(prov["versions"])


def test_per_class_accuracy_is_a_table_on_the_page(report, report_dir):
    page = (report_dir / "report.html").read_text()
    section = page.split('<section id="per-class">')[1].split("</section>")[0]
    rows = re.findall(r"<tr><td>(\d)</td>", section)
    assert rows == [str(d) for d in range(10)]
    int8 = next(r for r in report["models"][0]["rows"] if r["variant"] == "int8")
    assert f"{int8['per_class_accuracy'][3] * 100:.2f}" in section


def test_captions_explain_the_plots_instead_of_repeating_their_titles(report):
    captions = [p["caption"] for p in report["plots"]]
    assert len(set(captions)) == len(captions)
    assert all(len(c) > 40 and c != p["alt"] for c, p in zip(captions, report["plots"]))
