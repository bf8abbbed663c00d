"""Close-ups: a number or two filling much of a small frame, on plain, ruled and squared paper.

The field test and the demo photograph whole pages, where a paper line is far thinner than the
frame and far longer than a digit. Held close (a phone over one number in a notebook, a Pi
camera over a form's cell), a line is a few pixels thick, a digit's stroke as long as a rule
must be, and rule removal decides on shares of the frame. Each frame here is one page of the
demo's generator (edge.demo.synth: one or two lines of one or two numbers of MNIST digits,
photographed) filling 70-95% of a 320x240 or 640x480 frame. The digits are MNIST *training*
digits, so a reader change may be tuned here (the demo's own frames hold the test digits).
    python bench/closeup.py --data-dir ../shared/data/mnist [--frames 120] [--out DIR]
Writes DIR/closeup.{md,json} (default bench/results/closeup); measures only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (python bench/x.py): the project's edge, not an installed one
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from edge.demo.mnist import load_split  # noqa: E402
from edge.demo.scoring import Score  # noqa: E402
from edge.demo.synth import make_page, render  # noqa: E402
from edge.errors import UserError  # noqa: E402
from edge.reader import DigitReader  # noqa: E402
from edge.runtime.interpreter import DigitClassifier  # noqa: E402

PAPERS = ("plain", "ruled", "squared")
FRAMES = ((320, 240), (640, 480))  # alternating
SEED = 4242  # its own seed: none of the demo's frames
DIGITS = 20_000  # the first training digits are drawn from


def frames(paper: str, count: int, images: np.ndarray, labels: np.ndarray):
    """`count` close-up frames of one paper: (grey image, truth lines)."""
    rng = np.random.default_rng([SEED, PAPERS.index(paper)])
    for k in range(count):
        page = make_page(rng, images, labels, digit_px=40, n_lines=int(rng.integers(1, 3)), numbers_per_line=(1, 2),
                         digits_per_number=(1, 4), paper=paper)
        shot = render(rng, page, FRAMES[k % len(FRAMES)], fill=rng.uniform(0.7, 0.95), blur=rng.uniform(0.3, 1.0),
                      noise=rng.uniform(1.5, 5.0), jpeg=85)
        yield shot.image, shot.lines


def measure(reader: DigitReader, count: int, images: np.ndarray, labels: np.ndarray) -> dict:
    rows = {}
    for paper in PAPERS:
        score, times = Score(), []
        for image, truth in frames(paper, count, images, labels):
            t = time.perf_counter()
            read = reader.read(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
            times.append((time.perf_counter() - t) * 1e3)
            score.add(truth, read.lines)
        rows[paper] = {"frames": score.frames, "digits": score.digits, "digit_accuracy": round(score.digit_accuracy, 4),
                       "numbers": score.numbers, "numbers_exact": round(score.number_rate, 4),
                       "frames_exact": score.frames_exact, "ms_per_frame_median": round(float(np.median(times)), 2)}
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="MNIST folder (default: $EDGE_DIGITS_DATA or ~/.cache/edge-digits/mnist)")
    p.add_argument("--frames", type=int, default=120, help="frames per paper (default 120)")
    p.add_argument("--model", type=Path, help="a .tflite model (default: the shipped one)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "closeup", help="output folder")
    args = p.parse_args(argv)
    if args.frames < 1:
        print("closeup: --frames must be >= 1", file=sys.stderr)
        return 2
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        probe = args.out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        print(f"closeup: cannot write to {args.out} ({e.strerror}); pass --out a writable folder", file=sys.stderr)
        return 2
    try:
        train = load_split("train", args.data_dir)
    except UserError as e:
        print(f"closeup: {e}", file=sys.stderr)
        return 2
    reader = DigitReader(DigitClassifier(args.model))
    rows = measure(reader, args.frames, train.images[:DIGITS], train.labels[:DIGITS])
    command = "python bench/closeup.py --data-dir ../shared/data/mnist" + (f" --frames {args.frames}" if args.frames != 120 else "")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}"
    lines = [
        "# Close-ups: a number or two filling a small frame", "",
        f"Command: `{command}`  ",
        f"Machine: {machine}; model: {reader.classifier.path.name}; seed {SEED}; {args.frames} frames per paper, "
        f"320x240 and 640x480 alternating; MNIST training digits (the first {DIGITS:,}).", "",
        "Digit accuracy and numbers exact as the demo scores them (edge.demo.scoring). ms: median per frame.", "",
        "| paper | frames | digits | digit accuracy | numbers exact | frames exact | ms/frame |",
        "|---|---|---|---|---|---|---|",
    ]
    for paper, r in rows.items():
        lines.append(f"| {paper} | {r['frames']} | {r['digits']} | {r['digit_accuracy']:.2%} | {r['numbers_exact']:.2%} "
                     f"| {r['frames_exact']} | {r['ms_per_frame_median']} |")
    (args.out / "closeup.md").write_text("\n".join(lines) + "\n")
    (args.out / "closeup.json").write_text(json.dumps({"command": command, "machine": machine, "seed": SEED,
                                                       "model": str(reader.classifier.path), "papers": rows}, indent=2) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
