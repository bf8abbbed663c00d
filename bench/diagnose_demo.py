"""Where the edge loop loses digits on demo frames: boxes matched to the generator's truth.

For each demo frame the segmenter's boxes are matched to the truth boxes and every
truth digit is put in one bin:
  ok          one box, read right
  misread     one box, read as another digit (the classifier's share of the error)
  rejected    one box, but its confidence is under the reader's threshold
  split       two or more boxes on one digit (a rule or a gap broke it)
  merged      one box over two or more digits (touching digits not cut apart)
  missed      no box at all
and boxes on no digit are counted as stray. Run:
    python bench/diagnose_demo.py --data-dir ../shared/data/mnist [--frames 200] [--dump DIR]
--dump writes the crops of misread digits and a strip of crops beside MNIST digits.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from edge.demo.mnist import load_split
from edge.demo.synth import DemoScene
from edge.reader import DEFAULT_MIN_CONFIDENCE, DigitReader
from edge.runtime.interpreter import DigitClassifier
from edge.vision.box import boxes_array

OWN_SHARE = 0.6  # a box belongs to a digit when this share of the box lies on the digit's truth box
COVER_SHARE = 0.5  # a box covers a digit when it holds this share of the digit's truth box


def _inter(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise intersection areas of (N, 4) and (M, 4) x, y, w, h boxes."""
    ax0, ay0, ax1, ay1 = a[:, 0, None], a[:, 1, None], (a[:, 0] + a[:, 2])[:, None], (a[:, 1] + a[:, 3])[:, None]
    bx0, by0, bx1, by1 = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), 0, None)
    ih = np.clip(np.minimum(ay1, by1) - np.maximum(ay0, by0), 0, None)
    return iw * ih


def diagnose_frame(truth_boxes: np.ndarray, truth_values: np.ndarray, boxes: np.ndarray,
                   values: np.ndarray, confidence: np.ndarray, min_confidence: float) -> tuple[Counter, list]:
    """Bins for one frame, and (truth index, box index) of each misread digit."""
    counts: Counter = Counter()
    misread: list[tuple[int, int]] = []
    if len(boxes) == 0:
        counts["missed"] += len(truth_boxes)
        return counts, misread
    inter = _inter(truth_boxes.astype(np.float64), boxes.astype(np.float64))  # (T, B)
    t_area = np.maximum(truth_boxes[:, 2] * truth_boxes[:, 3], 1)[:, None]
    b_area = np.maximum(boxes[:, 2] * boxes[:, 3], 1)[None]
    covers = inter / t_area >= COVER_SHARE  # box holds most of the digit
    owned = inter / b_area >= OWN_SHARE  # box lies mostly on the digit
    merged_box = covers.sum(axis=0) >= 2
    counts["stray"] += int((~owned.any(axis=0) & ~covers.any(axis=0)).sum())
    for t in range(len(truth_boxes)):
        mine = np.nonzero((owned[t] | covers[t]) & ~merged_box)[0]
        if merged_box[covers[t]].any():
            counts["merged"] += 1
        elif len(mine) == 0:
            counts["missed"] += 1
        elif len(mine) >= 2:
            counts["split"] += 1
        else:
            b = int(mine[0])
            if confidence[b] < min_confidence:
                counts["rejected"] += 1
            elif values[b] != truth_values[t]:
                counts["misread"] += 1
                misread.append((t, b))
            else:
                counts["ok"] += 1
    return counts, misread


def _annotate(image: np.ndarray, truth_boxes: np.ndarray, boxes: np.ndarray, values: np.ndarray, counts: Counter) -> np.ndarray:
    """Truth boxes in blue, found boxes in green with the digit read, the frame's bins on top."""
    canvas = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    for x, y, w, h in truth_boxes:
        cv2.rectangle(canvas, (int(x), int(y)), (int(x + w), int(y + h)), (255, 80, 0), 1)
    for (x, y, w, h), v in zip(boxes, values, strict=True):
        cv2.rectangle(canvas, (int(x) - 1, int(y) - 1), (int(x + w) + 1, int(y + h) + 1), (0, 200, 0), 1)
        cv2.putText(canvas, str(int(v)), (int(x), int(y + h) + 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 255), 1)
    text = " ".join(f"{k} {v}" for k, v in counts.items() if v and k != "ok")
    cv2.rectangle(canvas, (0, 0), (8 * len(text) + 8, 20), (255, 255, 255), -1)
    cv2.putText(canvas, text, (4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    return canvas


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir")
    p.add_argument("--model")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--size", default="640x480")
    p.add_argument("--dump", type=Path, help="folder for misread crops and a crops-vs-MNIST strip")
    args = p.parse_args()
    test = load_split("t10k", args.data_dir)
    wh = tuple(int(v) for v in args.size.split("x"))
    reader = DigitReader(DigitClassifier(args.model))
    scene = DemoScene(test.images, test.labels, frame_wh=wh, frames_per_page=1, seed=args.seed)
    frames = scene.frames()
    total: Counter = Counter()
    confusions: Counter = Counter()
    bad_crops, good_crops = [], []
    for i in range(args.frames):
        frame = next(frames)
        settled = reader.settle(frame.image)  # the reader's own intermediate result, before its threshold
        boxes, crops = boxes_array(settled.boxes), settled.crops
        values, conf = settled.values, settled.confidence
        truth_boxes = np.array([d.box for d in frame.digits]).reshape(-1, 4)
        truth_values = np.array([d.value for d in frame.digits])
        counts, misread = diagnose_frame(truth_boxes, truth_values, boxes, values, conf, DEFAULT_MIN_CONFIDENCE)
        total.update(counts)
        total["digits"] += len(frame.digits)
        if args.dump and {k for k, v in counts.items() if v} - {"ok", "misread", "rejected"} and i < 60:
            args.dump.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(args.dump / f"frame_{i:03d}.png"), _annotate(frame.image, truth_boxes, boxes, values, counts))
        for t, b in misread:
            confusions[f"{truth_values[t]}->{values[b]}"] += 1
            bad_crops.append((crops[b], int(truth_values[t]), int(values[b]), i))
        good_crops.extend(crops[: max(0, 40 - len(good_crops))])
    share = {k: f"{v / max(1, total['digits']):.2%}" for k, v in total.items() if k != "digits"}
    print(json.dumps({"frames": args.frames, "counts": dict(total), "share_of_digits": share}))
    print("confusions (truth->read):", dict(confusions.most_common(12)))
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for n, (crop, t, r, i) in enumerate(bad_crops):
            cv2.imwrite(str(args.dump / f"misread_{n:03d}_f{i}_{t}as{r}.png"), cv2.resize(crop, (112, 112), interpolation=cv2.INTER_NEAREST))
        edge_row = np.hstack(list(good_crops[:20]) or [np.zeros((28, 28), np.uint8)])
        mnist_row = np.hstack(list(test.images[:20]))
        strip = np.vstack([edge_row, mnist_row[:, : edge_row.shape[1]]])
        cv2.imwrite(str(args.dump / "crops_vs_mnist.png"), cv2.resize(strip, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST))


if __name__ == "__main__":
    main()
