"""Why the reader drops pieces in field-test scenes: the "not a digit" reject or the confidence floor.

Per condition: truth digits, the pieces the reader settles on, and how many of those it drops
because p(not a digit) reaches the model's reject rule (its card's tau, else the argmax rule) or
because its confidence is under --min-confidence. Run:
    python bench/reject_reasons.py --model M.tflite [--conditions connected,scale] [--scenes 15]
Prints a Markdown table (and writes --out FILE.md when given); measure only.
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

from bench.field.scenes import CONDITIONS, make_scene  # noqa: E402
from edge.reader import DEFAULT_MIN_CONFIDENCE, DigitReader, given_a_digit  # noqa: E402
from edge.runtime.interpreter import DigitClassifier  # noqa: E402
from edge.vision.settle import not_a_digit  # noqa: E402

SEED = 2026  # the field test's default seed: the same scenes


def reasons(reader: DigitReader, condition: str, scenes: int) -> dict:
    counts = {"truth digits": 0, "settled pieces": 0, "dropped: not a digit": 0, "dropped: low confidence": 0}
    for index in range(scenes):
        scene = make_scene(condition, SEED, index)
        settled = reader.settle(cv2.imdecode(np.frombuffer(scene.jpeg, np.uint8), cv2.IMREAD_COLOR))
        rejected = not_a_digit(settled.probs, reader.reject_threshold)
        _, confidence = given_a_digit(settled.probs, reader.reject_threshold)
        counts["truth digits"] += len(scene.digits)
        counts["settled pieces"] += len(settled.probs)
        counts["dropped: not a digit"] += int(rejected.sum())
        counts["dropped: low confidence"] += int(((confidence < reader.min_confidence) & ~rejected).sum())
    return counts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, help="a .tflite model (default: the shipped one)")
    p.add_argument("--conditions", default="connected,scale", help=f"comma-separated, of {','.join(CONDITIONS)}")
    p.add_argument("--scenes", type=int, default=15, help="scenes per condition (default 15)")
    p.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    p.add_argument("--out", type=Path, help="also write the table here (.md)")
    args = p.parse_args()
    classifier = DigitClassifier(args.model)
    reader = DigitReader(classifier, min_confidence=args.min_confidence)
    rule = "none" if classifier.classes == 10 else \
        "argmax" if reader.reject_threshold is None else f"tau {reader.reject_threshold:.4f}"
    rows = {c: reasons(reader, c, args.scenes) for c in args.conditions.split(",")}
    keys = list(next(iter(rows.values())))
    lines = [f"model {classifier.path} ({classifier.classes} outputs, reject rule: {rule}), seed {SEED}, "
             f"{args.scenes} scenes per condition", "", "| condition | " + " | ".join(keys) + " |",
             "|---|" + "---|" * len(keys)]
    lines += [f"| {c} | " + " | ".join(str(r[k]) for k in keys) + " |" for c, r in rows.items()]
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
