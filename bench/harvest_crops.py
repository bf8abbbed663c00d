"""Hard examples from the reader's own cuts: labelled crops for `edge-train --crops`.

The reader classifies far more crops than it keeps: every piece of every candidate cut and
span of touching digits, letters, marks and fragments. This runs the whole reader over scenes
of the field test's generator and pages of bench/false_kinds.py, written in the training-side
hands only (the dev set's fonts, never the held-out field hands), at a seed no measuring run
uses, and labels each crop by the scene's truth:
- a digit: its box overlaps one truth digit (IoU > MATCH) and no other truth digit by
  OTHER_COVER of that one's box (a cut of two touching digits is no example of either);
- "not a digit" (DIR/none): its box overlaps every truth digit little (IoU <= APART): letters,
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
from edge.reader import DigitReader, given_a_digit  # noqa: E402
from edge.runtime.interpreter import DigitClassifier  # noqa: E402
from edge.vision.box import Box  # noqa: E402
from edge.vision.picture import MAX_SIDE  # noqa: E402
from edge.vision.settle import NOT_A_DIGIT, not_a_digit  # noqa: E402

MATCH = 0.75  # IoU with its truth digit over which a crop is that digit
OTHER_COVER = 0.2  # ... and at most this share of any other truth digit's box inside the crop's
APART = 0.25  # IoU at or under which a crop is no digit
STICK = 0.45  # a non-digit crop whose ink is narrower than this share of its height is a 1 to anyone
BAR = 0.2  # ... as is one whose ink spreads across under this share of its spread along
INK = 40  # crop level counted as ink for those shapes
EASY_DIGITS, EASY_NONE = 0.15, 0.03  # shares kept of the crops the model already gets right
SURE = 0.9  # a digit read under this share of the digit columns is unsure: a hard example
PAGE_OFFSET = 1000  # false_kinds' measured pages are 0..39: these start far beyond them


def a_stroke(crop: np.ndarray) -> bool:
    """Whether a 28x28 crop's ink is one straight stroke (narrow, or a bar at any slant)."""
    mask = (crop > INK).astype(np.uint8)
    _, _, w, h = cv2.boundingRect(mask)
    if cv2.countNonZero(mask) < 3 or w < STICK * h:
        return True
    m = cv2.moments(np.where(mask, crop, 0).astype(np.float32))
    sxx, syy, sxy = m["mu20"] / m["m00"], m["mu02"] / m["m00"], m["mu11"] / m["m00"]
    half = np.hypot((sxx - syy) / 2, sxy)
    major, minor = (sxx + syy) / 2 + half, max((sxx + syy) / 2 - half, 0.0)
    return minor < BAR**2 * major


def label(box: Box, truth: list[Box], values: list[int]) -> int | None:
    """The digit a crop at `box` is (truth boxes and their values), NOT_A_DIGIT, or None: neither."""
    if not truth:
        return NOT_A_DIGIT
    overlap = [box.iou(t) for t in truth]
    best = int(np.argmax(overlap))
    if overlap[best] > MATCH:
        alone = all(box.intersection_area(t) < OTHER_COVER * t.area for k, t in enumerate(truth) if k != best)
        return values[best] if alone else None
    return NOT_A_DIGIT if overlap[best] <= APART else None


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


def harvest(reader: DigitReader, recorder: Recorder, jpeg: bytes, truth: list[Box], values: list[int],
            rng: np.random.Generator) -> list[tuple[np.ndarray, int, bool]]:
    """(crop, label, hard) for the crops of one frame worth keeping."""
    recorder.rounds.clear()
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    reader.read(frame)
    back = 1.0 / min(1.0, MAX_SIDE / max(frame.shape[:2]))  # pieces are at the reader's working size
    kept, seen = [], set()
    for pieces, crops, probs in recorder.rounds:
        rejected = not_a_digit(probs, reader.reject_threshold)  # the reader's own rules
        read, confidence = given_a_digit(probs, reader.reject_threshold)
        for k, piece in enumerate(pieces):
            if piece in seen:
                continue
            seen.add(piece)
            truth_label = label(piece.box.scale(back), truth, values)
            if truth_label is None or (truth_label == NOT_A_DIGIT and a_stroke(crops[k])):
                continue
            if truth_label == NOT_A_DIGIT:
                hard, share = not rejected[k], EASY_NONE
            else:
                hard, share = rejected[k] or read[k] != truth_label or confidence[k] < SURE, EASY_DIGITS
            if hard or rng.random() < share:
                kept.append((crops[k], truth_label, bool(hard)))
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
                truth = [Box(*d.box) for d in scene.digits]
                kept += harvest(reader, recorder, scene.jpeg, truth, [d.value for d in scene.digits], rng)
            sources[condition] = len(kept) - start
            print(f"{condition}: {sources[condition]} crops", flush=True)
        for kind in false_kinds.KINDS:
            start = len(kept)
            for index in range(args.pages):
                jpeg, _ = false_kinds.page(kind, PAGE_OFFSET + args.seed + index, hands)
                kept += harvest(reader, recorder, jpeg, [], [], rng)
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
