"""False digits per kind of non-digit mark: printed words, handwritten words, and each drawn mark.

Each page holds one kind alone (three rows of up to three items, the distractor scenes' sizes,
pen and camera), so every digit read on it is a false one, and its crops show what the model
took for a digit. Run on the dev set while tuning (the default), on the field hands once:
    python bench/false_kinds.py [--hands dev|field] [--pages 40] [--model M.tflite] [--out DIR]
Writes DIR/false_kinds.md (default bench/results/false_kinds_<hands>) and a mosaic of the false
digits' crops per kind (false_kinds.png); measures only.
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

from bench.field import forms  # noqa: E402
from bench.field.camera import PENS, Camera, Inks, photograph  # noqa: E402
from bench.field.glyphs import printed, written  # noqa: E402
from bench.field.hands import FIELD, dev_hands  # noqa: E402
from bench.field.layout import Pen  # noqa: E402
from bench.field.sheet import Sheet  # noqa: E402
from bench.field.strokes import MARKS, drawn_mark  # noqa: E402
from edge.reader import DigitReader  # noqa: E402
from edge.runtime.interpreter import DigitClassifier  # noqa: E402

FRAME = (1280, 720)
KINDS = ("printed", "letters", *MARKS)
SEED = 99  # its own seed: none of the field test's scenes


def _item(rng, kind: str, hands, pen: Pen, h: float) -> tuple[np.ndarray, int]:
    """One item's ink and how many marks it counts (one per letter, one per drawn mark)."""
    if kind == "printed":
        text = " ".join(str(w) for w in rng.choice(forms.WORDS, int(rng.integers(1, 3))))
        return printed(text, hands.pick_printed(rng), h * rng.uniform(0.5, 0.9)), len(text.replace(" ", ""))
    if kind == "letters":
        text = str(rng.choice(forms.WORDS))
        return written(rng, text, pen.hand, h, pen.jitter), len(text)
    return drawn_mark(rng, kind, int(h * rng.uniform(0.6, 1.0))), 1


def page(kind: str, index: int, hands) -> tuple[bytes, int]:
    """Page `index` of one kind: its JPEG and its mark count."""
    rng = np.random.default_rng([SEED, KINDS.index(kind), index])
    hand = hands.pick(rng)
    camera = Camera.random(rng)
    sheet = Sheet(int(FRAME[0] * camera.fill), int(FRAME[1] * camera.fill))
    pen = Pen.of_writer(rng, hand)
    marks, y = 0, 60
    for _ in range(3):
        h, x = rng.uniform(28, 60), 30
        for _ in range(3):
            ink, count = _item(rng, kind, hands, pen, h)
            if x + ink.shape[1] > sheet.width - 4:
                break
            sheet.put(ink, x, int(y + h) - ink.shape[0], layer="marks")
            marks += count
            x += ink.shape[1] + int(rng.uniform(1.6, 2.4) * h)
        y += int(rng.uniform(1.9, 2.5) * h)
    colour = PENS["black"] if rng.uniform() < 0.6 else PENS["blue"]
    return photograph(rng, sheet, FRAME, Inks(digits=colour, marks=colour), camera).jpeg, marks


def mosaic(crops: list[tuple[int, np.ndarray]], columns: int = 20) -> np.ndarray:
    tiles = [cv2.putText(cv2.resize(c, (56, 56)), str(v), (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 128, 1)
             for v, c in crops] or [np.zeros((56, 56), np.uint8)]
    tiles += [np.zeros((56, 56), np.uint8)] * (-len(tiles) % columns)
    return np.vstack([np.hstack(tiles[i : i + columns]) for i in range(0, len(tiles), columns)])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hands", choices=("dev", "field"), default="dev", help="dev: training-side fonts (default)")
    p.add_argument("--pages", type=int, default=40, help="pages per kind (default 40)")
    p.add_argument("--model", type=Path, help="a .tflite model (default: the shipped one)")
    p.add_argument("--out", type=Path, help="folder for false_kinds.md and .png (default bench/results/false_kinds_<hands>)")
    args = p.parse_args(argv)
    out = args.out or ROOT / "bench" / "results" / f"false_kinds_{args.hands}"
    out.mkdir(parents=True, exist_ok=True)  # before the first page: an unwritable folder fails here
    hands = dev_hands() if args.hands == "dev" else FIELD
    reader = DigitReader(DigitClassifier(args.model))
    rows, strips = [], []
    for kind in KINDS:
        marks = false = 0
        crops: list[tuple[int, np.ndarray]] = []
        for index in range(args.pages):
            jpeg, count = page(kind, index, hands)
            result = reader.read(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR))
            marks += count
            false += len(result.digits)
            crops += [(d.value, d.crop) for d in result.digits]
        rows.append(f"| {kind} | {marks} | {false} | {100 * false / max(marks, 1):.1f} |")
        strips.append(cv2.putText(np.pad(mosaic(crops[:40]), ((18, 4), (0, 0))), kind, (4, 14),
                                  cv2.FONT_HERSHEY_SIMPLEX, 0.5, 255, 1))
        print(rows[-1], flush=True)
    width = max(s.shape[1] for s in strips)
    cv2.imwrite(str(out / "false_kinds.png"), np.vstack([np.pad(s, ((0, 0), (0, width - s.shape[1]))) for s in strips]))
    text = "\n".join([
        f"# False digits per kind of mark ({args.hands} hands)", "",
        f"Command: `python bench/false_kinds.py --hands {args.hands} --pages {args.pages}`; model "
        f"{reader.classifier.path.name}; {args.pages} pages per kind, each holding that kind alone.", "",
        "| kind | marks | false digits | per 100 marks |", "|---|---|---|---|", *rows, "",
        "false_kinds.png: the crops read as digits (up to 40 a kind), each with the digit read.", ""])
    (out / "false_kinds.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
