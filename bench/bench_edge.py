"""Edge loop benchmark: frames/s and ms per stage, and reading accuracy on demo frames.

Writes bench/results/edge_bench.json and .md. Run:
    python bench/bench_edge.py --data-dir ../shared/data/mnist [--model PATH] [--frames 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from edge.interpreter import DigitClassifier
from edge.mnist import load_split
from edge.reader import DigitReader
from edge.scoring import Score
from edge.synth import DemoScene

RESULTS = Path(__file__).parent / "results"


def frames_with_about(n_digits: int, wh, count: int, images, labels, seed: int):
    """Demo frames whose pages hold about `n_digits` digits (~20 a frame, as the issue asks)."""
    scene = DemoScene(images, labels, frame_wh=wh, frames_per_page=4, seed=seed)
    out = []
    for frame in scene.frames():
        if abs(len(frame.digits) - n_digits) <= 6:
            out.append(frame)
        if len(out) == count:
            return out
    return out


def bench(reader: DigitReader, frames) -> dict:
    stages = {k: [] for k in ("decode", "segment", "classify", "group", "total")}
    score = Score()
    for f in frames[:3]:
        reader.read(f.image)  # warm-up: allocations, interpreter resize
    start = time.perf_counter()
    for f in frames:
        result = reader.read(f.image)
        for k in stages:
            stages[k].append(result.timing_ms[k])
        score.add(f.lines, result.lines)
    wall = time.perf_counter() - start
    return {
        "frames": len(frames),
        "fps": len(frames) / wall,
        "ms": {k: float(np.median(v)) for k, v in stages.items()},
        "digits_per_frame": float(np.mean([len(f.digits) for f in frames])),
        "digit_accuracy": score.digit_accuracy,
        "numbers_exact": score.number_rate,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir")
    p.add_argument("--model")
    p.add_argument("--frames", type=int, default=60)
    args = p.parse_args()
    test = load_split("t10k", args.data_dir)
    rows = []
    for wh in ((640, 480), (1280, 720)):
        frames = frames_with_about(20, wh, args.frames, test.images, test.labels, seed=wh[0])
        for threads in (1, 2):
            reader = DigitReader(DigitClassifier(args.model, threads=threads))
            row = {"resolution": f"{wh[0]}x{wh[1]}", "threads": threads, **bench(reader, frames)}
            rows.append(row)
            print(json.dumps(row))
    # accuracy on a longer run of the demo generator's frames (any digit count)
    scene = DemoScene(test.images, test.labels, frame_wh=(640, 480), frames_per_page=1, seed=2024)
    it = scene.frames()
    acc = bench(DigitReader(DigitClassifier(args.model)), [next(it) for _ in range(200)])
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or platform.platform()}"
    report = {"machine": machine, "model": str(args.model or "shipped"), "speed": rows,
              "accuracy_200_demo_frames": {k: acc[k] for k in ("frames", "digits_per_frame", "digit_accuracy", "numbers_exact")}}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "edge_bench.json").write_text(json.dumps(report, indent=2))
    md = [f"# edge loop benchmark\n\nmachine: {machine}; model: {report['model']}\n",
          "| resolution | threads | digits/frame | fps | decode | segment | classify | group | total ms |",
          "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ms = r["ms"]
        md.append(f"| {r['resolution']} | {r['threads']} | {r['digits_per_frame']:.1f} | {r['fps']:.1f} | "
                  f"{ms['decode']:.2f} | {ms['segment']:.2f} | {ms['classify']:.2f} | {ms['group']:.2f} | {ms['total']:.2f} |")
    a = report["accuracy_200_demo_frames"]
    md.append(f"\nAccuracy on 200 demo frames (640x480, {a['digits_per_frame']:.1f} digits/frame): "
              f"digit accuracy {a['digit_accuracy']:.2%}, numbers exact {a['numbers_exact']:.2%}\n")
    (RESULTS / "edge_bench.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
