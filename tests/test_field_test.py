"""The field-test bench: its figures reproduce run to run, and its command behaves."""

from __future__ import annotations

import json

import pytest

from bench.field_test import main, run_field_test

SMALL = dict(seed=5, scenes_per_condition=1, conditions=["fields", "connected"])


def _figures(report: dict) -> dict:
    """The report less what may differ between runs: milliseconds and the example images."""
    rows = {name: {k: v for k, v in row.items() if not k.startswith("ms")} for name, row in report["conditions"].items()}
    return {"rows": rows, "overall": {k: v for k, v in report["overall"].items() if not k.startswith("ms")}}


def test_the_field_test_figures_reproduce_run_to_run():
    first = run_field_test(None, **SMALL)
    again = run_field_test(None, **SMALL)
    assert _figures(first) == _figures(again)
    json.dumps(first)  # other benches store it as it is
    assert first["overall"]["scenes"] == 2 and first["overall"]["digits"] > 0


def test_field_test_writes_its_json_and_markdown(tmp_path, monkeypatch):
    monkeypatch.delenv("EDGE_DIGITS_DATA", raising=False)
    code = main(["--scenes-per-condition", "1", "--conditions", "fields", "--no-classifier", "--out", str(tmp_path)])
    assert code == 0
    report = json.loads((tmp_path / "field_test.json").read_text())
    assert list(report["conditions"]) == ["fields"] and report["conditions"]["fields"]["scenes"] == 1
    assert "demo row skipped" in report["demo"]["note"]
    md = (tmp_path / "field_test.md").read_text()
    assert "| fields | 1 |" in md and "python bench/field_test.py" in md
    assert (tmp_path / "field_test_scenes.jpg").stat().st_size > 1000


@pytest.mark.parametrize("argv", [["--conditions", "pages,nonsense"], ["--scenes-per-condition", "0"]])
def test_field_test_bad_flags_end_in_one_line_and_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("field_test:")
