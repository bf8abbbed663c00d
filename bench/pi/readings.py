"""Readings of `edge-run --json` on two machines, compared digit for digit; and the frames they read.

int8 inference is integer arithmetic: the same crops give the same scores on x86 and arm64 (checked,
bench/pi/stage_hashes.py). A changed reading is a finding, never noise: the arm64 run under qemu's
default CPU model, for one, reads a demo at 15% instead of 91% and exits 0.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# "48 frames, 2.1 frames/s end to end (...), 2.3 frames/s reading alone" (edge.cli's summary line)
SUMMARY = re.compile(r"(\d+) frames, ([\d.]+) frames/s end to end.*?([\d.]+) frames/s reading alone")


def parse_json_lines(text: str) -> list[dict]:
    """edge-run --json's stdout: one object per frame; anything else on stdout is itself a finding."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@dataclass
class Comparison:
    """The reading (lines and digit values) must match exactly; boxes and confidences are measured.

    On identical pixels OpenCV's arm64 (NEON) and x86 (AVX) kernels round a few operations
    differently (resize INTER_LINEAR and INTER_AREA, divide with a scale; see bench/pi/stage_hashes.py),
    which moves a box by a pixel or an int8 score by a step or more without changing what is read.
    Those are counted and reported, not failed; a changed line or digit value always fails.
    """

    frames_compared: int = 0
    frames_exact: int = 0  # lines, values, boxes and confidences all equal
    digits_compared: int = 0
    differences: list[str] = field(default_factory=list)  # readings that differ: failures
    box_shift_px: int = 0  # largest difference of any box coordinate, among equal readings
    confidence_diff: float = 0.0  # largest confidence difference, among equal readings
    frames_with_other_boxes: int = 0
    frames_with_other_confidences: int = 0

    @property
    def identical(self) -> bool:
        return self.frames_compared > 0 and not self.differences

    def as_json(self) -> dict:
        return {"readings_identical": self.identical, "frames_compared": self.frames_compared,
                "digits_compared": self.digits_compared, "frames_exact": self.frames_exact,
                "frames_with_other_boxes": self.frames_with_other_boxes, "max_box_shift_px": self.box_shift_px,
                "frames_with_other_confidences": self.frames_with_other_confidences,
                "max_confidence_diff": round(self.confidence_diff, 4), "differences": self.differences[:20]}


def _key(reading: dict) -> tuple[str, int]:
    return reading["source"], reading["frame"]


def compare_readings(reference: list[dict], other: list[dict]) -> Comparison:
    """Frame by frame: the lines and every digit's value must be equal; box and confidence drift is measured."""
    result = Comparison()
    ours = {_key(r): r for r in other}
    for ref in reference:
        key = _key(ref)
        got = ours.pop(key, None)
        if got is None:
            result.differences.append(f"{key[0]} #{key[1]}: read on x86 only")
            continue
        result.frames_compared += 1
        result.digits_compared += len(ref["digits"])
        if ref["lines"] != got["lines"]:
            result.differences.append(f"{key[0]} #{key[1]}: lines {ref['lines']} on x86, {got['lines']} on arm64")
            continue
        if [d["value"] for d in ref["digits"]] != [d["value"] for d in got["digits"]]:
            result.differences.append(f"{key[0]} #{key[1]}: digit values differ")
            continue
        pairs = list(zip(ref["digits"], got["digits"]))
        shift = max((abs(u - v) for a, b in pairs for u, v in zip(a["box"], b["box"])), default=0)
        confidence = max((abs(a["confidence"] - b["confidence"]) for a, b in pairs), default=0.0)
        result.box_shift_px = max(result.box_shift_px, shift)
        result.confidence_diff = max(result.confidence_diff, confidence)
        result.frames_with_other_boxes += shift > 0
        result.frames_with_other_confidences += confidence > 0
        result.frames_exact += shift == 0 and confidence == 0
    for key in ours:
        result.differences.append(f"{key[0]} #{key[1]}: read on arm64 only")
    return result


def summary_rates(stderr: str) -> dict | None:
    """edge-run's end-of-run figures: frames, frames/s end to end, frames/s of the reading alone."""
    found = SUMMARY.search(stderr)
    if not found:
        return None
    return {"frames": int(found[1]), "fps_end_to_end": float(found[2]), "fps_reading": float(found[3])}


def reading_rate(readings: list[dict]) -> dict | None:
    """Frames/s of the reading itself (decode to grouping), from the median of each frame's timing_ms."""
    totals = sorted(r["timing_ms"]["total"] for r in readings if "total" in r.get("timing_ms", {}))
    if not totals:
        return None
    median = totals[len(totals) // 2] if len(totals) % 2 else (totals[len(totals) // 2 - 1] + totals[len(totals) // 2]) / 2
    return {"median_ms": round(median, 1), "fps": round(1000.0 / median, 3) if median > 0 else None}


def demo_score_line(stderr: str) -> str | None:
    """The demo's accuracy line (printed after the summary), to show both machines score alike."""
    lines = stderr.strip().splitlines()
    for i, line in enumerate(lines):
        if SUMMARY.search(line) and i + 1 < len(lines):
            return lines[i + 1].strip()
    return None


def write_frames(folder: Path, data_dir: str | None, count: int, seed: int) -> list[Path]:
    """Demo-generator frames (MNIST test digits) as PNG, and each again as JPEG, for --source DIR.

    Written once on the host so both machines read exactly the same files: PNG checks the reader
    on identical pixels, JPEG adds OpenCV's decoder on each architecture.
    """
    import cv2

    from edge.demo.mnist import load_split
    from edge.demo.synth import DemoScene

    test = load_split("t10k", data_dir, allow_download=False)
    scene = DemoScene(test.images, test.labels, frame_wh=(640, 480), frames_per_page=1, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, frame in zip(range(count), scene.frames()):
        for suffix, params in ((".png", []), (".jpg", [cv2.IMWRITE_JPEG_QUALITY, 90])):
            path = folder / f"frame{index:03d}{suffix}"
            cv2.imwrite(str(path), frame.image, params)
            written.append(path)
    return written
