"""Hard examples from the reader's own cuts: labelled crops for `edge-train --crops`.

The reader classifies far more crops than it keeps: every piece of every candidate cut and
span of touching digits, letters, marks and fragments. This runs the whole reader over scenes
of the field test's generator and pages of bench/false_kinds.py, written in the training-side
hands only (the dev set's fonts, never the held-out field hands), at a seed no measuring run
uses, and labels each crop by the scene's truth:
- a digit: its box overlaps one truth digit (IoU >= MATCH) and no other truth digit by
  OTHER_COVER of that one's box (a cut of two touching digits is no example of either);
- "not a digit" (DIR/none): its box overlaps every truth digit little (IoU < APART): letters,
  printed words, arrows, scribbles, line remnants, small fragments of a digit; a lone stroke
  (a bar, or ink narrower than STICK of its height) is left out, since any writer's 1 looks so;
- anything between (half a digit, a digit with half its neighbour) is left out.
Every crop the model gets wrong at its reject rule (a digit rejected, misread or unsure; a
non-digit not rejected) is kept, and EASY_DIGITS / EASY_NONE of the others. Writes
DIR/<digit>/*.png, DIR/none/*.png and DIR/harvest.json (counts, seeds, the command):
    python bench/harvest_crops.py --out runs/harvest [--scenes 40] [--pages 30] [--seed 4343]
    edge-train --init-from edge/models/digits_int8.tflite --crops runs/harvest --epochs 5 ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (python bench/x.py): bench.field is the project's, not installed
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

import edge.reader as reader_module  # noqa: E402
from bench import false_kinds  # noqa: E402
from bench.field.hands import dev_hands  # noqa: E402
from bench.field.scenes import CONDITIONS, make_scene  # noqa: E402
from bench.field_test import DEFAULT_SEED, DEV_SEED  # noqa: E402
from edge.reader import DigitReader  # noqa: E402
from edge.runtime.interpreter import DigitClassifier  # noqa: E402
from edge.vision.picture import MAX_SIDE  # noqa: E402
from edge.vision.settle import NOT_A_DIGIT  # noqa: E402

MATCH = 0.75  # IoU with its truth digit for a crop to be that digit
OTHER_COVER = 0.2  # ... and at most this share of any other truth digit's box inside the crop's
APART = 0.25  # IoU under which a crop is no digit
STICK = 0.45  # a non-digit crop whose ink is narrower than this share of its height is a 1 to anyone
BAR = 0.2  # ... as is one whose ink spreads across under this share of its spread along
INK = 40  # crop level counted as ink for those shapes
EASY_DIGITS, EASY_NONE = 0.15, 0.03  # shares kept of the crops the model already gets right
SURE = 0.9  # a digit read under this share of the digit columns is unsure: a hard example
PAGE_OFFSET = 1000  # false_kinds' measured pages are 0..39: these start far beyond them


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of box `a` (x, y, w, h) with each of (N, 4) boxes `b`."""
    ix = np.clip(np.minimum(a[0] + a[2], b[:, 0] + b[:, 2]) - np.maximum(a[0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[1] + a[3], b[:, 1] + b[:, 3]) - np.maximum(a[1], b[:, 1]), 0, None)
    inter = ix * iy
    return inter / (a[2] * a[3] + b[:, 2] * b[:, 3] - inter + 1e-9)


def covered(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of each of boxes `b` that lies inside box `a`."""
    ix = np.clip(np.minimum(a[0] + a[2], b[:, 0] + b[:, 2]) - np.maximum(a[0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[1] + a[3], b[:, 1] + b[:, 3]) - np.maximum(a[1], b[:, 1]), 0, None)
    return ix * iy / np.maximum(b[:, 2] * b[:, 3], 1)


def a_stroke(crop: np.ndarray) -> bool:
    """Whether a 28x28 crop's ink is one straight stroke (narrow, or a bar at any slant)."""
    ys, xs = np.nonzero(crop > INK)
    if len(xs) < 3:
        return True
    if xs.max() - xs.min() + 1 < STICK * (ys.max() - ys.min() + 1):
        return True
    w = crop[ys, xs].astype(np.float64)
    mx, my = np.average(xs, weights=w), np.average(ys, weights=w)
    sxx, syy = np.average((xs - mx) ** 2, weights=w), np.average((ys - my) ** 2, weights=w)
    sxy = np.average((xs - mx) * (ys - my), weights=w)
    half = np.hypot((sxx - syy) / 2, sxy)
    major, minor = (sxx + syy) / 2 + half, max((sxx + syy) / 2 - half, 0.0)
    return minor < BAR**2 * major


def label(box: np.ndarray, truth: np.ndarray, values: list[int]) -> int | None:
    """The digit a crop at `box` is (truth boxes and their values), NOT_A_DIGIT, or None: neither."""
    if not len(truth):
        return NOT_A_DIGIT
    overlap = iou(box, truth)
    best = int(np.argmax(overlap))
    if overlap[best] >= MATCH:
        others = np.delete(covered(box, truth), best)
        return values[best] if not (others >= OTHER_COVER).any() else None
    return NOT_A_DIGIT if overlap[best] < APART else None


class Recorder:
    """Wraps the reader's crop maker and classifier: every crop it reads, with its piece and answer."""

    def __init__(self, classifier: DigitClassifier) -> None:
        self.rounds: list[list] = []
        self._crop = reader_module.crop_pieces
        self._classify = classifier.classify
        reader_module.crop_pieces = self.crop_pieces
        classifier.classify = self.classify

    def crop_pieces(self, ink, labels, pieces):
        crops = self._crop(ink, labels, pieces)
        self.rounds.append([tuple(pieces), crops])
        return crops

    def classify(self, crops):
        probs = self._classify(crops)
        self.rounds[-1].append(probs)
        return probs

    def close(self) -> None:
        reader_module.crop_pieces = self._crop


def harvest(reader: DigitReader, recorder: Recorder, jpeg: bytes, truth: np.ndarray, values: list[int],
            rng: np.random.Generator) -> list[tuple[np.ndarray, int, bool]]:
    """(crop, label, hard) for the crops of one frame worth keeping."""
    recorder.rounds.clear()
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    reader.read(frame)
    scale = min(1.0, MAX_SIDE / max(frame.shape[:2]))  # pieces are at the reader's working size
    tau = reader.reject_threshold
    kept, seen = [], set()
    for pieces, crops, probs in recorder.rounds:
        for piece, crop, p in zip(pieces, crops, probs, strict=True):
            if piece in seen:
                continue
            seen.add(piece)
            box = np.array([piece.box.x, piece.box.y, piece.box.w, piece.box.h], np.float64) / scale
            truth_label = label(box, truth, values)
            if truth_label is None:
                continue
            rejected = p[NOT_A_DIGIT] >= tau if tau is not None else int(np.argmax(p)) == NOT_A_DIGIT
            if truth_label == NOT_A_DIGIT:
                if a_stroke(crop):
                    continue
                hard = not rejected
                share = EASY_NONE
            else:
                top = int(np.argmax(p[:NOT_A_DIGIT]))
                hard = rejected or top != truth_label or p[top] / max(float(p[:NOT_A_DIGIT].sum()), 1e-6) < SURE
                share = EASY_DIGITS
            if hard or rng.random() < share:
                kept.append((crop, truth_label, bool(hard)))
    return kept


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n", 2)[2],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True, help="folder for <digit>/, none/ and harvest.json (refused if it holds files)")
    p.add_argument("--scenes", type=int, default=40, help="scenes per field-test condition (default 40)")
    p.add_argument("--pages", type=int, default=30, help="pages per kind of false_kinds' marks (default 30)")
    p.add_argument("--seed", type=int, default=4343, help=f"scene seed (default 4343; never the dev set's {DEV_SEED} "
                   f"or the field test's {DEFAULT_SEED})")
    p.add_argument("--model", type=Path, help="the .tflite model whose answers mark the hard crops (default: the shipped one)")
    args = p.parse_args(argv)
    if args.seed in (DEV_SEED, DEFAULT_SEED):
        p.error(f"--seed {args.seed} is a measuring seed; harvest from another, so the dev set and field test stay unseen")
    if args.out.exists() and any(args.out.iterdir()):
        p.error(f"--out {args.out} holds files; pick a new folder")
    args.out.mkdir(parents=True, exist_ok=True)
    hands = dev_hands()  # training-side fonts only: the field hands are never harvested
    classifier = DigitClassifier(args.model)
    recorder = Recorder(classifier)
    reader = DigitReader(classifier)
    rng = np.random.default_rng(args.seed)
    kept, sources = [], {}
    try:
        for condition in CONDITIONS:
            start = len(kept)
            for index in range(args.scenes):
                scene = make_scene(condition, args.seed, index, hands)
                truth = np.array([d.box for d in scene.digits], np.float64).reshape(-1, 4)
                kept += harvest(reader, recorder, scene.jpeg, truth, [d.value for d in scene.digits], rng)
            sources[condition] = len(kept) - start
            print(f"{condition}: {sources[condition]} crops", flush=True)
        for kind in false_kinds.KINDS:
            start = len(kept)
            for index in range(args.pages):
                jpeg, _ = false_kinds.page(kind, PAGE_OFFSET + args.seed + index, hands)
                kept += harvest(reader, recorder, jpeg, np.zeros((0, 4)), [], rng)
            sources[f"marks: {kind}"] = len(kept) - start
            print(f"marks, {kind}: {sources[f'marks: {kind}']} crops", flush=True)
    finally:
        recorder.close()
    counts = {}
    for k, (crop, value, hard) in enumerate(kept):
        name = "none" if value == NOT_A_DIGIT else str(value)
        (args.out / name).mkdir(exist_ok=True)
        cv2.imwrite(str(args.out / name / f"{k:06d}{'h' if hard else ''}.png"), crop)
        counts.setdefault(name, [0, 0])
        counts[name][0] += 1
        counts[name][1] += hard
    record = {"command": "python bench/harvest_crops.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "hands": hands.name, "seed": args.seed, "scenes_per_condition": args.scenes, "pages_per_kind": args.pages,
              "model": str(classifier.path), "reject_threshold": reader.reject_threshold,
              "crops": {name: {"all": n, "hard": h} for name, (n, h) in sorted(counts.items())}, "by_source": sources}
    (args.out / "harvest.json").write_text(json.dumps(record, indent=2))
    print(json.dumps(record["crops"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
