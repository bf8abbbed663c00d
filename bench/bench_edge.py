"""Edge loop benchmark: frames/s and ms per stage, and reading accuracy on demo frames.

Speed rows: demo frames (~20 digits), pages of many small digits (MNIST test digits, ~100 a
page), and the field test's scenes (its 640x480 pages, and its 1280x720 scenes of every other
condition but the small field crops). Every frame is JPEG-encoded up front and decoded inside
the timed loop. Writes bench/results/edge_bench.json and .md (or --out DIR). Run from the
project root:
    python bench/bench_edge.py --data-dir ../shared/data/mnist [--frames 60]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (python bench/x.py): bench.field is the project's, not installed
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from edge.demo.mnist import load_split  # noqa: E402
from edge.demo.scoring import Score  # noqa: E402
from edge.demo.synth import DemoScene, make_page, render  # noqa: E402
from edge.pool import ReaderPool  # noqa: E402
from edge.reader import SPAN_BUDGET, DigitReader  # noqa: E402
from edge.runtime.interpreter import SHIPPED_MODEL, DigitClassifier  # noqa: E402
from edge.sources import Frame  # noqa: E402

RESULTS = Path(__file__).parent / "results"
JPEG_QUALITY = 90  # a camera's MJPEG stream or a saved photo
FIELD_SEED = 2026  # the field test's own seed: the same scenes it scores
FIELD_720P = ("scale", "inks", "polarity", "grids", "connected", "styles", "distractors")


class Row:
    """Frames of one kind: JPEG bytes, how to decode them, and their truth lines."""

    def __init__(self, name: str, wh, jpegs: list[bytes], truth: list[list[str]], digits: float, colour: bool):
        self.name, self.wh, self.jpegs, self.truth, self.digits, self.colour = name, wh, jpegs, truth, digits, colour


def _encode(image: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])[1].tobytes()


def demo_row(wh, count: int, images, labels, seed: int) -> Row:
    """Demo frames whose pages hold about 20 digits, as the first edge-loop issue asked."""
    scene = DemoScene(images, labels, frame_wh=wh, frames_per_page=4, seed=seed)
    frames = []
    for frame in scene.frames():
        if abs(len(frame.digits) - 20) <= 6:
            frames.append(frame)
        if len(frames) == count:
            break
    return Row("demo", wh, [_encode(f.image) for f in frames], [f.lines for f in frames],
               float(np.mean([len(f.digits) for f in frames])), colour=False)


def small_digit_row(wh, count: int, images, labels, seed: int) -> Row:
    """Pages of many small digits: 9-12 lines of 3-5 numbers, ~100 digits (~16 px tall at 640x480)."""
    rng = np.random.default_rng(seed)
    frames = []
    for _ in range(count):
        page = make_page(rng, images, labels, digit_px=int(rng.integers(28, 44)), n_lines=int(rng.integers(9, 13)),
                         numbers_per_line=(3, 5), digits_per_number=(1, 4),
                         paper=str(rng.choice(["plain", "ruled", "squared"])))
        frames.append(render(rng, page, wh, fill=rng.uniform(0.85, 0.95), blur=rng.uniform(0.3, 1.0),
                             noise=rng.uniform(1.5, 5.0), jpeg=int(rng.integers(60, 92))))
    return Row("small digits", wh, [_encode(f.image) for f in frames], [f.lines for f in frames],
               float(np.mean([len(f.digits) for f in frames])), colour=False)


def field_rows(count: int) -> list[Row]:
    """The field test's scenes as it generates them (colour JPEGs), or none without its fonts."""
    from bench.field.hands import FieldFontsMissing, require_field_fonts
    from bench.field.scenes import make_scene

    try:
        require_field_fonts()
    except FieldFontsMissing as err:
        print(f"field rows skipped: {err}")
        return []
    pages = [make_scene("pages", FIELD_SEED, i) for i in range(count)]
    scenes = [make_scene(FIELD_720P[i % len(FIELD_720P)], FIELD_SEED, i // len(FIELD_720P)) for i in range(count)]
    return [Row(f"field {name}", tuple(s[0].image.shape[1::-1]), [x.jpeg for x in s], [x.lines for x in s],
                float(np.mean([x.digit_count for x in s])), colour=True)
            for name, s in (("pages", pages), ("scenes", scenes))]


def bench(pool: ReaderPool, row: Row) -> dict:
    """Read every frame of `row`, decoding its JPEG inside the timed loop (as an image file or MJPEG
    camera), on the pool's workers as edge-run reads them (with several, the next frames are decoded
    and read while one is handed out)."""
    stages = {k: [] for k in ("decode", "segment", "classify", "group", "total")}
    score = Score()
    flag = cv2.IMREAD_COLOR if row.colour else cv2.IMREAD_GRAYSCALE
    buffers = [np.frombuffer(j, np.uint8) for j in row.jpegs]
    for reader in pool.readers:
        for buf in buffers[:3]:
            reader.read(cv2.imdecode(buf, flag))  # warm-up: first allocations

    def frames():
        for index, buf in enumerate(buffers):
            t0 = time.perf_counter()
            image = cv2.imdecode(buf, flag)
            yield Frame(image, row.name, index, (time.perf_counter() - t0) * 1e3)

    c0, start = time.process_time(), time.perf_counter()
    for (_, result), truth in zip(pool.read_all(frames()), row.truth, strict=True):
        for k in stages:
            stages[k].append(result.timing_ms[k])
        score.add(truth, result.lines)
    wall, cpu = time.perf_counter() - start, time.process_time() - c0
    return {"frames": len(buffers), "fps": len(buffers) / wall, "ms": {k: float(np.median(v)) for k, v in stages.items()},
            "cpu_ms": cpu / len(buffers) * 1e3, "digits_per_frame": row.digits,
            "digit_accuracy": score.digit_accuracy, "numbers_exact": score.number_rate}


def markdown(report: dict) -> str:
    md = [f"# edge loop benchmark\n\nmachine: {report['machine']}; model: {report['model']}\n",
          f"Command: `{report['command']}`\n",
          f"Frames are JPEG (quality {JPEG_QUALITY}; the field scenes as the field test encodes them) decoded in the "
          "timed loop; fps is frames over the row's wall time; ms are medians of wall time per frame (with 2 "
          "workers, each frame's own, read beside another); cpu ms is the CPU time of the process over the row "
          "per frame (decode included), which other work on a shared machine inflates less than wall time. "
          "threads: the interpreter's and OpenCV's (`edge-run --threads`); workers: frames read at once, each "
          "by its own reader (`edge-run --workers`).\n",
          "| frames | resolution | threads | workers | digits/frame | fps | decode | segment | classify | group | total ms | cpu ms |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["speed"]:
        ms = r["ms"]
        md.append(f"| {r['frames_kind']} | {r['resolution']} | {r['threads']} | {r['workers']} | {r['digits_per_frame']:.1f} | {r['fps']:.1f} | "
                  f"{ms['decode']:.2f} | {ms['segment']:.2f} | {ms['classify']:.2f} | {ms['group']:.2f} | {ms['total']:.2f} | "
                  f"{r['cpu_ms']:.2f} |")
    a = report["accuracy_demo_frames"]
    if a is not None:
        md.append(f"\nAccuracy on {a['frames']} demo frames (640x480, {a['digits_per_frame']:.1f} digits/frame): "
                  f"digit accuracy {a['digit_accuracy']:.2%}, numbers exact {a['numbers_exact']:.2%}\n")
    return "\n".join(md)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir")
    p.add_argument("--model")
    p.add_argument("--span-budget", type=int, default=SPAN_BUDGET,
                   help=f"the reader's touching-digit spans per frame, as edge-run's (default {SPAN_BUDGET})")
    p.add_argument("--frames", type=int, default=60, help="frames per speed row")
    p.add_argument("--accuracy-frames", type=int, default=400, help="demo frames for the accuracy figures")
    p.add_argument("--rows", default="demo,small,field", help="speed rows to run: demo, small, field (comma-separated)")
    p.add_argument("--out", type=Path, default=RESULTS, help="folder for edge_bench.json and .md")
    args = p.parse_args()
    wanted = set(args.rows.split(","))
    test = load_split("t10k", args.data_dir)
    # each row's (threads, workers): one frame at a time with 1 and 2 threads, and two frames at once
    rows: list[tuple[Row, tuple[tuple[int, int], ...]]] = []
    for wh in ((640, 480), (1280, 720)):
        if "demo" in wanted:
            rows.append((demo_row(wh, args.frames, test.images, test.labels, seed=wh[0]), ((1, 1), (2, 1), (1, 2))))
    for wh in ((640, 480), (1280, 720)):
        if "small" in wanted:
            rows.append((small_digit_row(wh, args.frames, test.images, test.labels, seed=wh[1]), ((1, 1), (1, 2))))
    if "field" in wanted:
        rows += [(row, ((1, 1), (1, 2))) for row in field_rows(args.frames)]
    speed = []
    for row, configs in rows:
        for threads, workers in configs:
            # OpenCV gets the interpreter's thread count, as edge-run gives it --threads
            cv2.setNumThreads(threads)
            pool = ReaderPool(lambda n=threads: DigitReader(DigitClassifier(args.model, threads=n),
                                                            span_budget=args.span_budget), workers)
            result = bench(pool, row)
            speed.append({"frames_kind": row.name, "resolution": f"{row.wh[0]}x{row.wh[1]}", "threads": threads,
                          "workers": workers, **result})
            print(json.dumps(speed[-1]), flush=True)
    # accuracy on a longer run of the demo generator's frames (any digit count); none with --accuracy-frames 0
    accuracy = None
    if args.accuracy_frames > 0:
        scene = DemoScene(test.images, test.labels, frame_wh=(640, 480), frames_per_page=1, seed=2024)
        frames = [frame for frame, _ in zip(scene.frames(), range(args.accuracy_frames), strict=False)]
        accuracy_row = Row("demo", (640, 480), [_encode(f.image) for f in frames], [f.lines for f in frames],
                           float(np.mean([len(f.digits) for f in frames])), colour=False)
        cv2.setNumThreads(1)
        acc = bench(ReaderPool(lambda: DigitReader(DigitClassifier(args.model), span_budget=args.span_budget)),
                    accuracy_row)
        accuracy = {k: acc[k] for k in ("frames", "digits_per_frame", "digit_accuracy", "numbers_exact")}
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or platform.platform()}"
    model = Path(args.model or SHIPPED_MODEL)
    report = {"machine": machine, "model": f"{model.name} sha256 {hashlib.sha256(model.read_bytes()).hexdigest()[:12]}",
              "command": "python bench/bench_edge.py " + " ".join(sys.argv[1:]), "speed": speed,
              "jpeg_quality": JPEG_QUALITY,
              "accuracy_demo_frames": accuracy}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "edge_bench.json").write_text(json.dumps(report, indent=2))
    (args.out / "edge_bench.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
