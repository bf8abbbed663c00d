"""`edge-convert`'s user-facing contract: --help explains every flag, bad input is one line and
exit 2, and the int8 floor fails the command (exit 1) without shipping."""

from __future__ import annotations

import json
import shlex

import pytest
from edge_fixtures import run_command

from convert.cli import build_parser, main


def test_help_explains_every_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for action in build_parser()._actions:
        for flag in action.option_strings:
            assert flag in text
        assert action.help, f"{action.dest} has no help"
    assert "exit codes" in text and "0.5%" in text


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_missing_folder_is_one_line_and_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "nope"), "--quiet"]) == 2
    assert "not found" in _one_line_error(capsys)


def test_folder_without_a_model_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "config.json").write_text("{}")
    assert main([str(tmp_path), "--quiet"]) == 2
    assert "model.keras" in _one_line_error(capsys)


@pytest.mark.parametrize("flags", [
    ["--min-int8-accuracy", "150%"], ["--max-int8-drop", "lots"], ["--calibration-size", "0"],
    ["--threads", "-1"], ["--ship-to", "x"], ["--sweep-sizes", "10,x"], ["--sweep-sizes", "0"],
    ["--sweep-sources", "test"], ["--reader-frames", "-1"],
])
def test_bad_flags_exit_2(tmp_path, capsys, flags):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path), *flags])
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_fraction_flags_take_fractions_and_percentages():
    args = build_parser().parse_args(["m", "--min-int8-accuracy", "99%", "--max-int8-drop", "0.005"])
    assert args.min_int8_accuracy == pytest.approx(0.99) and args.max_int8_drop == pytest.approx(0.005)


def test_sweep_flags_take_lists():
    args = build_parser().parse_args(["m", "--sweep", "--sweep-sizes", "10,500", "--sweep-sources", "camera"])
    assert args.sweep and args.sweep_sizes == (10, 500) and args.sweep_sources == ("camera",)
    assert build_parser().parse_args(["m"]).sweep is False  # the sweep is opt-in: it costs conversions


def test_shipping_to_edge_models_refuses_a_partial_test_set(tiny_model_dir, capsys):
    assert main([str(tiny_model_dir), "--ship", "--limit-test", "100", "--quiet"]) == 2
    assert "10,000" in _one_line_error(capsys)


def test_floor_above_what_int8_reaches_fails_with_exit_1_and_does_not_ship(tiny_model_dir, mnist_dir, tmp_path, capsys):
    out = tmp_path / "report"
    rc = main([
        str(tiny_model_dir), "--out", str(out), "--data-dir", str(mnist_dir), "--limit-test", "200",
        "--calibration-size", "100", "--latency-digits", "5", "--throughput-batches", "1",
        "--min-int8-accuracy", "99.9%", "--ship", "--ship-to", str(tmp_path / "shipped"), "--quiet",
        "--no-schemes", "--reader-frames", "0",
    ])
    assert rc == 1
    err = _one_line_error(capsys)
    assert "floor missed" in err and "--min-int8-accuracy" in err and "not shipped" in err
    report = json.loads((out / "report.json").read_text())  # still written, for the pipeline to read
    assert report["floor"]["passed"] is False and report["floor"]["failures"]
    assert not (tmp_path / "shipped" / "digits_int8.tflite").exists()


def test_help_prints_plain_percentages_and_its_examples_parse():
    done = run_command("convert.cli", "--help")
    assert done.returncode == 0, done.stderr
    assert "%%" not in done.stdout and "99%" in done.stdout and "0.5%" in done.stdout
    examples = [line.split("#")[0] for line in done.stdout.splitlines() if line.startswith("  edge-convert ")]
    assert len(examples) >= 3
    for example in examples:  # pasted as printed
        args = build_parser().parse_args(shlex.split(example)[1:])
        assert args.model_dir == "runs/edge"
    floor = next(e for e in examples if "--min-int8-accuracy" in e)
    assert build_parser().parse_args(shlex.split(floor)[1:]).min_int8_accuracy == pytest.approx(0.99)
