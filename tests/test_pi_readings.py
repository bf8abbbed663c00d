"""The arm64 check's comparison: equal readings pass; a changed digit fails; box and confidence drift is measured."""

import copy
import subprocess
import sys
from pathlib import Path

from bench.pi.readings import compare_readings, parse_json_lines, summary_rates, write_frames

ROOT = Path(__file__).resolve().parent.parent


def _read_folder(folder):
    run = subprocess.run([sys.executable, "-m", "edge.cli", "--source", str(folder), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return parse_json_lines(run.stdout), run.stderr


def test_the_same_frames_read_twice_compare_identical_digit_for_digit(tmp_path, mnist_dir):
    written = write_frames(tmp_path / "frames", str(mnist_dir), count=2, seed=7)
    assert sorted(p.suffix for p in written) == [".jpg", ".jpg", ".png", ".png"]
    first, stderr = _read_folder(tmp_path / "frames")
    second, _ = _read_folder(tmp_path / "frames")
    result = compare_readings(first, second)
    assert result.identical and result.frames_compared == 4 and result.frames_exact == 4
    assert result.digits_compared == sum(len(r["digits"]) for r in first) > 10
    rates = summary_rates(stderr)  # the edge-run summary line the report quotes
    assert rates["frames"] == 4 and rates["fps_reading"] > 0


def test_a_changed_digit_or_line_fails_while_box_and_confidence_drift_is_measured(tmp_path, mnist_dir):
    write_frames(tmp_path / "frames", str(mnist_dir), count=1, seed=7)
    reference, _ = _read_folder(tmp_path / "frames")
    assert reference[0]["digits"], "the frame should hold digits"

    value = copy.deepcopy(reference)
    value[0]["digits"][0]["value"] = (value[0]["digits"][0]["value"] + 1) % 10
    assert "digit values differ" in compare_readings(reference, value).differences[0]

    line = copy.deepcopy(reference)
    line[0]["lines"] = line[0]["lines"][:-1]
    assert not compare_readings(reference, line).identical

    drift = copy.deepcopy(reference)
    drift[0]["digits"][0]["box"][0] += 1
    drift[1]["digits"][0]["confidence"] -= 0.0039  # one int8 step of the output
    result = compare_readings(reference, drift)
    assert result.identical and result.frames_exact == len(reference) - 2
    assert result.box_shift_px == 1 and result.frames_with_other_boxes == 1
    assert abs(result.confidence_diff - 0.0039) < 1e-9 and result.frames_with_other_confidences == 1

    missing = compare_readings(reference, reference[1:])
    assert not missing.identical and "x86 only" in missing.differences[0]
    assert not compare_readings(reference, []).identical
    assert not compare_readings([], []).identical  # nothing compared proves nothing
