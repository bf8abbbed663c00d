"""A model with an 11th "not a digit" output: its rejections of MNIST digits count as wrong, get
their own column in the confusion difference and their own row in the per-class table."""

from __future__ import annotations

import numpy as np

from convert.evaluate import Predictions, compare
from convert.plots import plot_confusion_difference
from convert.report_sections import per_class_section

Y = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] * 3)


def _with_rejects(pred: np.ndarray, where: list[int]) -> np.ndarray:
    out = pred.copy()
    out[where] = 10  # class 10: "not a digit"
    return out


def test_rejected_digits_count_as_wrong_and_are_counted(tmp_path):
    float_pred = Y.copy()
    int8_pred = _with_rejects(Y, [3, 14])  # one 3 and one 4 of three each
    figures = compare(Y, Predictions(int8_pred, int8_pred), Predictions(float_pred, float_pred), Y)
    assert figures["accuracy"] == 28 / 30 and figures["rejected"] == 2
    assert figures["per_class_accuracy"][3] == 2 / 3


def test_confusion_difference_grows_a_not_a_digit_column(tmp_path):
    int8_pred = _with_rejects(Y, [3])
    diff = plot_confusion_difference(Y, int8_pred, Y, tmp_path / "c.png", "11 classes")
    assert diff.shape == (10, 11) and diff.sum() == 0  # true digits only: no "not a digit" row
    assert diff[3, 10] == 1 and diff[3, 3] == -1
    assert (tmp_path / "c.png").stat().st_size > 1000


def test_per_class_table_has_a_not_a_digit_row_for_an_11_class_model():
    rows = []
    for variant, pred in (("keras", Y), ("int8", _with_rejects(Y, [3, 13]))):
        figures = compare(Y, Predictions(pred, pred), Predictions(Y, Y), Y)
        rows.append({"variant": variant, "label": f"m {variant}", **figures})
    report = {"models": [{"label": "m", "rows": rows, "num_classes": 11}], "class_counts": [3] * 10,
              "accuracy_rule": "rejections count as wrong.", "plots": []}
    table = per_class_section(report).tables[0]
    assert [r[0] for r in table.rows][:10] == [str(d) for d in range(10)]
    reject = table.rows[10]
    assert reject[0].startswith("not a digit") and reject[2:] == ["0", "2", "2"]


def test_field_test_hook_says_not_run_where_the_checkout_lacks_it(tmp_path):
    from convert.reader_eval import _headline, field_accuracy

    result = field_accuracy({"int8": tmp_path / "m.tflite"}, seed=0, scenes_per_condition=1, root=tmp_path)
    assert result["status"] == "not run" and "bench/field_test.py" in result["reason"]
    # run_field_test's report: {"overall": {...}, "conditions": {...}}; the headline keeps the figures
    overall = {"scenes": 9, "digits": 180, "digit_accuracy": 0.91, "numbers_exact": 0.8, "note": "x"}
    assert _headline({"overall": overall, "conditions": {}}) == {
        "scenes": 9, "digits": 180, "digit_accuracy": 0.91, "numbers_exact": 0.8}
