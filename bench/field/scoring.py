"""Score a reading against a scene's truth: the demo's line score plus where the digits were.

Line score (digit accuracy by edit distance, numbers exact) is edge.demo.scoring's, so the field
rows and the demo row are the same measure. Boxes: a read digit matches a truth digit when its
centre lies in the truth box or their IoU is at least MATCH_IOU; pairs are taken best first,
one to one. Unmatched truth digits are missed, unmatched read digits extra; on scenes with
non-digit marks the extra digits are false digits, counted per 100 marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from edge.demo.scoring import Score

MATCH_IOU = 0.3


def match_boxes(truth: np.ndarray, read: np.ndarray) -> list[tuple[int, int]]:
    """(truth index, read index) pairs, best overlap first, each box used once."""
    truth = np.asarray(truth, np.float64).reshape(-1, 4)
    read = np.asarray(read, np.float64).reshape(-1, 4)
    if not len(truth) or not len(read):
        return []
    tx0, ty0 = truth[:, 0:1], truth[:, 1:2]
    tx1, ty1 = tx0 + truth[:, 2:3], ty0 + truth[:, 3:4]
    rx0, ry0 = read[:, 0], read[:, 1]
    rx1, ry1 = rx0 + read[:, 2], ry0 + read[:, 3]
    iw = np.clip(np.minimum(tx1, rx1) - np.maximum(tx0, rx0), 0, None)
    ih = np.clip(np.minimum(ty1, ry1) - np.maximum(ty0, ry0), 0, None)
    inter = iw * ih
    union = truth[:, 2:3] * truth[:, 3:4] + read[:, 2] * read[:, 3] - inter
    iou = inter / np.maximum(union, 1e-9)
    cx, cy = rx0 + read[:, 2] / 2, ry0 + read[:, 3] / 2
    centre_in = (cx >= tx0) & (cx <= tx1) & (cy >= ty0) & (cy <= ty1)
    quality = np.where(centre_in | (iou >= MATCH_IOU), iou + centre_in, -1.0)
    pairs, used_t, used_r = [], set(), set()
    for flat in np.argsort(-quality, axis=None, kind="stable"):
        t, r = divmod(int(flat), quality.shape[1])
        if quality[t, r] < 0:
            break
        if t in used_t or r in used_r:
            continue
        pairs.append((t, r))
        used_t.add(t)
        used_r.add(r)
    return pairs


@dataclass
class ConditionScore:
    """Everything one row of the report says, summed over a condition's scenes."""

    lines: Score = field(default_factory=Score)
    digits: int = 0  # digits in the truth (boxes)
    found: int = 0  # truth digits a read digit matched
    found_right: int = 0  # ... with the right value
    extra: int = 0  # read digits matching no truth digit
    marks: int = 0  # non-digit marks in scenes
    false_digits: int = 0  # extra digits in scenes that hold marks
    ms: list[float] = field(default_factory=list)

    def add(self, truth_lines, truth_digits, marks: int, result, ms: float) -> None:
        self.lines.add(list(truth_lines), list(result.lines))
        truth_boxes = [d.box for d in truth_digits]
        pairs = match_boxes(truth_boxes, [d.box for d in result.digits])
        self.digits += len(truth_boxes)
        self.found += len(pairs)
        self.found_right += sum(truth_digits[t].value == result.digits[r].value for t, r in pairs)
        extra = len(result.digits) - len(pairs)
        self.extra += extra
        if marks:
            self.marks += marks
            self.false_digits += extra
        self.ms.append(ms)

    def merge(self, other: ConditionScore) -> None:
        for name in ("digits", "digit_errors", "numbers", "numbers_exact", "frames", "frames_exact"):
            setattr(self.lines, name, getattr(self.lines, name) + getattr(other.lines, name))
        for name in ("digits", "found", "found_right", "extra", "marks", "false_digits"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ms.extend(other.ms)

    def as_json(self) -> dict:
        return {
            "scenes": self.lines.frames,
            "digits": self.lines.digits,
            "digit_accuracy": round(self.lines.digit_accuracy, 4),
            "numbers": self.lines.numbers,
            "numbers_exact": round(self.lines.number_rate, 4),
            "frames_exact": self.lines.frames_exact,
            "digits_found": self.found,
            "digits_found_right": self.found_right,
            "digits_missed": self.digits - self.found,
            "digits_extra": self.extra,
            "marks": self.marks,
            "false_digits": self.false_digits,
            "false_digits_per_100_marks": round(100 * self.false_digits / self.marks, 2) if self.marks else None,
            "ms_per_frame_median": round(float(np.median(self.ms)), 2) if self.ms else None,
        }
