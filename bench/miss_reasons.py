"""Where the field test's missed digits go: rejected, swallowed by a neighbour's box, or never a piece.

For every truth digit that no read digit matches (the field test's own box matching), one cause:
- rejected: a settled piece matches it, but "not a digit" (the model's reject rule) or a
  confidence under --min-confidence dropped it: the classifier's share;
- merged: an accepted digit's box covers most of it, a digit read for two (or its box grew past
  the match): the cut search's share;
- no piece: no settled piece matches it: the ink map, rule and grid removal, or the speck and
  size rules lost it: segmentation's share.
Run on the dev set while tuning (the default), on the field set once to confirm:
    python bench/miss_reasons.py [--hands dev|field] [--conditions connected,scale] [--scenes 40]
Prints a Markdown table, and writes --out FILE.md when given; measures only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (python bench/x.py): bench.field is the project's, not installed
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from bench.field.hands import HAND_SETS, hand_set  # noqa: E402
from bench.field.scenes import CONDITIONS, make_scene  # noqa: E402
from bench.field.scoring import match_boxes  # noqa: E402
from bench.field_test import DEFAULT_SEED, DEV_SEED  # noqa: E402
from edge.reader import DEFAULT_MIN_CONFIDENCE, DigitReader, given_a_digit  # noqa: E402
from edge.runtime.interpreter import DigitClassifier  # noqa: E402
from edge.vision.settle import not_a_digit  # noqa: E402

CAUSES = ("rejected: not a digit", "rejected: low confidence", "merged", "no piece")
COVERED = 0.5  # share of a truth box inside an accepted digit's box that makes the miss "merged"


def covered_share(truth: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Per truth box (N, 4), the largest share of its area inside any of `boxes` (M, 4)."""
    if not len(truth) or not len(boxes):
        return np.zeros(len(truth))
    t, b = truth[:, None, :].astype(np.float64), boxes[None, :, :].astype(np.float64)
    iw = np.clip(np.minimum(t[..., 0] + t[..., 2], b[..., 0] + b[..., 2]) - np.maximum(t[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(t[..., 1] + t[..., 3], b[..., 1] + b[..., 3]) - np.maximum(t[..., 1], b[..., 1]), 0, None)
    return (iw * ih / np.maximum(t[..., 2] * t[..., 3], 1.0)).max(axis=1)


def miss_causes(reader: DigitReader, scene) -> dict[str, int]:
    """Counts of CAUSES over one scene's missed truth digits (the reader's own rules)."""
    frame = cv2.imdecode(np.frombuffer(scene.jpeg, np.uint8), cv2.IMREAD_COLOR)
    settled = reader.settle(frame)
    rejected = not_a_digit(settled.probs, reader.reject_threshold)
    _, confidence = given_a_digit(settled.probs, reader.reject_threshold)
    low = (confidence < reader.min_confidence) & ~rejected
    accepted = ~rejected & ~low
    truth = np.array([d.box for d in scene.digits], np.float64).reshape(-1, 4)
    boxes = np.array(settled.boxes, np.float64).reshape(-1, 4)
    matched = {t for t, _ in match_boxes(truth, boxes[accepted])}
    missed = [t for t in range(len(truth)) if t not in matched]
    counts = dict.fromkeys(CAUSES, 0)
    if not missed:
        return counts
    # a missed digit that a dropped piece matches was the classifier's to keep
    by_piece = dict(match_boxes(truth[missed], boxes[~accepted]))
    dropped_index = np.flatnonzero(~accepted)
    share = covered_share(truth[missed], boxes[accepted])
    for k in range(len(missed)):
        if k in by_piece:
            piece = dropped_index[by_piece[k]]
            counts["rejected: not a digit" if rejected[piece] else "rejected: low confidence"] += 1
        elif share[k] >= COVERED:
            counts["merged"] += 1
        else:
            counts["no piece"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, help="a .tflite model (default: the shipped one)")
    p.add_argument("--hands", choices=HAND_SETS, default="dev", help="dev (training-side fonts, default) or field")
    p.add_argument("--conditions", default=",".join(CONDITIONS), help=f"comma-separated, of {','.join(CONDITIONS)}")
    p.add_argument("--scenes", type=int, default=40, help="scenes per condition (default 40, the field test's)")
    p.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    p.add_argument("--out", type=Path, help="also write the table here (.md)")
    args = p.parse_args(argv)
    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    unknown = sorted(set(conditions) - set(CONDITIONS))
    if unknown or args.scenes < 1:
        print(f"miss_reasons: unknown condition {', '.join(unknown)}" if unknown else "miss_reasons: --scenes must be >= 1",
              file=sys.stderr)
        return 2
    hands = hand_set(args.hands)
    seed = DEFAULT_SEED if hands.held_out else DEV_SEED
    reader = DigitReader(DigitClassifier(args.model), min_confidence=args.min_confidence)
    rows = {}
    for condition in conditions:
        total, digits = dict.fromkeys(CAUSES, 0), 0
        for index in range(args.scenes):
            scene = make_scene(condition, seed, index, hands)
            digits += len(scene.digits)
            for cause, n in miss_causes(reader, scene).items():
                total[cause] += n
        rows[condition] = (digits, total)
    lines = [f"hands {hands.name}, seed {seed}, {args.scenes} scenes per condition, model {reader.classifier.path}", "",
             "| condition | truth digits | missed | " + " | ".join(CAUSES) + " |", "|---|---|---|" + "---|" * len(CAUSES)]
    for condition, (digits, total) in rows.items():
        lines.append(f"| {condition} | {digits} | {sum(total.values())} | " + " | ".join(str(total[c]) for c in CAUSES) + " |")
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
